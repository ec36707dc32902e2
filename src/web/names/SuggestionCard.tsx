import { Badge, Button, Card, Group, List, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrganisationDetail } from "../../core/organisations/schema.ts";
import { api } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useErrorMessage } from "../shared/states.tsx";

type Suggestion = NonNullable<OrganisationDetail["nameSuggestion"]>;

/** How sure the engine is, in words: settled usage, from the glossary, or a transliteration to check. */
export function ConfidenceBadge({ suggestion }: { suggestion: Pick<Suggestion, "confidence" | "method"> }) {
  const { t } = useTranslation();
  const color = suggestion.confidence >= 0.85 ? "teal" : suggestion.confidence >= 0.5 ? "yellow" : "red";
  return (
    <Badge color={color} variant="light">
      {t(`names.method.${suggestion.method}`)} · {Math.round(suggestion.confidence * 100)}%
    </Badge>
  );
}

/** The steps that made a suggestion: which glossary entries and rules, with their sources. */
export function SuggestionSteps({ steps }: { steps: Suggestion["steps"] }) {
  const { t } = useTranslation();
  return (
    <List size="xs" spacing={2}>
      {steps.map((step) => (
        <List.Item key={`${step.rule}|${step.en ?? ""}|${step.zh ?? ""}`}>
          <Text span size="xs" fw={600}>
            {t(`names.rule.${step.rule}`)}
          </Text>
          {step.en ? ` ${step.en}` : ""}
          {step.zh ? ` → ${step.zh}` : ""}
          {step.note ? (
            <Text span size="xs" c="dimmed">
              {" "}
              ({step.note})
            </Text>
          ) : null}
        </List.Item>
      ))}
    </List>
  );
}

/**
 * The engine's suggested Chinese name on an organisation's page: how it was made, and, for
 * those who may change the registry, accept it, edit it, or reject it.
 */
export function SuggestionCard({ organisation }: { organisation: OrganisationDetail }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const suggestion = organisation.nameSuggestion;
  const [editing, setEditing] = useState(false);
  const [zh, setZh] = useState(suggestion?.zh ?? "");
  const [short, setShort] = useState(suggestion?.short ?? "");
  const decide = useMutation({
    mutationFn: (decision: "accept" | "reject") =>
      api(`/organisations/${organisation.id}/name-suggestion/${decision}`, {
        method: "POST",
        body: decision === "accept" && editing ? { zh, short: short || null, basis: suggestion?.basis } : { basis: suggestion?.basis },
      }),
    onSuccess: () => {
      setEditing(false);
      void client.invalidateQueries({ queryKey: ["organisation", organisation.id] });
      void client.invalidateQueries({ queryKey: ["name-suggestions"] });
    },
  });
  if (!suggestion) return null;
  return (
    <Card withBorder data-testid="name-suggestion">
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t("names.suggestedTitle")}</Title>
        <ConfidenceBadge suggestion={suggestion} />
      </Group>
      <Stack gap="xs">
        {editing ? (
          <Group grow>
            <TextInput label={t("names.zh")} value={zh} onChange={(e) => setZh(e.currentTarget.value)} lang="zh" />
            <TextInput label={t("names.short")} value={short} onChange={(e) => setShort(e.currentTarget.value)} lang="zh" />
          </Group>
        ) : (
          <Text size="xl" lang="zh">
            {suggestion.zh}
            {suggestion.short ? (
              <Text span c="dimmed" size="md">
                {" "}
                （{t("names.shortForm")}：{suggestion.short}）
              </Text>
            ) : null}
          </Text>
        )}
        {suggestion.transliterated ? (
          <Text size="sm" c="orange">
            {t("names.transliteratedWarning")}
          </Text>
        ) : null}
        <SuggestionSteps steps={suggestion.steps} />
        {decide.error ? (
          <Text size="sm" c="red">
            {errorMessage(decide.error)}
          </Text>
        ) : null}
        {can("write") ? (
          <Group gap="xs">
            <Button size="xs" onClick={() => decide.mutate("accept")} loading={decide.isPending}>
              {editing ? t("names.saveEdited") : t("names.accept")}
            </Button>
            {editing ? (
              <Button size="xs" variant="default" onClick={() => setEditing(false)}>
                {t("common.cancel")}
              </Button>
            ) : (
              <Button size="xs" variant="default" onClick={() => setEditing(true)}>
                {t("names.edit")}
              </Button>
            )}
            <Button size="xs" variant="subtle" color="red" onClick={() => decide.mutate("reject")} loading={decide.isPending}>
              {t("names.reject")}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

/** The mark beside a Chinese name that is a suggestion, not yet confirmed by a person. */
export function SuggestedMark({ suggested }: { suggested: boolean | undefined }) {
  const { t, i18n } = useTranslation();
  if (!suggested || !i18n.language.startsWith("zh")) return null;
  return (
    <Badge size="xs" variant="outline" color="gray" ml={4} title={t("names.suggestedHint")}>
      {t("names.suggestedMark")}
    </Badge>
  );
}
