import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { codeRef } from "../countries/presenter.ts";
import { captureRollups } from "../engagements/rollup.ts";
import { refreshSuggestions } from "../names/service.ts";
import { displayColumns, type NormalisedName } from "../organisations/names.ts";
import { loadOrganisation } from "../organisations/service.ts";
import { composeNames, loadPerson, nameColumns } from "../people/service.ts";
import { foldName } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { type AuditEntry, type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { type Page, parseInput } from "../shared/schema.ts";
import { splitKey } from "./keys.ts";
import { moveReferences } from "./references.ts";
import {
  type DuplicateCandidate,
  duplicateQuery,
  type MergeResult,
  organisationMergeInput,
  personMergeInput,
  type Side,
} from "./schema.ts";
import { alikeThreshold, type CandidatePairRow, organisationCandidatePairs, personCandidatePairs } from "./store.ts";

export type RecordKind = "organisation" | "person";

const hasHan = (s: string) => /\p{Script=Han}/u.test(s);

/**
 * How sure a pair is one partner, and why: the same Wikidata id is all but certain; a full
 * name in common (in any script) nearly so; only an abbreviation, or names merely alike, much
 * less. Two lives that do not overlap (one dissolved before the other was founded) suggest a
 * successor of the same name rather than a duplicate.
 */
function scorePair(pair: CandidatePairRow, lives?: { a: [number | null, number | null]; b: [number | null, number | null] }) {
  const reasons: DuplicateCandidate["reasons"] = [];
  const scores: number[] = [];
  if (pair.sameWikidata) {
    reasons.push({ rule: "wikidata", value: pair.sameWikidata });
    scores.push(0.98);
  }
  for (const key of pair.shared) {
    const { kind, folded } = splitKey(key);
    if (kind === "a") {
      reasons.push({ rule: "abbreviation", value: folded });
      scores.push(0.55);
    } else {
      reasons.push({ rule: hasHan(folded) ? "chinese_name" : "same_name", value: folded });
      scores.push(0.9);
    }
  }
  if (pair.alike !== null && pair.alike >= alikeThreshold) {
    reasons.push({ rule: "alike", value: pair.alike.toFixed(2) });
    scores.push(0.6 + (0.3 * (pair.alike - alikeThreshold)) / (1 - alikeThreshold));
  }
  let score = Math.min(1, Math.max(0, ...scores) + 0.04 * (scores.length - 1));
  if (lives) {
    const [aFrom, aTo] = lives.a;
    const [bFrom, bTo] = lives.b;
    if ((aTo && bFrom && aTo < bFrom) || (bTo && aFrom && bTo < aFrom)) score *= 0.8;
  }
  return { score: Math.round(score * 100) / 100, reasons };
}

/** Summaries of records for the candidate list, with the engagements the reader may see. */
async function summaries(actor: Actor, kind: RecordKind, ids: number[]) {
  if (ids.length === 0) return new Map<number, DuplicateCandidate["a"]>();
  const data = forActor(actor);
  const column = kind === "organisation" ? sql.ref("p.organisation_id") : sql.ref("p.person_id");
  const engagements = sql<number>`(SELECT count(DISTINCT p.engagement_id)::int FROM engagement_participants p
    JOIN ${data.engagementsSql} e ON e.id = p.engagement_id WHERE ${column} = r.id)`;
  if (kind === "organisation") {
    const rows = await db()
      .selectFrom("organisations as r")
      .leftJoin("countries as c", "c.code", "r.countryCode")
      .select([
        "r.id",
        "r.nameEn",
        "r.nameZh",
        "r.nameZhStatus",
        "r.abbreviation",
        "r.countryCode",
        "c.nameEn as countryEn",
        "c.nameZh as countryZh",
        "r.foundedYear",
        "r.dissolvedYear",
        engagements.as("engagements"),
      ])
      .where("r.id", "in", ids)
      .execute();
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          name: { en: r.nameEn, zh: r.nameZh },
          nameZhSuggested: r.nameZhStatus === "suggested",
          abbreviation: r.abbreviation,
          country: codeRef(r.countryCode, r.countryEn, r.countryZh),
          years: { founded: r.foundedYear, dissolved: r.dissolvedYear },
          engagements: r.engagements,
        },
      ]),
    );
  }
  const rows = await db()
    .selectFrom("people as r")
    .leftJoin("countries as c", "c.code", "r.countryCode")
    .select([
      "r.id",
      "r.nameEn",
      "r.nameZh",
      "r.countryCode",
      "c.nameEn as countryEn",
      "c.nameZh as countryZh",
      engagements.as("engagements"),
    ])
    .where("r.id", "in", ids)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: { en: r.nameEn, zh: r.nameZh },
        country: codeRef(r.countryCode, r.countryEn, r.countryZh),
        engagements: r.engagements,
      },
    ]),
  );
}

