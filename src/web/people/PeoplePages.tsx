import {
  ActionIcon,
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { ContactOutput, PersonDetail, PersonListItem } from "../../core/people/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { ApiError, api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { UrlSearch, UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { OrganisationSelect } from "../shared/OrganisationSelect.tsx";
import { Pager } from "../shared/Pager.tsx";
import { RecordHistory } from "../shared/RecordHistory.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
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
  const { can } = useSession();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("people.title")}</Title>
        <Group gap="xs">
          <Button component={Link} to="/registry/duplicates?kind=people" variant="subtle" size="sm">
            {t("merge.duplicatesLink")}
          </Button>
          {can("write") ? (
            <Button component={Link} to="/people/new" size="sm">
              {t("people.new")}
            </Button>
          ) : null}
        </Group>
      </Group>
      <Group align="flex-end">
        <UrlSearch state={state} label={t("registry.nameFilter")} />
        <UrlSelect state={state} name="country" label={t("registry.country")} data={reference.countries} width={200} />
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data?.items.length ? (
        <Table.ScrollContainer minWidth={560}>
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
        </Table.ScrollContainer>
      ) : null}
      {list.data ? (
        <Pager page={state.page} pageSize={pageSize} total={list.data.total} totalExact={list.data.totalExact} onPage={state.setPage} />
      ) : null}
    </Stack>
  );
}

