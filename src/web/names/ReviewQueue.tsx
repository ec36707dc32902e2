import { Anchor, Button, Group, Kbd, Popover, Stack, Switch, Table, Text, TextInput, Title } from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { NameSuggestionItem } from "../../core/names/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";
import { ConfidenceBadge, SuggestionSteps } from "./SuggestionCard.tsx";

const filterKeys = ["country", "region", "level", "inGovernment", "confidence", "method"] as const;
const pageSize = 25;
const bands: Record<string, { minConfidence?: number; maxConfidence?: number }> = {
  high: { minConfidence: 0.85 },
  medium: { minConfidence: 0.5, maxConfidence: 0.85 },
  low: { maxConfidence: 0.5 },
};

/**
 * The review queue of suggested Chinese names, the partners the office works with first.
 * From the keyboard: ↑/↓ (or k/j) move, a accepts, e edits (Enter saves), s skips, r rejects.
 */
export function ReviewQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const { can } = useSession();
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const state = useUrlState(filterKeys);
  const f = state.values;
  const params = {
    country: f.country,
    region: f.region,
    level: f.level,
    inGovernment: f.inGovernment ? "true" : "",
    method: f.method,
    ...(bands[f.confidence] ?? {}),
    page: state.page,
    pageSize,
  };
  const queue = useQuery({
    queryKey: ["name-suggestions", params],
    queryFn: ({ signal }) => api<Page<NameSuggestionItem>>(`/names/suggestions${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const [current, setCurrent] = useState(0);
  const [editing, setEditing] = useState<{ id: number; zh: string; short: string } | null>(null);
  const [skipped, setSkipped] = useState<Set<number>>(new Set());
  const items = (queue.data?.items ?? []).filter((i) => !skipped.has(i.organisation.id));
  const decide = useMutation({
    mutationFn: ({
      item,
      decision,
      edited,
    }: {
      item: NameSuggestionItem;
      decision: "accept" | "reject";
      edited?: { zh: string; short: string };
    }) =>
      api(`/organisations/${item.organisation.id}/name-suggestion/${decision}`, {
        method: "POST",
        body: { basis: item.basis, ...(edited ? { zh: edited.zh, short: edited.short || null } : {}) },
      }),
    onSuccess: () => {
      setEditing(null);
      void client.invalidateQueries({ queryKey: ["name-suggestions"] });
    },
  });
  const selected = items[Math.min(current, Math.max(0, items.length - 1))];
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
      if (!selected || !can("write")) return;
      if (event.key === "ArrowDown" || event.key === "j") setCurrent((c) => Math.min(c + 1, items.length - 1));
      else if (event.key === "ArrowUp" || event.key === "k") setCurrent((c) => Math.max(c - 1, 0));
      else if (event.key === "a") decide.mutate({ item: selected, decision: "accept" });
      else if (event.key === "r") decide.mutate({ item: selected, decision: "reject" });
      else if (event.key === "s") setSkipped((s) => new Set([...s, selected.organisation.id]));
      else if (event.key === "e")
        setEditing({ id: selected.organisation.id, zh: selected.suggestion.zh, short: selected.suggestion.short ?? "" });
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selected, items.length, can, decide]);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>{t("names.queueTitle")}</Title>
          <Text c="dimmed" size="sm">
            {t("names.queueIntro")}
          </Text>
        </div>
        <Group gap={4}>
          <Button
            component="a"
            href={`/api/names/suggestions/export${query({ ...params, page: undefined, pageSize: undefined })}`}
            variant="default"
            size="xs"
          >
            {t("names.exportCsv")}
          </Button>
        </Group>
      </Group>
      <Group align="flex-end" gap="sm">
        <UrlSelect state={state} name="country" label={t("registry.country")} data={reference.countries} width={180} />
        <UrlSelect state={state} name="region" label={t("registry.region")} data={reference.regions} width={180} />
        <UrlSelect state={state} name="level" label={t("registry.level")} data={vocabulary.options("relationshipLevels")} width={160} />
        <UrlSelect
          state={state}
          name="confidence"
          label={t("names.confidence")}
          data={(["high", "medium", "low"] as const).map((b) => ({ value: b, label: t(`names.band.${b}`) }))}
          width={150}
        />
        <UrlSelect
          state={state}
          name="method"
          label={t("names.methodLabel")}
          data={(["known", "glossary", "mixed", "transliteration"] as const).map((m) => ({ value: m, label: t(`names.method.${m}`) }))}
          width={150}
        />
        <Switch
          label={t("registry.inGovernment")}
          checked={Boolean(f.inGovernment)}
          onChange={(e) => state.set({ inGovernment: e.currentTarget.checked ? "1" : "" })}
          mb={6}
        />
      </Group>
      {can("write") ? (
        <Text size="xs" c="dimmed">
          <Kbd>↑</Kbd> <Kbd>↓</Kbd> {t("names.keys.move")} · <Kbd>a</Kbd> {t("names.accept")} · <Kbd>e</Kbd> {t("names.edit")} ·{" "}
          <Kbd>s</Kbd> {t("names.skip")} · <Kbd>r</Kbd> {t("names.reject")}
        </Text>
      ) : null}
      {decide.error ? (
        <Text c="red" size="sm">
          {errorMessage(decide.error)}
        </Text>
      ) : null}
      <QueryState isLoading={queue.isLoading} error={queue.error} isEmpty={items.length === 0} />
      {items.length > 0 ? (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing={6} data-testid="name-queue">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("registry.name")}</Table.Th>
                <Table.Th>{t("registry.country")}</Table.Th>
                <Table.Th>{t("registry.level")}</Table.Th>
                <Table.Th>{t("names.suggestedTitle")}</Table.Th>
                <Table.Th>{t("names.confidence")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item, index) => {
                const isCurrent = item === selected;
                const edit = editing?.id === item.organisation.id ? editing : null;
                return (
                  <Table.Tr
                    key={item.organisation.id}
                    bg={isCurrent ? "var(--mantine-color-blue-light)" : undefined}
                    onClick={() => setCurrent(index)}
                    aria-selected={isCurrent}
                  >
                    <Table.Td>
                      <Anchor component={Link} to={`/organisations/${item.organisation.id}`}>
                        {item.organisation.name.en}
                      </Anchor>
                      {item.organisation.abbreviation ? (
                        <Text span c="dimmed" size="sm">
                          {" "}
                          {item.organisation.abbreviation}
                        </Text>
                      ) : null}
                      {item.engagements > 0 ? (
                        <Text size="xs" c="dimmed">
                          {t("names.engaged", { count: item.engagements })}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{format.name(item.organisation.country?.name)}</Table.Td>
                    <Table.Td>{vocabulary.label("relationshipLevels", item.relationshipLevel)}</Table.Td>
                    <Table.Td lang="zh">
                      {edit ? (
                        <Group gap={4} wrap="nowrap">
                          <TextInput
                            size="xs"
                            aria-label={t("names.zh")}
                            value={edit.zh}
                            autoFocus
                            onChange={(e) => setEditing({ ...edit, zh: e.currentTarget.value })}
                            onKeyDown={(e) => {
                              if (e.key === "Enter") decide.mutate({ item, decision: "accept", edited: edit });
                              if (e.key === "Escape") setEditing(null);
                            }}
                          />
                          <TextInput
                            size="xs"
                            w={90}
                            aria-label={t("names.short")}
                            value={edit.short}
                            onChange={(e) => setEditing({ ...edit, short: e.currentTarget.value })}
                          />
                        </Group>
                      ) : (
                        <>
                          {item.suggestion.zh}
                          {item.suggestion.short ? (
                            <Text span c="dimmed" size="sm">
                              {" "}
                              （{item.suggestion.short}）
                            </Text>
                          ) : null}
                        </>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Popover width={420} position="bottom" withArrow shadow="md">
                        <Popover.Target>
                          <span style={{ cursor: "help" }}>
                            <ConfidenceBadge suggestion={item.suggestion} />
                          </span>
                        </Popover.Target>
                        <Popover.Dropdown>
                          <SuggestionSteps steps={item.suggestion.steps} />
                        </Popover.Dropdown>
                      </Popover>
                    </Table.Td>
                    <Table.Td>
                      {can("write") ? (
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="compact-xs"
                            onClick={() => decide.mutate({ item, decision: "accept", ...(edit ? { edited: edit } : {}) })}
                          >
                            {edit ? t("names.saveEdited") : t("names.accept")}
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="default"
                            onClick={() =>
                              setEditing(
                                edit ? null : { id: item.organisation.id, zh: item.suggestion.zh, short: item.suggestion.short ?? "" },
                              )
                            }
                          >
                            {edit ? t("common.cancel") : t("names.edit")}
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            color="red"
                            onClick={() => decide.mutate({ item, decision: "reject" })}
                          >
                            {t("names.reject")}
                          </Button>
                        </Group>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {queue.data ? (
        <Pager page={state.page} pageSize={pageSize} total={queue.data.total} totalExact={queue.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}
