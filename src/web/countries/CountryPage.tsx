import { Anchor, Card, Group, Progress, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { CountryDetailOutput } from "../../core/countries/schema.ts";
import type { EngagementCounts, EngagementListItem } from "../../core/engagements/schema.ts";
import type { OrganisationCounts } from "../../core/organisations/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { EngagementTable } from "../shared/EngagementTable.tsx";
import { useFormat } from "../shared/format.ts";
import { QueryState } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

const EChart = lazy(() => import("../shared/EChart.tsx"));

/** A country: its partners by kind, our engagements over the years, our coverage of its parties, the latest engagements. */
export function CountryPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const code = useParams().code ?? "";
  const country = useQuery({ queryKey: ["country", code], queryFn: () => api<CountryDetailOutput>(`/countries/${code}`) });
  const years = useQuery({
    queryKey: ["counts", "year", code],
    queryFn: () => api<EngagementCounts>(`/engagements/counts${query({ by: "year", country: code })}`),
  });
  const levels = useQuery({
    queryKey: ["organisations", "levels", code],
    queryFn: () => api<OrganisationCounts>(`/organisations/counts${query({ by: "level", country: code, kind: "political_party" })}`),
  });
  const latest = useQuery({
    queryKey: ["engagements", "country", code],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ country: code, pageSize: 10 })}`),
  });
  if (!country.data) return <QueryState isLoading={country.isLoading} error={country.error} />;
  const c = country.data;
  const parties = levels.data?.total ?? 0;
  const related = (levels.data?.items ?? []).filter((i) => i.key && i.key !== "none").reduce((n, i) => n + i.count, 0);
  return (
    <Stack>
      <div>
        <Title order={2}>{format.name(c.name)}</Title>
        <Text c="dimmed">
          {[
            c.code,
            format.name(c.region?.name),
            format.name(c.subregion?.name),
            ...c.groups.map((g) => format.name(g.name)),
            c.nationalDay ? t("country.nationalDay", { date: format.monthDay(c.nationalDay) }) : null,
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder>
          <Title order={4} mb="xs">
            {t("country.partnersByKind")}
          </Title>
          {Object.entries(c.organisationsByKind).map(([kind, n]) => (
            <Group key={kind} justify="space-between">
              <Anchor component={Link} to={`/organisations${query({ country: code, kind })}`} size="sm">
                {vocabulary.label("organisationKinds", kind)}
              </Anchor>
              <Text size="sm">{format.number(n)}</Text>
            </Group>
          ))}
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">
            {t("country.coverage")}
          </Title>
          <Text fz={28} fw={700}>
            {format.number(related)} / {format.number(parties)}
          </Text>
          <Progress value={parties ? (100 * related) / parties : 0} mt="xs" aria-label={t("country.coverage")} />
          <Text size="xs" c="dimmed" mt="xs">
            {t("country.coverageHow")}
          </Text>
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">
            {t("country.overTime")}
          </Title>
          <Suspense fallback={<Skeleton h={180} />}>
            <EChart
              height={180}
              label={t("country.overTime")}
              option={{
                tooltip: { trigger: "axis" },
                grid: { left: 30, right: 8, top: 8, bottom: 24 },
                xAxis: { type: "category", data: (years.data?.rows ?? []).map((r) => r.key) },
                yAxis: { type: "value", minInterval: 1 },
                series: [{ type: "bar", name: t("home.measure.engagements"), data: (years.data?.rows ?? []).map((r) => r.engagements) }],
              }}
            />
          </Suspense>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={4}>{t("country.latest")}</Title>
          <Anchor component={Link} to={`/engagements${query({ country: code })}`} size="sm">
            {t("common.all")}
          </Anchor>
        </Group>
        <QueryState isLoading={latest.isLoading} error={latest.error} isEmpty={latest.data?.items.length === 0} />
        <EngagementTable items={latest.data?.items} />
      </Card>
    </Stack>
  );
}
