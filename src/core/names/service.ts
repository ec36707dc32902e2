import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { bundledDataDir } from "../../paths.ts";
import { authorize } from "../access/policy.ts";
import { matchKeys } from "../merge/keys.ts";
import { buildSearchText } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { csvLine } from "../shared/csv.ts";
import { today } from "../shared/dates.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { id as idSchema, type Page, parseInput } from "../shared/schema.ts";
import { cleanText } from "../shared/text.ts";
import {
  type NameDecisionInput,
  type NameSettings,
  type NameSuggestionItem,
  nameDecisionInput,
  nameSettingsInput,
  nameSuggestionQuery,
  type SuggestionRefresh,
} from "./schema.ts";
import { countryContext, type NameSuggestion, suggestFromNames } from "./suggest.ts";

const partyFactsDir = path.join(bundledDataDir, "partyfacts");
let wikidataNames: Map<number, string> | undefined;

/** The English name Wikidata gives a Party Facts party: its current name, where Party Facts lists several. */
function wikidataNameOf(partyfactsId: number | null): string | null {
  if (!partyfactsId) return null;
  if (!wikidataNames) {
    const rows = parse(fs.readFileSync(path.join(partyFactsDir, "wikidata.csv"), "utf8"), {
      columns: true,
      skip_empty_lines: true,
    }) as Array<Record<string, string>>;
    wikidataNames = new Map(rows.filter((r) => r.name).map((r) => [Number(r.partyfacts_id), (r.name as string).trim()]));
  }
  return wikidataNames.get(partyfactsId) ?? null;
}

/** Whether suggested Chinese names are shown where no confirmed one exists (an administrator's setting). */
export async function showsSuggested(executor: Executor = db()): Promise<boolean> {
  const row = await executor.selectFrom("settings").select("value").where("key", "=", "names.showSuggested").executeTakeFirst();
  return row ? row.value === true : true;
}

interface Subject {
  id: number;
  kind: string;
  partyfactsId: number | null;
  countryCode: string | null;
  countryEn: string | null;
  countryZh: string | null;
  countryOfficialEn: string | null;
  english: string[];
}

/** What a suggestion is made from, as a short fingerprint: a review of an older one is refused. */
function basisOf(subject: Subject): string {
  return createHash("sha256")
    .update(JSON.stringify([subject.english, subject.countryCode, subject.kind]))
    .digest("hex")
    .slice(0, 16);
}

function suggestionFor(subject: Subject): NameSuggestion | null {
  const country =
    subject.countryCode && subject.countryEn && subject.countryZh
      ? countryContext({
          code: subject.countryCode,
          nameEn: subject.countryEn,
          nameZh: subject.countryZh,
          officialNameEn: subject.countryOfficialEn,
        })
      : null;
  const wikidata = wikidataNameOf(subject.partyfactsId);
  return suggestFromNames({
    englishNames: [...(wikidata ? [wikidata] : []), ...subject.english],
    country,
    kind: subject.kind,
    partyfactsId: subject.partyfactsId,
  });
}

/** The organisations without a confirmed Chinese name (all, or these), with what the engine needs. */
async function subjectsWithoutChinese(executor: Executor, scope: { organisationIds?: number[]; country?: string }): Promise<Subject[]> {
  let q = executor
    .selectFrom("organisations as o")
    .leftJoin("countries as c", "c.code", "o.countryCode")
    .select([
      "o.id",
      "o.kind",
      "o.partyfactsId",
      "o.countryCode",
      "c.nameEn as countryEn",
      "c.nameZh as countryZh",
      "c.officialNameEn as countryOfficialEn",
      sql<string[]>`coalesce((SELECT array_agg(n.value ORDER BY n.kind <> 'official', n.position, n.id) FROM organisation_names n
        WHERE n.organisation_id = o.id AND n.lang = 'en' AND n.kind IN ('official', 'short', 'alias', 'former')), ARRAY[o.name_en])`.as(
        "english",
      ),
    ])
    .where((eb) => eb.or([eb("o.nameZhStatus", "is", null), eb("o.nameZhStatus", "<>", "confirmed")]));
  // One array, not a parameter per record: an import's batch names a thousand.
  if (scope.organisationIds) q = q.where(sql<boolean>`o.id = ANY(${scope.organisationIds}::int[])`);
  if (scope.country) q = q.where("o.countryCode", "=", scope.country);
  return q.orderBy("o.id").execute();
}

