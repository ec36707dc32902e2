import { Anchor, Card, Group, Select, SimpleGrid, Skeleton, Stack, Table, Text, Title } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { DormantPartner } from "../../core/engagements/dormant.ts";
import type { EngagementCounts, EngagementListItem } from "../../core/engagements/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useIdleAfter } from "../shared/idle.ts";
import { QueryState } from "../shared/states.tsx";
import { TasksCard } from "../shared/TasksCard.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

const EChart = lazy(() => import("../shared/EChart.tsx"));
const types = ["visit", "talks", "event", "correspondence", "statement", "assistance", "training"] as const;
type Page<T> = { items: T[]; total: number };

/** Home: the year at a glance, what is coming, who has gone quiet, and the latest letters. */
export function HomePage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const thisYear = new Date().getFullYear();
  const years = useQuery({ queryKey: ["counts", "years"], queryFn: () => api<EngagementCounts>("/engagements/counts?by=year") });
  const withRecords = (years.data?.rows ?? []).map((r) => Number(r.key)).filter((y) => y <= thisYear);
  const year = Number(params.get("year")) || thisYear;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const byType = useQuery({
    queryKey: ["counts", "type", year],
    queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "type", from, to })}`),
  });
  const byMonth = useQueries({
    queries: types.map((type) => ({
      queryKey: ["counts", "month", year, type],
      queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "month", type, from, to })}`),
    })),
  });
  const today = new Date().toISOString().slice(0, 10);
  const upcoming = useQuery({
    queryKey: ["engagements", "upcoming", today],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ status: "planned", from: today, sort: "date", pageSize: 8 })}`),
  });
  const dormant = useQuery({ queryKey: ["dormant"], queryFn: () => api<DormantPartner[]>("/partners/dormant?days=365&limit=8") });
  const letters = useQuery({
    queryKey: ["engagements", "letters"],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ type: "correspondence", status: "done", pageSize: 8 })}`),
  });
  const total = byType.data?.total;
  // The chart's library (ECharts, the largest download) is fetched once the figures are on screen.
  const chartMayLoad = useIdleAfter(total !== undefined);
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`);
  const latest = withRecords.at(-1);
  const listUrl = (extra: Record<string, string>) => `/engagements${query({ from, to, status: "done", ...extra })}`;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t("home.title", { year })}</Title>
        <Select
          w={140}
          label={t("home.year")}
          value={String(year)}
          data={[...new Set([thisYear, ...withRecords])]
            .sort((a, b) => b - a)
            .map((y) => ({ value: String(y), label: t("home.yearOption", { year: y }) }))}
          onChange={(v) => v && setParams({ year: v })}
          allowDeselect={false}
        />
      </Group>
      {total && total.engagements === 0 && latest && latest !== year ? (
        <Text c="dimmed">
          {t("home.noneThisYear", { year })}{" "}
          <Anchor component={Link} to={`/?year=${latest}`}>
            {t("home.seeYear", { year: latest })}
          </Anchor>
        </Text>
      ) : null}
      <TasksCard mine />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {(["engagements", "organisations", "countries"] as const).map((measure) => (
          <Card key={measure} withBorder padding="md" component={Link} to={listUrl({})} aria-label={t(`home.measure.${measure}`)}>
            <Text size="sm" c="dimmed">
              {t(`home.measure.${measure}`)}
            </Text>
            {total ? (
              <Text fz={32} fw={700} data-testid={`home-${measure}`}>
                {format.number(total[measure])}
              </Text>
            ) : (
              <Skeleton h={40} mt={4} />
            )}
          </Card>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={4} mb="sm">
            {t("home.byType")}
          </Title>
          <QueryState isLoading={byType.isLoading} error={byType.error} isEmpty={byType.data?.rows.length === 0} />
          <Table.ScrollContainer minWidth={480}>
            <Table highlightOnHover>
              <Table.Tbody>
                {byType.data?.rows.map((r) => {
                  const [type, direction] = r.key.split(":") as [string, string];
                  return (
                    <Table.Tr key={r.key}>
                      <Table.Td>
                        <Anchor component={Link} to={listUrl({ type, direction })}>
                          {format.name(r.label)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ta="right">{format.number(r.engagements)}</Table.Td>
                      <Table.Td ta="right" c="dimmed">
                        {t("home.partnersIn", { partners: format.number(r.organisations), countries: format.number(r.countries) })}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
        <Card withBorder>
          <Title order={4} mb="sm">
            {t("home.byMonth")}
          </Title>
          <Suspense fallback={<Skeleton h={260} />}>
            {chartMayLoad ? (
              <EChart
                label={t("home.byMonth")}
                option={{
                  tooltip: { trigger: "axis" },
                  legend: { bottom: 0, type: "scroll" },
                  grid: { left: 36, right: 8, top: 8, bottom: 48 },
                  xAxis: { type: "category", data: months.map((m) => format.month(`${m}-01`)) },
                  yAxis: { type: "value", minInterval: 1 },
                  series: types.map((type, i) => ({
                    name: vocabulary.label("engagementTypes", type),
                    type: "bar",
                    stack: "all",
                    data: months.map((m) => byMonth[i]?.data?.rows.find((r) => r.key === m)?.engagements ?? 0),
                  })),
                }}
                onClick={(_name, seriesIndex) => navigate(listUrl({ type: types[seriesIndex] ?? "" }))}
              />
            ) : (
              <Skeleton h={260} />
            )}
          </Suspense>
        </Card>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <EngagementCard
          title={t("home.upcoming")}
          state={upcoming}
          moreUrl={`/engagements${query({ status: "planned", from: today, sort: "date" })}`}
        />
        <Card withBorder>
          <Title order={4} mb="sm">
            {t("home.dormant")}
          </Title>
          <QueryState isLoading={dormant.isLoading} error={dormant.error} isEmpty={dormant.data?.length === 0} />
          <Stack gap={6}>
            {dormant.data?.map((d) => (
              <Group key={d.organisation.id} justify="space-between" wrap="nowrap" gap="xs">
                <Anchor component={Link} to={`/organisations/${d.organisation.id}`} size="sm" truncate>
                  {format.name(d.organisation.name)}
                </Anchor>
                <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                  {t("home.lastContact", { date: format.date(d.lastContact) })}
                </Text>
              </Group>
            ))}
          </Stack>
        </Card>
        <EngagementCard title={t("home.letters")} state={letters} moreUrl={`/engagements${query({ type: "correspondence" })}`} />
      </SimpleGrid>
    </Stack>
  );
}

function EngagementCard({
  title,
  state,
  moreUrl,
}: {
  title: string;
  state: { data?: Page<EngagementListItem>; isLoading: boolean; error: unknown };
  moreUrl: string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={4}>{title}</Title>
        <Anchor component={Link} to={moreUrl} size="sm">
          {t("common.all")}
        </Anchor>
      </Group>
      <QueryState isLoading={state.isLoading} error={state.error} isEmpty={state.data?.items.length === 0} />
      <Stack gap={6}>
        {state.data?.items.map((e) => (
          <Group key={e.id} justify="space-between" wrap="nowrap" gap="xs">
            <Anchor component={Link} to={`/engagements/${e.id}`} size="sm" truncate>
              {format.name(e.title)}
            </Anchor>
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              {format.date(e.startDate)}
            </Text>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
