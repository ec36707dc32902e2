import { Anchor, Badge, Card, Grid, Group, Progress, SimpleGrid, Stack, Table, Text, TextInput, Timeline, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { MechanismDetail, MechanismOutput, MembersOn } from "../../core/mechanisms/schema.ts";
import type { ProgrammeDetail, ProgrammeOutput } from "../../core/programmes/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { EngagementTable } from "../shared/EngagementTable.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

/** Programmes and mechanisms side by side: the campaigns that group our work, and the standing platforms. */
export function ProgrammeList() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const programmes = useQuery({ queryKey: ["programmes"], queryFn: () => api<ProgrammeOutput[]>("/programmes") });
  const mechanisms = useQuery({ queryKey: ["mechanisms"], queryFn: () => api<MechanismOutput[]>("/mechanisms") });
  return (
    <Stack>
      <Title order={2}>{t("programmes.title")}</Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={4} mb="xs">
            {t("programmes.programmes")}
          </Title>
          <QueryState isLoading={programmes.isLoading} error={programmes.error} isEmpty={programmes.data?.length === 0} />
          {programmes.data?.map((p) => (
            <Group key={p.id} justify="space-between" wrap="nowrap" py={4}>
              <Anchor component={Link} to={`/programmes/${p.id}`}>
                {format.name(p.name)}
              </Anchor>
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                {[p.startDate ? format.date(p.startDate) : null, p.endDate ? format.date(p.endDate) : null].filter(Boolean).join(" – ")} ·{" "}
                {format.name(p.leadUnit.name)}
              </Text>
            </Group>
          ))}
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">
            {t("programmes.mechanisms")}
          </Title>
          <QueryState isLoading={mechanisms.isLoading} error={mechanisms.error} isEmpty={mechanisms.data?.length === 0} />
          {mechanisms.data?.map((m) => (
            <Group key={m.id} justify="space-between" wrap="nowrap" py={4}>
              <Anchor component={Link} to={`/mechanisms/${m.id}`}>
                {format.name(m.name)}
              </Anchor>
              <Badge variant="light" size="sm" style={{ flexShrink: 0 }}>
                {vocabulary.label("mechanismKinds", m.kind)}
              </Badge>
            </Group>
          ))}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

/** A programme: its running totals against its targets, by type, and its engagements. */
export function ProgrammePage() {
  const { t } = useTranslation();
  const format = useFormat();
  const _vocabulary = useVocabulary();
  const id = Number(useParams().id);
  const state = useUrlState([] as const);
  const programme = useQuery({ queryKey: ["programme", id], queryFn: () => api<ProgrammeDetail>(`/programmes/${id}`) });
  const engagements = useQuery({
    queryKey: ["engagements", "programme", id, state.page],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ programmeId: id, page: state.page, pageSize: 25 })}`),
    placeholderData: keepPreviousData,
  });
  if (!programme.data) return <QueryState isLoading={programme.isLoading} error={programme.error} />;
  const p = programme.data;
  const figures: Array<[string, number]> = [
    ["engagements", p.totals.engagements],
    ["organisations", p.totals.organisations],
    ["countries", p.totals.countries],
    ["delegationsSent", p.totals.delegationsSent],
    ["events", p.totals.events],
  ];
  return (
    <Stack>
      <div>
        <Title order={2}>{format.name(p.name)}</Title>
        <Text c="dimmed">
          {[p.startDate ? format.date(p.startDate) : null, p.endDate ? format.date(p.endDate) : null].filter(Boolean).join(" – ")} ·{" "}
          {format.name(p.leadUnit.name)}
        </Text>
        {p.description ? <Text size="sm">{p.description}</Text> : null}
      </div>
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {figures.map(([key, value]) => {
          const target = p.targets[key];
          return (
            <Card key={key} withBorder>
              <Text size="sm" c="dimmed">
                {t(`programmes.figure.${key}`)}
              </Text>
              <Text fz={28} fw={700}>
                {format.number(value)}
              </Text>
              {target ? (
                <>
                  <Progress
                    value={Math.min(100, (100 * value) / target)}
                    mt={4}
                    aria-label={t("programmes.target", { target: format.number(target) })}
                  />
                  <Text size="xs" c="dimmed">
                    {t("programmes.target", { target: format.number(target) })}
                  </Text>
                </>
              ) : null}
            </Card>
          );
        })}
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("home.byType")}
            </Title>
            {p.totals.byType.map((r) => (
              <Group key={r.key} justify="space-between">
                <Anchor
                  component={Link}
                  size="sm"
                  to={`/engagements${query({ programmeId: p.id, type: r.key.split(":")[0], direction: r.key.split(":")[1] })}`}
                >
                  {format.name(r.label)}
                </Anchor>
                <Text size="sm">{format.number(r.engagements)}</Text>
              </Group>
            ))}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("engagements.title")}
            </Title>
            <QueryState isLoading={engagements.isLoading} error={engagements.error} isEmpty={engagements.data?.items.length === 0} />
            <EngagementTable items={engagements.data?.items} />
            {engagements.data ? (
              <Pager
                page={state.page}
                pageSize={25}
                total={engagements.data.total}
                totalExact={engagements.data.totalExact}
                onPage={state.setPage}
              />
            ) : null}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** A mechanism: members over time (and on any date), its chairs and its sessions. */
export function MechanismPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const id = Number(useParams().id);
  const state = useUrlState(["on"] as const);
  const mechanism = useQuery({ queryKey: ["mechanism", id], queryFn: () => api<MechanismDetail>(`/mechanisms/${id}`) });
  const on = state.values.on;
  const members = useQuery({
    queryKey: ["mechanism", id, "on", on],
    enabled: Boolean(on),
    queryFn: () => api<MembersOn>(`/mechanisms/${id}/members${query({ on })}`),
  });
  if (!mechanism.data) return <QueryState isLoading={mechanism.isLoading} error={mechanism.error} />;
  const m = mechanism.data;
  const shown = on && members.data ? members.data.members : m.members;
  return (
    <Stack>
      <div>
        <Group gap="xs">
          <Title order={2}>{format.name(m.name)}</Title>
          <Badge variant="light">{vocabulary.label("mechanismKinds", m.kind)}</Badge>
        </Group>
        <Text c="dimmed">
          {format.name(m.leadUnit.name)}
          {m.foundedOn ? ` · ${t("mechanisms.since", { date: format.date(m.foundedOn) })}` : ""}
        </Text>
        {m.description ? <Text size="sm">{m.description}</Text> : null}
      </div>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder>
            <Group justify="space-between" mb="xs" align="flex-end">
              <Title order={4}>
                {on
                  ? t("mechanisms.membersOn", { date: format.date(on), count: shown.length })
                  : t("mechanisms.members", { count: m.members.length })}
              </Title>
              <TextInput
                type="date"
                size="xs"
                label={t("mechanisms.onDate")}
                value={on}
                onChange={(e) => state.set({ on: e.currentTarget.value })}
                w={160}
              />
            </Group>
            {on && members.data?.chair ? (
              <Text size="sm" mb="xs">
                {t("mechanisms.chairOn", { name: format.name(members.data.chair.organisation.name) })}
              </Text>
            ) : null}
            <Table.ScrollContainer minWidth={560}>
              <Table>
                <Table.Tbody>
                  {shown.map((member) => (
                    <Table.Tr key={member.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/organisations/${member.organisation.id}`} size="sm">
                          {format.name(member.organisation.name)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td c="dimmed">{reference.countryName(member.organisation.countryCode)}</Table.Td>
                      <Table.Td c="dimmed">
                        {format.date(member.joinedOn)} – {member.leftOn ? format.date(member.leftOn) : t("org.now")}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack>
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("mechanisms.sessions", { count: m.sessions.length })}
              </Title>
              {m.sessions.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
              <Timeline bulletSize={12}>
                {m.sessions.map((s) => (
                  <Timeline.Item
                    key={s.id}
                    title={
                      <Anchor component={Link} to={`/engagements/${s.id}`}>
                        {format.name(s.title)}
                      </Anchor>
                    }
                  >
                    <Text size="xs" c="dimmed">
                      {format.date(s.startDate)}
                      {s.edition ? ` · ${t("mechanisms.edition", { edition: s.edition })}` : ""}
                      {s.place.city ? ` · ${s.place.city}` : ""}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Card>
            {m.chairs.length ? (
              <Card withBorder>
                <Title order={4} mb="xs">
                  {t("mechanisms.chairs")}
                </Title>
                {m.chairs.map((c) => (
                  <Text key={c.id} size="sm">
                    {format.date(c.startDate)} – {c.endDate ? format.date(c.endDate) : t("org.now")}: {format.name(c.organisation.name)}
                  </Text>
                ))}
              </Card>
            ) : null}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
