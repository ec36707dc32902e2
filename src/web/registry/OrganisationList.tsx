import { Anchor, Badge, Button, Group, Stack, Switch, Table, Title, UnstyledButton } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { OrganisationListItem } from "../../core/organisations/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { SuggestedMark } from "../names/SuggestionCard.tsx";
import { UrlSearch, UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { ScrollWhenNarrow } from "../shared/ScrollWhenNarrow.tsx";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

const filterKeys = ["q", "country", "region", "group", "kind", "family", "level", "tag", "inGovernment", "all", "sort"] as const;
const pageSize = 50;

/** The registry: organisations with fast filters and sortable columns, paginated on the server. */
export function OrganisationList() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const { can } = useSession();
  const state = useUrlState(filterKeys);
  const f = state.values;
  const today = new Date().toISOString().slice(0, 10);
  const params = {
    q: f.q,
    country: f.country,
    region: f.region,
    group: f.group,
    kind: f.kind,
    family: f.family,
    level: f.level,
    tag: f.tag,
    inGovernmentOn: f.inGovernment ? today : "",
    // Those that exist today, unless the reader asks for the dissolved and historical ones too.
    active: f.all ? undefined : "true",
    sort: f.sort,
    page: state.page,
    pageSize,
  };
  const list = useQuery({
    queryKey: ["organisations", params],
    queryFn: ({ signal }) => api<Page<OrganisationListItem>>(`/organisations${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const sortBy = (column: "name" | "country" | "founded") => {
    const next = f.sort === column ? `-${column}` : column;
    state.set({ sort: column === "name" && f.sort === "-name" ? "" : next });
  };
  const arrow = (column: string) => (f.sort === column ? " ↑" : f.sort === `-${column}` ? " ↓" : "");
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("registry.title")}</Title>
        <Group gap="xs">
          <Button component={Link} to="/registry/duplicates" variant="subtle">
            {t("merge.duplicatesLink")}
          </Button>
          {can("write") ? (
            <Button component={Link} to="/organisations/new">
              {t("registry.new")}
            </Button>
          ) : null}
        </Group>
      </Group>
      <Group align="flex-end" gap="sm">
        <UrlSearch state={state} label={t("registry.nameFilter")} placeholder={t("registry.namePlaceholder")} />
        <UrlSelect state={state} name="country" label={t("registry.country")} data={reference.countries} width={180} />
        <UrlSelect state={state} name="region" label={t("registry.region")} data={reference.regions} width={180} />
        <UrlSelect state={state} name="group" label={t("registry.group")} data={reference.groups} width={180} />
        <UrlSelect state={state} name="kind" label={t("registry.kind")} data={vocabulary.options("organisationKinds")} width={180} />
        <UrlSelect state={state} name="family" label={t("registry.family")} data={vocabulary.options("families")} width={180} />
        <UrlSelect state={state} name="level" label={t("registry.level")} data={vocabulary.options("relationshipLevels")} width={180} />
        <UrlSelect state={state} name="tag" label={t("registry.tag")} data={reference.tags} width={180} />
        <Switch
          label={t("registry.inGovernment")}
          checked={Boolean(f.inGovernment)}
          onChange={(e) => state.set({ inGovernment: e.currentTarget.checked ? "1" : "" })}
          mb={6}
        />
        <Switch
          label={t("registry.showAll")}
          checked={Boolean(f.all)}
          onChange={(e) => state.set({ all: e.currentTarget.checked ? "1" : "" })}
          mb={6}
          data-testid="show-all"
        />
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data && list.data.items.length > 0 ? (
        <ScrollWhenNarrow minWidth={720}>
          <Table striped highlightOnHover stickyHeader verticalSpacing={6} style={{ opacity: list.isFetching ? 0.6 : 1 }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <UnstyledButton onClick={() => sortBy("name")} fw={600}>
                    {t("registry.name")}
                    {arrow("name")}
                  </UnstyledButton>
                </Table.Th>
                <Table.Th>{t("registry.kind")}</Table.Th>
                <Table.Th>
                  <UnstyledButton onClick={() => sortBy("country")} fw={600}>
                    {t("registry.country")}
                    {arrow("country")}
                  </UnstyledButton>
                </Table.Th>
                <Table.Th>
                  <UnstyledButton onClick={() => sortBy("founded")} fw={600}>
                    {t("registry.founded")}
                    {arrow("founded")}
                  </UnstyledButton>
                </Table.Th>
                <Table.Th>{t("registry.family")}</Table.Th>
                <Table.Th>{t("registry.level")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/organisations/${o.id}`}>
                      {format.name(o.name)}
                    </Anchor>
                    <SuggestedMark suggested={o.nameZhSuggested} />
                    {o.abbreviation ? (
                      <Badge ml={6} variant="light" size="sm">
                        {o.abbreviation}
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{vocabulary.label("organisationKinds", o.kind)}</Table.Td>
                  <Table.Td>{format.name(o.country?.name)}</Table.Td>
                  <Table.Td>
                    {o.foundedYear ?? ""}
                    {o.dissolvedYear ? `–${o.dissolvedYear}` : ""}
                    {o.existsToday ? null : (
                      <Badge ml={6} size="xs" color="gray" variant="light">
                        {t("registry.notExisting")}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{vocabulary.label("families", o.family)}</Table.Td>
                  <Table.Td>{vocabulary.label("relationshipLevels", o.relationshipLevel)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollWhenNarrow>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={pageSize} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}