/**
 * Makes (or remakes) the suggestions for organisations without a confirmed Chinese name: a
 * new suggestion where there was none or what it was made from changed; a rejected one
 * stays rejected while its basis is the same. Then shows them, if the setting says so.
 */
export async function refreshSuggestions(
  executor: Executor,
  scope: { organisationIds?: number[]; country?: string } = {},
): Promise<{ considered: number; made: number }> {
  // A Chinese name given since makes a pending suggestion moot.
  await executor
    .deleteFrom("nameSuggestions")
    .where("status", "=", "pending")
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("organisations as o")
          .select("o.id")
          .whereRef("o.id", "=", "nameSuggestions.organisationId")
          .where("o.nameZhStatus", "=", "confirmed"),
      ),
    )
    .$if(Boolean(scope.organisationIds), (q) => q.where(sql<boolean>`organisation_id = ANY(${scope.organisationIds ?? []}::int[])`))
    .execute();
  const subjects = await subjectsWithoutChinese(executor, scope);
  const existing = new Map(
    (
      await executor
        .selectFrom("nameSuggestions")
        .select(["organisationId", "basis", "status"])
        .where(sql<boolean>`organisation_id = ANY(${subjects.map((s) => s.id)}::int[])`)
        .execute()
    ).map((r) => [r.organisationId, r]),
  );
  const rows = [];
  for (const subject of subjects) {
    const basis = basisOf(subject);
    const had = existing.get(subject.id);
    if (had && had.basis === basis && had.status !== "accepted") continue;
    const suggestion = suggestionFor(subject);
    if (!suggestion) continue;
    rows.push({
      organisationId: subject.id,
      zh: suggestion.zh,
      short: suggestion.short ?? null,
      confidence: suggestion.confidence,
      method: suggestion.method,
      transliterated: suggestion.transliterated,
      steps: JSON.stringify(suggestion.steps),
      basis,
      status: "pending" as const,
    });
  }
  for (let i = 0; i < rows.length; i += 500) {
    await executor
      .insertInto("nameSuggestions")
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.column("organisationId").doUpdateSet((eb) => ({
          zh: eb.ref("excluded.zh"),
          short: eb.ref("excluded.short"),
          confidence: eb.ref("excluded.confidence"),
          method: eb.ref("excluded.method"),
          transliterated: eb.ref("excluded.transliterated"),
          steps: eb.ref("excluded.steps"),
          basis: eb.ref("excluded.basis"),
          status: "pending",
          decidedBy: null,
          decidedAt: null,
          createdAt: sql`now()`,
        })),
      )
      .execute();
  }
  await showSuggestions(
    executor,
    subjects.map((s) => s.id),
  );
  return { considered: subjects.length, made: rows.length };
}

/**
 * Shows the pending suggestions as the Chinese names of organisations that have no confirmed
 * one (marked `suggested`, and searchable), or takes them away when the setting is off.
 */
