import { sql } from "kysely";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectToTestDatabase, openTestDatabase, testEngine } from "../../../test/support/database.ts";
import { administrator, freshUnit, insertOrganisation, unique } from "../../../test/support/factories.ts";
import { rollupSnapshot } from "../../../test/support/rollups.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { updateCountry } from "../countries/service.ts";
import { createCountryGroup } from "../country-groups/service.ts";
import { addOrganisationStatus, removeOrganisationStatus, updateOrganisation } from "../organisations/service.ts";
import { updatePerson } from "../people/service.ts";
import { createProgramme } from "../programmes/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { approveEngagement, submitEngagement } from "./approvals.ts";
import { countEngagements, splitPeriod } from "./counts.ts";
import { rebuildRollups } from "./rollup.ts";
import { createEngagement, deleteEngagement, updateEngagement } from "./service.ts";

/*
 * The fixture, by hand. Partners: A party VNM (Asia), B party CUB (Americas), C think tank
 * ZAF (Africa), D party KEN (Africa), E media KEN (Africa); P a person from BRA (Americas)
 * with no organisation. Units U1, U2; programme "Centenary" (U1).
 *  1 correspondence received, congratulatory, 2021-07-01, U1, Centenary: A
 *  2 correspondence received, congratulatory, 2021-07-02, U1, Centenary: B, D
 *  3 correspondence received, congratulatory, 2021-07-03, U1, Centenary: D
 *  4 correspondence received, letter,         2020-03-01, U2: C
 *  5 visit sent,  2019-05-10..15, U2: D, E, P
 *  6 event hosted, forum, 2021-11-01, U1: A, B, C
 *  7 visit received, 2021-09-01, U1, PLANNED: E   (not counted: not done)
 *  8 talks, video, 2022-01-10, U2: nobody
 */
/** The masks of the counts: each country's, region's or kind's organisations as bit strings per chunk. */
const maskKeys = {
  organisation_country_bits: "o.country_code",
  organisation_region_bits: "c.region_code",
  organisation_kind_bits: "o.kind",
};

/** A mask's bit strings as kept (by the triggers), and as worked out afresh from the registry. */
async function organisationBits(table: keyof typeof maskKeys) {
  const column = sql.ref(maskKeys[table]);
  const kept = await sql<{ k: string }>`SELECT ${sql.ref(maskKeys[table].slice(2))} || ':' || chunk || ':' || bits::text AS k
    FROM ${sql.table(table)} WHERE bit_count(bits) > 0 ORDER BY 1`.execute(db());
  const fresh = await sql<{ k: string }>`SELECT ${column} || ':' || (o.id / 4096) || ':'
      || bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1))::text AS k
    FROM organisations o LEFT JOIN countries c ON c.code = o.country_code
    WHERE ${column} IS NOT NULL GROUP BY ${column}, o.id / 4096 ORDER BY 1`.execute(db());
  return { kept: kept.rows.map((r) => r.k), fresh: fresh.rows.map((r) => r.k) };
}

