import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { bundledDataDir } from "../../paths.ts";
import { authorize } from "../access/policy.ts";
import { applyPlaceSeeds, readPlaceSeeds } from "../countries/places.ts";
import { lockGroupMembers, withPartnerChange } from "../engagements/rollup.ts";
import { refreshSuggestions } from "../names/service.ts";
import { displayColumns, normaliseNames } from "../organisations/names.ts";
import type { Actor } from "../shared/actor.ts";
import { mutate, type Trx } from "../shared/mutation.ts";
import { type ParseReport, partyFactsChecksum, readPartyFacts } from "./partyfacts.ts";

interface RegionSeed {
  code: string;
  parentCode: string | null;
  level: "world" | "region" | "subregion" | "intermediate";
  nameEn: string;
  nameZh: string;
}
interface CountrySeed {
  code: string;
  iso2: string | null;
  numericCode: string | null;
  nameEn: string;
  nameZh: string;
  officialNameEn: string | null;
  regionCode: string | null;
  subregionCode: string | null;
  historical: boolean;
  validFrom: number | null;
  validTo: number | null;
  successorCode: string | null;
  note: string | null;
}

export interface ImportSummary {
  regionsAdded: number;
  countriesAdded: number;
  parties: { inFile: number; added: number; updated: number; unchanged: number };
  report: ParseReport | null;
  skippedBecauseUnchanged: boolean;
}

export type Progress = (step: string, done: number, total: number) => void;

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/** Adds the regions and countries that are missing; names already there are never overwritten. */
async function loadGeography(trx: Trx, dataDir: string) {
  const regions = readJson<RegionSeed[]>(path.join(dataDir, "geography/regions.json"));
  const countries = readJson<CountrySeed[]>(path.join(dataDir, "geography/countries.json"));
  // Parents first, so that the foreign keys hold.
  const order = ["world", "region", "subregion", "intermediate"];
  regions.sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  const regionsAdded = await trx
    .insertInto("regions")
    .values(regions)
    .onConflict((oc) => oc.column("code").doNothing())
    .returning("code")
    .execute();
  const withoutSuccessor = countries.map((c) => ({ ...c, successorCode: null }));
  const countriesAdded = await trx
    .insertInto("countries")
    .values(withoutSuccessor)
    .onConflict((oc) => oc.column("code").doNothing())
    .returning("code")
    .execute();
  const added = new Set(countriesAdded.map((c) => c.code));
  for (const c of countries) {
    if (c.successorCode && added.has(c.code)) {
      await trx.updateTable("countries").set({ successorCode: c.successorCode }).where("code", "=", c.code).execute();
    }
  }
  // Statuses, parents and the reference user's names, for the places just added.
  await applyPlaceSeeds(trx, readPlaceSeeds(dataDir), new Map(countries.map((c) => [c.code, c])), added);
  // National days fill only countries that have none, so an administrator's edit stays.
  const daysFile = path.join(dataDir, "geography/national-days.csv");
  const days = fs.existsSync(daysFile)
    ? (parse(fs.readFileSync(daysFile), { columns: true }) as Array<{ code: string; national_day: string }>)
    : [];
  if (days.length > 0) {
    await sql`UPDATE countries c SET national_day = d.day FROM unnest(${days.map((d) => d.code)}::text[], ${days.map((d) => d.national_day)}::text[])
      AS d(code, day) WHERE c.code = d.code AND c.national_day IS NULL`.execute(trx);
  }
  return { regionsAdded: regionsAdded.length, countriesAdded: countriesAdded.length };
}

/**
 * Loads the bundled reference data: UN M49 regions, countries and territories, and the
 * Party Facts registry of political parties. Idempotent: a second run changes nothing.
 * A party whose source record changed is updated; one edited in Liaison since, whose
 * source did not change, keeps the edits.
 */
