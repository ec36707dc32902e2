import { Anchor, Card, Grid, Group, Stack, Table, Text, Timeline, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { PersonDetail, PersonListItem } from "../../core/people/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { UrlSearch, UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

const pageSize = 50;

/** People in the registry, found by any name. */
export function PeopleList() {
  const { t } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const state = useUrlState(["q", "country"] as const);
  const params = { ...state.values, page: state.page, pageSize };
  const list = useQuery({
    queryKey: ["people", params],
    queryFn: ({ signal }) => api<Page<PersonListItem>>(`/people${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={2}>{t("people.title")}</Title>
      <Group align="flex-end">
        <UrlSearch state={state} label={t("registry.nameFilter")} />
        <UrlSelect state={state} name="country" label={t("registry.country")} data={reference.countries} width={200} />
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data?.items.length ? (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("people.name")}</Table.Th>
              <Table.Th>{t("people.native")}</Table.Th>
              <Table.Th>{t("registry.country")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/people/${p.id}`}>
                    {format.name(p.name)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{p.nameNative ?? ""}</Table.Td>
                <Table.Td>{format.name(p.country?.name)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={pageSize} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}

/** A person: names, positions over time, and the engagements they took part in. */
export function PersonPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const id = Number(useParams().id);
  const person = useQuery({ queryKey: ["person", id], queryFn: () => api<PersonDetail>(`/people/${id}`) });
  const engagements = useQuery({
    queryKey: ["person", id, "engagements"],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ personId: id, pageSize: 20 })}`),
  });
  if (!person.data) return <QueryState isLoading={person.isLoading} error={person.error} />;
  const p = person.data;
  return (
    <Stack>
      <div>
        <Title order={2}>{format.name(p.name)}</Title>
        <Text c="dimmed">
          {[
            p.name.zh && format.lang === "en" ? p.name.zh : null,
            p.nameNative,
            format.name(p.country?.name),
            vocabulary.label("genders", p.gender),
          ]
            .filter(Boolean)
            .join(" · ")}
        </Text>
      </div>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("people.positions")}
            </Title>
            {p.positions.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
            <Timeline bulletSize={12}>
              {p.positions.map((pos) => (
                <Timeline.Item key={pos.id} title={format.name(pos.title)}>
                  <Anchor component={Link} to={`/organisations/${pos.organisation.id}`} size="sm">
                    {format.name(pos.organisation.name)}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {pos.startDate ? format.date(pos.startDate) : "?"} – {pos.endDate ? format.date(pos.endDate) : t("org.now")}
                  </Text>
                </Timeline.Item>
              ))}
            </Timeline>
            {p.biography ? (
              <Text size="sm" mt="sm" style={{ whiteSpace: "pre-wrap" }}>
                {p.biography}
              </Text>
            ) : null}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            <Title order={4} mb="xs">
              {t("org.timeline")}
            </Title>
            <QueryState isLoading={engagements.isLoading} error={engagements.error} isEmpty={engagements.data?.items.length === 0} />
            {engagements.data?.items.map((e) => (
              <Group key={e.id} justify="space-between" wrap="nowrap">
                <Anchor component={Link} to={`/engagements/${e.id}`} size="sm" truncate>
                  {format.name(e.title)}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {format.date(e.startDate)}
                </Text>
              </Group>
            ))}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
