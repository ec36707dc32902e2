import { Anchor, SegmentedControl, Stack, Table, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

const states = ["submitted", "draft", "returned", "approved", "reported"] as const;

/** The coordinator's queue: planned visits and hosted events in one approval state, soonest first. */
export function ApprovalQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const state = useUrlState(["state"] as const);
  const current = (states as readonly string[]).includes(state.values.state) ? state.values.state : "submitted";
  const list = useQuery({
    queryKey: ["approvals", current, state.page],
    queryFn: () => api<Page<EngagementListItem>>(`/approvals${query({ state: current, page: state.page, pageSize: 50 })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={2}>{t("approvals.title")}</Title>
      <SegmentedControl
        value={current}
        onChange={(v) => state.set({ state: v })}
        data={states.map((s) => ({ value: s, label: t(`approval.${s}`) }))}
        w="fit-content"
      />
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data?.items.length ? (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("engagements.date")}</Table.Th>
              <Table.Th>{t("engagements.titleColumn")}</Table.Th>
              <Table.Th>{t("engagements.type")}</Table.Th>
              <Table.Th>{t("engagements.unit")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{format.date(e.startDate)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/engagements/${e.id}`}>
                    {format.name(e.title)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{vocabulary.label("engagementKinds", `${e.type}:${e.direction}`)}</Table.Td>
                <Table.Td>{format.name(e.leadUnit.name)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={50} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}