/**
 * Pairs of records that may be one partner (or one person), surest first: across scripts and
 * spellings (the same Wikidata id, a name equal after folding case, accents, punctuation and
 * traditional characters, an abbreviation, Latin names alike). Filters: a country, one record.
 */
export async function listDuplicates(actor: Actor, kind: RecordKind, input: unknown = {}): Promise<Page<DuplicateCandidate>> {
  authorize(actor, "registry.read");
  const query = parseInput(duplicateQuery, input);
  const pairs = (kind === "organisation" ? await organisationCandidatePairs(db(), query) : await personCandidatePairs(db(), query)).rows;
  let lives = new Map<number, [number | null, number | null]>();
  if (kind === "organisation" && pairs.length > 0) {
    const ids = [...new Set(pairs.flatMap((p) => [p.aId, p.bId]))];
    const rows = await db().selectFrom("organisations").select(["id", "foundedYear", "dissolvedYear"]).where("id", "in", ids).execute();
    lives = new Map(rows.map((r) => [r.id, [r.foundedYear, r.dissolvedYear]]));
  }
  const scored = pairs
    .map((pair) => {
      const a = lives.get(pair.aId);
      const b = lives.get(pair.bId);
      return { pair, ...scorePair(pair, a && b ? { a, b } : undefined) };
    })
    .filter((s) => s.score >= query.minScore)
    .sort((x, y) => y.score - x.score || x.pair.aId - y.pair.aId || x.pair.bId - y.pair.bId);
  const page = scored.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
  const shown = await summaries(actor, kind, [...new Set(page.flatMap((s) => [s.pair.aId, s.pair.bId]))]);
  const items = page.flatMap((s) => {
    const a = shown.get(s.pair.aId);
    const b = shown.get(s.pair.bId);
    return a && b ? [{ a, b, score: s.score, reasons: s.reasons }] : [];
  });
  return { items, total: scored.length, totalExact: pairs.length < 5000, page: query.page, pageSize: query.pageSize };
}

