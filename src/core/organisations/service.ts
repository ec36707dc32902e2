import { sql } from "kysely";
import { jsonObjectFrom } from "kysely/helpers/postgres";
import { CompiledQueries, placeholderId } from "../../db/compiled.ts";
import { databaseEngine, db } from "../../db/current.ts";
import { anyDependentRecord, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { assertCountryExists } from "../countries/store.ts";
import { withPartnerChange, withPartnerMove } from "../engagements/rollup.ts";
import { refreshSuggestions } from "../names/service.ts";
import { foldName } from "../search/text.ts";
import { keepWordShares } from "../search/word-shares.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { countCap, id as idSchema, type Page, pageTotal, parseInput, typeaheadPageSize } from "../shared/schema.ts";
import { cleanMultiline } from "../shared/text.ts";
import { families, organisationKinds, relationshipLevels } from "../shared/vocabulary.ts";
import { displayColumns, type NormalisedName, normaliseNames } from "./names.ts";
import { presentOrganisation, presentOrganisationListItem } from "./presenter.ts";
import {
  congressCreateInput,
  type OrganisationCounts,
  type OrganisationDetail,
  type OrganisationListItem,
  type OrganisationResolution,
  organisationCountQuery,
  organisationCreateInput,
  organisationListQuery,
  organisationResolveInput,
  organisationUpdateInput,
  statusCreateInput,
} from "./schema.ts";
import {
  alikeWords,
  compilePrefixedPage,
  countableFromSummary,
  expectedMatches,
  findOrganisationDetail,
  type OrganisationFilters,
  type OrganisationListRow,
  organisationCountsQuery,
  organisationDetailQuery,
  organisationPageQuery,
  organisationSummaryCountsQuery,
  organisationsWithKeys,
  organisationTotalQuery,
  spellingsFor,
  triesPrefixesFirst,
} from "./store.ts";

/**
 * How many organisations match, up to `cap`: from the pre-aggregated counts when the
 * filters allow (always exact, since those filters are never a name search).
 */
async function countMatching(filters: OrganisationFilters, cap: number): Promise<number> {
  if (countableFromSummary(filters)) {
    const row = await organisationSummaryCountsQuery(db(), filters, "total").executeTakeFirst();
    return row?.count ?? 0;
  }
  return (await organisationTotalQuery(db(), filters, cap).executeTakeFirstOrThrow()).total;
}

/** Lists organisations with filters, sorting and the name query `q`. */
export async function listOrganisations(actor: Actor, input: unknown = {}): Promise<Page<OrganisationListItem>> {
  authorize(actor, "registry.read");
  const parsed = parseInput(organisationListQuery, input);
  const { page, pageSize, sort: _sort, ...asTyped } = parsed;
  const cap = countCap(parsed.q);
  if (parsed.q) await keepWordShares(db());
  const window = page * pageSize;
  let filters: OrganisationFilters = asTyped;
  // Other spellings are looked for when the words as typed match fewer organisations than the
  // pages up to this one hold. A search the registry's statistics expect to be that thin (a
  // name, an abbreviation) asks first, in one quick look, and then reads its page once; one
  // expected to fill the page (a common word) reads it as typed, and asks only if it came short.
  const thin = parsed.q !== undefined && expectedMatches(parsed.q) < window;
  if (thin) {
    const spellings = await spellingsFor(db(), asTyped, window);
    if (spellings.size > 0) filters = { ...asTyped, spellings };
  }
  // On a server, a name search on the list screen is counted beside its page, on a second
  // connection: a common word fills the page, and then its total is needed too. (The embedded
  // engine runs one query at a time: there the count waits to be needed.)
  let early =
    parsed.q && pageSize > typeaheadPageSize && parsed.withTotal === "true" && databaseEngine() === "postgres"
      ? countMatching(filters, cap)
      : undefined;
  early?.catch(() => {}); // Awaited below, or not needed when the page is not full.
  // A search expected to be broad is first answered by the names that start with what was typed
  // (the first word of many names): that query holds none of the search vector's words, so it
  // is prepared once and its plan kept, where planning the full query cost a fifth of its time.
  // It comes back empty when those names cannot fill the page; the full query then answers.
  let rows: OrganisationListRow[] = [];
  if (triesPrefixesFirst(parsed, window)) rows = (await db().executeQuery(compilePrefixedPage(db(), parsed))).rows;
  if (rows.length === 0) rows = await organisationPageQuery(db(), { ...parsed, spellings: filters.spellings }).execute();
  // A short page means the words match fewer than `page × pageSize` organisations.
  if (parsed.q && !thin && rows.length < pageSize) {
    const spellings = await alikeWords(db(), parsed.q);
    if (spellings.size > 0) {
      filters = { ...asTyped, spellings };
      early = undefined;
      rows = await organisationPageQuery(db(), { ...parsed, spellings }).execute();
    }
  }
  const counted = await pageTotal(parsed, rows.length, (asked) => (early && asked === cap ? early : countMatching(filters, asked)));
  return { items: rows.map(presentOrganisationListItem), ...counted, page, pageSize };
}

/** Whether an organisation existed on a day (by its years), or exists today when no day is given. */
function existedOn(item: OrganisationListItem, on: string | undefined): boolean {
  if (!on) return item.existsToday;
  const year = Number(on.slice(0, 4));
  return (item.dissolvedYear === null || item.dissolvedYear >= year) && (item.foundedYear === null || item.foundedYear <= year);
}

/**
 * Resolves pasted names, one per line, to organisations, the way a desk officer entering a
 * forum's sixty parties would want: a line is taken only when exactly one organisation that
 * existed on the engagement's date bears that very name (in any language, an abbreviation or
 * an alias); otherwise every candidate is offered, with country, years and status — a
 * dissolved party is never taken silently — and a line that names an organisation an earlier
 * line named is reported as a repeat.
 */
export async function resolveOrganisationNames(actor: Actor, input: unknown): Promise<{ items: OrganisationResolution[] }> {
  authorize(actor, "registry.read");
  const { lines, on } = parseInput(organisationResolveInput, input);
  await keepWordShares(db());
  // Most lines name one organisation exactly: all of them are looked up at once by their
  // folded names (the match keys), and only the rest go through the search, one by one.
  const folded = lines.map((line) => foldName(line));
  const keysOf = (f: string) => [`n|${f}`, `a|${f}`];
  const bearers = await organisationsWithKeys(db(), folded.flatMap(keysOf)).execute();
  /** The organisation a line takes, if any; its candidates; and whether those bearing the name had all ceased. */
  const answer = async (line: string, f: string) => {
    const keys = keysOf(f);
    const named = bearers.filter((b) => b.matchKeys.some((k) => keys.includes(k))).map(presentOrganisationListItem);
    if (f.length > 1 && named.length === 1 && existedOn(named[0] as OrganisationListItem, on)) {
      return { taken: named[0] as OrganisationListItem, candidates: named, warning: null };
    }
    const lineQuery = parseInput(organisationListQuery, { q: line, pageSize: 20 });
    const spellings = await spellingsFor(db(), lineQuery, lineQuery.pageSize);
    const candidates = (await organisationPageQuery(db(), { ...lineQuery, spellings }).execute()).map(presentOrganisationListItem);
    const names = candidates.length
      ? await db()
          .selectFrom("organisationNames")
          .select(["organisationId", "value"])
          .where(
            "organisationId",
            "in",
            candidates.map((c) => c.id),
          )
          .execute()
      : [];
    const exact = candidates.filter(
      (c) =>
        f.length > 0 &&
        [c.name.en, c.name.zh, c.abbreviation, ...names.filter((n) => n.organisationId === c.id).map((n) => n.value)].some(
          (n) => n && foldName(n) === f,
        ),
    );
    const existing = exact.filter((c) => existedOn(c, on));
    return {
      taken: existing.length === 1 ? (existing[0] as OrganisationListItem) : null,
      candidates: [...exact, ...candidates.filter((c) => !exact.includes(c))],
      warning: exact.length > 0 && existing.length === 0 ? ("dissolved" as const) : null,
    };
  };
  const items: OrganisationResolution[] = [];
  const firstLineOf = new Map<number, number>();
  for (const [index, line] of lines.entries()) {
    const { taken, candidates, warning } = await answer(line, folded[index] as string);
    const earlier = taken ? firstLineOf.get(taken.id) : undefined;
    if (taken && earlier === undefined) firstLineOf.set(taken.id, index);
    items.push({
      line,
      match: earlier !== undefined ? "repeat" : taken ? "found" : candidates.length ? "ambiguous" : "none",
      organisationId: taken?.id ?? null,
      repeatOf: earlier ?? null,
      warning,
      candidates,
    });
  }
  return { items };
}

const vocabularyOf = { kind: organisationKinds, family: families, level: relationshipLevels } as const;

/**
 * Counts organisations by country, kind, family, region or relationship level, under
 * the same filters as the list, with bilingual labels for each key.
 */
export async function countOrganisations(actor: Actor, input: unknown = {}): Promise<OrganisationCounts> {
  authorize(actor, "registry.read");
  const { by, ...filters } = parseInput(organisationCountQuery, input);
  const fromSummary = countableFromSummary(filters) && (by === "country" || by === "kind" || by === "region");
  const unsorted = fromSummary
    ? await organisationSummaryCountsQuery(db(), filters, by).execute()
    : await organisationCountsQuery(db(), filters, by).execute();
  const rows = unsorted.sort((a, b) => b.count - a.count || (a.key ?? "\uffff").localeCompare(b.key ?? "\uffff"));
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  let places = new Map<string, { en: string; zh: string }>();
  if ((by === "country" || by === "region") && keys.length > 0) {
    const table = by === "country" ? "countries" : "regions";
    const found = await db().selectFrom(table).select(["code", "nameEn", "nameZh"]).where("code", "in", keys).execute();
    places = new Map(found.map((f) => [f.code, { en: f.nameEn, zh: f.nameZh }]));
  }
  const label = (key: string | null) => {
    if (key === null) return null;
    if (by === "country" || by === "region") return places.get(key) ?? null;
    const words: Record<string, { en: string; zh: string }> = vocabularyOf[by];
    return words[key] ?? null;
  };
  return {
    by,
    total: rows.reduce((sum, r) => sum + r.count, 0),
    items: rows.map((r) => ({ key: r.key, count: r.count, label: label(r.key) })),
  };
}

/** An organisation as the API shows it, read with `executor` (a transaction sees its own changes). */
export async function loadOrganisation(executor: Executor, organisationId: number): Promise<OrganisationDetail> {
  const row = await findOrganisationDetail(executor, organisationId);
  if (!row) throw notFound("organisation", organisationId);
  return presentOrganisation(row);
}

/**
 * An organisation's page as `actor` reads it, in one query: the detail, the latest done
 * engagement with it that the actor may read, and a pending suggestion for its Chinese name.
 */
function organisationReadQuery(executor: Executor, actor: Actor, organisationId: number) {
  return organisationDetailQuery(executor, organisationId).select((eb) => [
    jsonObjectFrom(
      eb
        .selectFrom("engagementParticipants as p")
        .innerJoin(forActor(actor).readableEngagements(executor).as("e"), "e.id", "p.engagementId")
        .innerJoin("units as lu", "lu.id", "e.leadUnitId")
        .select([
          "e.id",
          "e.type",
          "e.titleEn",
          "e.titleZh",
          "e.startDate",
          "lu.id as unitId",
          "lu.nameEn as unitNameEn",
          "lu.nameZh as unitNameZh",
        ])
        .whereRef("p.organisationId", "=", "o.id")
        .where("e.status", "=", "done")
        .orderBy("p.startDate", "desc")
        .orderBy("p.engagementId", "desc")
        .limit(1),
    ).as("lastEngagement"),
    jsonObjectFrom(
      eb
        .selectFrom("nameSuggestions as ns")
        .select(["ns.zh", "ns.short", "ns.confidence", "ns.method", "ns.transliterated", "ns.steps", "ns.basis"])
        .whereRef("ns.organisationId", "=", "o.id")
        .where("ns.status", "=", "pending"),
    ).as("pendingSuggestion"),
  ]);
}

type OrganisationReadRow = Awaited<ReturnType<ReturnType<typeof organisationReadQuery>["executeTakeFirstOrThrow"]>>;

// Compiled once per reader's scope (what they may read is part of the query).
const compiledReads = new CompiledQueries<OrganisationReadRow>();

/** One organisation with its names, statuses, tags, relationship, relations and people. */
export async function getOrganisation(actor: Actor, organisationId: number): Promise<OrganisationDetail> {
  authorize(actor, "registry.read");
  const id = parseInput(idSchema, organisationId);
  // What the query's scope reads of the actor: their roles and clearance (not who they are).
  const scope = JSON.stringify([actor.clearance, actor.roles]);
  const query = compiledReads.with(scope, () => organisationReadQuery(db(), actor, placeholderId).compile(), id);
  const row = (await db().executeQuery(query)).rows[0];
  if (!row) throw notFound("organisation", id);
  const { lastEngagement: last, pendingSuggestion: suggestion } = row;
  return {
    ...presentOrganisation(row),
    nameSuggestion: suggestion
      ? {
          zh: suggestion.zh,
          short: suggestion.short,
          confidence: Number(suggestion.confidence),
          method: suggestion.method,
          transliterated: suggestion.transliterated,
          steps: suggestion.steps as NonNullable<OrganisationDetail["nameSuggestion"]>["steps"],
          basis: suggestion.basis,
        }
      : null,
    lastEngagement: last
      ? {
          id: last.id,
          type: last.type,
          title: { en: last.titleEn, zh: last.titleZh },
          startDate: last.startDate,
          leadUnit: { id: last.unitId, name: { en: last.unitNameEn, zh: last.unitNameZh } },
        }
      : null,
  };
}

async function assertExternalIdsFree(
  trx: Trx,
  organisationId: number | null,
  ids: { wikidataId?: string | null | undefined; partyfactsId?: number | null | undefined },
) {
  for (const [field, value] of Object.entries(ids) as Array<["wikidataId" | "partyfactsId", string | number | null]>) {
    if (value === null || value === undefined) continue;
    const clash = await trx
      .selectFrom("organisations")
      .select(["id", "nameEn"])
      .where(field, "=", value as never)
      .executeTakeFirst();
    if (clash && clash.id !== organisationId) {
      throw new AppError("CONFLICT", `${clash.nameEn} (id ${clash.id}) already has ${field} ${value}.`, {
        fields: [{ path: field, message: `Already used by organisation ${clash.id}.` }],
      });
    }
  }
}

/** Replaces an organisation's names; a name kept as it was keeps where it came from (Party Facts, a review). */
async function writeNames(trx: Trx, organisationId: number, names: NormalisedName[]) {
  const before = await trx
    .selectFrom("organisationNames")
    .select(["kind", "lang", "value", "source"])
    .where("organisationId", "=", organisationId)
    .execute();
  const sourceOf = new Map(before.map((n) => [`${n.kind}|${n.lang}|${n.value}`, n.source]));
  await trx.deleteFrom("organisationNames").where("organisationId", "=", organisationId).execute();
  if (names.length === 0) return;
  await trx
    .insertInto("organisationNames")
    .values(
      names.map((n, position) => ({ organisationId, ...n, position, source: sourceOf.get(`${n.kind}|${n.lang}|${n.value}`) ?? "user" })),
    )
    .execute();
}

async function writeTags(trx: Trx, organisationId: number, keys: string[]) {
  await trx.deleteFrom("organisationTags").where("organisationId", "=", organisationId).execute();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  const tags = await trx.selectFrom("tags").select(["id", "key"]).where("key", "in", unique).execute();
  const found = new Set(tags.map((t) => t.key));
  const missing = keys.findIndex((k) => !found.has(k));
  if (missing >= 0) throw invalidField(`tags.${missing}`, `No tag ${keys[missing]}; create it first.`);
  await trx
    .insertInto("organisationTags")
    .values(tags.map((t) => ({ organisationId, tagId: t.id })))
    .execute();
}

function requireNames(names: NormalisedName[]): NormalisedName[] {
  if (names.length === 0) throw invalidField("names", "Give at least one name.");
  return names;
}

/** Creates an organisation in the shared registry. */
export async function createOrganisation(actor: Actor, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(organisationCreateInput, input);
  const names = requireNames(normaliseNames(data.names));
  return mutate(actor, async (trx) => {
    await assertCountryExists(trx, data.countryCode);
    await assertExternalIdsFree(trx, null, { wikidataId: data.wikidataId, partyfactsId: data.partyfactsId });
    const row = await trx
      .insertInto("organisations")
      .values({
        kind: data.kind,
        countryCode: data.countryCode ?? null,
        foundedYear: data.foundedYear ?? null,
        dissolvedYear: data.dissolvedYear ?? null,
        website: data.website ?? null,
        description: cleanMultiline(data.description),
        family: data.family ?? null,
        wikidataId: data.wikidataId ?? null,
        partyfactsId: data.partyfactsId ?? null,
        parlgovId: data.parlgovId ?? null,
        ...displayColumns(names),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeNames(trx, row.id, names);
    await writeTags(trx, row.id, data.tags ?? []);
    // Without a Chinese name, the engine suggests one at once.
    await refreshSuggestions(trx, { organisationIds: [row.id] });
    const result = await loadOrganisation(trx, row.id);
    return { result, audit: { entity: "organisation", entityId: row.id, action: "create", after: result } };
  });
}

/** Changes an organisation; `names` and `tags`, when given, replace the whole set. */
export async function updateOrganisation(actor: Actor, organisationId: number, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(organisationUpdateInput, input);
  return mutate(actor, async (trx) => {
    const locked = await trx
      .selectFrom("organisations")
      .select(["id", "foundedYear", "dissolvedYear"])
      .where("id", "=", organisationId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw notFound("organisation", organisationId);
    const founded = data.foundedYear === undefined ? locked.foundedYear : data.foundedYear;
    const dissolved = data.dissolvedYear === undefined ? locked.dissolvedYear : data.dissolvedYear;
    if (founded && dissolved && dissolved < founded) throw invalidField("dissolvedYear", "Cannot be before the founding year.");
    const before = await loadOrganisation(trx, organisationId);
    await assertCountryExists(trx, data.countryCode);
    await assertExternalIdsFree(trx, organisationId, { wikidataId: data.wikidataId, partyfactsId: data.partyfactsId });
    const { names: rawNames, tags, description, ...fields } = data;
    const names = rawNames ? requireNames(normaliseNames(rawNames)) : null;
    const update = () =>
      trx
        .updateTable("organisations")
        .set({
          ...fields,
          ...(description !== undefined ? { description: cleanMultiline(description) } : {}),
          ...(names ? displayColumns(names) : {}),
          updatedAt: new Date(),
        })
        .where("id", "=", organisationId)
        .execute();
    // A new country or kind moves the partner between the engagement counts' breakdowns.
    await withPartnerMove(trx, organisationId, fields, update);
    if (names) await writeNames(trx, organisationId, names);
    if (tags) await writeTags(trx, organisationId, tags);
    // New names, country or kind: the suggestion is made anew, or goes when a Chinese name is given.
    if (names || fields.countryCode !== undefined || fields.kind !== undefined) {
      await refreshSuggestions(trx, { organisationIds: [organisationId] });
    }
    const after = await loadOrganisation(trx, organisationId);
    return { result: after, audit: { entity: "organisation", entityId: organisationId, action: "update", before, after } };
  });
}

/** Deletes an organisation with its names, statuses and relations. */
export async function deleteOrganisation(actor: Actor, organisationId: number): Promise<void> {
  authorize(actor, "registry.delete");
  await mutate(actor, async (trx) => {
    const before = await loadOrganisation(trx, organisationId);
    // Units' engagements and notes depend on it, some perhaps outside what the actor sees: they would go with it.
    if (await anyDependentRecord(trx, { organisationId })) {
      throw new AppError(
        "CONFLICT",
        "Engagements or notes (some perhaps of other units) name this organisation; merge it into another instead, or have them removed first.",
      );
    }
    await trx.deleteFrom("organisations").where("id", "=", organisationId).execute();
    return { result: undefined, audit: { entity: "organisation", entityId: organisationId, action: "delete", before } };
  });
}

// A party cannot be in government and in opposition at once, nor hold one status twice.
type PartyStatus = "in_government" | "opposition" | "banned" | "dissolved";
const exclusiveStatuses: Record<PartyStatus, PartyStatus[]> = {
  in_government: ["in_government", "opposition"],
  opposition: ["in_government", "opposition"],
  banned: ["banned"],
  dissolved: ["dissolved"],
};

/** Records a dated status fact such as "in government from 2019-05-01". */
export async function addOrganisationStatus(actor: Actor, organisationId: number, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(statusCreateInput, input);
  return mutate(actor, async (trx) => {
    const org = await trx.selectFrom("organisations").select("id").where("id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!org) throw notFound("organisation", organisationId);
    const clash = await trx
      .selectFrom("organisationStatuses")
      .select(["id", "status", "validFrom", "validTo"])
      .where("organisationId", "=", organisationId)
      .where("status", "in", exclusiveStatuses[data.status])
      .where(sql<boolean>`daterange(valid_from, valid_to, '[]') && daterange(${data.validFrom}::date, ${data.validTo ?? null}::date, '[]')`)
      .executeTakeFirst();
    if (clash) {
      throw new AppError("CONFLICT", `This overlaps the status ${clash.status} from ${clash.validFrom} to ${clash.validTo ?? "now"}.`, {
        fields: [{ path: "validFrom", message: "Overlaps another status." }],
        conflictingStatusId: clash.id,
      });
    }
    // The counts' status breakdown follows what the partner was on each engagement's date.
    const row = await withPartnerChange(trx, { organisationId }, () =>
      trx
        .insertInto("organisationStatuses")
        .values({ organisationId, status: data.status, validFrom: data.validFrom, validTo: data.validTo ?? null, note: data.note ?? null })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    const result = await loadOrganisation(trx, organisationId);
    return {
      result,
      audit: {
        entity: "organisation_status",
        entityId: row.id,
        action: "create",
        after: row,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
}

/** Records a partner's congress, past or coming (relationship health lists the coming ones). */
export async function addOrganisationCongress(actor: Actor, organisationId: number, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(congressCreateInput, input);
  return mutate(actor, async (trx) => {
    const org = await trx.selectFrom("organisations").select("id").where("id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!org) throw notFound("organisation", organisationId);
    const row = await trx
      .insertInto("organisationCongresses")
      .values({
        organisationId,
        opensOn: data.opensOn,
        ordinal: data.ordinal ?? null,
        nameEn: data.nameEn ?? null,
        nameZh: data.nameZh ?? null,
      })
      .onConflict((oc) => oc.columns(["organisationId", "opensOn"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw new AppError("CONFLICT", `A congress opening on ${data.opensOn} is recorded already.`, {
        fields: [{ path: "opensOn", message: "Already recorded." }],
      });
    }
    const result = await loadOrganisation(trx, organisationId);
    return {
      result,
      audit: {
        entity: "organisation_congress",
        entityId: row.id,
        action: "create",
        after: row,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
}

/** Removes a congress. */
export async function removeOrganisationCongress(actor: Actor, organisationId: number, congressId: number): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  return mutate(actor, async (trx) => {
    const before = await trx
      .deleteFrom("organisationCongresses")
      .where("id", "=", congressId)
      .where("organisationId", "=", organisationId)
      .returningAll()
      .executeTakeFirst();
    if (!before) throw notFound("congress", congressId);
    const result = await loadOrganisation(trx, organisationId);
    return {
      result,
      audit: {
        entity: "organisation_congress",
        entityId: congressId,
        action: "delete",
        before,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
}

/** Removes a status fact. */
export async function removeOrganisationStatus(actor: Actor, organisationId: number, statusId: number): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  return mutate(actor, async (trx) => {
    const before = await withPartnerChange(trx, { organisationId }, () =>
      trx
        .deleteFrom("organisationStatuses")
        .where("id", "=", statusId)
        .where("organisationId", "=", organisationId)
        .returningAll()
        .executeTakeFirst(),
    );
    if (!before) throw notFound("status", statusId);
    const result = await loadOrganisation(trx, organisationId);
    return {
      result,
      audit: {
        entity: "organisation_status",
        entityId: statusId,
        action: "delete",
        before,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
}
