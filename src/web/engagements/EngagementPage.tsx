import { Anchor, Badge, Button, Card, Grid, Group, Stack, Table, Text, Timeline, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { EngagementDetail, EngagementListItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { SuggestedMark } from "../names/SuggestionCard.tsx";
import { useFormat } from "../shared/format.ts";
import { QueryState } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";
import { EngagementActions } from "./EngagementActions.tsx";

const shownAtFirst = 50;

/** One engagement: who took part and from how many countries, its details, approval steps and files. */
export function EngagementPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const id = Number(useParams().id);
  const detail = useQuery({ queryKey: ["engagement", id], queryFn: () => api<EngagementDetail>(`/engagements/${id}`) });
  const [showAll, setShowAll] = useState(false);
  const seriesName = typeof detail.data?.details.seriesEn === "string" ? detail.data.details.seriesEn : "";
  const editions = useQuery({
    queryKey: ["engagements", "series", seriesName],
    enabled: Boolean(seriesName),
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ series: seriesName, sort: "date", pageSize: 50 })}`),
  });
  if (!detail.data) return <QueryState isLoading={detail.isLoading} error={detail.error} />;
  const e = detail.data;
  // A forum of hundreds: the countries at a glance, then the first rows until asked for all.
  const counted = new Map<string, number>();
  for (const p of e.participants) {
    const name = format.name(p.organisation?.country?.name);
    if (name) counted.set(name, (counted.get(name) ?? 0) + 1);
  }
  const byCountry = [...counted.entries()].sort((a, b) => b[1] - a[1]);
  const sessions = Array.isArray(e.details.sessions)
    ? (e.details.sessions as Array<{ titleEn?: string; titleZh?: string | null; date?: string }>)
    : [];
  const textOf = (value: unknown) => (typeof value === "string" && value ? value : null);
  // The series as the reader reads it: its Chinese name in Chinese, where it has one.
  const seriesEn = textOf(e.details.seriesEn);
  const series = seriesEn ? format.name({ en: seriesEn, zh: textOf(e.details.seriesZh) }) : null;
  const edition = typeof e.details.edition === "number" ? e.details.edition : null;
  return (
    <Stack>
      <div>
        <Group gap="xs">
          <Badge variant="light">
            {vocabulary.label("engagementKinds", `${e.type}:${e.direction}`) || vocabulary.label("engagementTypes", e.type)}
          </Badge>
          {e.subtype ? <Badge variant="outline">{vocabulary.subtype(e.subtype)}</Badge> : null}
          <Badge variant="dot">{vocabulary.label("engagementStatuses", e.status)}</Badge>
          {e.approval ? <Badge color="grape">{t(`approval.${e.approval}`)}</Badge> : null}
          <Badge color={e.classification === "restricted" ? "red" : "gray"} variant="light">
            {t(`classification.${e.classification}`)}
          </Badge>
        </Group>
        <Group justify="space-between" align="flex-start" mt="xs">
          <Title order={2}>{format.name(e.title)}</Title>
          <EngagementActions engagement={e} />
        </Group>
        <Text c="dimmed">
          {format.date(e.startDate)}
          {e.endDate !== e.startDate ? ` – ${format.date(e.endDate)}` : ""}
          {e.place.country ? ` · ${format.name(e.place.country.name)}` : ""}
          {e.place.city ? ` · ${e.place.city}` : ""} · {format.name(e.leadUnit.name)}
          {e.coUnits.length ? ` · ${t("engagement.with", { units: e.coUnits.map((u) => format.name(u.name)).join(", ") })}` : ""}
        </Text>
      </div>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("engagement.participants", {
                count: e.participants.length,
                countries: t("common.countries", { count: e.countriesReached.length }),
              })}
            </Title>
            {e.participants.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
            {e.countriesReached.length > 1 ? (
              <Group gap={4} mb="sm">
                {byCountry.map(([name, n]) => (
                  <Badge key={name} variant="light" color="gray" size="sm">
                    {name} {n}
                  </Badge>
                ))}
              </Group>
            ) : null}
            <Table>
              <Table.Tbody>
                {(showAll ? e.participants : e.participants.slice(0, shownAtFirst)).map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      {p.organisation ? (
                        <Anchor component={Link} to={`/organisations/${p.organisation.id}`}>
                          {format.name(p.organisation.name)}
                        </Anchor>
                      ) : null}
                      {p.organisation ? <SuggestedMark suggested={p.organisation.nameZhSuggested} /> : null}
                      {p.person ? (
                        <Anchor component={Link} to={`/people/${p.person.id}`}>
                          {format.name(p.person.name)}
                        </Anchor>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{vocabulary.label("participantRoles", p.role)}</Table.Td>
                    <Table.Td c="dimmed">{p.rank ?? ""}</Table.Td>
                    <Table.Td c="dimmed">{format.name(p.organisation?.country?.name)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {!showAll && e.participants.length > shownAtFirst ? (
              <Button variant="subtle" size="xs" mt="xs" onClick={() => setShowAll(true)}>
                {t("engagement.showAll", { count: e.participants.length })}
              </Button>
            ) : null}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            {format.name(e.summary) ? (
              <Card withBorder>
                <Title order={4} mb="xs">
                  {t("engagement.summary")}
                </Title>
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                  {format.name(e.summary)}
                </Text>
              </Card>
            ) : null}
            {series || sessions.length || e.mechanism || e.programme ? (
              <Card withBorder>
                {e.mechanism ? (
                  <Text size="sm">
                    {t("engagement.mechanism")}: {format.name(e.mechanism.name)}
                  </Text>
                ) : null}
                {e.programme ? (
                  <Text size="sm">
                    {t("engagement.programme")}: {format.name(e.programme.name)}
                  </Text>
                ) : null}
                {series ? <Text size="sm">{t("engagement.series", { series, edition: edition ?? "" })}</Text> : null}
                {editions.data && editions.data.items.length > 1 ? (
                  <Stack gap={2} mt="xs">
                    <Text size="sm" fw={600}>
                      {t("engagement.editions")}
                    </Text>
                    {editions.data.items.map((x) => (
                      <Anchor key={x.id} component={Link} to={`/engagements/${x.id}`} size="sm" fw={x.id === e.id ? 700 : 400}>
                        {format.date(x.startDate)} · {format.name(x.title)}
                      </Anchor>
                    ))}
                  </Stack>
                ) : null}
                {sessions.map((s) => (
                  <Text key={`${s.date}-${s.titleEn}`} size="sm" c="dimmed">
                    {format.date(s.date)} · {format.name({ en: s.titleEn ?? "", zh: s.titleZh ?? null })}
                  </Text>
                ))}
              </Card>
            ) : null}
            {e.approvalSteps.length ? (
              <Card withBorder>
                <Title order={4} mb="xs">
                  {t("engagement.approval")}
                </Title>
                <Timeline bulletSize={12} lineWidth={2}>
                  {e.approvalSteps.map((s) => (
                    <Timeline.Item key={`${s.step}-${s.at}`} title={t(`approvalStep.${s.step}`)}>
                      <Text size="xs" c="dimmed">
                        {s.by?.name} · {format.date(s.at)}
                      </Text>
                      {s.note ? <Text size="sm">{s.note}</Text> : null}
                    </Timeline.Item>
                  ))}
                </Timeline>
              </Card>
            ) : null}
            {e.attachments.length ? (
              <Card withBorder>
                <Title order={4} mb="xs">
                  {t("engagement.attachments")}
                </Title>
                {e.attachments.map((a) => (
                  <Anchor key={a.id} href={`/api/engagements/${e.id}/attachments/${a.id}`} size="sm" display="block">
                    {a.fileName}
                  </Anchor>
                ))}
              </Card>
            ) : null}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