export async function importReference(
  actor: Actor,
  options: { dataDir?: string; progress?: Progress; force?: boolean } = {},
): Promise<ImportSummary> {
  authorize(actor, "reference.import");
  const dataDir = options.dataDir ?? bundledDataDir;
  const partyDir = path.join(dataDir, "partyfacts");
  const checksum = partyFactsChecksum(partyDir);
  const progress = options.progress ?? (() => {});
  return mutate(actor, async (trx) => {
    // One import at a time: a second one waits, then finds nothing to do.
    await sql`SELECT pg_advisory_xact_lock(74100001)`.execute(trx);
    // The country groups' lock, shared, before any country row is written: its partners' writes
    // take it too (the regions' strings), and a country's change takes it alone before its row,
    // so the two wait in one order rather than deadlock.
    await lockGroupMembers(trx, false);
    progress("geography", 0, 1);
    const geography = await loadGeography(trx, dataDir);
    progress("geography", 1, 1);
    const previous = await trx.selectFrom("referenceImports").select("checksum").where("source", "=", "partyfacts").executeTakeFirst();
    if (previous?.checksum === checksum && !options.force) {
      const summary: ImportSummary = {
        ...geography,
        parties: { inFile: 0, added: 0, updated: 0, unchanged: 0 },
        report: null,
        skippedBecauseUnchanged: true,
      };
      const added = geography.regionsAdded + geography.countriesAdded;
      const audit = added > 0 ? { entity: "reference_import", entityId: "geography", action: "import", after: geography } : [];
      return { result: summary, audit };
    }
    const known = new Set((await trx.selectFrom("countries").select("code").execute()).map((c) => c.code));
    const read = readPartyFacts(partyDir, known);
    const report = read.report;
    // A party merged into another record is that record now: a reload does not bring it back.
    const merged = new Set(
      (await trx.selectFrom("organisationMerges").select("partyfactsId").where("partyfactsId", "is not", null).execute()).map(
        (m) => m.partyfactsId as number,
      ),
    );
    const parties = read.parties.filter((p) => !merged.has(p.partyfactsId));
    // Common English names and abbreviations (CPC, CCP, GOP…), bundled with their sources, are searchable aliases.
    const aliases = readAliases(dataDir);
    for (const party of parties)
      for (const alias of aliases.get(party.partyfactsId) ?? []) party.names.push({ kind: "alias", lang: "en", value: alias });
    const existing = new Map(
      (
        await trx
          .selectFrom("organisations")
          .select(["id", "partyfactsId", "source", "countryCode", "kind"])
          .where("partyfactsId", "is not", null)
          .execute()
      ).map((r) => [r.partyfactsId as number, r]),
    );
    // A Wikidata id that a user already gave another organisation stays with it.
    const takenWikidata = new Map(
      (await trx.selectFrom("organisations").select(["id", "wikidataId"]).where("wikidataId", "is not", null).execute()).map((r) => [
        r.wikidataId as string,
        r.id,
      ]),
    );
    const counts = { inFile: parties.length, added: 0, updated: 0, unchanged: 0 };
    const batchSize = 500;
    for (let start = 0; start < parties.length; start += batchSize) {
      const batch = parties.slice(start, start + batchSize);
      const inserts = [];
      for (const party of batch) {
        const names = normaliseNames(party.names);
        const source = `partyfacts:${party.hash}`;
        const current = existing.get(party.partyfactsId);
        const wikidataOwner = party.wikidataId ? takenWikidata.get(party.wikidataId) : undefined;
        const wikidataId = wikidataOwner === undefined || wikidataOwner === current?.id ? party.wikidataId : null;
        const columns = {
          kind: "political_party",
          countryCode: party.countryCode,
          foundedYear: party.foundedYear,
          dissolvedYear: party.dissolvedYear,
          description: party.description,
          family: party.family,
          wikidataId,
          referenceWikidataId: party.referenceWikidataId,
          partyfactsId: party.partyfactsId,
          parlgovId: party.parlgovId,
          voteShare: party.voteShare,
          source,
          ...displayColumns(names),
        };
        if (!current) {
          inserts.push({ columns, names });
          continue;
        }
        if (current.source === source) {
          counts.unchanged++;
          continue;
        }
        // Names the office gave the party (a reviewed Chinese name, a user's) stay; the source's are renewed.
        const kept = await trx
          .selectFrom("organisationNames")
          .select(["kind", "lang", "script", "value", "validTo", "source"])
          .where("organisationId", "=", current.id)
          .where("source", "<>", "partyfacts")
          .orderBy("position")
          .execute();
        const fromSource = names.filter((n) => !kept.some((k) => k.kind === n.kind && k.lang === n.lang && k.value === n.value));
        const all = [...fromSource.map((n) => ({ ...n, source: "partyfacts" as const })), ...kept];
        const update = () =>
          trx
            .updateTable("organisations")
            .set({ ...columns, ...displayColumns(all), updatedAt: new Date() })
            .where("id", "=", current.id)
            .execute();
        // A party the source now places in another country moves between the counts' breakdowns.
        const moved = current.countryCode !== columns.countryCode || current.kind !== columns.kind;
        await (moved ? withPartnerChange(trx, { organisationId: current.id }, update) : update());
        await trx.deleteFrom("organisationNames").where("organisationId", "=", current.id).execute();
        if (all.length > 0) {
          await trx
            .insertInto("organisationNames")
            .values(all.map((n, position) => ({ organisationId: current.id, ...n, position })))
            .execute();
        }
        counts.updated++;
      }
      if (inserts.length > 0) {
        const ids = await trx
          .insertInto("organisations")
          .values(inserts.map((i) => i.columns))
          .returning("id")
          .execute();
        const nameRows = inserts.flatMap((insert, index) =>
          insert.names.map((n, position) => ({ organisationId: ids[index]?.id as number, ...n, position, source: "partyfacts" as const })),
        );
        if (nameRows.length > 0) await trx.insertInto("organisationNames").values(nameRows).execute();
        counts.added += inserts.length;
      }
      progress("parties", Math.min(start + batchSize, parties.length), parties.length);
    }
    // Every party without a Chinese name gets a suggestion to review (shown, marked, meanwhile).
    progress("names", 0, 1);
    await refreshSuggestions(trx);
    progress("names", 1, 1);
    const summary: ImportSummary = { ...geography, parties: counts, report, skippedBecauseUnchanged: false };
    const stored = { ...counts, technicalSkipped: report.technicalSkipped, duplicateNameGroups: report.duplicateNameGroups.length };
    await trx
      .insertInto("referenceImports")
      .values({ source: "partyfacts", checksum, summary: JSON.stringify(stored) })
      .onConflict((oc) => oc.column("source").doUpdateSet({ checksum, summary: JSON.stringify(stored), importedAt: new Date() }))
      .execute();
    return {
      result: summary,
      audit: { entity: "reference_import", entityId: "partyfacts", action: "import", after: { checksum, ...stored, ...geography } },
    };
  });
}

