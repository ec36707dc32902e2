import { Anchor, Badge, Button, Card, CloseButton, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { OrganisationDetail } from "../../core/organisations/schema.ts";
import type { ProgrammeOutput } from "../../core/programmes/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { UrlPeriod, UrlSearch, UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

/** Filters that arrive with a link (a report's figure, a partner's page) and have no control of their own. */
const linkedFilters = [
  "subtype",
  "organisationId",
  "programmeId",
  "subunits",
  "unitRole",
  "mechanismId",
  "personId",
  "region",
  "partnerKind",
  "countryGroup",
  "series",
  "partnerStatus",
  "place",
  "placeKind",
  "occasion",
  "eventId",
] as const;
const filterKeys = ["q", "type", "direction", "status", "from", "to", "unitId", "country", "topicId", ...linkedFilters, "sort"] as const;
type FilterKey = (typeof filterKeys)[number];
const pageSize = 50;

/** The engagement record as a list: every filter is in the URL; the CSV export takes the same filters. */
export function EngagementList() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const { can } = useSession();
  // On a phone each record is a card: a table of six columns does not fit 390 px.
  const phone = useMediaQuery("(max-width: 35.99em)") ?? false;
  const state = useUrlState(filterKeys);
  const f = state.values;
  const params = { ...f, page: state.page, pageSize };
  const list = useQuery({
    queryKey: ["engagements", params],
    queryFn: ({ signal }) => api<Page<EngagementListItem>>(`/engagements${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const { page: _p, pageSize: _s, ...filters } = params;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("engagements.title")}</Title>
        <Group>
          <Button variant="default" component={Link} to="/calendar">
            {t("engagements.calendar")}
          </Button>
          <Button variant="default" component="a" href={`/api/engagements/export${query(filters)}`}>
            {t("engagements.exportCsv")}
          </Button>
          {can("write") ? (
            <Button component={Link} to="/engagements/new">
              {t("engagements.new")}
            </Button>
          ) : null}
        </Group>
      </Group>
      <Group align="flex-end" gap="sm">
        <UrlSearch state={state} label={t("engagements.titleFilter")} width={220} />
        <UrlSelect state={state} name="type" label={t("engagements.type")} data={vocabulary.options("engagementTypes")} width={170} />
        <UrlSelect
          state={state}
          name="direction"
          label={t("engagements.direction")}
          data={vocabulary.options("engagementDirections")}
          width={170}
        />
        <UrlSelect
          state={state}
          name="status"
          label={t("engagements.status")}
          data={vocabulary.options("engagementStatuses")}
          width={170}
        />
        <UrlSelect state={state} name="unitId" label={t("engagements.unit")} data={reference.units} width={170} />
        <UrlSelect state={state} name="country" label={t("engagements.country")} data={reference.countries} width={170} />
        <UrlSelect state={state} name="topicId" label={t("engagements.topic")} data={reference.topics} width={170} />
        <UrlPeriod state={state} />
      </Group>
      <LinkedFilters values={f} clear={(key) => state.set({ [key]: null })} />
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data && list.data.items.length > 0 && phone ? (
        <Stack gap="xs" data-testid="engagement-cards" style={{ opacity: list.isFetching ? 0.6 : 1 }}>
          {list.data.items.map((e) => (
            <Card key={e.id} withBorder padding="sm">
              <Group gap={0} wrap="wrap">
                <Anchor component={Link} to={`/engagements/${e.id}`} fw={500}>
                  {format.name(e.title)}
                </Anchor>
                <StatusBadges engagement={e} />
              </Group>
              <Text size="sm" c="dimmed">
                {[
                  format.date(e.startDate),
                  vocabulary.label("engagementTypes", e.type),
                  format.name(e.place.country?.name),
                  format.name(e.leadUnit.name),
                  t("engagements.participantCount", { count: e.participantCount }),
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </Text>
            </Card>
          ))}
        </Stack>
      ) : null}
      {list.data && list.data.items.length > 0 && !phone ? (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover verticalSpacing={6} style={{ opacity: list.isFetching ? 0.6 : 1 }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>{t("engagements.date")}</Table.Th>
                <Table.Th>{t("engagements.titleColumn")}</Table.Th>
                <Table.Th>{t("engagements.type")}</Table.Th>
                <Table.Th>{t("engagements.place")}</Table.Th>
                <Table.Th>{t("engagements.unit")}</Table.Th>
                <Table.Th ta="right">{t("engagements.participants")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{format.date(e.startDate)}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/engagements/${e.id}`}>
                      {format.name(e.title)}
                    </Anchor>
                    <StatusBadges engagement={e} />
                  </Table.Td>
                  <Table.Td>{vocabulary.label("engagementTypes", e.type)}</Table.Td>
                  <Table.Td>{[format.name(e.place.country?.name), e.place.city].filter(Boolean).join(" · ")}</Table.Td>
                  <Table.Td>{format.name(e.leadUnit.name)}</Table.Td>
                  <Table.Td ta="right">{format.number(e.participantCount)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={pageSize} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}

/** A record's status (when not done) and approval state, as small badges after its title. */
function StatusBadges({ engagement: e }: { engagement: EngagementListItem }) {
  const { t } = useTranslation();
  const vocabulary = useVocabulary();
  return (
    <>
      {e.status !== "done" ? (
        <Badge ml={6} size="sm" variant="light" color={e.status === "planned" ? "blue" : "gray"}>
          {vocabulary.label("engagementStatuses", e.status)}
        </Badge>
      ) : null}
      {e.approval ? (
        <Badge ml={4} size="sm" variant="outline">
          {t(`approval.${e.approval}`)}
        </Badge>
      ) : null}
    </>
  );
}

/** The filters a link brought, each shown in words and removable, so the reader sees why the list is what it is. */
function LinkedFilters({ values, clear }: { values: Record<FilterKey, string>; clear: (key: FilterKey) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const organisation = useQuery({
    queryKey: ["organisation", values.organisationId],
    queryFn: () => api<OrganisationDetail>(`/organisations/${values.organisationId}`),
    enabled: Boolean(values.organisationId),
  });
  const programmes = useQuery({
    queryKey: ["programmes"],
    queryFn: () => api<ProgrammeOutput[]>("/programmes"),
    enabled: Boolean(values.programmeId),
  });
  const shown = linkedFilters.filter((key) => values[key]);
  if (shown.length === 0) return null;
  const inWords = (key: (typeof linkedFilters)[number], value: string): string => {
    switch (key) {
      case "organisationId":
        return organisation.data ? format.name(organisation.data.name) : `#${value}`;
      case "programmeId":
        return format.name(programmes.data?.find((p) => String(p.id) === value)?.name) || `#${value}`;
      case "region":
        return reference.regions.find((r) => r.value === value)?.label ?? value;
      case "partnerKind":
        return vocabulary.label("organisationKinds", value);
      case "subtype":
        return vocabulary.subtype(value);
      case "countryGroup":
        return reference.groups.find((g) => g.value === value)?.label ?? value;
      case "partnerStatus":
        return vocabulary.label("partyStatuses", value);
      case "place":
        return reference.countries.find((c) => c.value === value)?.label ?? value;
      case "placeKind":
        return t(`engagements.linked.placeKindValue.${value === "region" ? "region" : "country"}`);
      case "occasion":
        return vocabulary.label("correspondenceOccasions", value);
      case "eventId":
        return `#${value}`;
      case "subunits":
      case "unitRole":
        return t(`engagements.linked.${key}Value`);
      default:
        return value;
    }
  };
  return (
    <Group gap="xs">
      <Text size="sm" c="dimmed">
        {t("engagements.linked.title")}
      </Text>
      {shown.map((key) => (
        <Badge
          key={key}
          variant="light"
          size="lg"
          tt="none"
          rightSection={<CloseButton size="xs" aria-label={t("engagements.linked.remove")} onClick={() => clear(key)} />}
        >
          {t("engagements.linked.chip", { label: t(`engagements.linked.${key}`), value: inWords(key, values[key]) })}
        </Badge>
      ))}
    </Group>
  );
}