export async function showSuggestions(executor: Executor, organisationIds: number[] | null): Promise<void> {
  const show = await showsSuggested(executor);
  const ids = organisationIds ?? null;
  if (ids && ids.length === 0) return;
  const rows = await executor
    .selectFrom("organisations as o")
    .leftJoin("nameSuggestions as s", (join) => join.onRef("s.organisationId", "=", "o.id").on("s.status", "=", "pending"))
    .select([
      "o.id",
      "o.nameZhStatus",
      "s.zh",
      "s.short",
      sql<string[]>`coalesce((SELECT array_agg(n.value) FROM organisation_names n WHERE n.organisation_id = o.id), ARRAY[]::text[])`.as(
        "names",
      ),
    ])
    .where((eb) => eb.or([eb("o.nameZhStatus", "is", null), eb("o.nameZhStatus", "=", "suggested")]))
    .$if(ids !== null, (q) => q.where("o.id", "in", ids as number[]))
    .execute();
  const updates = rows.map((r) => {
    const shown = show && r.zh ? r.zh : null;
    return {
      id: r.id,
      nameZh: shown,
      status: shown ? "suggested" : null,
      searchText: buildSearchText([...r.names, ...(shown ? [shown, r.short] : [])]),
    };
  });
  for (let i = 0; i < updates.length; i += 500) {
    const chunk = updates.slice(i, i + 500);
    await sql`UPDATE organisations o SET name_zh = v.name_zh, name_zh_status = v.status, search_text = v.search_text
      FROM (VALUES ${sql.join(chunk.map((u) => sql`(${u.id}::int, ${u.nameZh}::text, ${u.status}::text, ${u.searchText}::text)`))})
        AS v(id, name_zh, status, search_text)
      WHERE o.id = v.id`.execute(executor);
  }
}

const levelOrder = sql`CASE r.level WHEN 'strategic' THEN 0 WHEN 'established' THEN 1 WHEN 'regular' THEN 2 WHEN 'contact' THEN 3 ELSE 4 END`;

/**
 * The review queue: pending suggestions, the partners the office works with first (closest
 * relationship, then most engaged), then those in government, then by confidence.
 */
