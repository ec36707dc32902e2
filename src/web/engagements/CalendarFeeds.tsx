import { Alert, Anchor, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { FeedOutput } from "../../core/calendar/schema.ts";
import { api } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { useErrorMessage } from "../shared/states.tsx";

/**
 * Subscribing a calendar application (Outlook, Apple or Google Calendar) to Liaison: a feed of
 * everything the user may read or of one unit, in either language; its secret address is shown
 * once, and a feed is revoked when a device is lost or the address leaks.
 */
export function CalendarFeeds({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [name, setName] = useState("");
  const [unitId, setUnitId] = useState<string | null>(null);
  const [locale, setLocale] = useState<string>(i18n.language.startsWith("zh") ? "zh-CN" : "en");
  const feeds = useQuery({ queryKey: ["calendar-feeds"], enabled: opened, queryFn: () => api<FeedOutput[]>("/calendar/feeds") });
  const create = useMutation({
    mutationFn: () =>
      api<FeedOutput & { path: string }>("/calendar/feeds", {
        method: "POST",
        body: { name: name.trim() || null, unitId: unitId ? Number(unitId) : null, locale },
      }),
    onSuccess: () => {
      setName("");
      void client.invalidateQueries({ queryKey: ["calendar-feeds"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api(`/calendar/feeds/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["calendar-feeds"] }),
  });
  const address = create.data ? `${window.location.origin}${create.data.path}` : "";
  return (
    <Modal opened={opened} onClose={onClose} title={t("feeds.title")} size="xl">
      <Stack>
        <Text size="sm" c="dimmed">
          {t("feeds.how")}
        </Text>
        {create.data ? (
          <Alert color="green" data-testid="feed-created">
            <Text size="sm">{t("feeds.once")}</Text>
            <Code block my="xs">
              {address}
            </Code>
            <Group gap="xs">
              <CopyButton value={address}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? t("feeds.copied") : t("feeds.copy")}
                  </Button>
                )}
              </CopyButton>
              <Button size="xs" variant="subtle" component="a" href={address.replace(/^https?:/, "webcal:")}>
                {t("feeds.open")}
              </Button>
            </Group>
          </Alert>
        ) : null}
        {create.error || revoke.error ? (
          <Alert color="red" role="alert">
            {errorMessage(create.error ?? revoke.error)}
          </Alert>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Group align="flex-end" gap="xs" wrap="wrap">
            <TextInput
              label={t("feeds.name")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              style={{ flex: "1 1 160px" }}
            />
            <Select
              label={t("feeds.scope")}
              placeholder={t("feeds.everything")}
              data={reference.units}
              value={unitId}
              onChange={setUnitId}
              clearable
              searchable
              style={{ flex: "1 1 180px" }}
            />
            <Select
              label={t("feeds.language")}
              data={[
                { value: "zh-CN", label: "中文" },
                { value: "en", label: "English" },
              ]}
              value={locale}
              onChange={(v) => setLocale(v ?? "zh-CN")}
              allowDeselect={false}
              w={110}
            />
            <Button type="submit" loading={create.isPending}>
              {t("feeds.create")}
            </Button>
          </Group>
        </form>
        <Table.ScrollContainer minWidth={560}>
          <Table data-testid="feeds">
            <Table.Tbody>
              {feeds.data?.map((feed) => (
                <Table.Tr key={feed.id} c={feed.revokedAt ? "dimmed" : undefined}>
                  <Table.Td>
                    {feed.name ?? (feed.unit ? format.name(feed.unit.name) : t("feeds.everything"))}
                    <Text size="xs" c="dimmed">
                      <Code>{feed.prefix}…</Code> · {feed.locale === "zh-CN" ? "中文" : "English"}
                      {feed.unit && feed.name ? ` · ${format.name(feed.unit.name)}` : ""}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {feed.lastUsedAt ? t("account.lastUsed", { date: format.date(feed.lastUsedAt) }) : t("account.neverUsed")}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    {feed.revokedAt ? (
                      <Badge color="gray">{t("account.revoked")}</Badge>
                    ) : (
                      <Anchor component="button" c="red" size="sm" onClick={() => revoke.mutate(feed.id)}>
                        {t("account.revoke")}
                      </Anchor>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Modal>
  );
}
