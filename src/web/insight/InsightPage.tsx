import { Anchor, Card, Grid, Group, SegmentedControl, Select, Skeleton, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import type { Network } from "../../core/engagements/network.ts";
import type { EngagementCounts } from "../../core/engagements/schema.ts";
import type { OrganisationCounts } from "../../core/organisations/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";
import { HealthPanel } from "./HealthPanel.tsx";

const WorldMap = lazy(() => import("./WorldMap.tsx"));
const NetworkGraph = lazy(() => import("./NetworkGraph.tsx"));
const EChart = lazy(() => import("../shared/EChart.tsx"));
const types = ["visit", "talks", "event", "correspondence", "statement", "assistance", "training"] as const;
const levels = ["contact", "regular", "established", "strategic"] as const;

/** Visual insight: the coverage map, trends against the previous period, relationship health. */
export function InsightPage() {
  const { t } = useTranslation();
  const state = useUrlState(["tab", "from", "to", "measure", "unitId", "region", "kind", "focus"] as const);
  const thisYear = new Date().getFullYear();
  const from = state.values.from || `${thisYear - 5}-01-01`;
  const to = state.values.to || `${thisYear - 1}-12-31`;
  const years = Array.from({ length: 16 }, (_, i) => String(thisYear - i));
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t("insight.title")}</Title>
        <Group gap="xs">
          <Select
            label={t("engagements.from")}
            data={years}
            value={from.slice(0, 4)}
            onChange={(y) => y && state.set({ from: `${y}-01-01` })}
            w={100}
            size="sm"
          />
          <Select
            label={t("engagements.to")}
            data={years}
            value={to.slice(0, 4)}
            onChange={(y) => y && state.set({ to: `${y}-12-31` })}
            w={100}
            size="sm"
          />
        </Group>
      </Group>
      <Tabs value={state.values.tab || "map"} onChange={(tab) => state.set({ tab: tab === "map" ? "" : tab })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="map">{t("insight.map")}</Tabs.Tab>
          <Tabs.Tab value="trends">{t("insight.trends")}</Tabs.Tab>
          <Tabs.Tab value="health">{t("insight.health")}</Tabs.Tab>
          <Tabs.Tab value="network">{t("insight.network")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="map" pt="md">
          <CoverageMap
            from={from}
            to={to}
            measure={state.values.measure || "engagements"}
            onMeasure={(measure) => state.set({ measure })}
          />
        </Tabs.Panel>
        <Tabs.Panel value="trends" pt="md">
          <Trends from={from} to={to} />
        </Tabs.Panel>
        <Tabs.Panel value="network" pt="md">
          <NetworkPanel
            from={from}
            to={to}
            region={state.values.region}
            kind={state.values.kind}
            focus={state.values.focus}
            onChange={(change) => state.set(change)}
          />
        </Tabs.Panel>
        <Tabs.Panel value="health" pt="md">
          <HealthPanel unitId={state.values.unitId} onUnit={(unitId) => state.set({ unitId })} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function CoverageMap({ from, to, measure, onMeasure }: { from: string; to: string; measure: string; onMeasure: (m: string) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const navigate = useNavigate();
  const counts = useQuery({
    queryKey: ["counts", "country", from, to],
    queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "country", from, to })}`),
  });
  const registry = useQueries({
    queries: [undefined, ...levels].map((level) => ({
      queryKey: ["organisations", "counts", "country", level ?? "all"],
      enabled: measure === "coverage",
      queryFn: () => api<OrganisationCounts>(`/organisations/counts${query({ by: "country", kind: "political_party", level })}`),
    })),
  });
  // Places as the territorial policy counts them: a region counted under its state (Hong Kong,
  // Macao and Taiwan under China, by default) adds to the state's figures.
  const add = (into: Map<string, number>, code: string, n: number) =>
    into.set(reference.countedAs(code), (into.get(reference.countedAs(code)) ?? 0) + n);
  const parties = new Map<string, number>();
  for (const i of registry[0]?.data?.items ?? []) add(parties, i.key ?? "", i.count);
  const related = new Map<string, number>();
  for (const r of registry.slice(1)) for (const i of r.data?.items ?? []) add(related, i.key ?? "", i.count);
  const folded = new Map<string, { engagements: number; organisations: number }>();
  for (const r of counts.data?.rows ?? []) {
    const code = reference.countedAs(r.key);
    const sum = folded.get(code) ?? { engagements: 0, organisations: 0 };
    folded.set(code, { engagements: sum.engagements + r.engagements, organisations: sum.organisations + r.organisations });
  }
  const rows = [...folded.entries()].map(([key, m]) => ({ key, ...m }));
  const data =
    measure === "coverage"
      ? [...parties.entries()].map(([code, total]) => {
          const ours = related.get(code) ?? 0;
          return {
            code,
            name: reference.countryName(code),
            value: Math.round((100 * ours) / Math.max(1, total)),
            details: [t("insight.coverageOf", { ours: format.number(ours), total: format.number(total) })],
          };
        })
      : rows.map((r) => ({
          code: r.key,
          name: reference.countryName(r.key),
          value: measure === "partners" ? r.organisations : r.engagements,
          details: [
            `${t("home.measure.engagements")}: ${format.number(r.engagements)}`,
            `${t("home.measure.organisations")}: ${format.number(r.organisations)}`,
          ],
        }));
  const max = measure === "coverage" ? 100 : Math.max(0, ...data.map((d) => d.value));
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 9 }}>
        <Card withBorder>
          <Group justify="space-between" mb="xs">
            <SegmentedControl
              value={measure}
              onChange={onMeasure}
              data={[
                { value: "engagements", label: t("home.measure.engagements") },
                { value: "partners", label: t("home.measure.organisations") },
                { value: "coverage", label: t("insight.coverage") },
              ]}
            />
            <Text size="xs" c="dimmed">
              {measure === "coverage" ? t("country.coverageHow") : t("insight.mapHow")}
            </Text>
          </Group>
          <QueryState isLoading={counts.isLoading} error={counts.error} />
          <Suspense fallback={<Skeleton h={520} />}>
            <WorldMapWithList
              data={data}
              shadedWith={reference.countedAs}
              max={max}
              label={t("insight.map")}
              onOpen={(code) => navigate(`/countries/${code}`)}
            />
          </Suspense>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 3 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t("insight.topCountries")}
          </Title>
          {[...data]
            .sort((a, b) => b.value - a.value)
            .slice(0, 15)
            .map((d) => (
              <Group key={d.code} justify="space-between">
                <Anchor component={Link} to={`/countries/${d.code}`} size="sm">
                  {d.name}
                </Anchor>
                <Text size="sm">
                  {format.number(d.value)}
                  {measure === "coverage" ? "%" : ""}
                </Text>
              </Group>
            ))}
        </Card>
      </Grid.Col>
    </Grid>
  );
}

/** The map, and beside it the places it has no shape for (territories, historical states). */
function WorldMapWithList(props: {
  data: Array<{ code: string; name: string; value: number; details: string[] }>;
  /** The place whose figure a shape is drawn with (a region counted under its state takes the state's). */
  shadedWith: (code: string) => string;
  max: number;
  label: string;
  onOpen: (code: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const unmapped = useQuery({
    queryKey: ["map-codes"],
    queryFn: async () => (await import("./WorldMap.tsx")).mappedCodes,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const without = unmapped.data ? props.data.filter((d) => d.value > 0 && !unmapped.data.has(d.code)) : [];
  // Every shape of a region counted under its state is drawn with the state's figure.
  const byCode = new Map(props.data.map((d) => [d.code, d]));
  const shaded = unmapped.data
    ? [...unmapped.data].flatMap((code) => {
        const own = props.shadedWith(code);
        const datum = own === code ? undefined : byCode.get(own);
        return datum ? [{ ...datum, code }] : [];
      })
    : [];
  return (
    <>
      <WorldMap data={[...props.data, ...shaded]} max={props.max} label={props.label} onOpen={props.onOpen} />
      {without.length ? (
        <Text size="sm" mt="xs" data-testid="unmapped">
          {t("insight.unmapped")}{" "}
          {without.map((d, i) => (
            <span key={d.code}>
              {i ? " · " : ""}
              <Anchor component={Link} to={`/countries/${d.code}`} size="sm">
                {d.name}
              </Anchor>{" "}
              {format.number(d.value)}
            </span>
          ))}
        </Text>
      ) : null}
    </>
  );
}

function Trends({ from, to }: { from: string; to: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const span = Number(to.slice(0, 4)) - Number(from.slice(0, 4)) + 1;
  const before = { from: `${Number(from.slice(0, 4)) - span}-01-01`, to: `${Number(from.slice(0, 4)) - 1}-12-31` };
  const perType = useQueries({
    queries: types.map((type) => ({
      queryKey: ["counts", "year", type, from, to],
      queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "year", type, from, to })}`),
    })),
  });
  const previous = useQuery({
    queryKey: ["counts", "year", before],
    queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "year", ...before })}`),
  });
  const byRegion = useQueries({
    queries: [{ from, to }, before].flatMap((p) => [
      { queryKey: ["counts", "region", p], queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "region", ...p })}`) },
      {
        queryKey: ["counts", "partnerKind", p],
        queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "partnerKind", ...p })}`),
      },
    ]),
  });
  const years = Array.from({ length: span }, (_, i) => String(Number(from.slice(0, 4)) + i));
  const prevByIndex = years.map(
    (_, i) => previous.data?.rows.find((r) => r.key === String(Number(before.from.slice(0, 4)) + i))?.engagements ?? 0,
  );
  const grouped = (now: EngagementCounts | undefined, then: EngagementCounts | undefined) => {
    const keys = [...new Set([...(now?.rows ?? []), ...(then?.rows ?? [])].map((r) => r.key))].filter(
      (k) => k.length <= 3 || !/^\d/.test(k),
    );
    const label = (k: string) => format.name([...(now?.rows ?? []), ...(then?.rows ?? [])].find((r) => r.key === k)?.label);
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 8, top: 8, bottom: 64 },
      xAxis: { type: "category", data: keys.map(label), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: t("insight.thisPeriod"), type: "bar", data: keys.map((k) => now?.rows.find((r) => r.key === k)?.engagements ?? 0) },
        {
          name: t("insight.previousPeriod"),
          type: "bar",
          data: keys.map((k) => then?.rows.find((r) => r.key === k)?.engagements ?? 0),
          itemStyle: { color: "#ced4da" },
        },
      ],
    };
  };
  return (
    <Stack>
      <Card withBorder>
        <Title order={5} mb="xs">
          {t("insight.byYearAndType")}
        </Title>
        <Suspense fallback={<Skeleton h={320} />}>
          <EChart
            height={320}
            label={t("insight.byYearAndType")}
            option={{
              tooltip: { trigger: "axis" },
              legend: { bottom: 0, type: "scroll" },
              grid: { left: 40, right: 8, top: 8, bottom: 48 },
              xAxis: { type: "category", data: years },
              yAxis: { type: "value" },
              series: [
                ...types.map((type, i) => ({
                  name: vocabulary.label("engagementTypes", type),
                  type: "bar",
                  stack: "now",
                  data: years.map((y) => perType[i]?.data?.rows.find((r) => r.key === y)?.engagements ?? 0),
                })),
                {
                  name: t("insight.previousPeriod"),
                  type: "line",
                  data: prevByIndex,
                  lineStyle: { type: "dashed" },
                  itemStyle: { color: "#495057" },
                },
              ],
            }}
          />
        </Suspense>
        <Text size="xs" c="dimmed">
          {t("insight.previousHow", { from: before.from.slice(0, 4), to: before.to.slice(0, 4) })}
        </Text>
      </Card>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={5} mb="xs">
              {t("report.byRegion")}
            </Title>
            <Suspense fallback={<Skeleton h={280} />}>
              <EChart height={280} label={t("report.byRegion")} option={grouped(byRegion[0]?.data, byRegion[2]?.data)} />
            </Suspense>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Title order={5} mb="xs">
              {t("report.byPartnerKind")}
            </Title>
            <Suspense fallback={<Skeleton h={280} />}>
              <EChart height={280} label={t("report.byPartnerKind")} option={grouped(byRegion[1]?.data, byRegion[3]?.data)} />
            </Suspense>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function NetworkPanel({
  from,
  to,
  region,
  kind,
  focus,
  onChange,
}: {
  from: string;
  to: string;
  region: string;
  kind: string;
  focus: string;
  onChange: (change: { region?: string | null; kind?: string | null; focus?: string | null }) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const vocabulary = useVocabulary();
  const network = useQuery({
    queryKey: ["network", from, to, region, kind, focus],
    queryFn: () => api<Network>(`/network${query({ from, to, region, kind, focus })}`),
  });
  const focused = network.data?.nodes.find((n) => n.id === `o${focus}`);
  return (
    <Card withBorder>
      <Group align="flex-end" mb="xs">
        <Select
          label={t("registry.region")}
          data={reference.regions}
          value={region || null}
          onChange={(v) => onChange({ region: v })}
          clearable
          searchable
          size="sm"
          w={200}
        />
        <Select
          label={t("registry.kind")}
          data={vocabulary.options("organisationKinds")}
          value={kind || null}
          onChange={(v) => onChange({ kind: v })}
          clearable
          size="sm"
          w={200}
        />
        {focus ? (
          <Group gap="xs" mb={4}>
            <Text size="sm">{t("insight.focusedOn", { name: format.name(focused?.name) })}</Text>
            <Anchor size="sm" component="button" onClick={() => onChange({ focus: null })}>
              {t("insight.clearFocus")}
            </Anchor>
          </Group>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {t("insight.networkHow", {
          nodes: format.number(network.data?.nodes.length ?? 0),
          edges: format.number(network.data?.edges.length ?? 0),
        })}
      </Text>
      <QueryState isLoading={network.isLoading} error={network.error} isEmpty={network.data?.nodes.length === 0} />
      {network.data?.nodes.length ? (
        <Suspense fallback={<Skeleton h={640} />}>
          <NetworkGraph
            network={network.data}
            labels={{
              organisation: t("insight.node.organisation"),
              event: t("insight.node.event"),
              mechanism: t("insight.node.mechanism"),
              unit: t("insight.node.unit"),
            }}
            name={(n) => format.name(n.name)}
            onFocus={(id) => onChange({ focus: String(id) })}
          />
        </Suspense>
      ) : null}
    </Card>
  );
}