/** The bundled aliases (data/names/aliases.csv) by Party Facts id. */
function readAliases(dataDir: string): Map<number, string[]> {
  const file = path.join(dataDir, "names", "aliases.csv");
  const aliases = new Map<number, string[]>();
  if (!fs.existsSync(file)) return aliases;
  for (const row of parse(fs.readFileSync(file, "utf8"), { columns: true, skip_empty_lines: true, trim: true }) as Array<
    Record<string, string>
  >) {
    const id = Number(row.partyfacts_id);
    if (row.alias) aliases.set(id, [...(aliases.get(id) ?? []), row.alias]);
  }
  return aliases;
}

/** Loads only the regions and countries (no parties): for installations that keep their own registry, and tests. */
export async function importGeography(actor: Actor, dataDir = bundledDataDir): Promise<{ regionsAdded: number; countriesAdded: number }> {
  authorize(actor, "reference.import");
  return mutate(actor, async (trx) => {
    const added = await loadGeography(trx, dataDir);
    return { result: added, audit: { entity: "reference_import", entityId: "geography", action: "import", after: added } };
  });
}

/** True when the Party Facts registry has been imported at least once. */
export async function referenceLoaded(): Promise<boolean> {
  const row = await db().selectFrom("referenceImports").select("source").where("source", "=", "partyfacts").executeTakeFirst();
  return row !== undefined;
}