let database: Database;
let admin: Actor;
const org: Record<string, number> = {};
let u1: number;
let u2: number;
let centenary: number;
let person: number;
const ids: number[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  org.A = await insertOrganisation("political_party", "VNM", "Party A");
  org.B = await insertOrganisation("political_party", "CUB", "Party B");
  org.C = await insertOrganisation("think_tank", "ZAF", "Think tank C");
  org.D = await insertOrganisation("political_party", "KEN", "Party D");
  org.E = await insertOrganisation("media", "KEN", "Media E");
  person = (await db().insertInto("people").values({ nameEn: "Person P", countryCode: "BRA" }).returning("id").executeTakeFirstOrThrow())
    .id;
  u1 = await freshUnit("U1");
  u2 = await freshUnit("U2");
  centenary = (await createProgramme(admin, { nameEn: "Centenary", nameZh: "百年", leadUnitId: u1 })).id;
  const p = (o: string, role = "sender") => ({ organisationId: org[o], role });
  const base = { titleEn: "x", status: "done" as const };
  const records = [
    {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      startDate: "2021-07-01",
      leadUnitId: u1,
      programmeId: centenary,
      participants: [p("A")],
    },
    {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      startDate: "2021-07-02",
      leadUnitId: u1,
      programmeId: centenary,
      participants: [p("B"), p("D")],
    },
    {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      startDate: "2021-07-03",
      leadUnitId: u1,
      programmeId: centenary,
      participants: [p("D")],
    },
    { type: "correspondence", direction: "received", subtype: "letter", startDate: "2020-03-01", leadUnitId: u2, participants: [p("C")] },
    {
      type: "visit",
      direction: "sent",
      startDate: "2019-05-10",
      endDate: "2019-05-15",
      leadUnitId: u2,
      participants: [p("D", "host"), p("E", "host"), { personId: person, role: "guest" }],
    },
    {
      type: "event",
      direction: "hosted",
      subtype: "forum",
      startDate: "2021-11-01",
      leadUnitId: u1,
      participants: [p("A", "guest"), p("B", "guest"), p("C", "speaker")],
    },
    {
      type: "visit",
      direction: "received",
      startDate: "2021-09-01",
      leadUnitId: u1,
      status: "planned" as const,
      participants: [p("E", "delegation_leader")],
    },
    { type: "talks", direction: "none", subtype: "video", startDate: "2022-01-10", leadUnitId: u2 },
  ];
  for (const r of records) ids.push((await createEngagement(admin, { ...base, ...r })).id);
});
afterAll(() => database.close());

type Row = [key: string, engagements: number, organisations: number, countries: number];

/** Runs the query both from the rollups (where they can answer) and from the record, and checks they agree. */
async function counts(query: Record<string, unknown>) {
  const fast = await countEngagements(admin, query);
  const slow = await countEngagements(admin, query, { fromRecord: true });
  expect(slow.source).toBe("record");
  const shape = (c: typeof fast) => ({
    rows: c.rows.map((r): Row => [r.key, r.engagements, r.organisations, r.countries]).sort(([a], [b]) => a.localeCompare(b)),
    total: [c.total.engagements, c.total.organisations, c.total.countries],
  });
  expect(shape(fast)).toEqual(shape(slow));
  return { ...shape(fast), source: fast.source, labels: Object.fromEntries(fast.rows.map((r) => [r.key, r.label])) };
}

