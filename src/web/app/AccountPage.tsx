import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ApiTokenOutput, Preferences, SessionListItem } from "../../core/auth/schema.ts";
import { ApiError, api } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { useSession } from "./session.tsx";

/** A browser's user agent as a reader names it: Chrome on Windows, Safari on iPhone. */
function deviceOf(userAgent: string | null): string {
  if (!userAgent) return "—";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : userAgent.split(/[ /]/)[0] || "—";
  const system = /iPhone|iPad/.test(userAgent)
    ? "iOS"
    : /Android/.test(userAgent)
      ? "Android"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "";
  return system ? `${browser} · ${system}` : browser;
}

/** Change one's password: the current one first; every other session ends. */
function PasswordCard() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => api("/auth/password", { method: "POST", body: { currentPassword: current, newPassword: next } }),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setAgain("");
      // The session was renewed with a new CSRF token; the other sessions ended.
      void client.invalidateQueries({ queryKey: ["session"] });
      void client.invalidateQueries({ queryKey: ["account"] });
    },
  });
  // The server words a field's error in both languages ("English / 中文"): the reader's half.
  const fieldError = (path: string) => {
    const message = change.error instanceof ApiError ? change.error.fields.find((f) => f.path === path)?.message : undefined;
    if (!message) return undefined;
    if (path === "currentPassword") return t("account.wrongPassword");
    const [en, zh] = message.split(" / ");
    return i18n.language.startsWith("zh") ? (zh ?? en) : en;
  };
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("account.password")}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setMismatch(next !== again);
          if (next === again) change.mutate();
        }}
      >
        <Stack gap="xs" maw={420}>
          {change.isSuccess ? (
            <Alert color="green" data-testid="password-changed">
              {t("account.passwordChanged")}
            </Alert>
          ) : null}
          {change.error && !(change.error instanceof ApiError && change.error.fields.length) ? (
            <Alert color="red" role="alert">
              {errorMessage(change.error)}
            </Alert>
          ) : null}
          <PasswordInput
            label={t("account.currentPassword")}
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            autoComplete="current-password"
            error={fieldError("currentPassword")}
            required
          />
          <PasswordInput
            label={t("account.newPassword")}
            description={t("account.passwordRule")}
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            autoComplete="new-password"
            error={fieldError("newPassword")}
            required
          />
          <PasswordInput
            label={t("account.newPasswordAgain")}
            value={again}
            onChange={(e) => setAgain(e.currentTarget.value)}
            autoComplete="new-password"
            error={mismatch ? t("account.mismatch") : undefined}
            required
          />
          <Group>
            <Button type="submit" loading={change.isPending} disabled={!current || !next || !again}>
              {t("account.changePassword")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Whether and where notifications are mailed (when the server has an SMTP server). */
function MailCard() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const preferences = useQuery({ queryKey: ["account", "preferences"], queryFn: () => api<Preferences>("/auth/preferences") });
  const [email, setEmail] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (change: { email?: string | null; emailNotifications?: boolean }) =>
      api<Preferences>("/auth/preferences", { method: "PUT", body: change }),
    onSuccess: (next) => {
      client.setQueryData(["account", "preferences"], next);
      setEmail(null);
    },
  });
  const p = preferences.data;
  if (!p) return null;
  const shown = email ?? p.email ?? "";
  return (
    <Card withBorder data-testid="mail">
      <Title order={4} mb="xs">
        {t("account.mail")}
      </Title>
      {p.mailConfigured ? null : (
        <Text size="sm" c="dimmed" mb="xs">
          {t("account.mailOff")}
        </Text>
      )}
      {save.error ? (
        <Alert color="red" mb="xs" role="alert">
          {save.error instanceof ApiError && save.error.fields.length ? t("account.badEmail") : errorMessage(save.error)}
        </Alert>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ email: shown.trim() || null });
        }}
      >
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput
            type="email"
            label={t("account.email")}
            value={shown}
            onChange={(e) => setEmail(e.currentTarget.value)}
            autoComplete="email"
            style={{ flex: "1 1 240px" }}
            maw={420}
          />
          <Button type="submit" variant="light" loading={save.isPending} disabled={email === null}>
            {t("account.saveEmail")}
          </Button>
          <Switch
            mb={8}
            label={t("account.mailMe")}
            checked={p.emailNotifications}
            disabled={!p.email}
            onChange={(e) => save.mutate({ emailNotifications: e.currentTarget.checked })}
          />
        </Group>
      </form>
    </Card>
  );
}

