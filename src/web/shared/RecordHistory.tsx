import { Card, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { HistoryEntry } from "../../core/history/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "./format.ts";
import { Pager } from "./Pager.tsx";
import { QueryState } from "./states.tsx";

const pageSize = 10;

/**
 * A registry record's history: who changed what and when — names, statuses, our
 * relationship, relations, positions, accepted Chinese names, merges — newest first.
 */
export function RecordHistory({ kind, id }: { kind: "organisations" | "people"; id: number }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const history = useQuery({
    queryKey: [kind === "organisations" ? "organisation" : "person", id, "history", page],
    queryFn: () => api<Page<HistoryEntry>>(`/${kind}/${id}/history${query({ page, pageSize })}`),
    placeholderData: keepPreviousData,
  });
  const word = (group: string, key: string) => (i18n.exists(`history.${group}.${key}`) ? t(`history.${group}.${key}`) : key);
  const time = new Intl.DateTimeFormat(format.lang.startsWith("zh") ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("history.title")}
      </Title>
      <QueryState isLoading={history.isLoading} error={history.error} isEmpty={history.data?.items.length === 0} />
      {history.data?.items.length ? (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing={4} data-testid="record-history">
            <Table.Tbody>
              {history.data.items.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td w={150} valign="top">
                    <Text size="xs">{time.format(new Date(entry.at))}</Text>
                    <Text size="xs" c="dimmed">
                      {entry.actor?.username ?? t("history.system")}
                      {entry.unit ? ` · ${format.name(entry.unit.name)}` : ""}
                    </Text>
                  </Table.Td>
                  <Table.Td valign="top">
                    <Text size="sm" fw={500}>
                      {word("entities", entry.entity)} · {word("actions", entry.action)}
                    </Text>
                    <Stack gap={0}>
                      {entry.changes.slice(0, 8).map((c) => (
                        <Text key={c.field} size="xs" c="dimmed" style={{ wordBreak: "break-word" }}>
                          {word("fields", c.field)}: {c.before ?? "—"} → {c.after ?? "—"}
                        </Text>
                      ))}
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {history.data && history.data.total > pageSize ? (
        <Pager page={page} pageSize={pageSize} total={history.data.total} totalExact onPage={setPage} />
      ) : null}
    </Card>
  );
}
