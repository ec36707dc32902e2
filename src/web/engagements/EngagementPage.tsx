import { Alert, Anchor, Badge, Button, Card, Grid, Group, Stack, Table, Text, Timeline, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { Clash, EngagementDetail, EngagementListItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { GiftsCard } from "../gifts/GiftsCard.tsx";
import { SuggestedMark } from "../names/SuggestionCard.tsx";
import { useFormat } from "../shared/format.ts";
import { QueryState } from "../shared/states.tsx";
import { TasksCard } from "../shared/TasksCard.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";
import { AttachmentsCard } from "./AttachmentsCard.tsx";
import { ClashAlert } from "./ClashAlert.tsx";
import { EngagementActions } from "./EngagementActions.tsx";

type Detail = Record<string, unknown>;
const textOf = (value: unknown) => (typeof value === "string" && value ? value : null);
const listOf = (value: unknown) => (Array.isArray(value) ? (value as Detail[]) : []);

/** A visit's programme, day by day: each day's times, places and what happened. */
function Itinerary({ days, startDate }: { days: Detail[]; startDate: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const byDate = new Map<string, Detail[]>();
  for (const day of days) {
    const date = textOf(day.date) ?? "";
    byDate.set(date, [...(byDate.get(date) ?? []), day]);
  }
  const dayNumber = (date: string) => Math.round((Date.parse(date) - Date.parse(startDate)) / 86_400_000) + 1;
  return (
    <Card withBorder data-testid="itinerary">
      <Title order={4} mb="xs">
        {t("engagement.itinerary")}
      </Title>
      <Timeline bulletSize={14} lineWidth={2}>
        {[...byDate.entries()].map(([date, items]) => (
          <Timeline.Item
            key={date}
            title={
              <Text fw={600} size="sm">
                {dayNumber(date) >= 1 ? `${t("engagement.day", { n: dayNumber(date) })} · ` : ""}
                {format.date(date)}
              </Text>
            }
          >
            <Stack gap={4}>
              {items.map((item, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a day's items have no identity but their order
                <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
                  <Text size="sm" c="dimmed" w={64} style={{ flexShrink: 0 }}>
                    {textOf(item.time) ?? ""}
                  </Text>
                  <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                    {textOf(item.description)}
                    {textOf(item.place) || textOf(item.city) ? (
                      <Text span c="dimmed" size="sm">
                        {" "}
                        {t("common.inBrackets", { text: [textOf(item.city), textOf(item.place)].filter(Boolean).join(" · ") })}
                      </Text>
                    ) : null}
                  </Text>
                </Group>
              ))}
            </Stack>
          </Timeline.Item>
        ))}
      </Timeline>
    </Card>
  );
}

const shownAtFirst = 50;
/** The kinds of work at which gifts change hands. */
const giftTypes = new Set(["visit", "talks", "event", "training"]);

/** One engagement: who took part and from how many countries, its details, approval steps and files. */
export function EngagementPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const { can } = useSession();
  const id = Number(useParams().id);
  const detail = useQuery({ queryKey: ["engagement", id], queryFn: () => api<EngagementDetail>(`/engagements/${id}`) });
  const planned = detail.data?.status === "planned";
  const clashes = useQuery({
    queryKey: ["engagement", id, "clashes"],
    enabled: planned,
    queryFn: () => api<Clash[]>(`/engagements/${id}/clashes`),
  });
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
  // The series as the reader reads it: its Chinese name in Chinese, where it has one.
  const seriesEn = textOf(e.details.seriesEn);
  const series = seriesEn ? format.name({ en: seriesEn, zh: textOf(e.details.seriesZh) }) : null;
  const edition = typeof e.details.edition === "number" ? e.details.edition : null;
  const itinerary = listOf(e.details.itinerary);
  const delegationSize = typeof e.details.delegationSize === "number" ? e.details.delegationSize : null;
  const interpreters = textOf(e.details.interpreters);
  // Each language's summary under its own label, the reader's language first.
  const summaries = [
    { key: "summaryZh", text: e.summary.zh },
    { key: "summaryEn", text: e.summary.en },
  ].filter((x) => x.text);
  if (!format.lang.startsWith("zh")) summaries.reverse();
  const cancelStep = e.status === "cancelled" ? e.approvalSteps.findLast((s) => s.step === "cancelled") : undefined;
  const related = [
    ...(e.partOf ? [{ label: t("engagement.partOf"), item: e.partOf }] : []),
    ...e.parts.map((p) => ({ label: vocabulary.label("engagementTypes", p.type), item: p })),
    ...(e.inReplyTo ? [{ label: t("engagement.inReplyTo"), item: e.inReplyTo }] : []),
    ...e.replies.map((r) => ({ label: t("engagement.replies"), item: r })),
    ...(e.thankYouLetter ? [{ label: t("engagement.thankYouLetter"), item: e.thankYouLetter }] : []),
  ];
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
        {e.topics.length ? (
          <Group gap={4} mt={4} data-testid="topics">
            <Text size="sm" c="dimmed">
              {t("engagement.topics")}
              {t("common.colon")}
            </Text>
            {e.topics.map((topic) => (
              <Badge key={topic.id} variant="outline" color="gray" size="sm">
                {format.name(topic.name)}
              </Badge>
            ))}
          </Group>
        ) : null}
      </div>
      {cancelStep?.note ? (
        <Alert color="gray" data-testid="cancelled">
          {t("engagement.cancelled", { reason: cancelStep.note })}
        </Alert>
      ) : null}
      {planned && clashes.data ? <ClashAlert clashes={clashes.data} /> : null}
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            {itinerary.length ? <Itinerary days={itinerary} startDate={e.startDate} /> : null}
            {summaries.length ? (
              <Card withBorder data-testid="summary">
                {summaries.map((x) => (
                  <div key={x.key}>
                    <Title order={5} mb={4}>
                      {t(`engagement.${x.key}`)}
                    </Title>
                    <Text size="sm" mb="sm" style={{ whiteSpace: "pre-wrap" }}>
                      {x.text}
                    </Text>
                  </div>
                ))}
              </Card>
            ) : null}
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("engagement.participants", {
                  count: e.participants.length,
                  countries: t("common.countries", { count: e.countriesReached.length }),
                })}
              </Title>
              {delegationSize || interpreters ? (
                <Text size="sm" mb="xs" data-testid="delegation">
                  {[
                    delegationSize ? t("engagement.delegationSize", { count: delegationSize }) : null,
                    interpreters ? t("engagement.interpreters", { names: interpreters }) : null,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </Text>
              ) : null}
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
              <Table.ScrollContainer minWidth={480}>
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
              </Table.ScrollContainer>
              {!showAll && e.participants.length > shownAtFirst ? (
                <Button variant="subtle" size="xs" mt="xs" onClick={() => setShowAll(true)}>
                  {t("engagement.showAll", { count: e.participants.length })}
                </Button>
              ) : null}
            </Card>
            {e.may.readGifts && giftTypes.has(e.type) ? (
              <GiftsCard engagementId={e.id} startDate={e.startDate} mayKeep={e.may.keepGifts} />
            ) : null}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <TasksCard engagementId={e.id} />
            {related.length || ((e.type === "visit" || e.type === "event") && !e.partOf && can("write")) ? (
              <Card withBorder data-testid="related">
                <Title order={4} mb="xs">
                  {t("engagement.related")}
                </Title>
                {(e.type === "visit" || e.type === "event") && !e.partOf && can("write") ? (
                  <Button component={Link} to={`/engagements/new?partOf=${e.id}`} size="xs" variant="light" mb="xs">
                    {t("engagement.recordDuring")}
                  </Button>
                ) : null}
                {related.map((r) => (
                  <Text key={`${r.label}-${r.item.id}`} size="sm">
                    {r.label}
                    {t("common.colon")}
                    <Anchor component={Link} to={`/engagements/${r.item.id}`} size="sm">
                      {format.name(r.item.title)}
                    </Anchor>
                  </Text>
                ))}
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
            <AttachmentsCard engagementId={e.id} attachments={e.attachments} canChange={can("write")} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