/** A person: names, positions over time, contact details (as the reader's units keep them), engagements and history. */
export function PersonPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const { can } = useSession();
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const person = useQuery({ queryKey: ["person", id], queryFn: () => api<PersonDetail>(`/people/${id}`) });
  const engagements = useQuery({
    queryKey: ["person", id, "engagements"],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ personId: id, pageSize: 20 })}`),
  });
  // A merged person's address answers with the survivor: show them under their own address.
  const survivorId = person.data && person.data.id !== id ? person.data.id : null;
  useEffect(() => {
    if (survivorId) navigate(`/people/${survivorId}`, { replace: true });
  }, [survivorId, navigate]);
  if (!person.data || survivorId) return <QueryState isLoading={person.isLoading || Boolean(survivorId)} error={person.error} />;
  const p = person.data;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{format.name(p.name)}</Title>
          <Text c="dimmed">
            {[
              p.name.zh && format.lang === "en" ? p.name.zh : null,
              p.name.zh && format.lang !== "en" ? p.name.en : null,
              p.nameNative,
              format.name(p.country?.name),
              p.gender === "unknown" ? null : vocabulary.label("genders", p.gender),
              p.birthYear ? t("people.born", { year: p.birthYear }) : null,
            ]
              .filter(Boolean)
              .join(" · ")}
          </Text>
          {p.aliases.length ? (
            <Text size="xs" c="dimmed">
              {t("people.aliases")}: {p.aliases.join("; ")}
            </Text>
          ) : null}
        </div>
        {can("write") ? (
          <Button component={Link} to={`/people/${p.id}/edit`} variant="light" size="sm">
            {t("orgForm.edit")}
          </Button>
        ) : null}
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <Positions person={p} />
            <Contacts personId={p.id} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
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
            <RecordHistory kind="people" id={p.id} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** Positions over time, with a form to add one (organisation, title in both languages, dates) and a way to remove one. */
function Positions({ person }: { person: PersonDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [organisationId, setOrganisationId] = useState<number | null>(null);
  const [titleEn, setTitleEn] = useState("");
  const [titleZh, setTitleZh] = useState("");
  const [startDate, setStartDate] = useState("");
  const [endDate, setEndDate] = useState("");
  const saved = (p: PersonDetail) => {
    client.setQueryData(["person", person.id], p);
    void client.invalidateQueries({ queryKey: ["person", person.id, "history"] });
  };
  const add = useMutation({
    mutationFn: () =>
      api<PersonDetail>(`/people/${person.id}/positions`, {
        method: "POST",
        body: {
          organisationId,
          titleEn: titleEn.trim(),
          titleZh: titleZh.trim() || null,
          startDate: startDate || null,
          endDate: endDate || null,
        },
      }),
    onSuccess: (p) => {
      saved(p);
      setOrganisationId(null);
      setTitleEn("");
      setTitleZh("");
      setStartDate("");
      setEndDate("");
    },
  });
  const remove = useMutation({
    mutationFn: (positionId: number) => api<PersonDetail>(`/people/${person.id}/positions/${positionId}`, { method: "DELETE" }),
    onSuccess: saved,
  });
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("people.positions")}
      </Title>
      {person.positions.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
      <Timeline bulletSize={12}>
        {person.positions.map((pos) => (
          <Timeline.Item
            key={pos.id}
            title={
              <Group gap="xs" justify="space-between" wrap="nowrap">
                <span>{format.name(pos.title)}</span>
                {can("write") ? (
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="sm"
                    aria-label={t("people.removePosition")}
                    onClick={() => remove.mutate(pos.id)}
                  >
                    ×
                  </ActionIcon>
                ) : null}
              </Group>
            }
          >
            <Anchor component={Link} to={`/organisations/${pos.organisation.id}`} size="sm">
              {format.name(pos.organisation.name)}
            </Anchor>
            <Text size="xs" c="dimmed">
              {pos.startDate ? format.date(pos.startDate) : "?"} – {pos.endDate ? format.date(pos.endDate) : t("org.now")}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
      {person.biography ? (
        <Text size="sm" mt="sm" style={{ whiteSpace: "pre-wrap" }}>
          {person.biography}
        </Text>
      ) : null}
      {can("write") ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Stack gap="xs" mt="sm">
            <OrganisationSelect label={t("personForm.organisation")} value={organisationId} onChange={(v) => setOrganisationId(v)} />
            <Group grow>
              <TextInput label={t("personForm.titleEn")} value={titleEn} onChange={(e) => setTitleEn(e.currentTarget.value)} size="xs" />
              <TextInput label={t("personForm.titleZh")} value={titleZh} onChange={(e) => setTitleZh(e.currentTarget.value)} size="xs" />
            </Group>
            <Group grow>
              <TextInput
                type="date"
                label={t("facts.from")}
                value={startDate}
                onChange={(e) => setStartDate(e.currentTarget.value)}
                size="xs"
              />
              <TextInput type="date" label={t("facts.to")} value={endDate} onChange={(e) => setEndDate(e.currentTarget.value)} size="xs" />
            </Group>
            <Group>
              <Button type="submit" size="xs" loading={add.isPending} disabled={!organisationId || !titleEn.trim()}>
                {t("people.addPosition")}
              </Button>
            </Group>
            {add.error || remove.error ? (
              <Text c="red" size="sm" role="alert">
                {errorMessage(add.error ?? remove.error)}
              </Text>
            ) : null}
          </Stack>
        </form>
      ) : null}
    </Card>
  );
}

/**
 * Contact details, as each unit keeps them: the reader sees those of the units where they
 * may (restricted ones only when cleared), and adds to their own unit's.
 */
function Contacts({ personId }: { personId: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const { can } = useSession();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [kind, setKind] = useState<string | null>("email");
  const [value, setValue] = useState("");
  const [classification, setClassification] = useState("internal");
  const contacts = useQuery({
    queryKey: ["person", personId, "contacts"],
    enabled: can("write"),
    queryFn: () => api<ContactOutput[]>(`/people/${personId}/contacts`),
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["person", personId, "contacts"] });
    void client.invalidateQueries({ queryKey: ["person", personId, "history"] });
  };
  const add = useMutation({
    mutationFn: () =>
      api<ContactOutput>(`/people/${personId}/contacts`, { method: "POST", body: { kind, value: value.trim(), classification } }),
    onSuccess: () => {
      setValue("");
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (contactId: number) => api(`/people/${personId}/contacts/${contactId}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
  // Viewers keep no contact details and read none.
  if (!can("write")) return null;
  const fieldError =
    add.error instanceof ApiError && add.error.fields.some((f) => f.path === "value") ? errorMessage(add.error) : undefined;
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("people.contacts")}
      </Title>
      <QueryState isLoading={contacts.isLoading} error={contacts.error} isEmpty={contacts.data?.length === 0} />
      {contacts.data?.map((c) => (
        <Group key={c.id} gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm">
            {vocabulary.label("contactKinds", c.kind)}: {c.value}
            <Text span size="xs" c="dimmed">
              {" "}
              · {t(`classification.${c.classification}`)} · {format.date(c.createdAt)}
            </Text>
          </Text>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label={t("people.removeContact")} onClick={() => remove.mutate(c.id)}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Stack gap="xs" mt="sm">
          <Group gap="xs" align="flex-end" grow>
            <Select
              label={t("people.contactKind")}
              data={vocabulary.options("contactKinds")}
              value={kind}
              onChange={setKind}
              allowDeselect={false}
              size="xs"
            />
            <TextInput
              label={t("people.contactValue")}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              size="xs"
              error={fieldError}
            />
          </Group>
          <Group justify="space-between">
            <SegmentedControl
              size="xs"
              value={classification}
              onChange={setClassification}
              data={["public", "internal", "restricted"].map((c) => ({ value: c, label: t(`classification.${c}`) }))}
              aria-label={t("notes.classification")}
            />
            <Button type="submit" size="xs" loading={add.isPending} disabled={!value.trim()}>
              {t("people.addContact")}
            </Button>
          </Group>
          {(add.error && !fieldError) || remove.error ? (
            <Text c="red" size="sm" role="alert">
              {errorMessage(add.error ?? remove.error)}
            </Text>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}