describe("the counts query", () => {
  it("answers a filter on a place, a country or one partner as the grouping by it does (the person without an organisation included)", async () => {
    const period = { from: "2019-01-01", to: "2022-12-31" };
    for (const [by, filter] of [
      ["place", "place"],
      ["country", "country"],
      ["organisation", "organisationId"],
    ] as const) {
      const grouped = await countEngagements(admin, { ...period, by }, { fromRecord: true });
      expect(grouped.rows.length, by).toBeGreaterThan(2);
      for (const row of grouped.rows) {
        const filtered = await countEngagements(admin, { ...period, by: "none", [filter]: row.key }, { fromRecord: true });
        expect([by, row.key, filtered.total.engagements, filtered.total.organisations, filtered.total.countries]).toEqual([
          by,
          row.key,
          row.engagements,
          row.organisations,
          row.countries,
        ]);
      }
    }
    // Brazil is reached only by the person who came without an organisation.
    const brazil = await countEngagements(admin, { ...period, by: "none", country: "BRA" }, { fromRecord: true });
    expect(brazil.total).toMatchObject({ engagements: 1, organisations: 0, countries: 1 });
  });

  it("counts by type: engagements, distinct partners and distinct countries", async () => {
    const c = await counts({ by: "type" });
    expect(c.source).toBe("rollup");
    expect(c.rows).toEqual([
      ["correspondence:received", 4, 4, 4],
      ["event:hosted", 1, 3, 3],
      ["talks:none", 1, 0, 0],
      ["visit:sent", 1, 2, 2],
    ]);
    expect(c.total).toEqual([7, 5, 5]);
    expect(c.labels["visit:sent"]).toEqual({ en: "Visits sent", zh: "派团出访" });
  });

  it("answers the centenary question: congratulatory messages, from how many partners, in how many countries", async () => {
    const c = await counts({ by: "none", type: "correspondence", subtype: "congratulatory_message", programmeId: centenary });
    expect(c.rows).toEqual([["all", 3, 3, 3]]);
    expect(c.total).toEqual([3, 3, 3]);
  });

  it("counts an engagement in every region it reaches, and once in the total", async () => {
    const c = await counts({ by: "region" });
    expect(c.source).toBe("rollup");
    expect(c.rows).toEqual([
      ["002", 5, 3, 2],
      ["019", 3, 1, 2],
      ["142", 2, 1, 1],
    ]);
    expect(c.total).toEqual([7, 5, 5]);
    expect(c.labels["002"]).toEqual({ en: "Africa", zh: "非洲" });
  });

  it("counts by year, partner kind and unit", async () => {
    expect((await counts({ by: "year" })).rows).toEqual([
      ["2019", 1, 2, 2],
      ["2020", 1, 1, 1],
      ["2021", 4, 4, 4],
      ["2022", 1, 0, 0],
    ]);
    const months = await counts({ by: "month", from: "2021-01-01", to: "2021-12-31" });
    expect(months.source).toBe("rollup");
    // In time order; the planned visit of September is not counted (counts are of done work).
    expect(months.rows).toEqual([
      ["2021-07", 3, 3, 3],
      ["2021-11", 1, 3, 3],
    ]);
    expect(months.labels["2021-07"]).toEqual({ en: "2021-07", zh: "2021年7月" });
    expect(months.total[0]).toBe(4);
    expect((await counts({ by: "partnerKind" })).rows).toEqual([
      ["media", 1, 1, 1],
      ["political_party", 5, 3, 3],
      ["think_tank", 2, 1, 1],
    ]);
    expect((await counts({ by: "unit" })).rows).toEqual([
      [String(u1), 4, 4, 4],
      [String(u2), 3, 3, 3],
    ]);
  });

  it("filters by region, keeping only the partners in it", async () => {
    const c = await counts({ by: "type", region: "002" });
    expect(c.source).toBe("rollup");
    expect(c.rows).toEqual([
      ["correspondence:received", 3, 2, 2],
      ["event:hosted", 1, 1, 1],
      ["visit:sent", 1, 2, 1],
    ]);
    expect(c.total).toEqual([5, 3, 2]);
  });

  it("answers two breakdowns at once from the record", async () => {
    const c = await counts({ by: "region", partnerKind: "political_party" });
    expect(c.source).toBe("record");
    expect(c.rows).toEqual([
      ["002", 3, 1, 1],
      ["019", 2, 1, 1],
      ["142", 2, 1, 1],
    ]);
    expect(c.total).toEqual([5, 3, 3]);
  });

  it("takes whole years and whole months from the rollups and the days left over from the record", async () => {
    const year = await counts({ by: "type", from: "2021-01-01", to: "2021-12-31" });
    expect(year.source).toBe("rollup");
    expect(year.rows).toEqual([
      ["correspondence:received", 3, 3, 3],
      ["event:hosted", 1, 3, 3],
    ]);
    expect(year.total).toEqual([4, 4, 4]);
    // August to December from the months, 2 to 31 July from the record.
    const part = await counts({ by: "type", from: "2021-07-02", to: "2021-12-31" });
    expect(part.source).toBe("rollup");
    expect(part.rows).toEqual([
      ["correspondence:received", 2, 2, 2],
      ["event:hosted", 1, 3, 3],
    ]);
    expect(part.total).toEqual([3, 4, 4]);
    // Less than a whole month, or a breakdown kept by years only (a programme): from the record.
    const days = await counts({ by: "type", from: "2021-07-02", to: "2021-07-30" });
    expect(days.source).toBe("record");
    expect(days.total).toEqual([2, 2, 2]);
    expect((await counts({ by: "year", programmeId: centenary, from: "2021-07-01", to: "2021-09-30" })).source).toBe("record");
    // A subtype's quarter from its own months (migration 0043), and its part-year with the days from the record.
    const subtypes = await counts({ by: "subtype", from: "2021-07-01", to: "2021-12-31" });
    expect(subtypes.source).toBe("rollup");
    expect(subtypes.rows).toEqual([
      ["congratulatory_message", 3, 3, 3],
      ["forum", 1, 3, 3],
    ]);
    const messages = await counts({ by: "none", subtype: "congratulatory_message", from: "2021-07-02", to: "2021-12-31" });
    expect(messages.source).toBe("rollup");
    expect(messages.total).toEqual([2, 2, 2]);
    // A partner kind's quarter from its months (migration 0040), equal to the record's.
    const kinds = await counts({ by: "partnerKind", from: "2021-07-01", to: "2021-09-30" });
    expect(kinds.source).toBe("rollup");
    expect(kinds.rows.length).toBeGreaterThan(0);
  });

  it("splits a period into whole years, whole months and the days left over", () => {
    expect(splitPeriod("2014-03-01", "2021-06-30", true)).toEqual({
      periods: [
        [2015, 2020],
        [201403, 201412],
        [202101, 202106],
      ],
      days: [],
    });
    expect(splitPeriod("2012-11-15", undefined, true)).toEqual({
      periods: [
        [2013, 9999],
        [201212, 201212],
      ],
      days: [{ from: "2012-11-15", to: "2012-11-30" }],
    });
    // Without months, the part-years are days; by month, the whole years are read as months.
    expect(splitPeriod("2014-03-01", "2021-06-30", false)).toEqual({
      periods: [[2015, 2020]],
      days: [
        { from: "2014-03-01", to: "2014-12-31" },
        { from: "2021-01-01", to: "2021-06-30" },
      ],
    });
    expect(splitPeriod("2020-01-01", "2020-12-31", true, true)).toEqual({ periods: [[202001, 202012]], days: [] });
    // Across a new year, in a leap year's February, and less than a month.
    expect(splitPeriod("2019-11-15", "2020-02-29", true)).toEqual({
      periods: [[201912, 202002]],
      days: [{ from: "2019-11-15", to: "2019-11-30" }],
    });
    expect(splitPeriod("2019-12-31", "2020-01-30", true)).toBeNull();
    expect(splitPeriod("2021-05-01", "2021-05-31", true)).toEqual({ periods: [[202105, 202105]], days: [] });
    expect(splitPeriod(undefined, undefined, true)).toEqual({ periods: [[1000, 9999]], days: [] });
    expect(splitPeriod("2021-06-01", "2021-05-01", true)).toBeNull();
  });

  it("counts planned engagements only when asked", async () => {
    const c = await counts({ by: "type", status: "planned" });
    expect(c.rows).toEqual([["visit:received", 1, 1, 1]]);
  });

  it("groups and filters by country group and by country from the rollups", async () => {
    const group = await createCountryGroup(admin, {
      key: unique("g"),
      nameEn: "Kenya and Cuba",
      nameZh: "肯尼亚和古巴",
      countryCodes: ["KEN", "CUB"],
    });
    const groups = await counts({ by: "countryGroup" });
    expect(groups.source).toBe("rollup");
    expect(groups.rows.map((r) => r.slice(1))).toEqual([[4, 3, 2]]);
    // As a filter: the engagements that reached Kenya or Cuba, counting only partners and countries of theirs.
    const within = await counts({ by: "type", countryGroup: group.key });
    expect(within.source).toBe("rollup");
    expect(within.total).toEqual([4, 3, 2]);
    const countries = await counts({ by: "country" });
    expect(countries.source).toBe("rollup");
    // BRA: reached by person P only, who counts for the country but is not an organisation.
    expect(countries.rows).toEqual([
      ["BRA", 1, 0, 1],
      ["CUB", 2, 1, 1],
      ["KEN", 3, 2, 1],
      ["VNM", 2, 1, 1],
      ["ZAF", 2, 1, 1],
    ]);
    expect(countries.total).toEqual([7, 5, 5]);
    // With one breakdown beside it: Kenya's parties only (D, in letters 2 and 3 and visit 5).
    const parties = await counts({ by: "country", partnerKind: "political_party" });
    expect(parties.source).toBe("rollup");
    expect(parties.rows).toEqual([
      ["CUB", 2, 1, 1],
      ["KEN", 3, 1, 1],
      ["VNM", 2, 1, 1],
    ]);
    expect((await counts({ by: "country", unitId: u2, from: "2019-01-01", to: "2020-12-31" })).rows).toEqual([
      ["BRA", 1, 0, 1],
      ["KEN", 1, 2, 1],
      ["ZAF", 1, 1, 1],
    ]);
  });

  it("answers a country filter from the rollups, by type, year or a breakdown", async () => {
    const byType = await counts({ by: "type", country: "KEN" });
    expect(byType.source).toBe("rollup");
    expect(byType.rows).toEqual([
      ["correspondence:received", 2, 1, 1],
      ["visit:sent", 1, 2, 1],
    ]);
    expect(byType.total).toEqual([3, 2, 1]);
    expect((await counts({ by: "year", country: "KEN" })).rows).toEqual([
      ["2019", 1, 2, 1],
      ["2021", 2, 1, 1],
    ]);
    const byKind = await counts({ by: "partnerKind", country: "KEN", from: "2019-01-01", to: "2019-12-31" });
    expect(byKind.source).toBe("rollup");
    expect(byKind.rows).toEqual([
      ["media", 1, 1, 1],
      ["political_party", 1, 1, 1],
    ]);
    expect((await counts({ by: "unit", country: "VNM" })).rows).toEqual([[String(u1), 2, 1, 1]]);
    // A country nobody reached.
    expect(await counts({ by: "type", country: "FRA" })).toMatchObject({ rows: [], total: [0, 0, 0] });
  });

  it("keeps the rollups exact through changes, equal to a rebuild from the record", async () => {
    const countryOrganisations = () => organisationBits("organisation_country_bits");
    const regionOrganisations = () => organisationBits("organisation_region_bits");
    const kindOrganisations = () => organisationBits("organisation_kind_bits");
    // Change dates across years, participants, status, unit and programme; delete one.
    await updateEngagement(admin, ids[1] as number, { startDate: "2020-12-30", participants: [{ organisationId: org.E, role: "sender" }] });
    // The planned visit is approved before it can be done.
    await submitEngagement(admin, ids[6] as number);
    await approveEngagement(admin, ids[6] as number);
    await updateEngagement(admin, ids[6] as number, { status: "done" });
    await updateEngagement(admin, ids[5] as number, { leadUnitId: u2, subtype: "seminar" });
    await updateEngagement(admin, ids[0] as number, { programmeId: null });
    await deleteEngagement(admin, ids[2] as number);
    // A partner that moves country or kind moves between regions and kinds.
    await updateOrganisation(admin, org.C as number, { countryCode: "BRA", kind: "civil_society" });
    await updatePerson(admin, person, { countryCode: "IND" });
    // Cuba moved to Western Asia (145, in Asia): B's engagements now reach Asia.
    await updateCountry(admin, "CUB", { subregionCode: "145" });
    // A is entered as governing from 2 July to 30 November 2021 (the forum), then corrected to
    // 1 July only (letter 1); B governs from the day of the forum.
    const governed = await addOrganisationStatus(admin, org.A as number, {
      status: "in_government",
      validFrom: "2021-07-02",
      validTo: "2021-11-30",
    });
    await addOrganisationStatus(admin, org.B as number, { status: "in_government", validFrom: "2021-11-01" });
    const statusId = governed.statuses.find((x) => x.status === "in_government")?.id as number;
    await removeOrganisationStatus(admin, org.A as number, statusId);
    await addOrganisationStatus(admin, org.A as number, { status: "in_government", validFrom: "2021-07-01", validTo: "2021-07-01" });
    const kept = await rollupSnapshot();
    await db()
      .transaction()
      .execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    // The organisation moved to Brazil: its bit left South Africa's string and joined Brazil's.
    const organisations = await countryOrganisations();
    expect(organisations.kept).toEqual(organisations.fresh);
    expect(organisations.kept.some((k) => k.startsWith("BRA:"))).toBe(true);
    // Each region's: C left Africa (002) for the Americas (019); Cuba, now in Asia (142), took its own along.
    const regions = await regionOrganisations();
    expect(regions.kept).toEqual(regions.fresh);
    expect(regions.kept.some((k) => k.startsWith("142:"))).toBe(true);
    // Inserted, moved, given no country, deleted: the strings follow each statement.
    const added = await Promise.all(["FRA", "FRA", "DEU"].map((code, i) => insertOrganisation("media", code, `Paper ${i}`)));
    await db()
      .updateTable("organisations")
      .set({ countryCode: "DEU" })
      .where("id", "=", added[0] as number)
      .execute();
    await db()
      .updateTable("organisations")
      .set({ countryCode: null })
      .where("id", "=", added[1] as number)
      .execute();
    await db()
      .updateTable("organisations")
      .set({ kind: "think_tank" })
      .where("id", "in", [added[0] as number, added[1] as number])
      .execute();
    await db()
      .deleteFrom("organisations")
      .where("id", "=", added[2] as number)
      .execute();
    const after = await countryOrganisations();
    expect(after.kept).toEqual(after.fresh);
    expect(after.kept.filter((k) => k.startsWith("FRA:"))).toEqual([]);
    const regionsAfter = await regionOrganisations();
    expect(regionsAfter.kept).toEqual(regionsAfter.fresh);
    // And each kind's: C, now civil society, left the parties' string; the papers left the media's.
    const kinds = await kindOrganisations();
    expect(kinds.kept).toEqual(kinds.fresh);
    expect(kinds.kept.some((k) => k.startsWith("civil_society:"))).toBe(true);
    // Lost (rows loaded as they were, triggers off), a rebuild works both out again from the registry.
    await sql`DELETE FROM organisation_kind_bits; UPDATE organisation_country_bits SET bits = ~bits;
      UPDATE organisation_region_bits SET bits = ~bits`.execute(db());
    await db()
      .transaction()
      .execute((trx) => rebuildRollups(trx));
    for (const repaired of [await kindOrganisations(), await countryOrganisations(), await regionOrganisations()]) {
      expect(repaired.kept).toEqual(repaired.fresh);
    }
    expect(await counts({ by: "country" })).toMatchObject({ source: "rollup" });
    expect((await counts({ by: "region" })).rows.find(([key]) => key === "142")).toEqual(["142", 3, 2, 3]);
    // In government on the day: A at letter 1 (1 July 2021), B at the forum (1 November 2021).
    const governing = await counts({ by: "type", partnerStatus: "in_government" });
    expect(governing.source).toBe("rollup");
    expect(governing.rows).toEqual([
      ["correspondence:received", 1, 1, 1],
      ["event:hosted", 1, 1, 1],
    ]);
    expect((await counts({ by: "year", partnerStatus: "in_government", unitId: u1 })).source).toBe("rollup");
    // Part of a year, from the months kept (July, August) and the record's days: only A's letter on
    // the one day it governed; around it, nothing.
    const july = await counts({ by: "type", partnerStatus: "in_government", from: "2021-06-15", to: "2021-08-31" });
    expect(july.source).toBe("rollup");
    expect(july.rows).toEqual([["correspondence:received", 1, 1, 1]]);
    expect((await counts({ by: "type", partnerStatus: "in_government", from: "2021-07-02", to: "2021-10-31" })).rows).toEqual([]);
    // Past a whole year, whose rows the rollups hold, and its part-years' days from the record.
    expect((await counts({ by: "type", partnerStatus: "in_government", from: "2020-03-01", to: "2021-11-15" })).rows).toEqual(
      governing.rows,
    );
    // And the figures moved as they should: D now only reached by visit 5 in 2019.
    const c = await counts({ by: "type", partnerKind: "political_party" });
    expect(c.rows).toEqual([
      ["correspondence:received", 1, 1, 1],
      ["event:hosted", 1, 2, 2],
      ["visit:sent", 1, 1, 1],
    ]);
  });

  it("refuses bad input with field errors", async () => {
    await expect(countEngagements(admin, { by: "planet" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(countEngagements(admin, { from: "2022-01-01", to: "2021-01-01" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "to" }] },
    });
    await expect(countEngagements(admin, { region: "Africa" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it.runIf(testEngine === "postgres")(
    "keeps each region's organisations exact when a partner is added to a country as it changes region, in either order, without a deadlock",
    async () => {
      const [a, b] = [await connectToTestDatabase(), await connectToTestDatabase()];
      const addPartner = (client: pg.Client) =>
        client.query("INSERT INTO organisations (kind, country_code, name_en) VALUES ('media', 'TZA', $1)", [unique("Paper ")]);
      const moveTanzania = (client: pg.Client, region: string, subregion: string) =>
        client.query("UPDATE countries SET region_code = $1, subregion_code = $2 WHERE code = 'TZA'", [region, subregion]);
      // The other side's statement has run as far as it can: it waits for a lock, or (unlocked) it is done.
      const waiting = async (statement: Promise<unknown>) => {
        let done = false;
        const finish = () => {
          done = true;
        };
        // Its failure, if any, is reported where it is awaited.
        statement.then(finish, finish);
        for (let tries = 0; tries < 200 && !done; tries++) {
          const found = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db());
          if ((found.rows[0]?.n ?? 0) > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      };
      try {
        // A partner added first, uncommitted, while Tanzania is put in Western Asia: the move waits for it.
        await a.query("BEGIN");
        await addPartner(a);
        await b.query("BEGIN");
        const moved = moveTanzania(b, "142", "145");
        await waiting(moved);
        await a.query("COMMIT");
        await moved;
        await b.query("COMMIT");
        const first = await organisationBits("organisation_region_bits");
        expect(first.kept).toEqual(first.fresh);
        // Tanzania moved back first, uncommitted, while a partner is added: the addition waits and reads Africa.
        await b.query("BEGIN");
        await moveTanzania(b, "002", "202");
        await a.query("BEGIN");
        const added = addPartner(a);
        await waiting(added);
        await b.query("COMMIT");
        await added;
        await a.query("COMMIT");
        const second = await organisationBits("organisation_region_bits");
        expect(second.kept).toEqual(second.fresh);
        // As the app orders them: an import adds a partner, then records an engagement (the groups'
        // lock, shared); a country's change takes that lock alone first. Neither deadlocks.
        await a.query("BEGIN");
        await addPartner(a);
        await b.query("BEGIN");
        const changed = b.query("SELECT pg_advisory_xact_lock(4471001)").then(() => moveTanzania(b, "142", "145"));
        await waiting(changed);
        await a.query("SELECT pg_advisory_xact_lock_shared(4471001)");
        await a.query("COMMIT");
        await changed;
        await b.query("COMMIT");
        const third = await organisationBits("organisation_region_bits");
        expect(third.kept).toEqual(third.fresh);
        expect(third.kept.filter((k) => k.startsWith("142:")).length).toBeGreaterThan(0);
      } finally {
        await a.end();
        await b.end();
      }
    },
  );
});
