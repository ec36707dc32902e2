import { Alert, Anchor, Badge, Button, Card, Group, Radio, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { DuplicateCandidate, MergeResult } from "../../core/merge/schema.ts";
import type { OrganisationDetail } from "../../core/organisations/schema.ts";
import type { PersonDetail } from "../../core/people/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { UrlSelect } from "../shared/filters.tsx";
import { useFormat } from "../shared/format.ts";
import { Pager } from "../shared/Pager.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { useUrlState } from "../shared/url-state.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

type Kind = "organisations" | "people";
const pageSize = 25;

/**
 * Records that may be one partner (or one person), surest first, with why: the same Wikidata
 * id, a name in common across scripts and spellings, an abbreviation, names alike (looked for
 * country by country). Each pair opens side by side to merge, or is marked as two partners.
 */
export function DuplicatesPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const reference = useReference();
  const client = useQueryClient();
  const { can } = useSession();
  const state = useUrlState(["kind", "country"] as const);
  const kind: Kind = state.values.kind === "people" ? "people" : "organisations";
  const params = { country: state.values.country, page: state.page, pageSize };
  const list = useQuery({
    queryKey: ["duplicates", kind, params],
    queryFn: ({ signal }) => api<Page<DuplicateCandidate>>(`/duplicates/${kind}${query(params)}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const dismiss = useMutation({
    mutationFn: (pair: { aId: number; bId: number }) => api(`/duplicates/${kind}/dismiss`, { method: "POST", body: pair }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["duplicates"] }),
  });
  const side = (r: DuplicateCandidate["a"]) => (
    <Stack gap={0}>
      <Anchor component={Link} to={`/${kind}/${r.id}`} size="sm">
        {format.name(r.name)}
        {r.abbreviation ? ` (${r.abbreviation})` : ""}
      </Anchor>
      <Text size="xs" c="dimmed">
        {[
          format.lang.startsWith("zh") ? r.name.en : r.name.zh,
          format.name(r.country?.name),
          r.years && (r.years.founded || r.years.dissolved) ? `${r.years.founded ?? "?"}–${r.years.dissolved ?? ""}` : null,
          t("merge.engagements", { count: r.engagements }),
        ]
          .filter(Boolean)
          .join(" · ")}
      </Text>
    </Stack>
  );
  return (
    <Stack>
      <Title order={2}>{t("merge.duplicatesTitle")}</Title>
      <Text c="dimmed" size="sm">
        {t("merge.duplicatesHint")}
      </Text>
      <Group align="flex-end">
        <SegmentedControl
          value={kind}
          onChange={(v) => state.set({ kind: v === "people" ? "people" : undefined })}
          data={[
            { value: "organisations", label: t("nav.registry") },
            { value: "people", label: t("nav.people") },
          ]}
        />
        <UrlSelect state={state} name="country" label={t("registry.country")} data={reference.countries} width={220} />
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.items.length === 0} />
      {list.data?.items.length ? (
        <Table.ScrollContainer minWidth={560}>
          <Table striped verticalSpacing="xs" data-testid="duplicate-pairs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("merge.recordA")}</Table.Th>
                <Table.Th>{t("merge.recordB")}</Table.Th>
                <Table.Th>{t("merge.why")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((c) => (
                <Table.Tr key={`${c.a.id}-${c.b.id}`}>
                  <Table.Td>{side(c.a)}</Table.Td>
                  <Table.Td>{side(c.b)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge variant="filled" size="sm">
                        {Math.round(c.score * 100)}%
                      </Badge>
                      {c.reasons.map((r) => (
                        <Badge key={`${r.rule}${r.value}`} variant="light" size="sm" tt="none">
                          {t(`merge.reasons.${r.rule}`)}
                          {r.rule === "wikidata" ? ` ${r.value}` : ""}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        component={Link}
                        to={`/registry/merge?kind=${kind}&a=${c.a.id}&b=${c.b.id}`}
                        size="compact-sm"
                        variant="light"
                      >
                        {t("merge.compare")}
                      </Button>
                      {can("write") ? (
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="gray"
                          onClick={() => dismiss.mutate({ aId: c.a.id, bId: c.b.id })}
                        >
                          {kind === "people" ? t("merge.notSamePerson") : t("merge.notSame")}
                        </Button>
                      ) : null}
                    </Group>
                  </Table.Td>
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

interface FieldRow {
  field: string;
  label: string;
  a: string;
  b: string;
  aEmpty: boolean;
  bEmpty: boolean;
}

/**
 * Two records side by side: which one stays, and for each field that differs whose value
 * it keeps. Names are united (the other's official names become aliases); every engagement,
 * position, relation, note and status moves to the record that stays; the other's address
 * then leads to it.
 */
export function MergePage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const { can } = useSession();
  const [params] = useSearchParams();
  const kind: Kind = params.get("kind") === "people" ? "people" : "organisations";
  const ids = [Number(params.get("a")), Number(params.get("b"))] as const;
  const records = useQuery({
    queryKey: ["merge", kind, ids],
    queryFn: () => Promise.all(ids.map((id) => api<OrganisationDetail | PersonDetail>(`/${kind}/${id}`))),
  });
  const [keep, setKeep] = useState<"a" | "b">("a");
  const [choose, setChoose] = useState<Record<string, "a" | "b">>({});
  const engagementCounts = useQuery({
    queryKey: ["merge", kind, ids, "engagements"],
    queryFn: () =>
      Promise.all(
        ids.map(
          async (id) =>
            (await api<Page<unknown>>(`/engagements${query({ [kind === "people" ? "personId" : "organisationId"]: id, pageSize: 1 })}`))
              .total,
        ),
      ),
  });
  const merge = useMutation({
    mutationFn: (body: unknown) => api<MergeResult>(`/${kind}/merge`, { method: "POST", body }),
    onSuccess: (result) => {
      void client.invalidateQueries();
      navigate(`/${kind}/${result.survivorId}`, { replace: true });
    },
  });
  if (!records.data) return <QueryState isLoading={records.isLoading} error={records.error} />;
  const [a, b] = records.data as [OrganisationDetail | PersonDetail, OrganisationDetail | PersonDetail];
  const rows: FieldRow[] =
    kind === "organisations"
      ? organisationRows(a as OrganisationDetail, b as OrganisationDetail)
      : personRows(a as PersonDetail, b as PersonDetail);
  function organisationRows(x: OrganisationDetail, y: OrganisationDetail): FieldRow[] {
    const names = (o: OrganisationDetail) => o.names.map((n) => `${n.value} (${vocabulary.label("nameKinds", n.kind)})`).join("; ");
    const relationship = (o: OrganisationDetail) =>
      o.relationship
        ? `${vocabulary.label("relationshipLevels", o.relationship.level)}${o.relationship.since ? ` · ${format.date(o.relationship.since)}` : ""}`
        : "";
    const values: Array<[string, string, (o: OrganisationDetail) => string]> = [
      ["names", t("org.names"), names],
      ["kind", t("registry.kind"), (o) => vocabulary.label("organisationKinds", o.kind)],
      ["countryCode", t("registry.country"), (o) => format.name(o.country?.name)],
      ["foundedYear", t("orgForm.founded"), (o) => String(o.foundedYear ?? "")],
      ["dissolvedYear", t("orgForm.dissolved"), (o) => String(o.dissolvedYear ?? "")],
      ["family", t("registry.family"), (o) => vocabulary.label("families", o.family)],
      ["website", t("orgForm.website"), (o) => o.website ?? ""],
      ["description", t("orgForm.description"), (o) => (o.description ?? "").slice(0, 200)],
      ["wikidataId", t("orgForm.wikidata"), (o) => o.externalIds.wikidata ?? ""],
      ["partyfactsId", "Party Facts", (o) => String(o.externalIds.partyfacts ?? "")],
      ["parlgovId", "ParlGov", (o) => String(o.externalIds.parlgov ?? "")],
      ["relationship", t("org.relationship"), relationship],
    ];
    return values.map(([field, label, read]) => ({ field, label, a: read(x), b: read(y), aEmpty: !read(x), bEmpty: !read(y) }));
  }
  function personRows(x: PersonDetail, y: PersonDetail): FieldRow[] {
    const values: Array<[string, string, (p: PersonDetail) => string]> = [
      ["nameEn", t("personForm.nameEn"), (p) => p.name.en],
      ["nameZh", t("personForm.nameZh"), (p) => p.name.zh ?? ""],
      ["familyNameEn", t("personForm.familyName"), (p) => p.familyNameEn ?? ""],
      ["givenNameEn", t("personForm.givenName"), (p) => p.givenNameEn ?? ""],
      ["nameNative", t("personForm.nameNative"), (p) => p.nameNative ?? ""],
      ["nativeLang", t("personForm.nativeLang"), (p) => (p.nativeLang ? format.language(p.nativeLang, p.nativeLang) : "")],
      ["gender", t("personForm.gender"), (p) => (p.gender === "unknown" ? "" : vocabulary.label("genders", p.gender))],
      ["birthYear", t("personForm.birthYear"), (p) => String(p.birthYear ?? "")],
      ["countryCode", t("registry.country"), (p) => reference.countryName(p.country?.code)],
      ["biography", t("personForm.biography"), (p) => (p.biography ?? "").slice(0, 200)],
    ];
    return values.map(([field, label, read]) => ({ field, label, a: read(x), b: read(y), aEmpty: !read(x), bEmpty: !read(y) }));
  }
  const survivor = keep === "a" ? a : b;
  const merged = keep === "a" ? b : a;
  // Two records of one name are told apart by their ids, as the columns above show them.
  const sameName = format.name(merged.name) === format.name(survivor.name);
  const label = (r: typeof merged) => (sameName ? `${format.name(r.name)} (${r.id})` : format.name(r.name));
  // By default a field keeps the survivor's value, or the other's where the survivor has none.
  const chosenSide = (row: FieldRow): "a" | "b" => {
    if (choose[row.field]) return choose[row.field] as "a" | "b";
    const survivorEmpty = keep === "a" ? row.aEmpty : row.bEmpty;
    return survivorEmpty ? (keep === "a" ? "b" : "a") : keep;
  };
  function submit() {
    const body = {
      survivorId: survivor.id,
      mergedId: merged.id,
      choose: Object.fromEntries(
        rows.filter((r) => r.a !== r.b).map((r) => [r.field, chosenSide(r) === keep ? "survivor" : "merged"] as const),
      ),
    };
    merge.mutate(body);
  }
  return (
    <Stack maw={1100}>
      <Title order={2}>{t("merge.title")}</Title>
      <Text c="dimmed" size="sm">
        {t("merge.explain")}
      </Text>
      <Card withBorder>
        <Group>
          <Text fw={500}>{t("merge.keep")}</Text>
          <SegmentedControl
            value={keep}
            onChange={(v) => {
              setKeep(v === "b" ? "b" : "a");
              setChoose({});
            }}
            data={[
              { value: "a", label: `${format.name(a.name)} (${a.id})` },
              { value: "b", label: `${format.name(b.name)} (${b.id})` },
            ]}
            data-testid="merge-keep"
          />
        </Group>
      </Card>
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder verticalSpacing="xs" data-testid="merge-fields">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={160}>{t("merge.field")}</Table.Th>
              <Table.Th>
                <Anchor component={Link} to={`/${kind}/${a.id}`}>
                  {format.name(a.name)} ({a.id})
                </Anchor>
              </Table.Th>
              <Table.Th>
                <Anchor component={Link} to={`/${kind}/${b.id}`}>
                  {format.name(b.name)} ({b.id})
                </Anchor>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const same = row.a === row.b;
              const side = chosenSide(row);
              return (
                <Table.Tr key={row.field}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {row.label}
                    </Text>
                    {row.field === "names" ? (
                      <Text size="xs" c="dimmed">
                        {t("merge.namesHint")}
                      </Text>
                    ) : null}
                  </Table.Td>
                  {(["a", "b"] as const).map((s) => (
                    <Table.Td key={s} bg={!same && side === s ? "var(--mantine-color-blue-light)" : undefined}>
                      {same ? (
                        <Text size="sm" c={s === "b" ? "dimmed" : undefined}>
                          {s === "a" ? row.a || "—" : t("merge.same")}
                        </Text>
                      ) : (
                        <Radio
                          checked={side === s}
                          onChange={() => setChoose({ ...choose, [row.field]: s })}
                          label={<Text size="sm">{(s === "a" ? row.a : row.b) || "—"}</Text>}
                          aria-label={`${row.label}: ${(s === "a" ? row.a : row.b) || "—"}`}
                        />
                      )}
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Alert color="orange" variant="light" role="note">
        {engagementCounts.data ? (
          <Text size="sm" mb={4}>
            {t("merge.moves", {
              merged: label(merged),
              engagements: t("merge.engagements", { count: engagementCounts.data[keep === "a" ? 1 : 0] ?? 0 }),
            })}
          </Text>
        ) : null}
        {t("merge.warning", { merged: label(merged), survivor: label(survivor) })}
      </Alert>
      {merge.error ? (
        <Alert color="red" role="alert">
          {errorMessage(merge.error)} {merge.error instanceof Error && !format.lang.startsWith("zh") ? merge.error.message : ""}
        </Alert>
      ) : null}
      {can("coordinate") ? (
        <Group>
          <Button color="red" onClick={submit} loading={merge.isPending} data-testid="merge-confirm">
            {t("merge.confirm", { merged: label(merged), survivor: label(survivor) })}
          </Button>
          <Button variant="default" onClick={() => navigate(-1)}>
            {t("common.cancel")}
          </Button>
        </Group>
      ) : (
        <Text c="dimmed" size="sm">
          {t("merge.coordinatorsOnly")}
        </Text>
      )}
    </Stack>
  );
}
