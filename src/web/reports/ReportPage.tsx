import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Collapse,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import type { EngagementCounts } from "../../core/engagements/schema.ts";
import type { ProgrammeOutput } from "../../core/programmes/schema.ts";
import type { Overview, SnapshotOutput } from "../../core/reports/schema.ts";
import { api, query } from "../api.ts";
import { SuggestedMark } from "../names/SuggestionCard.tsx";
import { UrlPeriod, UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

const keys = [
  "from",
  "to",
  "unitId",
  "subunits",
  "programmeId",
  "countryGroup",
  "partnerKind",
  "topicId",
  "mode",
  "exactBelow",
  "nearlyMargin",
  "significantDigits",
  "leadInZh",
  "leadInEn",
] as const;

/** A figure beside the previous period's, with the change. */
function Delta({ now, before }: { now: number; before: number | undefined }) {
  const format = useFormat();
  if (before === undefined) return null;
  const change = now - before;
  return (
    <Text span size="xs" c={change > 0 ? "teal" : change < 0 ? "red" : "dimmed"} ml={6}>
      {change > 0 ? "+" : ""}
      {format.number(change)}
    </Text>
  );
}

/** The overview report: the period's figures and sentences in both languages, every figure a link to its records. */
export function ReportPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const navigate = useNavigate();
  const errorMessage = useErrorMessage();
  const state = useUrlState(keys);
  // The report opens on the latest year with work recorded (last year when there is none).
  const byYear = useQuery({
    queryKey: ["engagement-counts", "year"],
    queryFn: () => api<EngagementCounts>("/engagements/counts?by=year"),
    staleTime: 5 * 60_000,
  });
  const yearsWithData = (byYear.data?.rows ?? []).filter((row) => row.engagements > 0).map((row) => row.key);
  const latestYear =
    yearsWithData
      .filter((y) => y <= String(new Date().getFullYear()))
      .sort()
      .at(-1) ?? null;
  const lastYear = latestYear ?? String(new Date().getFullYear() - 1);
  const periodGiven = Boolean(state.values.from || state.values.to);
  const f = {
    ...state.values,
    from: state.values.from || `${lastYear}-01-01`,
    to: state.values.to || `${lastYear}-12-31`,
    mode: state.values.mode || "approximate",
  };
  const [advanced, setAdvanced] = useState(false);
  const [title, setTitle] = useState("");
  const programmes = useQuery({ queryKey: ["programmes"], queryFn: () => api<ProgrammeOutput[]>("/programmes") });
  const report = useQuery({
    queryKey: ["report", f],
    queryFn: ({ signal }) => api<Overview>(`/reports/overview${query(f)}`, { signal }),
    // Without a period in the address, wait for the latest year with data rather than show zeros first.
    enabled: periodGiven || !byYear.isLoading,
    placeholderData: keepPreviousData,
  });
  const freeze = useMutation({
    mutationFn: () =>
      api<SnapshotOutput>("/reports/snapshots", {
        method: "POST",
        body: { title: title.trim(), params: Object.fromEntries(Object.entries(f).filter(([, v]) => v)) },
      }),
    onSuccess: (s) => navigate(`/reports/snapshots/${s.id}`),
  });
  const drill = (filter: Record<string, string>) => `/engagements${query(filter)}`;
  const r = report.data;
  const years = Array.from({ length: 15 }, (_, i) => String(new Date().getFullYear() - i));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("report.title")}</Title>
        <Group gap="xs">
          <Anchor component={Link} to="/reports/snapshots" size="sm">
            {t("report.snapshots")}
          </Anchor>
          <Anchor component={Link} to="/reports/templates" size="sm">
            {t("report.templates")}
          </Anchor>
          {(["docx", "xlsx", "csv"] as const).map((format) => (
            <Button key={format} size="xs" variant="default" component="a" href={`/api/reports/overview/export${query({ ...f, format })}`}>
              {t(`report.export.${format}`)}
            </Button>
          ))}
        </Group>
      </Group>
      <Group align="flex-end" gap="sm">
        <Select
          label={t("report.year")}
          data={years}
          value={f.from.endsWith("-01-01") && f.to === `${f.from.slice(0, 4)}-12-31` ? f.from.slice(0, 4) : null}
          onChange={(y) => y && state.set({ from: `${y}-01-01`, to: `${y}-12-31` })}
          size="sm"
          w={110}
        />
        <UrlPeriod state={state} from={f.from} to={f.to} />
        <UrlSelect state={state} name="unitId" label={t("engagements.unit")} data={reference.units} width={190} />
        <Checkbox
          label={t("report.subunits")}
          checked={f.subunits === "true"}
          disabled={!f.unitId}
          onChange={(e) => state.set({ subunits: e.currentTarget.checked ? "true" : null })}
          mb={8}
        />
        <UrlSelect
          state={state}
          name="programmeId"
          label={t("report.programme")}
          data={(programmes.data ?? []).map((p) => ({ value: String(p.id), label: format.name(p.name) }))}
          width={190}
        />
        <UrlSelect state={state} name="countryGroup" label={t("registry.group")} data={reference.groups} width={190} />
        <UrlSelect
          state={state}
          name="partnerKind"
          label={t("report.partnerKind")}
          data={vocabulary.options("organisationKinds")}
          width={190}
        />
        <UrlSelect state={state} name="topicId" label={t("report.topic")} data={reference.topics} width={190} />
        <SegmentedControl
          value={f.mode}
          onChange={(mode) => state.set({ mode: mode === "approximate" ? "" : mode })}
          data={[
            { value: "approximate", label: t("report.approximate") },
            { value: "exact", label: t("report.exact") },
          ]}
          mb={2}
        />
        <Button variant="subtle" size="xs" onClick={() => setAdvanced(!advanced)} mb={4}>
          {t("report.rules")}
        </Button>
      </Group>
      <Collapse expanded={advanced}>
        <Group gap="sm">
          <NumberInput
            label={t("report.exactBelow")}
            value={f.exactBelow || 20}
            onChange={(v) => state.set({ exactBelow: String(v) })}
            min={0}
            w={160}
            size="sm"
          />
          <NumberInput
            label={t("report.nearlyMargin")}
            value={f.nearlyMargin ? Number(f.nearlyMargin) * 100 : 2}
            onChange={(v) => state.set({ nearlyMargin: String(Number(v) / 100) })}
            min={0}
            max={20}
            suffix="%"
            w={160}
            size="sm"
          />
          <NumberInput
            label={t("report.significantDigits")}
            value={f.significantDigits || 2}
            onChange={(v) => state.set({ significantDigits: String(v) })}
            min={1}
            max={4}
            w={160}
            size="sm"
          />
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          {t("report.rulesHow")}
        </Text>
        <Group gap="sm" mt="xs" align="flex-end">
          <TextInput
            label={t("report.leadInZh")}
            placeholder="党的十八大以来"
            defaultValue={f.leadInZh ?? ""}
            onBlur={(e) => state.set({ leadInZh: e.currentTarget.value.trim() || null })}
            w={260}
            size="sm"
          />
          <TextInput
            label={t("report.leadInEn")}
            placeholder="Since the 18th CPC National Congress"
            defaultValue={f.leadInEn ?? ""}
            onBlur={(e) => state.set({ leadInEn: e.currentTarget.value.trim() || null })}
            w={320}
            size="sm"
          />
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          {t("report.leadInHow")}
        </Text>
      </Collapse>
      <QueryState isLoading={report.isLoading} error={report.error} />
      {r && r.totals.engagements === 0 && latestYear && !(f.from <= `${latestYear}-12-31` && f.to >= `${latestYear}-01-01`) ? (
        <Alert color="blue" data-testid="report-latest">
          <Group gap="xs">
            <Text size="sm">{t("report.nothingInPeriod", { year: latestYear })}</Text>
            <Button size="xs" variant="light" onClick={() => state.set({ from: `${latestYear}-01-01`, to: `${latestYear}-12-31` })}>
              {t("report.openYear", { year: latestYear })}
            </Button>
          </Group>
        </Alert>
      ) : null}
      {r ? (
        <Stack style={{ opacity: report.isFetching ? 0.6 : 1 }}>
          <SimpleGrid cols={{ base: 1, sm: 4 }}>
            {(["engagements", "organisations", "countries"] as const).map((m) => (
              <Card
                key={m}
                withBorder
                component={Link}
                // The countries figure opens the records that reached a country; the regions' their own.
                to={drill(m === "countries" && r.totals.drills ? r.totals.drills.countries : r.totals.drill)}
              >
                <Text size="sm" c="dimmed">
                  {t(`home.measure.${m}`)}
                </Text>
                <Text fz={28} fw={700} data-testid={`report-${m}`}>
                  {format.number(r.totals[m])}
                  <Delta now={r.totals[m]} before={r.totals.previous?.[m]} />
                </Text>
                {m === "countries" && r.totals.regions ? (
                  <Text
                    size="sm"
                    data-testid="report-regions"
                    c="blue"
                    td="underline"
                    onClick={(e) => {
                      // The regions' records, not the card's: a link inside a link is not allowed.
                      e.preventDefault();
                      if (r.totals.drills) navigate(drill(r.totals.drills.regions));
                    }}
                  >
                    {t("report.alsoRegions", { count: r.totals.regions })}
                  </Text>
                ) : null}
                <Text size="xs" c="dimmed">
                  {m === "countries" && r.totals.stated.places
                    ? `${r.totals.stated.places.zh} · ${r.totals.stated.places.en}`
                    : `${r.totals.stated[m].zh} · ${r.totals.stated[m].en}`}
                </Text>
              </Card>
            ))}
            <Card withBorder>
              <Text size="sm" c="dimmed">
                {t("report.regions")}
              </Text>
              <Text fz={28} fw={700}>
                {format.number(r.regions)}
              </Text>
              {r.previousPeriod ? (
                <Text size="xs" c="dimmed">
                  {t("report.comparedWith", { from: format.date(r.previousPeriod.from), to: format.date(r.previousPeriod.to) })}
                </Text>
              ) : null}
            </Card>
          </SimpleGrid>
          <Card withBorder component={Link} to={drill(r.inGovernment.drill)} data-testid="report-in-government">
            <Group justify="space-between" align="baseline">
              <Text size="sm" c="dimmed">
                {t("report.inGovernment")}
              </Text>
              <Text size="xs" c="dimmed">
                {t("report.inGovernmentHow")}
              </Text>
            </Group>
            <Text fw={600}>
              {t("report.inGovernmentFigures", {
                organisations: format.number(r.inGovernment.organisations),
                countries: format.number(r.inGovernment.countries),
                engagements: format.number(r.inGovernment.engagements),
              })}
              <Delta now={r.inGovernment.organisations} before={r.inGovernment.previous?.organisations} />
            </Text>
          </Card>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("report.narrative")}
            </Title>
            {r.summary ? (
              <Stack gap={2} mb="sm" data-testid="report-summary">
                <Text lang="zh-CN">{r.summary.zh}</Text>
                <Text c="dimmed" size="sm">
                  {r.summary.en}
                </Text>
              </Stack>
            ) : null}
            {r.narrative.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="sm">
                <Table.Tbody>
                  {r.narrative.map((n) => (
                    <Table.Tr key={n.key}>
                      <Table.Td lang="zh-CN" w="45%">
                        {n.zh}。
                      </Table.Td>
                      <Table.Td lang="en" w="45%">
                        {n.en.charAt(0).toUpperCase() + n.en.slice(1)}.
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={drill(n.drill)} size="sm" data-testid={`drill-${n.key}`}>
                          {t("report.records", { count: n.figures.engagements.value })}
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <FigureTable title={t("home.byType")} rows={r.byType} drill={drill} withPrevious={r.previousPeriod !== null} />
            <FigureTable title={t("report.byPartnerKind")} rows={r.byPartnerKind} drill={drill} withPrevious={r.previousPeriod !== null} />
            <FigureTable title={t("report.byRegion")} rows={r.byRegion} drill={drill} withPrevious={r.previousPeriod !== null} />
            <FigureTable title={t("report.topCountries")} rows={r.topCountries} drill={drill} withPrevious={r.previousPeriod !== null} />
          </SimpleGrid>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("report.topPartners")}
            </Title>
            {r.topPartners.map((p) => (
              <Group key={p.organisation.id} justify="space-between">
                <Anchor component={Link} to={`/organisations/${p.organisation.id}`} size="sm">
                  {format.name(p.organisation.name)}
                  <SuggestedMark suggested={p.organisation.nameZhSuggested} />
                </Anchor>
                <Anchor component={Link} to={drill(p.drill)} size="sm">
                  {format.number(p.engagements)}
                </Anchor>
              </Group>
            ))}
          </Card>
          <Card withBorder>
            <Group align="flex-end">
              <TextInput label={t("report.snapshotTitle")} value={title} onChange={(e) => setTitle(e.currentTarget.value)} w={360} />
              <Button onClick={() => freeze.mutate()} disabled={!title.trim()} loading={freeze.isPending}>
                {t("report.freeze")}
              </Button>
              {freeze.error ? (
                <Text c="red" size="sm" role="alert">
                  {errorMessage(freeze.error)}
                </Text>
              ) : null}
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              {t("report.freezeHow")}
            </Text>
          </Card>
          <Badge variant="light" color="gray" w="fit-content">
            {t(`report.source.${r.source}`)}
          </Badge>
        </Stack>
      ) : null}
    </Stack>
  );
}

/** One of the report's tables: a row per group, each figure beside the previous period's. */
export function FigureTable({
  title,
  rows,
  drill,
  withPrevious,
}: {
  title: string;
  rows: Overview["byType"];
  drill: (filter: Record<string, string>) => string;
  withPrevious: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {title}
      </Title>
      {rows.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
      <Table.ScrollContainer minWidth={480}>
        <Table>
          {rows.length ? (
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th ta="right">{t("home.measure.engagements")}</Table.Th>
                <Table.Th ta="right">{t("home.measure.organisations")}</Table.Th>
                <Table.Th ta="right">{t("home.measure.countries")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
          ) : null}
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.key}>
                <Table.Td>
                  <Anchor component={Link} to={drill(row.drill)} size="sm">
                    {format.name(row.label)}
                  </Anchor>
                </Table.Td>
                {(["engagements", "organisations", "countries"] as const).map((m) => (
                  <Table.Td key={m} ta="right">
                    {format.number(row[m])}
                    {withPrevious ? <Delta now={row[m]} before={row.previous?.[m]} /> : null}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