/** Where one is signed in: each session, ended one by one, or all at once. */
function SessionsCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const sessions = useQuery({ queryKey: ["account", "sessions"], queryFn: () => api<SessionListItem[]>("/auth/sessions") });
  const end = useMutation({
    mutationFn: (id: number) => api(`/auth/sessions/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["account", "sessions"] }),
  });
  const endAll = useMutation({
    mutationFn: () => api("/auth/sessions", { method: "DELETE" }),
    // This session ended too: back to the sign-in screen.
    onSuccess: () => {
      client.clear();
      client.setQueryData(["session"], null);
    },
  });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t("account.sessions")}</Title>
        <Button size="xs" color="red" variant="light" loading={endAll.isPending} onClick={() => endAll.mutate()}>
          {t("account.signOutEverywhere")}
        </Button>
      </Group>
      {end.error || endAll.error ? <Alert color="red">{errorMessage(end.error ?? endAll.error)}</Alert> : null}
      <Table.ScrollContainer minWidth={560}>
        <Table data-testid="sessions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("account.device")}</Table.Th>
              <Table.Th>{t("account.address")}</Table.Th>
              <Table.Th>{t("account.signedInAt")}</Table.Th>
              <Table.Th>{t("account.lastSeen")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sessions.data?.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  {deviceOf(s.userAgent)}
                  {s.current ? (
                    <Badge ml={6} size="sm" variant="light">
                      {t("account.thisSession")}
                    </Badge>
                  ) : null}
                </Table.Td>
                <Table.Td c="dimmed">{s.ip ?? "—"}</Table.Td>
                <Table.Td>{format.date(s.createdAt)}</Table.Td>
                <Table.Td>{format.date(s.lastSeenAt)}</Table.Td>
                <Table.Td ta="right">
                  {s.current ? null : (
                    <Button size="xs" variant="subtle" color="red" onClick={() => end.mutate(s.id)}>
                      {t("account.endSession")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** API tokens for scripts and other systems: made for one unit and role, shown once, revoked. */
function TokensCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const { session } = useSession();
  const grants = session?.roles ?? [];
  const [name, setName] = useState("");
  const [grant, setGrant] = useState<string | null>(grants[0] ? `${grants[0].unitId}:${grants[0].role}` : null);
  const [expires, setExpires] = useState("");
  const tokens = useQuery({ queryKey: ["account", "tokens"], queryFn: () => api<ApiTokenOutput[]>("/auth/tokens") });
  const unitName = (id: number) => reference.units.find((u) => u.value === String(id))?.label ?? `#${id}`;
  const create = useMutation({
    mutationFn: () => {
      const [unitId, role] = (grant ?? ":").split(":");
      return api<ApiTokenOutput & { token: string }>("/auth/tokens", {
        method: "POST",
        body: {
          name: name.trim(),
          unitId: Number(unitId),
          role,
          expiresAt: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null,
        },
      });
    },
    onSuccess: () => {
      setName("");
      void client.invalidateQueries({ queryKey: ["account", "tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api(`/auth/tokens/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["account", "tokens"] }),
  });
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("account.tokens")}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t("account.tokensHow")}
      </Text>
      {create.data ? (
        <Alert color="green" mb="xs" data-testid="token-created">
          <Text size="sm">{t("account.tokenOnce")}</Text>
          <Code block>{create.data.token}</Code>
        </Alert>
      ) : null}
      {create.error || revoke.error ? (
        <Alert color="red" mb="xs" role="alert">
          {errorMessage(create.error ?? revoke.error)}
        </Alert>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <SimpleGrid cols={{ base: 1, sm: 4 }} mb="sm">
          <TextInput label={t("account.tokenName")} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <Select
            label={t("account.tokenRole")}
            data={grants.map((g) => ({ value: `${g.unitId}:${g.role}`, label: `${t(`roles.${g.role}`)} · ${unitName(g.unitId)}` }))}
            value={grant}
            onChange={setGrant}
            allowDeselect={false}
          />
          <TextInput type="date" label={t("account.tokenExpires")} value={expires} onChange={(e) => setExpires(e.currentTarget.value)} />
          <Button type="submit" mt={{ base: 0, sm: 24 }} loading={create.isPending} disabled={!name.trim() || !grant}>
            {t("account.createToken")}
          </Button>
        </SimpleGrid>
      </form>
      <Table.ScrollContainer minWidth={640}>
        <Table data-testid="tokens">
          <Table.Tbody>
            {tokens.data?.map((token) => (
              <Table.Tr key={token.id} c={token.revokedAt ? "dimmed" : undefined}>
                <Table.Td>
                  {token.name}
                  <Text size="xs" c="dimmed">
                    <Code>{token.prefix}…</Code> · {t(`roles.${token.role}`)} · {unitName(token.unitId)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{t("account.createdOn", { date: format.date(token.createdAt) })}</Text>
                  <Text size="xs" c="dimmed">
                    {token.lastUsedAt ? t("account.lastUsed", { date: format.date(token.lastUsedAt) }) : t("account.neverUsed")}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {token.revokedAt ? (
                    <Badge color="gray">{t("account.revoked")}</Badge>
                  ) : token.expiresAt ? (
                    <Text size="xs">{t("account.expiresOn", { date: format.date(token.expiresAt) })}</Text>
                  ) : null}
                </Table.Td>
                <Table.Td ta="right">
                  {token.revokedAt ? null : (
                    <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(token.id)}>
                      {t("account.revoke")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** The signed-in user's account: password, where they are signed in, their API tokens. */
export function AccountPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  return (
    <Stack maw={980}>
      <Title order={2}>{t("account.title")}</Title>
      <Text c="dimmed">
        {session?.user.displayName} · {session?.user.username}
      </Text>
      <PasswordCard />
      <MailCard />
      <SessionsCard />
      <TokensCard />
    </Stack>
  );
}
