import { Anchor, Badge, Button, Card, Group, Select, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { DuplicateCandidate } from "../../core/merge/schema.ts";
import type { OrganisationDetail } from "../../core/organisations/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { ApiError, api } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { FactsCard } from "../shared/FactsCard.tsx";
import { useFormat } from "../shared/format.ts";
import { OrganisationSelect } from "../shared/OrganisationSelect.tsx";
import { useReference } from "../shared/reference.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

/** Saves a change to an organisation and shows the answer at once (its history too). */
function useOrganisationChange<T>(organisationId: number, call: (input: T) => Promise<OrganisationDetail>, done?: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (o) => {
      client.setQueryData(["organisation", organisationId], o);
      void client.invalidateQueries({ queryKey: ["organisation", organisationId, "history"] });
      void client.invalidateQueries({ queryKey: ["organisations"] });
      done?.();
    },
  });
}

/** The message of a failed save, beside the form. */
function SaveError({ error }: { error: unknown }) {
  const errorMessage = useErrorMessage();
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fields.map((f) => f.path).join(", ") : "";
  return (
    <Text c="red" size="sm" role="alert">
      {errorMessage(error)}
      {fields ? ` (${fields})` : ""}
    </Text>
  );
}

/** Dated statuses (in government, in opposition, banned, dissolved), with a form to add one and a way to remove one. */
export function StatusesCard({ organisation }: { organisation: OrganisationDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const { can } = useSession();
  const [status, setStatus] = useState<string | null>("in_government");
  const [validFrom, setValidFrom] = useState("");
  const [validTo, setValidTo] = useState("");
  const path = `/organisations/${organisation.id}/statuses`;
  const add = useOrganisationChange(
    organisation.id,
    () => api<OrganisationDetail>(path, { method: "POST", body: { status, validFrom, validTo: validTo || null } }),
    () => {
      setValidFrom("");
      setValidTo("");
    },
  );
  const remove = useOrganisationChange(organisation.id, (statusId: number) =>
    api<OrganisationDetail>(`${path}/${statusId}`, { method: "DELETE" }),
  );
  return (
    <FactsCard
      title={t("org.statuses")}
      items={organisation.statuses}
      line={(s) => (
        <>
          {vocabulary.label("partyStatuses", s.status)}: {format.date(s.validFrom)} – {s.validTo ? format.date(s.validTo) : t("org.now")}
        </>
      )}
      removeLabel={t("facts.removeStatus")}
      onRemove={(id) => remove.mutate(id)}
      canChange={can("write")}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(undefined);
        }}
      >
        <Group gap="xs" mt="sm" align="flex-end">
          <Select
            label={t("facts.status")}
            data={vocabulary.options("partyStatuses")}
            value={status}
            onChange={setStatus}
            allowDeselect={false}
            size="xs"
            w={130}
          />
          <TextInput
            type="date"
            label={t("facts.from")}
            value={validFrom}
            onChange={(e) => setValidFrom(e.currentTarget.value)}
            size="xs"
            w={140}
          />
          <TextInput
            type="date"
            label={t("facts.to")}
            value={validTo}
            onChange={(e) => setValidTo(e.currentTarget.value)}
            size="xs"
            w={140}
          />
          <Button type="submit" size="xs" loading={add.isPending} disabled={!validFrom}>
            {t("facts.addStatus")}
          </Button>
        </Group>
        <SaveError error={add.error ?? remove.error} />
      </form>
    </FactsCard>
  );
}