export async function listSuggestions(actor: Actor, input: unknown = {}): Promise<Page<NameSuggestionItem>> {
  authorize(actor, "registry.read");
  const q = parseInput(nameSuggestionQuery, input);
  const day = today();
  const inGovernment = sql<boolean>`EXISTS (SELECT 1 FROM organisation_statuses st WHERE st.organisation_id = o.id
    AND st.status = 'in_government' AND st.valid_from <= ${day}::date AND (st.valid_to IS NULL OR st.valid_to >= ${day}::date))`;
  let rows = db()
    .selectFrom("nameSuggestions as s")
    .innerJoin("organisations as o", "o.id", "s.organisationId")
    .leftJoin("countries as c", "c.code", "o.countryCode")
    .leftJoin("relationships as r", "r.organisationId", "o.id")
    .where("s.status", "=", q.status);
  if (q.country) rows = rows.where("o.countryCode", "=", q.country);
  if (q.region) {
    rows = rows.where(
      sql<boolean>`o.country_code IN (SELECT code FROM countries WHERE region_code = ${q.region} OR subregion_code = ${q.region})`,
    );
  }
  if (q.level) rows = rows.where("r.level", "=", q.level);
  if (q.inGovernment === "true") rows = rows.where(inGovernment);
  if (q.minConfidence !== undefined) rows = rows.where("s.confidence", ">=", q.minConfidence);
  if (q.maxConfidence !== undefined) rows = rows.where("s.confidence", "<=", q.maxConfidence);
  if (q.method) rows = rows.where("s.method", "=", q.method);
  const engaged = sql<number>`(SELECT count(*) FROM engagement_participants p WHERE p.organisation_id = o.id)::int`;
  const page = await rows
    .select([
      "o.id",
      "o.nameEn",
      "o.abbreviation",
      "o.kind",
      "o.countryCode",
      "c.nameEn as countryEn",
      "c.nameZh as countryZh",
      "r.level",
      "s.zh",
      "s.short",
      "s.confidence",
      "s.method",
      "s.transliterated",
      "s.steps",
      "s.basis",
      "s.status",
      inGovernment.as("inGovernment"),
      engaged.as("engagements"),
      sql<number>`count(*) OVER ()`.as("total"),
    ])
    .orderBy(levelOrder)
    .orderBy(sql`${engaged} DESC`)
    .orderBy(sql`${inGovernment} DESC`)
    .orderBy("s.confidence", "desc")
    .orderBy("o.id")
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    items: page.map((r) => ({
      organisation: {
        id: r.id,
        name: { en: r.nameEn, zh: null },
        abbreviation: r.abbreviation,
        kind: r.kind,
        country: r.countryCode && r.countryEn && r.countryZh ? { code: r.countryCode, name: { en: r.countryEn, zh: r.countryZh } } : null,
      },
      relationshipLevel: r.level,
      inGovernment: r.inGovernment,
      engagements: r.engagements,
      suggestion: {
        zh: r.zh,
        short: r.short,
        confidence: r.confidence,
        method: r.method,
        transliterated: r.transliterated,
        steps: r.steps as unknown as NameSuggestionItem["suggestion"]["steps"],
      },
      basis: r.basis,
      status: r.status,
    })),
    total: page[0]?.total ?? 0,
    totalExact: true,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** One organisation's pending suggestion, or null. */
export async function suggestionOf(executor: Executor, organisationId: number) {
  return executor.selectFrom("nameSuggestions").selectAll().where("organisationId", "=", organisationId).executeTakeFirst();
}

/** Adds a reviewed Chinese name (and its short form) to an organisation and shows it. */
async function addReviewedNames(trx: Trx, organisationId: number, zh: string, short: string | null): Promise<void> {
  const position = await trx
    .selectFrom("organisationNames")
    .select(sql<number>`coalesce(max(position), -1)::int`.as("p"))
    .where("organisationId", "=", organisationId)
    .executeTakeFirstOrThrow();
  const names = [{ kind: "official" as const, value: zh }, ...(short ? [{ kind: "short" as const, value: short }] : [])];
  for (const [index, name] of names.entries()) {
    const exists = await trx
      .selectFrom("organisationNames")
      .select("id")
      .where("organisationId", "=", organisationId)
      .where("lang", "=", "zh")
      .where("value", "=", name.value)
      .executeTakeFirst();
    if (exists) await trx.updateTable("organisationNames").set({ source: "reviewed" }).where("id", "=", exists.id).execute();
    else {
      await trx
        .insertInto("organisationNames")
        .values({
          organisationId,
          kind: name.kind,
          lang: "zh",
          script: "Hans",
          value: name.value,
          position: position.p + 1 + index,
          source: "reviewed",
        })
        .execute();
    }
  }
  const all = await trx.selectFrom("organisationNames").select(["kind", "value"]).where("organisationId", "=", organisationId).execute();
  await trx
    .updateTable("organisations")
    .set({
      nameZh: zh,
      nameZhStatus: "confirmed",
      searchText: buildSearchText(all.map((n) => n.value)),
      matchKeys: matchKeys(all),
      updatedAt: new Date(),
    })
    .where("id", "=", organisationId)
    .execute();
}

/**
 * Accepts an organisation's suggestion as it is, or edited (`zh`, `short`): the name becomes
 * an ordinary reviewed Chinese name, found by search at once and shown everywhere. `basis`
 * (from the queue or the export) must match: a suggestion made from names since changed is
 * refused (CONFLICT), since the reviewer judged something else.
 */
export async function acceptSuggestion(
  actor: Actor,
  organisationId: number,
  input: unknown = {},
): Promise<{ zh: string; short: string | null }> {
  authorize(actor, "registry.write");
  const id = parseInput(idSchema, organisationId);
  const data = parseInput(nameDecisionInput, input);
  return mutate(actor, (trx) => decide(trx, actor, id, data, "accept"));
}

/** Rejects an organisation's suggestion: it is not shown, and not made again until the organisation's names change. */
export async function rejectSuggestion(actor: Actor, organisationId: number, input: unknown = {}): Promise<void> {
  authorize(actor, "registry.write");
  const id = parseInput(idSchema, organisationId);
  const data = parseInput(nameDecisionInput, input);
  await mutate(actor, (trx) => decide(trx, actor, id, data, "reject"));
}

async function decide(trx: Trx, actor: Actor, id: number, data: NameDecisionInput, decision: "accept" | "reject") {
  const suggestion = await trx.selectFrom("nameSuggestions").selectAll().where("organisationId", "=", id).forUpdate().executeTakeFirst();
  if (!suggestion) throw notFound("name suggestion", id);
  if (data.basis && data.basis !== suggestion.basis) {
    throw new AppError("CONFLICT", "The organisation's names changed since this suggestion was reviewed: look at it again.", {
      organisationId: id,
    });
  }
  if (suggestion.status !== "pending" && decision === "reject")
    throw new AppError("CONFLICT", `This suggestion is ${suggestion.status} already.`);
  const zh = cleanText(data.zh) ?? suggestion.zh;
  const short = data.short === undefined ? suggestion.short : cleanText(data.short);
  if (!/\p{Script=Han}/u.test(zh)) throw invalidField("zh", "A Chinese name has Chinese characters.");
  await trx
    .updateTable("nameSuggestions")
    .set({ status: decision === "accept" ? "accepted" : "rejected", decidedBy: actor.userId, decidedAt: new Date() })
    .where("organisationId", "=", id)
    .execute();
  if (decision === "accept") await addReviewedNames(trx, id, zh, short);
  else await showSuggestions(trx, [id]);
  const edited = zh !== suggestion.zh || short !== suggestion.short;
  return {
    result: { zh, short },
    audit: {
      entity: "name_suggestion",
      entityId: id,
      action: decision === "accept" ? (edited ? "accept_edited" : "accept") : "reject",
      before: { zh: suggestion.zh, short: suggestion.short, confidence: suggestion.confidence, method: suggestion.method },
      after: { zh, short },
      subject: { kind: "organisation" as const, id },
    },
  };
}

/** Makes suggestions anew for organisations without a confirmed Chinese name (administrators), optionally accepting those above a confidence. */
export async function suggestNames(
  actor: Actor,
  input: { country?: string | undefined; applyAbove?: number | undefined } = {},
): Promise<SuggestionRefresh> {
  authorize(actor, "reference.import");
  return mutate(actor, async (trx) => {
    const refreshed = await refreshSuggestions(trx, input.country ? { country: input.country } : {});
    let applied = 0;
    if (input.applyAbove !== undefined) {
      const above = await trx
        .selectFrom("nameSuggestions as s")
        .innerJoin("organisations as o", "o.id", "s.organisationId")
        .select(["s.organisationId", "s.zh", "s.short"])
        .where("s.status", "=", "pending")
        .where("s.confidence", ">=", input.applyAbove)
        .where("s.transliterated", "=", false)
        .$if(Boolean(input.country), (q) => q.where("o.countryCode", "=", input.country as string))
        .execute();
      for (const s of above) {
        await trx
          .updateTable("nameSuggestions")
          .set({ status: "accepted", decidedBy: actor.userId, decidedAt: new Date() })
          .where("organisationId", "=", s.organisationId)
          .execute();
        await addReviewedNames(trx, s.organisationId, s.zh, s.short);
      }
      applied = above.length;
    }
    const result = { ...refreshed, applied };
    return { result, audit: { entity: "name_suggestion", entityId: null, action: "refresh", after: { ...input, ...result } } };
  });
}

const exportHeader = [
  "organisation_id",
  "basis",
  "name_en",
  "country",
  "suggested_zh",
  "suggested_short",
  "confidence",
  "method",
  "reviewed_zh",
  "reviewed_short",
  "decision",
];

/**
 * The review queue as CSV (UTF-8 with a byte-order mark, for Excel and WPS): fill in
 * `reviewed_zh`/`reviewed_short` and `decision` (accept or reject), and import it back.
 */
export async function exportSuggestionsCsv(actor: Actor, input: unknown = {}): Promise<string> {
  const lines = [`\uFEFF${csvLine(exportHeader)}`];
  for (let page = 1; ; page++) {
    const batch = await listSuggestions(actor, { ...(typeof input === "object" && input ? input : {}), page, pageSize: 200 });
    for (const item of batch.items) {
      lines.push(
        csvLine([
          item.organisation.id,
          item.basis,
          item.organisation.name.en,
          item.organisation.country?.code ?? "",
          item.suggestion.zh,
          item.suggestion.short,
          item.suggestion.confidence,
          item.suggestion.method,
          "",
          "",
          "",
        ]),
      );
    }
    if (batch.items.length < 200) break;
  }
  return lines.join("");
}

/**
 * Reads reviewed names back from the queue's CSV. Idempotent (a row already decided the
 * same way changes nothing); a row whose organisation changed since the export, or that is
 * not understood, is reported on its line and the rest still imports.
 */
export async function importReviewedNames(
  actor: Actor,
  text: string,
): Promise<{ accepted: number; rejected: number; unchanged: number; problems: Array<{ line: number; message: string }> }> {
  authorize(actor, "registry.write");
  const rows = parse(text.replace(/^\uFEFF/, ""), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Array<
    Record<string, string>
  >;
  const outcome = { accepted: 0, rejected: 0, unchanged: 0, problems: [] as Array<{ line: number; message: string }> };
  for (const [index, row] of rows.entries()) {
    const line = index + 2;
    const decision = (row.decision ?? "").trim().toLowerCase();
    if (!decision) continue;
    const organisationId = Number(row.organisation_id);
    if (!Number.isInteger(organisationId) || organisationId <= 0) {
      outcome.problems.push({ line, message: "organisation_id is not an id." });
      continue;
    }
    try {
      const current = await suggestionOf(db(), organisationId);
      if (!current) throw notFound("name suggestion", organisationId);
      const zh = cleanText(row.reviewed_zh) ?? current.zh;
      if (current.status !== "pending") {
        const same = decision === "accept" ? current.status === "accepted" : current.status === "rejected";
        if (same) {
          outcome.unchanged++;
          continue;
        }
      }
      const body = {
        basis: row.basis,
        zh,
        ...(row.reviewed_short !== undefined && row.reviewed_short !== "" ? { short: row.reviewed_short } : {}),
      };
      if (decision === "accept" || decision === "采纳") {
        await acceptSuggestion(actor, organisationId, body);
        outcome.accepted++;
      } else if (decision === "reject" || decision === "不采纳") {
        await rejectSuggestion(actor, organisationId, { basis: row.basis });
        outcome.rejected++;
      } else outcome.problems.push({ line, message: `decision is accept or reject, not "${row.decision}".` });
    } catch (error) {
      outcome.problems.push({ line, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcome;
}

/** The names settings (everyone reads them: the web app marks suggested names). */
export async function getNameSettings(actor: Actor): Promise<NameSettings> {
  authorize(actor, "registry.read");
  return { showSuggested: await showsSuggested() };
}

/** Shows or hides suggested Chinese names where no confirmed one exists (administrators). */
export async function setNameSettings(actor: Actor, input: unknown): Promise<NameSettings> {
  authorize(actor, "reference.import");
  const data = parseInput(nameSettingsInput, input);
  return mutate(actor, async (trx) => {
    const before = await showsSuggested(trx);
    await trx
      .insertInto("settings")
      .values({ key: "names.showSuggested", value: JSON.stringify(data.showSuggested) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(data.showSuggested), updatedAt: new Date() }))
      .execute();
    await showSuggestions(trx, null);
    return {
      result: { showSuggested: data.showSuggested },
      audit: { entity: "setting", entityId: "names.showSuggested", action: "update", before: { showSuggested: before }, after: data },
    };
  });
}
