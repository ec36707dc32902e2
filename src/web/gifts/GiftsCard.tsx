import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type GiftOutput, giftCreateInput, giftHandlings, giftValueBands } from "../../core/gifts/schema.ts";
import { ApiError, api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { type FieldErrors, serverFieldErrors, validate } from "../shared/validation.ts";

type Draft = Record<"given" | "description" | "valueBand" | "giver" | "recipient" | "handling" | "giftDate" | "note", string>;

const emptyDraft: Draft = { given: "true", description: "", valueBand: "", giver: "", recipient: "", handling: "", giftDate: "", note: "" };

const draftOf = (g: GiftOutput): Draft => ({
  given: String(g.given),
  description: g.description,
  valueBand: g.valueBand ?? "",
  giver: g.giver ?? "",
  recipient: g.recipient ?? "",
  handling: g.handling ?? "",
  giftDate: g.giftDate,
  note: g.note ?? "",
});

/** The request body of a draft: empty fields are "none"; a gift given has no handling. */
function bodyOf(d: Draft) {
  const or = (s: string) => (s.trim() ? s.trim() : null);
  const given = d.given !== "false";
  return {
    given,
    description: d.description.trim(),
    valueBand: or(d.valueBand),
    giver: or(d.giver),
    recipient: or(d.recipient),
    handling: given ? null : or(d.handling),
    giftDate: or(d.giftDate),
    note: or(d.note),
  };
}

/** A gift's one line in the register: who gave what to whom, its value and what became of it. */
export function giftLine(g: GiftOutput, t: (key: string) => string): string {
  const parties = [g.giver, g.recipient].filter(Boolean).join(" → ");
  return [parties, g.valueBand ? t(`giftBands.${g.valueBand}`) : null, g.handling ? t(`gifts.handlings.${g.handling}`) : null]
    .filter(Boolean)
    .join(" · ");
}

/** The dialog that records a gift or changes one. */
function GiftDialog({
  engagementId,
  gift,
  defaultDate,
  onClose,
}: {
  engagementId: number;
  gift: GiftOutput | null;
  defaultDate: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [draft, setDraft] = useState<Draft>(gift ? draftOf(gift) : { ...emptyDraft, giftDate: defaultDate });
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (field: keyof Draft) => (value: string | null) => setDraft((d) => ({ ...d, [field]: value ?? "" }));
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof bodyOf>) =>
      gift
        ? api<GiftOutput>(`/gifts/${gift.id}`, { method: "PATCH", body })
        : api<GiftOutput>("/gifts", { method: "POST", body: { engagementId, ...body } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["gifts"] });
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.fields.length) setErrors(serverFieldErrors(error.fields, t));
    },
  });
  const submit = () => {
    const body = bodyOf(draft);
    const checked = validate(giftCreateInput, { engagementId, ...body }, t);
    setErrors(checked.errors);
    if (checked.data) save.mutate(body);
  };
  const given = draft.given !== "false";
  return (
    <Modal opened onClose={onClose} title={gift ? t("gifts.edit") : t("gifts.add")} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="sm">
          <SegmentedControl
            value={draft.given}
            onChange={set("given")}
            data={[
              { value: "true", label: t("engagement.giftGiven") },
              { value: "false", label: t("engagement.giftReceived") },
            ]}
            aria-label={t("gifts.direction")}
          />
          <TextInput
            label={t("gifts.description")}
            value={draft.description}
            onChange={(e) => set("description")(e.currentTarget.value)}
            error={errors.description}
            required
            data-autofocus
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t("gifts.giver")}
              placeholder={given ? t("gifts.giverOurs") : t("gifts.giverTheirs")}
              value={draft.giver}
              onChange={(e) => set("giver")(e.currentTarget.value)}
              error={errors.giver}
            />
            <TextInput
              label={t("gifts.recipient")}
              placeholder={given ? t("gifts.recipientTheirs") : t("gifts.recipientOurs")}
              value={draft.recipient}
              onChange={(e) => set("recipient")(e.currentTarget.value)}
              error={errors.recipient}
            />
            <Select
              label={t("gifts.valueBand")}
              data={giftValueBands.map((band) => ({ value: band, label: t(`giftBands.${band}`) }))}
              value={draft.valueBand || null}
              onChange={set("valueBand")}
              clearable
              error={errors.valueBand}
            />
            {given ? null : (
              <Select
                label={t("gifts.handling")}
                data={giftHandlings.map((h) => ({ value: h, label: t(`gifts.handlings.${h}`) }))}
                value={draft.handling || null}
                onChange={set("handling")}
                clearable
                error={errors.handling}
              />
            )}
            <TextInput
              type="date"
              label={t("gifts.date")}
              value={draft.giftDate}
              onChange={(e) => set("giftDate")(e.currentTarget.value)}
              error={errors.giftDate}
            />
          </SimpleGrid>
          <TextInput label={t("gifts.note")} value={draft.note} onChange={(e) => set("note")(e.currentTarget.value)} error={errors.note} />
          {save.error ? (
            <Alert color="red" role="alert">
              {errorMessage(save.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * An engagement's gifts register: each gift given or received, with its giver, recipient,
 * value band and what became of it. Kept by the engagement's lead unit, apart from the
 * engagement itself: recording a gift after the visit does not reopen an approved plan.
 */
export function GiftsCard({ engagementId, startDate, mayKeep }: { engagementId: number; startDate: string; mayKeep: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const gifts = useQuery({ queryKey: ["gifts", { engagementId }], queryFn: () => api<GiftOutput[]>(`/gifts${query({ engagementId })}`) });
  const [editing, setEditing] = useState<GiftOutput | "new" | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => api(`/gifts/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["gifts"] }),
  });
  const items = gifts.data ?? [];
  if (!mayKeep && items.length === 0) return null;
  return (
    <Card withBorder data-testid="gifts">
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t("engagement.gifts")}</Title>
        {mayKeep ? (
          <Button size="xs" variant="light" onClick={() => setEditing("new")}>
            {t("gifts.add")}
          </Button>
        ) : null}
      </Group>
      {remove.error || gifts.error ? (
        <Alert color="red" mb="xs" role="alert">
          {errorMessage(remove.error ?? gifts.error)}
        </Alert>
      ) : null}
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("gifts.none")}
        </Text>
      ) : (
        <Stack gap="sm">
          {items.map((g) => (
            <Group key={g.id} data-testid="gift" gap="xs" wrap="nowrap" align="flex-start">
              <Badge variant="light" color={g.given ? "blue" : "teal"} mt={2} style={{ flexShrink: 0, overflow: "visible" }}>
                {g.given ? t("engagement.giftGiven") : t("engagement.giftReceived")}
              </Badge>
              <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
                <Text size="sm">{g.description}</Text>
                <Text size="xs" c="dimmed">
                  {[format.date(g.giftDate), giftLine(g, t)].filter(Boolean).join(" · ")}
                </Text>
                {g.note ? (
                  <Text size="xs" c="dimmed">
                    {g.note}
                  </Text>
                ) : null}
              </Stack>
              {g.editable ? (
                <Group gap={4} wrap="nowrap">
                  <ActionIcon variant="subtle" aria-label={t("gifts.editOne", { name: g.description })} onClick={() => setEditing(g)}>
                    ✎
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t("gifts.deleteOne", { name: g.description })}
                    onClick={() => {
                      if (window.confirm(t("gifts.confirmDelete", { name: g.description }))) remove.mutate(g.id);
                    }}
                  >
                    ×
                  </ActionIcon>
                </Group>
              ) : null}
            </Group>
          ))}
        </Stack>
      )}
      {editing ? (
        <GiftDialog
          engagementId={engagementId}
          gift={editing === "new" ? null : editing}
          defaultDate={startDate}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </Card>
  );
}