/** Our relationship with the partner: level, since when, the lead unit and notes; editable in place. */
export function RelationshipCard({ organisation, children }: { organisation: OrganisationDetail; children?: React.ReactNode }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const { can } = useSession();
  const r = organisation.relationship;
  const [editing, setEditing] = useState(false);
  const [level, setLevel] = useState<string | null>(r?.level ?? "contact");
  const [since, setSince] = useState(r?.since ?? "");
  const [leadUnit, setLeadUnit] = useState<string | null>(r?.leadUnit ? String(r.leadUnit.id) : null);
  const [notes, setNotes] = useState(r?.notes ?? "");
  const save = useOrganisationChange(
    organisation.id,
    () =>
      api<OrganisationDetail>(`/organisations/${organisation.id}/relationship`, {
        method: "PUT",
        body: { level, since: since || null, leadUnitId: leadUnit ? Number(leadUnit) : null, notes: notes.trim() || null },
      }),
    () => setEditing(false),
  );
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t("org.relationship")}</Title>
        {can("write") && !editing ? (
          <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)}>
            {t("facts.edit")}
          </Button>
        ) : null}
      </Group>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(undefined);
          }}
        >
          <Stack gap="xs">
            <Group grow>
              <Select
                label={t("registry.level")}
                data={vocabulary.options("relationshipLevels")}
                value={level}
                onChange={setLevel}
                allowDeselect={false}
                size="xs"
              />
              <TextInput type="date" label={t("facts.since")} value={since} onChange={(e) => setSince(e.currentTarget.value)} size="xs" />
            </Group>
            <Select
              label={t("facts.leadUnit")}
              data={reference.units}
              value={leadUnit}
              onChange={setLeadUnit}
              clearable
              searchable
              size="xs"
            />
            <Textarea
              label={t("facts.notes")}
              value={notes}
              onChange={(e) => setNotes(e.currentTarget.value)}
              autosize
              minRows={2}
              size="xs"
            />
            <Group>
              <Button type="submit" size="xs" loading={save.isPending}>
                {t("common.save")}
              </Button>
              <Button size="xs" variant="default" onClick={() => setEditing(false)}>
                {t("common.cancel")}
              </Button>
            </Group>
            <SaveError error={save.error} />
          </Stack>
        </form>
      ) : r ? (
        <Stack gap={4}>
          <Text>
            <b>{vocabulary.label("relationshipLevels", r.level)}</b>
            {r.since ? ` · ${t("org.since", { date: format.date(r.since) })}` : ""}
          </Text>
          {r.leadUnit ? <Text size="sm">{t("org.leadUnit", { unit: format.name(r.leadUnit.name) })}</Text> : null}
          {r.notes ? <Text size="sm">{r.notes}</Text> : null}
        </Stack>
      ) : (
        <Text c="dimmed">{t("org.noRelationship")}</Text>
      )}
      {children}
    </Card>
  );
}

/** Relations with other organisations (member of, coalition with, successor of…), added and removed in place. */
export function RelationsCard({ organisation }: { organisation: OrganisationDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const { can } = useSession();
  const [kind, setKind] = useState<string | null>("member_of");
  const [other, setOther] = useState<number | null>(null);
  const path = `/organisations/${organisation.id}/relations`;
  const add = useOrganisationChange(
    organisation.id,
    () => api<OrganisationDetail>(path, { method: "POST", body: { kind, toOrganisationId: other } }),
    () => setOther(null),
  );
  const remove = useOrganisationChange(organisation.id, (relationId: number) =>
    api<OrganisationDetail>(`${path}/${relationId}`, { method: "DELETE" }),
  );
  return (
    <FactsCard
      title={t("org.relations")}
      items={organisation.relations}
      line={(r) => (
        <>
          {vocabulary.label("partnerRelationKinds", r.kind)}
          {r.direction === "incoming" ? ` (${t("org.incoming")})` : ""}:{" "}
          <Anchor component={Link} to={`/organisations/${r.organisation.id}`}>
            {format.name(r.organisation.name)}
          </Anchor>
        </>
      )}
      removeLabel={t("facts.removeRelation")}
      onRemove={(id) => remove.mutate(id)}
      canChange={can("write")}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(undefined);
        }}
      >
        <Stack gap="xs" mt="sm">
          <Select
            label={t("facts.relationKind")}
            data={vocabulary.options("partnerRelationKinds")}
            value={kind}
            onChange={setKind}
            allowDeselect={false}
            size="xs"
          />
          <OrganisationSelect label={t("facts.otherOrganisation")} value={other} onChange={(v) => setOther(v)} exclude={organisation.id} />
          <Group>
            <Button type="submit" size="xs" loading={add.isPending} disabled={!other}>
              {t("facts.addRelation")}
            </Button>
          </Group>
          <SaveError error={add.error ?? remove.error} />
        </Stack>
      </form>
    </FactsCard>
  );
}

/** Records that may be this same partner, with a way to compare and merge them. */
export function PossibleDuplicates({ organisationId }: { organisationId: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const candidates = useQuery({
    queryKey: ["organisation", organisationId, "duplicates"],
    queryFn: () => api<Page<DuplicateCandidate>>(`/duplicates/organisations?id=${organisationId}&pageSize=5`),
  });
  const items = candidates.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Card withBorder data-testid="possible-duplicates">
      <Title order={4} mb="xs">
        {t("merge.possibleDuplicates")}
      </Title>
      <Stack gap={4}>
        {items.map((c) => {
          const other = c.a.id === organisationId ? c.b : c.a;
          return (
            <Group key={other.id} gap="xs" justify="space-between" wrap="nowrap">
              <Text size="sm">
                <Anchor component={Link} to={`/organisations/${other.id}`}>
                  {format.name(other.name)}
                </Anchor>{" "}
                <Badge size="xs" variant="light">
                  {Math.round(c.score * 100)}%
                </Badge>
              </Text>
              <Anchor component={Link} to={`/registry/merge?kind=organisations&a=${organisationId}&b=${other.id}`} size="sm">
                {t("merge.compare")}
              </Anchor>
            </Group>
          );
        })}
      </Stack>
    </Card>
  );
}
