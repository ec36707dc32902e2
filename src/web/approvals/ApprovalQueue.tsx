import { Anchor, Badge, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { ApprovalQueueItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

const states = ["submitted", "endorsed", "draft", "returned", "approved", "reported"] as const;

/** The coordinator's queue: planned visits and hosted events in one approval state, soonest first. */
export function ApprovalQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const state = useUrlState(["state"] as const);
  const current = (states as readonly string[]).includes(state.values.state) ? state.values.state : "submitted";
  const list = useQuery({
    queryKey: ["approvals", current, state.page],
    queryFn: () => api<Page<ApprovalQueueItem>>(`/approvals${query({ state: current, page: state.page, pageSize: 50 })}`),
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
        maw="100%"
      />
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data?.items.length ? (
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover data-testid="approval-queue">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("approvals.dates")}</Table.Th>
                <Table.Th>{t("engagements.titleColumn")}</Table.Th>
                <Table.Th>{t("approvals.partners")}</Table.Th>
                <Table.Th>{t("engagements.unit")}</Table.Th>
                <Table.Th>{t("approvals.submitted")}</Table.Th>
                <Table.Th>{t("approvals.clash")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    {format.date(e.startDate)}
                    {e.endDate !== e.startDate ? (
                      <Text size="xs" c="dimmed">
                        – {format.date(e.endDate)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/engagements/${e.id}`}>
                      {format.name(e.title)}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {vocabulary.label("engagementKinds", `${e.type}:${e.direction}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {e.partners.map((p) => (
                      <Text key={p.id} size="sm">
                        {format.name(p.name)}
                        {p.country ? (
                          <Text span size="xs" c="dimmed">
                            {" "}
                            · {format.name(p.country.name)}
                          </Text>
                        ) : null}
                      </Text>
                    ))}
                    {e.partnerCount > e.partners.length ? (
                      <Text size="xs" c="dimmed">
                        {t("approvals.andMore", { count: e.partnerCount })}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{format.name(e.leadUnit.name)}</Table.Td>
                  <Table.Td>
                    {e.submittedBy?.name ?? ""}
                    {e.submittedAt ? (
                      <Text size="xs" c="dimmed">
                        {format.date(e.submittedAt)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    {e.clashes ? (
                      <Badge color="yellow" variant="light" component={Link} to={`/engagements/${e.id}`} style={{ cursor: "pointer" }}>
                        {t("approvals.clashes", { count: e.clashes })}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t("approvals.noClash")}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={50} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}
