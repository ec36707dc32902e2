import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { MembershipOutput } from "../../core/mechanisms/schema.ts";
import type { NoteOutput } from "../../core/notes/schema.ts";
import type { OrganisationDetail } from "../../core/organisations/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { ApiError, api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { SuggestedMark, SuggestionCard } from "../names/SuggestionCard.tsx";
import { EngagementTable } from "../shared/EngagementTable.tsx";
import { FactsCard } from "../shared/FactsCard.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { RecordHistory } from "../shared/RecordHistory.tsx";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { TasksCard } from "../shared/TasksCard.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";
import { PossibleDuplicates, RelationsCard, RelationshipCard, StatusesCard } from "./OrganisationFacts.tsx";

/** An organisation: every name, our relationship, its timeline, people, relations, statuses, ids and notes. */
export function OrganisationPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const { can } = useSession();
  const [page, setPage] = useState(1);
  const org = useQuery({ queryKey: ["organisation", id], queryFn: () => api<OrganisationDetail>(`/organisations/${id}`) });
  // A merged record's address answers with the survivor (the API redirects): show it under its own address.
  const survivorId = org.data && org.data.id !== id ? org.data.id : null;
  useEffect(() => {
    if (survivorId) navigate(`/organisations/${survivorId}`, { replace: true, state: { mergedFrom: id } });
  }, [survivorId, id, navigate]);
  const timeline = useQuery({
    queryKey: ["organisation", id, "timeline", page],
    queryFn: () => api<Page<EngagementListItem>>(`/organisations/${id}/engagements${query({ page, pageSize: 20 })}`),
    placeholderData: keepPreviousData,
  });
  const memberships = useQuery({
    queryKey: ["organisation", id, "memberships"],
    queryFn: () => api<MembershipOutput[]>(`/organisations/${id}/memberships`),
  });
  if (!org.data || survivorId) return <QueryState isLoading={org.isLoading || Boolean(survivorId)} error={org.error} />;
  const o = org.data;
  const zhName = o.names.find((n) => n.lang.startsWith("zh"))?.value;
  return (
    <Stack>
      <div>
        <Group justify="space-between" align="flex-start">
          <Group gap="sm" align="baseline">
            <Title order={2}>{format.name(o.name)}</Title>
            <SuggestedMark suggested={o.nameZhSuggested} />
            {o.abbreviation ? <Badge variant="light">{o.abbreviation}</Badge> : null}
            {o.existsToday ? null : (
              <Badge color="gray" variant="light">
                {o.dissolvedYear ? t("registry.dissolvedIn", { year: o.dissolvedYear }) : t("registry.notExisting")}
              </Badge>
            )}
          </Group>
          <Group gap="xs">
            <Button component="a" href={`/api/briefings/docx?organisationId=${o.id}`} variant="default" size="sm" data-testid="briefing">
              {t("actions.briefing")}
            </Button>
            {can("write") ? (
              <Button component={Link} to={`/organisations/${o.id}/edit`} variant="light" size="sm">
                {t("orgForm.edit")}
              </Button>
            ) : null}
          </Group>
        </Group>
        <Text c="dimmed">
          {[
            vocabulary.label("organisationKinds", o.kind),
            o.country ? format.name(o.country.name) : null,
            o.foundedYear ? t("org.founded", { year: o.foundedYear }) : null,
            o.family ? vocabulary.label("families", o.family) : null,
          ]
            .filter(Boolean)
            .join(" · ")}
          {o.country ? (
            <>
              {" · "}
              <Anchor component={Link} to={`/countries/${o.country.code}`} size="sm">
                {t("org.countryPage")}
              </Anchor>
            </>
          ) : null}
        </Text>
        {zhName && format.lang === "en" ? <Text size="sm">{zhName}</Text> : null}
        {!zhName && format.lang === "en" && o.name.zh ? (
          <Text size="sm" c="dimmed">
            {o.name.zh} ({t("names.suggestedMark")})
          </Text>
        ) : null}
      </div>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <SuggestionCard organisation={o} />
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("org.names")}
              </Title>
              <Table.ScrollContainer minWidth={480}>
                <Table data-testid="organisation-names">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("org.name")}</Table.Th>
                      <Table.Th>{t("org.nameKind")}</Table.Th>
                      <Table.Th>{t("org.language")}</Table.Th>
                      <Table.Th>{t("org.script")}</Table.Th>
                      <Table.Th>{t("org.nameSource")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {o.names.map((n) => (
                      <Table.Tr key={n.id}>
                        <Table.Td lang={n.lang === "und" ? undefined : n.lang}>{n.value}</Table.Td>
                        <Table.Td>{vocabulary.label("nameKinds", n.kind)}</Table.Td>
                        <Table.Td>{format.language(n.lang, t("org.languageUnknown"))}</Table.Td>
                        <Table.Td>{format.script(n.script, "")}</Table.Td>
                        <Table.Td>{t(`org.sources.${n.source}`)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("org.timeline")}
              </Title>
              <QueryState isLoading={timeline.isLoading} error={timeline.error} isEmpty={timeline.data?.items.length === 0} />
              <EngagementTable items={timeline.data?.items} showUnit />
              {timeline.data ? (
                <Pager page={page} pageSize={20} total={timeline.data.total} totalExact={timeline.data.totalExact} onPage={setPage} />
              ) : null}
            </Card>
            <Notes organisationId={o.id} />
            <RecordHistory kind="organisations" id={o.id} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <TasksCard organisationId={o.id} />
            <RelationshipCard key={JSON.stringify(o.relationship)} organisation={o}>
              {o.lastEngagement ? (
                <Text size="sm" mt="sm">
                  {t("org.lastEngaged", {
                    unit: format.name(o.lastEngagement.leadUnit.name),
                    date: format.date(o.lastEngagement.startDate),
                  })}{" "}
                  <Anchor component={Link} to={`/engagements/${o.lastEngagement.id}`}>
                    {format.name(o.lastEngagement.title)}
                  </Anchor>
                </Text>
              ) : null}
            </RelationshipCard>
            <PossibleDuplicates organisationId={o.id} />
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("org.people")}
              </Title>
              {o.people.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
              {o.people.map((p) => (
                <Text key={p.positionId} size="sm">
                  <Anchor component={Link} to={`/people/${p.person.id}`}>
                    {format.name(p.person.name)}
                  </Anchor>{" "}
                  — {format.name(p.title)} {p.startDate ? `(${format.date(p.startDate)}–${p.endDate ? format.date(p.endDate) : ""})` : ""}
                </Text>
              ))}
            </Card>
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("org.memberships")}
              </Title>
              {memberships.data?.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
              {memberships.data?.map((m) => (
                <Text key={m.id} size="sm">
                  <Anchor component={Link} to={`/mechanisms/${m.mechanism.id}`}>
                    {format.name(m.mechanism.name)}
                  </Anchor>{" "}
                  · {format.date(m.joinedOn)} – {m.leftOn ? format.date(m.leftOn) : t("org.now")}
                  {m.chaired.map((c) => (
                    <Text key={c.startDate} span size="xs" c="dimmed" display="block">
                      {t("org.chaired", { from: format.date(c.startDate), to: c.endDate ? format.date(c.endDate) : t("org.now") })}
                    </Text>
                  ))}
                </Text>
              ))}
            </Card>
            <RelationsCard organisation={o} />
            <StatusesCard organisation={o} />
            <Congresses organisation={o} />
            <Card withBorder>
              <Title order={4} mb="xs">
                {t("org.externalIds")}
              </Title>
              <Stack gap={2}>
                {o.externalIds.wikidata ? (
                  <Anchor href={`https://www.wikidata.org/wiki/${o.externalIds.wikidata}`} target="_blank" rel="noreferrer" size="sm">
                    Wikidata {o.externalIds.wikidata}
                  </Anchor>
                ) : null}
                {o.externalIds.partyfacts ? (
                  <Anchor
                    href={`https://partyfacts.herokuapp.com/data/partycodes/${o.externalIds.partyfacts}/`}
                    target="_blank"
                    rel="noreferrer"
                    size="sm"
                  >
                    Party Facts {o.externalIds.partyfacts}
                  </Anchor>
                ) : null}
                {o.externalIds.parlgov ? <Text size="sm">ParlGov {o.externalIds.parlgov}</Text> : null}
                {o.website ? (
                  <Anchor href={o.website} target="_blank" rel="noreferrer" size="sm">
                    {o.website}
                  </Anchor>
                ) : null}
              </Stack>
              {o.tags.length ? (
                <Group gap={4} mt="xs">
                  {o.tags.map((tag) => (
                    <Badge key={tag.key} variant="outline" size="sm">
                      {format.name(tag.name)}
                    </Badge>
                  ))}
                </Group>
              ) : null}
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** A unit's notes on the organisation, with a form for those who may write. */
function Notes({ organisationId }: { organisationId: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const [classification, setClassification] = useState("internal");
  const notes = useQuery({
    queryKey: ["notes", organisationId],
    queryFn: () => api<NoteOutput[]>(`/organisations/${organisationId}/notes`),
  });
  const add = useMutation({
    mutationFn: () => api<NoteOutput>(`/organisations/${organisationId}/notes`, { method: "POST", body: { body, classification } }),
    onSuccess: () => {
      setBody("");
      void client.invalidateQueries({ queryKey: ["notes", organisationId] });
    },
  });
  const fieldError =
    add.error instanceof ApiError ? add.error.fields.find((f) => f.path === "body" || f.path === "classification") : undefined;
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("notes.title")}
      </Title>
      <QueryState isLoading={notes.isLoading} error={notes.error} isEmpty={notes.data?.length === 0} />
      <Stack gap="xs">
        {notes.data?.map((n) => (
          <div key={n.id}>
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {n.body}
            </Text>
            <Text size="xs" c="dimmed">
              {format.name(n.unit.name)} · {n.createdBy?.displayName} · {format.date(n.createdAt)} ·{" "}
              {t(`classification.${n.classification}`)}
            </Text>
          </div>
        ))}
      </Stack>
      {can("write") ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Stack gap="xs" mt="sm">
            <Textarea
              label={t("notes.new")}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
              autosize
              minRows={2}
              error={fieldError ? errorMessage(add.error) : undefined}
            />
            <Group justify="space-between">
              <SegmentedControl
                size="xs"
                value={classification}
                onChange={setClassification}
                data={["public", "internal", "restricted"].map((c) => ({ value: c, label: t(`classification.${c}`) }))}
                aria-label={t("notes.classification")}
              />
              <Button type="submit" size="xs" loading={add.isPending} disabled={!body.trim()}>
                {t("notes.add")}
              </Button>
            </Group>
            {add.error && !fieldError ? (
              <Text c="red" size="sm" role="alert">
                {errorMessage(add.error)}
              </Text>
            ) : null}
          </Stack>
        </form>
      ) : null}
    </Card>
  );
}

/** The partner's congresses, past and coming (relationship health lists the coming ones), with a form for those who may write. */
function Congresses({ organisation }: { organisation: OrganisationDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const [opensOn, setOpensOn] = useState("");
  const [ordinal, setOrdinal] = useState<number | string>("");
  const [nameEn, setNameEn] = useState("");
  const path = `/organisations/${organisation.id}/congresses`;
  const saved = (o: OrganisationDetail) => client.setQueryData(["organisation", organisation.id], o);
  const add = useMutation({
    mutationFn: () =>
      api<OrganisationDetail>(path, {
        method: "POST",
        body: { opensOn, ordinal: ordinal === "" ? null : Number(ordinal), nameEn: nameEn.trim() || null },
      }),
    onSuccess: (o) => {
      saved(o);
      setOpensOn("");
      setOrdinal("");
      setNameEn("");
    },
  });
  const remove = useMutation({
    mutationFn: (congressId: number) => api<OrganisationDetail>(`${path}/${congressId}`, { method: "DELETE" }),
    onSuccess: saved,
  });
  const fieldError = (name: string) =>
    add.error instanceof ApiError && add.error.fields.some((f) => f.path === name) ? errorMessage(add.error) : undefined;
  return (
    <FactsCard
      title={t("org.congresses")}
      items={organisation.congresses}
      line={(c) => (
        <>
          {format.date(c.opensOn)}
          {c.name.en || c.name.zh
            ? ` · ${format.name({ en: c.name.en ?? "", zh: c.name.zh })}`
            : c.ordinal
              ? ` · ${t("org.congressNumbered", { ordinal: format.ordinal(c.ordinal) })}`
              : ""}
        </>
      )}
      removeLabel={t("org.removeCongress")}
      onRemove={(id) => remove.mutate(id)}
      canChange={can("write")}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Group gap="xs" mt="sm" align="flex-end">
          <TextInput
            type="date"
            label={t("org.congressOpens")}
            value={opensOn}
            onChange={(e) => setOpensOn(e.currentTarget.value)}
            size="xs"
            w={150}
            error={fieldError("opensOn")}
          />
          <NumberInput
            label={t("org.congressOrdinal")}
            value={ordinal}
            onChange={setOrdinal}
            min={1}
            size="xs"
            w={80}
            error={fieldError("ordinal")}
          />
          <TextInput label={t("org.congressName")} value={nameEn} onChange={(e) => setNameEn(e.currentTarget.value)} size="xs" w={180} />
          <Button type="submit" size="xs" loading={add.isPending} disabled={!opensOn}>
            {t("org.addCongress")}
          </Button>
        </Group>
        {add.error && !fieldError("opensOn") && !fieldError("ordinal") ? (
          <Text c="red" size="sm" role="alert">
            {errorMessage(add.error)}
          </Text>
        ) : null}
      </form>
    </FactsCard>
  );
}