/** Records that a pair is two partners, not one: it is not offered as a candidate again. */
export async function dismissDuplicate(actor: Actor, kind: RecordKind, ids: { aId: number; bId: number }): Promise<void> {
  authorize(actor, "registry.write");
  const [lowId, highId] = [Math.min(ids.aId, ids.bId), Math.max(ids.aId, ids.bId)];
  if (lowId === highId) throw new AppError("VALIDATION_FAILED", "Choose two different records.");
  await mutate(actor, async (trx) => {
    const table = kind === "organisation" ? "organisations" : "people";
    const found = await trx.selectFrom(table).select("id").where("id", "in", [lowId, highId]).execute();
    if (found.length < 2) throw notFound(kind, found[0]?.id === lowId ? highId : lowId);
    await trx
      .insertInto("duplicateDismissals")
      .values({ recordKind: kind, lowId, highId, dismissedBy: actor.userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return { result: undefined, audit: { entity: `${kind}_duplicate`, entityId: `${lowId}-${highId}`, action: "dismiss" } };
  });
}

/** The record a merged id now answers with, following merges made since; null when it was not merged. */
export async function mergedInto(kind: RecordKind, id: number, executor: Executor = db()): Promise<number | null> {
  const table = kind === "organisation" ? "organisationMerges" : "personMerges";
  const row = await executor.selectFrom(table).select("survivorId").where("mergedId", "=", id).executeTakeFirst();
  return row?.survivorId ?? null;
}

/** Locks two records in id order (two merges of one pair cannot deadlock) and returns both. */
async function lockPair<T extends { id: number }>(rows: T[], survivorId: number, mergedId: number, kind: RecordKind) {
  const survivor = rows.find((r) => r.id === survivorId);
  const merged = rows.find((r) => r.id === mergedId);
  if (!survivor) throw notFound(kind, survivorId);
  if (!merged) throw notFound(kind, mergedId);
  return { survivor, merged };
}

/** The side a field comes from: as chosen, else the survivor's unless it has none. */
function chooser<R>(choose: Partial<Record<string, Side>>, survivor: R, merged: R) {
  return <K extends keyof R & string>(field: K, empty: (v: R[K]) => boolean = (v) => v === null || v === undefined): R[K] => {
    const side = choose[field] ?? (empty(survivor[field]) ? "merged" : "survivor");
    return side === "merged" ? merged[field] : survivor[field];
  };
}

/** The engagements either record takes part in, for the rollups to follow the move. */
async function engagementsOf(trx: Trx, column: "organisationId" | "personId", ids: number[]): Promise<number[]> {
  const rows = await trx.selectFrom("engagementParticipants").select("engagementId").distinct().where(column, "in", ids).execute();
  return rows.map((r) => r.engagementId);
}

/**
 * The names of the merged organisation: the survivor's (or, if chosen, the merged record's)
 * official names stay official; the other's become aliases where they differ; a name both
 * have (folded alike, in one language) is kept once, with where it came from.
 */
function unitedNames(primary: NameRow[], secondary: NameRow[]): NameRow[] {
  const out = [...primary];
  const seen = new Set(out.map((n) => `${n.lang}|${foldName(n.value)}|${n.kind === "abbreviation"}`));
  const officialLangs = new Set(out.filter((n) => n.kind === "official").map((n) => n.lang));
  for (const name of secondary) {
    const identity = `${name.lang}|${foldName(name.value)}|${name.kind === "abbreviation"}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const demoted = name.kind === "official" && officialLangs.has(name.lang);
    out.push({ ...name, kind: demoted ? "alias" : name.kind });
  }
  return out;
}

type NameSource = "user" | "partyfacts" | "reviewed" | "import" | "merge";
type NameRow = NormalisedName & { source: NameSource };

async function namesOf(trx: Trx, organisationId: number): Promise<NameRow[]> {
  const rows = await trx
    .selectFrom("organisationNames")
    .select(["kind", "lang", "script", "value", "validTo", "source"])
    .where("organisationId", "=", organisationId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ ...r, kind: r.kind as NormalisedName["kind"] }));
}

/**
 * Merges two organisations into one: fields as chosen, names, tags and statuses united, and
 * every row anywhere that names the merged record (engagements and their participants,
 * positions, relations, notes, mechanism memberships, congresses…) moved to the survivor;
 * exact repeats are folded. The merged id then answers with a pointer to the survivor; the
 * merge is audited on both records' histories. Coordinators and administrators.
 */
export async function mergeOrganisations(actor: Actor, input: unknown): Promise<MergeResult> {
  authorize(actor, "registry.merge");
  const { survivorId, mergedId, choose } = parseInput(organisationMergeInput, input);
  return mutate(actor, async (trx) => {
    const locked = await trx
      .selectFrom("organisations")
      .selectAll()
      .where("id", "in", [survivorId, mergedId])
      .orderBy("id")
      .forUpdate()
      .execute();
    const { survivor, merged } = await lockPair(locked, survivorId, mergedId, "organisation");
    const before = { survivor: await loadOrganisation(trx, survivorId), merged: await loadOrganisation(trx, mergedId) };
    const rollups = await captureRollups(trx, await engagementsOf(trx, "organisationId", [survivorId, mergedId]));
    const pick = chooser(choose, survivor, merged);
    const fields = {
      kind: pick("kind"),
      countryCode: pick("countryCode"),
      foundedYear: pick("foundedYear"),
      dissolvedYear: pick("dissolvedYear"),
      website: pick("website"),
      description: pick("description", (v) => !v),
      family: pick("family"),
      wikidataId: pick("wikidataId"),
      partyfactsId: pick("partyfactsId"),
      parlgovId: pick("parlgovId"),
      referenceWikidataId: survivor.referenceWikidataId ?? merged.referenceWikidataId,
      voteShare:
        Math.max(survivor.voteShare ?? -1, merged.voteShare ?? -1) >= 0 ? Math.max(survivor.voteShare ?? 0, merged.voteShare ?? 0) : null,
    };
    if (fields.foundedYear && fields.dissolvedYear && fields.dissolvedYear < fields.foundedYear) {
      throw new AppError("VALIDATION_FAILED", "The chosen dissolution year is before the chosen founding year.", {
        fields: [{ path: "choose.dissolvedYear", message: "Before the founding year." }],
      });
    }
    // The reference ids the survivor does not keep stay on record, so that a reload of the
    // reference data knows the party it would otherwise bring back.
    const droppedPartyfacts = [survivor.partyfactsId, merged.partyfactsId].find((v) => v !== null && v !== fields.partyfactsId) ?? null;
    const droppedWikidata = [survivor.wikidataId, merged.wikidataId].find((v) => v !== null && v !== fields.wikidataId) ?? null;
    await trx.updateTable("organisations").set({ wikidataId: null, partyfactsId: null }).where("id", "=", mergedId).execute();

    // Names: united, the chosen record's official names first.
    const namesFirst = choose.names === "merged";
    const [primary, secondary] = namesFirst
      ? [await namesOf(trx, mergedId), await namesOf(trx, survivorId)]
      : [await namesOf(trx, survivorId), await namesOf(trx, mergedId)];
    const names = unitedNames(primary, secondary);
    await trx.deleteFrom("organisationNames").where("organisationId", "in", [survivorId, mergedId]).execute();
    // Rows written straight into the table may have no names: the survivor then keeps its own display names.
    if (names.length > 0) {
      await trx
        .insertInto("organisationNames")
        .values(names.map((n, position) => ({ organisationId: survivorId, ...n, position })))
        .execute();
    }
    await trx
      .updateTable("organisations")
      .set({ ...fields, ...(names.length > 0 ? displayColumns(names) : {}), updatedAt: new Date() })
      .where("id", "=", survivorId)
      .execute();

    // Our relationship: the chosen one (by default the survivor's, or the merged record's if it alone has one).
    const relationshipSide = choose.relationship ?? (before.survivor.relationship ? "survivor" : "merged");
    if (relationshipSide === "merged" && before.merged.relationship) {
      await trx.deleteFrom("relationships").where("organisationId", "=", survivorId).execute();
    } else await trx.deleteFrom("relationships").where("organisationId", "=", mergedId).execute();

    await foldStatuses(trx, survivorId, mergedId);
    // Relations between the two vanish; a relation both have is kept once.
    await trx
      .deleteFrom("partnerRelations")
      .where((eb) =>
        eb.or([
          eb.and([eb("fromOrganisationId", "=", mergedId), eb("toOrganisationId", "=", survivorId)]),
          eb.and([eb("fromOrganisationId", "=", survivorId), eb("toOrganisationId", "=", mergedId)]),
        ]),
      )
      .execute();
    await sql`DELETE FROM partner_relations m WHERE m.from_organisation_id = ${mergedId} AND EXISTS (SELECT 1 FROM partner_relations s
      WHERE s.from_organisation_id = ${survivorId} AND s.to_organisation_id = m.to_organisation_id AND s.kind = m.kind)`.execute(trx);
    await sql`DELETE FROM partner_relations m WHERE m.to_organisation_id = ${mergedId} AND EXISTS (SELECT 1 FROM partner_relations s
      WHERE s.to_organisation_id = ${survivorId} AND s.from_organisation_id = m.from_organisation_id AND s.kind = m.kind)`.execute(trx);
    // The same partner twice in one engagement (as the organisation itself, or with the same person) is once.
    await sql`DELETE FROM engagement_participants m WHERE m.organisation_id = ${mergedId} AND EXISTS (SELECT 1 FROM engagement_participants s
      WHERE s.organisation_id = ${survivorId} AND s.engagement_id = m.engagement_id AND s.person_id IS NOT DISTINCT FROM m.person_id)`.execute(
      trx,
    );
    await sql`DELETE FROM positions m WHERE m.organisation_id = ${mergedId} AND EXISTS (SELECT 1 FROM positions s
      WHERE s.organisation_id = ${survivorId} AND s.person_id = m.person_id AND s.title_en = m.title_en
        AND s.start_date IS NOT DISTINCT FROM m.start_date AND s.end_date IS NOT DISTINCT FROM m.end_date)`.execute(trx);
    // Both members of one mechanism over overlapping dates: one membership, spanning both.
    await sql`UPDATE mechanism_members s SET joined_on = LEAST(s.joined_on, m.joined_on),
        left_on = CASE WHEN s.left_on IS NULL OR m.left_on IS NULL THEN NULL ELSE GREATEST(s.left_on, m.left_on) END
      FROM mechanism_members m WHERE s.organisation_id = ${survivorId} AND m.organisation_id = ${mergedId}
        AND s.mechanism_id = m.mechanism_id AND daterange(s.joined_on, s.left_on, '[]') && daterange(m.joined_on, m.left_on, '[]')`.execute(
      trx,
    );
    await sql`DELETE FROM mechanism_members m WHERE m.organisation_id = ${mergedId} AND EXISTS (SELECT 1 FROM mechanism_members s
      WHERE s.organisation_id = ${survivorId} AND s.mechanism_id = m.mechanism_id
        AND daterange(s.joined_on, s.left_on, '[]') && daterange(m.joined_on, m.left_on, '[]'))`.execute(trx);
    // The merged record's suggestion goes; the survivor's is made anew below.
    await trx.deleteFrom("nameSuggestions").where("organisationId", "=", mergedId).execute();

    const moved = await moveReferences(trx, "organisations", mergedId, survivorId, ["organisation_names.organisation_id"]);
    await trx
      .insertInto("organisationMerges")
      .values({
        mergedId,
        survivorId,
        mergedNameEn: merged.nameEn,
        mergedNameZh: merged.nameZhStatus === "confirmed" ? merged.nameZh : null,
        partyfactsId: droppedPartyfacts,
        wikidataId: droppedWikidata,
        mergedBy: actor.userId,
      })
      .execute();
    await trx.deleteFrom("organisations").where("id", "=", mergedId).execute();
    await rollups.apply();
    await refreshSuggestions(trx, { organisationIds: [survivorId] });
    const after = await loadOrganisation(trx, survivorId);
    const result = { survivorId, mergedId, moved };
    return {
      result,
      audit: mergeAudit("organisation", result, before, { organisation: after }, after.name),
    };
  });
}

/**
 * A merge's two audit rows: on the survivor, what it became and what moved; on the merged
 * record, where it went — so that each record's history tells the merge.
 */
function mergeAudit(
  kind: "organisation" | "person",
  result: { survivorId: number; mergedId: number },
  before: { merged: unknown },
  after: Record<string, unknown>,
  name: unknown,
): AuditEntry[] {
  const { survivorId, mergedId } = result;
  return [
    { entity: kind, entityId: survivorId, action: "merge", before, after: { ...result, ...after } },
    {
      entity: kind,
      entityId: mergedId,
      action: "merged_into",
      before: before.merged,
      after: { survivorId, name },
      subject: { kind, id: mergedId },
    },
  ];
}

type PartyStatus = "in_government" | "opposition" | "banned" | "dissolved";
const exclusive: Record<PartyStatus, PartyStatus[]> = {
  in_government: ["in_government", "opposition"],
  opposition: ["in_government", "opposition"],
  banned: ["banned"],
  dissolved: ["dissolved"],
};

/**
 * Moves the merged record's statuses to the survivor: one the survivor records already
 * (the same status over overlapping dates) is folded into it; a contradiction (in government
 * and in opposition at once) stops the merge, naming both, for a person to settle first.
 */
async function foldStatuses(trx: Trx, survivorId: number, mergedId: number): Promise<void> {
  const theirs = await trx.selectFrom("organisationStatuses").selectAll().where("organisationId", "=", mergedId).execute();
  for (const status of theirs) {
    const clashes = await trx
      .selectFrom("organisationStatuses")
      .selectAll()
      .where("organisationId", "=", survivorId)
      .where("status", "in", exclusive[status.status as PartyStatus] ?? [status.status])
      .where(sql<boolean>`daterange(valid_from, valid_to, '[]') && daterange(${status.validFrom}::date, ${status.validTo}::date, '[]')`)
      .execute();
    if (clashes.length === 0) continue;
    const contradiction = clashes.find((c) => c.status !== status.status);
    if (contradiction) {
      throw new AppError(
        "CONFLICT",
        `The two records contradict each other: ${status.status} from ${status.validFrom} and ${contradiction.status} from ${contradiction.validFrom}. Correct one of them, then merge.`,
        { statusIds: [status.id, contradiction.id] },
      );
    }
    // The same status over overlapping dates: one, spanning both.
    const same = clashes[0] as (typeof clashes)[number];
    const from = same.validFrom < status.validFrom ? same.validFrom : status.validFrom;
    const to = same.validTo === null || status.validTo === null ? null : same.validTo > status.validTo ? same.validTo : status.validTo;
    await trx
      .updateTable("organisationStatuses")
      .set({ validFrom: from, validTo: to, note: same.note ?? status.note })
      .where("id", "=", same.id)
      .execute();
    await trx.deleteFrom("organisationStatuses").where("id", "=", status.id).execute();
  }
}

/**
 * Merges two people: fields as chosen, aliases united (the other record's names become
 * aliases), and their positions, engagements, contact details (each unit's, as they were)
 * and notes moved to the survivor; the merged id then points to the survivor. Audited on
 * both records' histories. Coordinators and administrators.
 */
export async function mergePeople(actor: Actor, input: unknown): Promise<MergeResult> {
  authorize(actor, "registry.merge");
  const { survivorId, mergedId, choose } = parseInput(personMergeInput, input);
  return mutate(actor, async (trx) => {
    const locked = await trx.selectFrom("people").selectAll().where("id", "in", [survivorId, mergedId]).orderBy("id").forUpdate().execute();
    const { survivor, merged } = await lockPair(locked, survivorId, mergedId, "person");
    const before = { survivor: await loadPerson(trx, survivorId), merged: await loadPerson(trx, mergedId) };
    const rollups = await captureRollups(trx, await engagementsOf(trx, "personId", [survivorId, mergedId]));
    const pick = chooser(choose, survivor, merged);
    const kept = {
      familyNameEn: pick("familyNameEn"),
      givenNameEn: pick("givenNameEn"),
      nameEn: pick("nameEn", (v) => !v),
      nameZh: pick("nameZh"),
      nameNative: pick("nameNative"),
    };
    // Every name either record had stays findable: those not kept become aliases.
    const others = [survivor, merged].flatMap((p) => [p.nameEn, p.nameZh, p.nameNative, ...p.aliases]);
    const names = composeNames({
      ...kept,
      aliases: others.filter((n): n is string => Boolean(n) && n !== kept.nameEn && n !== kept.nameZh && n !== kept.nameNative),
    });
    await trx
      .updateTable("people")
      .set({
        ...nameColumns(names),
        nativeLang: pick("nativeLang"),
        gender: pick("gender", (v) => v === "unknown"),
        birthYear: pick("birthYear"),
        countryCode: pick("countryCode"),
        biography: pick("biography", (v) => !v),
        updatedAt: new Date(),
      })
      .where("id", "=", survivorId)
      .execute();
    await sql`DELETE FROM engagement_participants m WHERE m.person_id = ${mergedId} AND EXISTS (SELECT 1 FROM engagement_participants s
      WHERE s.person_id = ${survivorId} AND s.engagement_id = m.engagement_id)`.execute(trx);
    await sql`DELETE FROM positions m WHERE m.person_id = ${mergedId} AND EXISTS (SELECT 1 FROM positions s
      WHERE s.person_id = ${survivorId} AND s.organisation_id = m.organisation_id AND s.title_en = m.title_en
        AND s.start_date IS NOT DISTINCT FROM m.start_date AND s.end_date IS NOT DISTINCT FROM m.end_date)`.execute(trx);
    await sql`DELETE FROM person_contacts m WHERE m.person_id = ${mergedId} AND EXISTS (SELECT 1 FROM person_contacts s
      WHERE s.person_id = ${survivorId} AND s.unit_id = m.unit_id AND s.kind = m.kind AND lower(s.value) = lower(m.value))`.execute(trx);
    const moved = await moveReferences(trx, "people", mergedId, survivorId);
    await trx
      .insertInto("personMerges")
      .values({ mergedId, survivorId, mergedNameEn: merged.nameEn, mergedNameZh: merged.nameZh, mergedBy: actor.userId })
      .execute();
    await trx.deleteFrom("people").where("id", "=", mergedId).execute();
    await rollups.apply();
    const after = await loadPerson(trx, survivorId);
    const result = { survivorId, mergedId, moved };
    return {
      result,
      audit: mergeAudit("person", result, before, { person: after }, after.name),
    };
  });
}
