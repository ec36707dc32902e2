import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorIn, administrator, freshUnit, insertOrganisation, unique } from "../../../test/support/factories.ts";
import { rollupSnapshot } from "../../../test/support/rollups.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { updateCountry } from "../countries/service.ts";
import { createCountryGroup, deleteCountryGroup, updateCountryGroup } from "../country-groups/service.ts";
import { createLabel, deleteLabel } from "../labels/service.ts";
import { addOrganisationStatus, updateOrganisation } from "../organisations/service.ts";
import { createProgramme } from "../programmes/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { shareRecord } from "../sharing/service.ts";
import { countEngagements } from "./counts.ts";
import { rebuildRollups, type SlicesMemo, slicesRead } from "./rollup.ts";
import { createEngagement, updateEngagement } from "./service.ts";
import { rankPartners } from "./top-partners.ts";

/*
 * The rollups are sliced by lead unit, co-units and classification, so that every role gets its
 * answer from them: the slices it may read, plus what was only shared with it and the days of
 * part-years, from the record. Each answer must equal the record's for that caller.
 *
 * Units: bureau A with its local committee A1 below it, bureau B. Engagements from 2019 to 2023,
 * led by each, some restricted; some of B's list A as a co-unit, one of B's is shared with A1.
 */
let database: Database;
let admin: Actor;

/** An organisation whose id is at least `from`: later organisations follow it. */
async function insertOrganisationFrom(from: number, kind: string, countryCode: string): Promise<number> {
  await sql`SELECT setval(pg_get_serial_sequence('organisations', 'id'), ${from}, false)`.execute(db());
  return insertOrganisation(kind, countryCode);
}
const unit: Record<string, number> = {};
const actors: Record<string, Actor> = {};
/** The readers `actors` holds, made in beforeAll. */
const readers = [
  "administrator",
  "coordinator at the centre, not cleared",
  "editor of A (and A1 below it)",
  "editor of A, cleared",
  "viewer of A1",
  "viewer of B, cleared",
  "editor of A alone",
];
const engagementIds: number[] = [];
let programme: number;
/** Country groups: one made before the engagements (kept as they come), one after them (made from the record). */
const groups: Record<string, { id: number; key: string }> = {};
const topics: number[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  unit.A = await freshUnit("Bureau A");
  unit.B = await freshUnit("Bureau B");
  unit.A1 = (
    await db()
      .insertInto("units")
      .values({ parentId: unit.A, kind: "local_committee", key: unique("a1-"), nameEn: "Committee A1", nameZh: "A1委员会" })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  programme = (await createProgramme(admin, { nameEn: "Exchange", nameZh: "交流", leadUnitId: unit.A as number })).id;
  for (const [key, nameEn, nameZh] of [
    ["governance", "Governance", "治国理政"],
    ["poverty", "Poverty reduction", "减贫"],
  ]) {
    topics.push((await createLabel(admin, "topics", { key: unique(`${key}-`), nameEn, nameZh })).id);
  }
  groups.brics = await createCountryGroup(admin, {
    key: unique("brics-"),
    nameEn: "BRICS",
    nameZh: "金砖国家",
    countryCodes: ["BRA", "CHN", "IND", "ZAF"],
  });
  const partners = [
    await insertOrganisation("political_party", "VNM"),
    await insertOrganisation("political_party", "CUB"),
    await insertOrganisation("think_tank", "ZAF"),
    await insertOrganisation("political_party", "KEN"),
    await insertOrganisation("media", "KEN"),
    await insertOrganisation("political_party", "HKG"),
    await insertOrganisation("political_party", "CHN"),
    await insertOrganisation("government_body", "BRA"),
    // Partners in later chunks of the bit strings (4,096 organisations each), with chunks between
    // them that hold none: a kind's or a region's months are read chunk by chunk.
    await insertOrganisationFrom(2 * 4096 + 17, "think_tank", "KEN"),
    await insertOrganisationFrom(5 * 4096 + 3, "political_party", "ZAF"),
  ];
  // In government on some days and not others: the Vietnamese party through two part-years, the Kenyan one from mid-2021,
  // the Chinese one from mid-2020 (at the engagement shared with A1, below).
  await addOrganisationStatus(admin, partners[0] as number, { status: "in_government", validFrom: "2019-06-10", validTo: "2021-03-20" });
  await addOrganisationStatus(admin, partners[3] as number, { status: "in_government", validFrom: "2021-07-15" });
  await addOrganisationStatus(admin, partners[6] as number, { status: "in_government", validFrom: "2020-06-01" });
  const person = (await db().insertInto("people").values({ nameEn: "Guest", countryCode: "IND" }).returning("id").executeTakeFirstOrThrow())
    .id;
  const kinds = [
    ["visit", "received"],
    ["visit", "sent"],
    ["talks", "none"],
    ["correspondence", "received"],
    ["event", "hosted"],
  ] as const;
  const leads = [unit.A, unit.A1, unit.B, unit.B, unit.A] as number[];
  // Forty engagements, spread by a fixed rule so that every slice, year and breakdown has some.
  for (let i = 0; i < 40; i++) {
    const [type, direction] = kinds[i % kinds.length] as (typeof kinds)[number];
    const leadUnitId = leads[i % leads.length] as number;
    const year = 2019 + (i % 5);
    const month = 1 + ((i * 7) % 12);
    const participants = [
      { organisationId: partners[i % partners.length] as number, role: "guest" },
      { organisationId: partners[(i * 3 + 1) % partners.length] as number, role: "guest" },
      ...(i % 6 === 0 ? [{ personId: person, role: "guest" }] : []),
    ];
    const created = await createEngagement(admin, {
      type,
      direction,
      ...(type === "correspondence" ? { subtype: "congratulatory_message" } : {}),
      titleEn: `Engagement ${i}`,
      status: i % 9 === 8 ? "planned" : "done",
      startDate: `${year}-${String(month).padStart(2, "0")}-${String(1 + (i % 27)).padStart(2, "0")}`,
      leadUnitId,
      ...(leadUnitId === unit.B && i % 4 === 2 ? { coUnitIds: [unit.A as number] } : {}),
      ...(i % 5 === 0 ? { programmeId: programme } : {}),
      // Some with one topic, some with both.
      ...(i % 3 === 0
        ? { topicIds: i % 2 === 0 ? topics : [topics[0] as number] }
        : i % 4 === 1
          ? { topicIds: [topics[1] as number] }
          : {}),
      classification: i % 7 === 3 ? "restricted" : "internal",
      participants,
    });
    engagementIds.push(created.id);
  }
  // One of B's engagements, not restricted and without A as a co-unit, is shared with A1.
  const sharedOne = engagementIds.find((_, i) => [2, 3].includes(i % 5) && i % 4 !== 2 && i % 7 !== 3 && i % 9 !== 8) as number;
  await shareRecord(admin, "engagement", sharedOne, { unitId: unit.A1 });
  groups.socialist = await createCountryGroup(admin, {
    key: unique("socialist-"),
    nameEn: "Socialist countries",
    nameZh: "社会主义国家",
    countryCodes: ["CHN", "CUB", "VNM"],
  });
  actors.administrator = admin;
  actors["coordinator at the centre, not cleared"] = await actorAtCentre("coordinator");
  actors["editor of A (and A1 below it)"] = await actorIn(unit.A as number, "editor");
  actors["editor of A, cleared"] = await actorIn(unit.A as number, "editor", { clearance: true });
  actors["viewer of A1"] = await actorIn(unit.A1 as number, "viewer");
  actors["viewer of B, cleared"] = await actorIn(unit.B as number, "viewer", { clearance: true });
  // A's editor for A alone: A1's work is not theirs.
  const own = await actorIn(unit.A as number, "editor");
  await db()
    .updateTable("userRoles")
    .set({ subunits: false })
    .where("userId", "=", own.userId as number)
    .execute();
  actors["editor of A alone"] = { ...own, roles: own.roles.map((g) => ({ ...g, subunits: false, everyUnit: false })) };
  expect(Object.keys(actors).sort()).toEqual([...readers].sort());
});
afterAll(() => database.close());

/** Every question the overview, the map and the trends ask, with periods whole and not. */
function questions(): Array<Record<string, unknown>> {
  const periods = [
    {},
    { from: "2020-01-01", to: "2022-12-31" },
    { from: "2019-11-15" },
    { from: "2020-03-10", to: "2022-06-30" },
    { from: "2021-04-01", to: "2021-06-30" },
    // No whole year: whole months across a new year, and less than a whole month.
    { from: "2019-11-15", to: "2020-02-10" },
    { from: "2021-05-03", to: "2021-05-20" },
  ];
  const shapes: Array<Record<string, unknown>> = [
    { by: "none" },
    { by: "type" },
    { by: "year" },
    { by: "unit" },
    { by: "region" },
    { by: "partnerKind" },
    { by: "country" },
    { by: "place" },
    { by: "programme" },
    { by: "subtype" },
    { by: "type", region: "002" },
    { by: "year", partnerKind: "political_party" },
    { by: "unit", programmeId: programme },
    { by: "type", country: "KEN" },
    { by: "region", unitId: unit.A },
    { by: "country", unitId: unit.A, subunits: "true" },
    { by: "year", unitId: unit.B, type: ["visit"] },
    { by: "countryGroup" },
    { by: "type", countryGroup: groups.brics?.key },
    { by: "country", countryGroup: String(groups.socialist?.id) },
    { by: "place", countryGroup: groups.socialist?.key },
    { by: "unit", countryGroup: groups.brics?.key },
    { by: "type", topicId: topics[0] },
    { by: "year", topicId: topics[1] },
    { by: "country", topicId: topics[1] },
    { by: "unit", topicId: topics[0] },
    { by: "type", partnerStatus: "in_government" },
    { by: "unit", partnerStatus: "in_government" },
    { by: "month" },
    { by: "month", type: ["visit"], country: "KEN" },
    { by: "month", unitId: unit.A, subunits: "true" },
  ];
  return periods.flatMap((period) => shapes.map((shape) => ({ ...shape, ...period })));
}

type Shape = { rows: Array<[string, number, number, number, number]>; total: [number, number, number, number] };
const shapeOf = (c: Awaited<ReturnType<typeof countEngagements>>): Shape => ({
  rows: c.rows.map((r): [string, number, number, number, number] => [r.key, r.engagements, r.organisations, r.countries, r.regions]).sort(),
  total: [c.total.engagements, c.total.organisations, c.total.countries, c.total.regions],
});

describe("the counts for every role", () => {
  // One test per reader: each asks every question (31 shapes over 7 periods) of the rollups and of the record.
  it.each(readers)("answers the %s from the rollups they may read, equal to the record's answer for them", async (who) => {
    // Periods without a whole year: the rollups answer them only in months, which not every question has.
    const lessThanAYear = (q: Record<string, unknown>) =>
      q.to !== undefined && ["2021-04-01", "2019-11-15", "2021-05-03"].includes(q.from as string);
    const actor = actors[who] as Actor;
    expect(actor).toBeDefined();
    for (const query of questions()) {
      const fast = await countEngagements(actor, query);
      const slow = await countEngagements(actor, query, { fromRecord: true });
      expect(slow.source).toBe("record");
      expect({ who, query, ...shapeOf(fast) }).toEqual({ who, query, ...shapeOf(slow) });
      // Every question over a whole year or more, but by month, is answered from the rollups, for every role.
      if (!lessThanAYear(query) && query.by !== "month") {
        expect({ who, query, source: fast.source }).toEqual({ who, query, source: "rollup" });
      }
    }
  });

  it("answers whole months from the rollups for every reader: a quarter, a part-year's months, by month", async () => {
    const monthly = [
      { by: "month" },
      { by: "month", from: "2020-01-01", to: "2022-12-31" },
      { by: "month", from: "2019-11-15", to: "2020-02-10", type: ["visit"] },
      { by: "type", from: "2021-04-01", to: "2021-06-30" },
      { by: "year", from: "2019-11-15", to: "2020-02-10" },
      { by: "country", from: "2021-04-01", to: "2021-06-30" },
      { by: "place", from: "2019-11-15", to: "2020-02-10" },
      { by: "unit", from: "2021-04-01", to: "2021-06-30" },
      { by: "none", from: "2020-03-10", to: "2022-06-30" },
      // Regions and country groups: their months' engagement counts, the rest from the months of "all" in their countries.
      { by: "region", from: "2021-04-01", to: "2021-06-30" },
      { by: "region", from: "2019-03-01", to: "2021-06-30" },
      { by: "region", from: "2019-11-15", to: "2020-02-10", type: ["visit"] },
      { by: "type", region: "002", from: "2019-03-01", to: "2021-06-30" },
      { by: "month", region: "142" },
      { by: "country", region: "002", from: "2021-04-01", to: "2021-06-30" },
      { by: "place", region: "142", from: "2019-11-15", to: "2020-02-10" },
      { by: "region", country: "KEN", from: "2019-11-15", to: "2020-02-10" },
      { by: "unit", region: "002", from: "2020-03-10", to: "2022-06-30" },
      { by: "countryGroup", from: "2021-04-01", to: "2021-06-30" },
      { by: "countryGroup", from: "2019-03-01", to: "2021-06-30", direction: "received" },
      { by: "year", countryGroup: groups.brics?.key, from: "2019-11-15", to: "2020-02-10" },
      { by: "country", countryGroup: groups.socialist?.key, from: "2019-03-01", to: "2021-06-30" },
      { by: "month", countryGroup: String(groups.socialist?.id), from: "2020-01-01", to: "2021-12-31" },
      // Grouped by a breakdown that keeps years only: the total from the months of "all", the groups'
      // part-years from the record (by programme, only engagements with one; with no whole year too).
      { by: "programme", from: "2019-07-01", to: "2019-09-30" },
      { by: "programme", from: "2019-08-15", to: "2021-06-30" },
      { by: "programme", from: "2019-06-01", to: "2019-12-31", unitId: unit.A, subunits: "true" },
      // Subtypes: months of their own (migration 0043), per country too.
      { by: "subtype", from: "2019-03-01", to: "2021-06-30" },
      { by: "subtype", from: "2019-07-01", to: "2019-09-30" },
      {
        by: "none",
        type: ["correspondence"],
        direction: "received",
        subtype: "congratulatory_message",
        from: "2019-11-15",
        to: "2021-06-30",
      },
      { by: "place", subtype: "congratulatory_message", from: "2020-04-01", to: "2020-09-30" },
      { by: "month", subtype: "congratulatory_message" },
      { by: "unit", subtype: "congratulatory_message", from: "2020-03-10", to: "2022-06-30" },
      { by: "none", subtype: "congratulatory_message", country: "VNM", from: "2019-06-01", to: "2021-03-31" },
      { by: "partnerKind", from: "2019-11-15", to: "2021-06-30", type: ["visit"] },
      // Partner kinds: their months' engagement counts, their partners the months of "all" of their kind (migration 0040).
      { by: "partnerKind", from: "2021-04-01", to: "2021-06-30" },
      { by: "partnerKind", from: "2019-03-01", to: "2021-06-30", direction: "received" },
      { by: "type", partnerKind: "political_party", from: "2019-11-15", to: "2020-02-10" },
      { by: "month", partnerKind: "media" },
      { by: "unit", partnerKind: "political_party", from: "2020-03-10", to: "2022-06-30" },
      { by: "year", partnerKind: "think_tank", from: "2021-04-01", to: "2021-06-30" },
      // Partner statuses on the day: months of their own (migration 0042), per country too.
      { by: "type", partnerStatus: "in_government", from: "2021-04-01", to: "2021-06-30" },
      { by: "country", partnerStatus: "in_government", from: "2019-11-15", to: "2021-06-30" },
      { by: "place", partnerStatus: "in_government", from: "2020-04-01", to: "2020-09-30" },
      { by: "month", partnerStatus: "in_government" },
      { by: "unit", partnerStatus: "in_government", from: "2020-03-10", to: "2022-06-30" },
      { by: "none", partnerStatus: "in_government", country: "VNM", from: "2019-06-01", to: "2021-03-31" },
    ];
    // Readers of every unit, of one, of a unit and its sub-units (with B's work beside theirs as slices naming co-units).
    for (const who of Object.keys(actors)) {
      for (const query of monthly) {
        const fast = await countEngagements(actors[who] as Actor, query);
        expect({ who, query, source: fast.source }).toEqual({ who, query, source: "rollup" });
        const slow = await countEngagements(actors[who] as Actor, query, { fromRecord: true });
        expect({ who, query, ...shapeOf(fast) }).toEqual({ who, query, ...shapeOf(slow) });
      }
    }
    // A breakdown not by the countries reached keeps years only; less than a whole month is the record's.
    // A partner kind's months hold no per-country counts: by country, a quarter of a kind is the record's.
    expect(
      (await countEngagements(admin, { by: "country", partnerKind: "political_party", from: "2021-04-01", to: "2021-06-30" })).source,
    ).toBe("record");
    expect((await countEngagements(admin, { by: "type", topicId: topics[0], from: "2019-07-01", to: "2019-09-30" })).source).toBe("record");
    expect((await countEngagements(admin, { by: "year", programmeId: programme, from: "2021-04-01", to: "2021-06-30" })).source).toBe(
      "record",
    );
    expect((await countEngagements(admin, { by: "type", from: "2021-05-03", to: "2021-05-20" })).source).toBe("record");
  });

  it("works a partner kind's places out the same from each place's organisations and from each partner's own row", async () => {
    // A bureau's few partners are read one by one, the many partners of a wide question place by
    // place (see kindCountriesOf); each way must give the record's answer, whichever is chosen.
    const asked = [
      { by: "partnerKind" },
      { by: "partnerKind", from: "2021-04-01", to: "2021-06-30" },
      { by: "partnerKind", from: "2019-03-01", to: "2021-06-30", direction: "received" },
      { by: "partnerKind", from: "2019-11-15", to: "2022-02-10", type: ["visit", "talks"] },
    ];
    for (const who of Object.keys(actors)) {
      for (const query of asked) {
        const slow = shapeOf(await countEngagements(actors[who] as Actor, query, { fromRecord: true }));
        for (const kindCountries of ["byPlace", "byPartner", "either"] as const) {
          const fast = await countEngagements(actors[who] as Actor, query, { kindCountries });
          expect({ who, query, kindCountries, source: fast.source }).toEqual({ who, query, kindCountries, source: "rollup" });
          expect({ who, query, kindCountries, ...shapeOf(fast) }).toEqual({ who, query, kindCountries, ...slow });
        }
      }
    }
  });

  it("works a reader's slices out once for all the counts of one request, with the same answers", async () => {
    const reader = actors["viewer of A1"] as Actor;
    const memo: SlicesMemo = new Map();
    const asked = [
      { by: "type", from: "2020-01-01", to: "2022-12-31" },
      { by: "region", from: "2019-11-15" },
      { by: "place", from: "2020-03-10", to: "2022-06-30" },
    ];
    for (const query of asked) {
      const once = await countEngagements(reader, query, { slicesMemo: memo });
      expect(shapeOf(once)).toEqual(shapeOf(await countEngagements(reader, query)));
    }
    const ranked = await rankPartners(reader, { from: "2019-01-01", to: "2023-12-31" }, 5, { slicesMemo: memo });
    expect(ranked.rows).toEqual((await rankPartners(reader, { from: "2019-01-01", to: "2023-12-31" }, 5)).rows);
    // One answer served them all; another unit, or the grouping by unit, is another question.
    expect(memo.size).toBe(1);
    await countEngagements(reader, { by: "unit" }, { slicesMemo: memo });
    await countEngagements(reader, { by: "none", unitId: unit.A1 }, { slicesMemo: memo });
    expect(memo.size).toBe(3);
  });

  it("reads a reader's slices through a join past a hundred of them, with the same answers", async () => {
    const reader = actors["viewer of A1"] as Actor;
    const { slices, shared } = await slicesRead(forActor(reader), {});
    expect(slices?.leads.length).toBeGreaterThan(0);
    // The reader's own slices and 120 that hold nothing: past the hundred the query joins to the list.
    const padded = {
      leads: [...(slices?.leads ?? []), ...Array.from({ length: 120 }, (_, i) => 1_000_000 + i)],
      coUnits: [...(slices?.coUnits ?? []), ...Array.from({ length: 120 }, () => "")],
    };
    const memo: SlicesMemo = new Map([["||false", Promise.resolve({ slices: padded, shared })]]);
    for (const query of [
      { by: "type", from: "2020-01-01", to: "2022-12-31" },
      { by: "region", from: "2019-11-15" },
    ]) {
      const joined = await countEngagements(reader, query, { slicesMemo: memo });
      expect(joined.source).toBe("rollup");
      expect(shapeOf(joined)).toEqual(shapeOf(await countEngagements(reader, query)));
    }
    const ranked = await rankPartners(reader, { from: "2019-01-01", to: "2023-12-31" }, 5, { slicesMemo: memo });
    expect(ranked.rows).toEqual((await rankPartners(reader, { from: "2019-01-01", to: "2023-12-31" }, 5)).rows);
  });

  it("ranks each role's top partners from the slices it may read, as the record does", async () => {
    const scopes = [
      { from: "2019-01-01", to: "2023-12-31" },
      { from: "2020-01-01", to: "2021-12-31", partnerKind: "political_party" },
      { from: "2019-01-01", to: "2023-12-31", unitId: unit.A, subunits: "true" as const },
      { from: "2019-01-01", to: "2022-12-31", unitId: unit.B },
      // Part-years: their whole months from the slices' months, the days of part-months (and what is shared) from the record.
      { from: "2020-07-01", to: "2020-09-30" },
      { from: "2019-11-15", to: "2021-06-20" },
      { from: "2020-10-01", to: "2021-03-31", partnerKind: "political_party" },
      { from: "2019-03-10", to: "2023-05-31", unitId: unit.A, subunits: "true" as const },
      { from: "2020-02-01", to: "2022-08-31", unitId: unit.B },
      { from: "2019-06-01", to: "2021-06-30", programmeId: programme },
    ];
    for (const [who, actor] of Object.entries(actors)) {
      for (const scope of scopes) {
        const fast = await rankPartners(actor, scope, 5);
        const slow = await rankPartners(actor, scope, 5, { fromRecord: true });
        // A programme's partners are kept in slice 0 only, which answers the administrator alone.
        expect(fast.source).toBe("programmeId" in scope && who !== "administrator" ? "record" : "rollup");
        expect({ who, scope, rows: fast.rows }).toEqual({ who, scope, rows: slow.rows });
      }
    }
  });

  it("counts for a unit only what it may read: restricted work only when cleared, other units' work only through a co-unit or a share", async () => {
    const total = async (actor: Actor, query: Record<string, unknown> = {}) =>
      (await countEngagements(actor, { by: "none", ...query })).total.engagements;
    const done = await sql<{ lead: number; restricted: boolean; n: number }>`SELECT lead_unit_id AS lead,
        classification = 'restricted' AS restricted, count(*)::int AS n
      FROM engagements WHERE status = 'done' AND lead_unit_id = ANY(${[unit.A, unit.A1, unit.B]}::int[]) GROUP BY 1, 2`.execute(db());
    const led = (units: number[], restricted: boolean) =>
      done.rows.filter((r) => units.includes(r.lead) && (restricted || !r.restricted)).reduce((n, r) => n + r.n, 0);
    const readThroughB = await sql<{ n: number }>`SELECT count(*)::int AS n FROM engagements e
      WHERE e.status = 'done' AND e.lead_unit_id = ${unit.B} AND e.classification <> 'restricted'
        AND EXISTS (SELECT 1 FROM engagement_units eu WHERE eu.engagement_id = e.id AND eu.unit_id = ${unit.A})`.execute(db());
    const beyond = readThroughB.rows[0]?.n ?? 0;
    expect(beyond).toBeGreaterThan(0);
    expect(await total(actors["editor of A (and A1 below it)"] as Actor)).toBe(
      led([unit.A as number, unit.A1 as number], false) + beyond + 1,
    );
    expect(await total(actors["editor of A, cleared"] as Actor)).toBeGreaterThan(
      await total(actors["editor of A (and A1 below it)"] as Actor),
    );
    expect(await total(actors["viewer of A1"] as Actor)).toBe(led([unit.A1 as number], false) + 1);
    expect(await total(actors["viewer of B, cleared"] as Actor)).toBe(led([unit.B as number], true));
  });

  it("keeps the slices exact when an engagement changes classification, lead unit or co-units", async () => {
    const [first, second, third] = engagementIds;
    await updateEngagement(admin, first as number, { classification: "restricted" });
    await updateEngagement(admin, second as number, { leadUnitId: unit.B, classification: "internal" });
    // Units joining and leaving as co-units move the engagement between slices.
    await updateEngagement(admin, third as number, { coUnitIds: [unit.A as number, unit.A1 as number] });
    await updateEngagement(admin, second as number, { coUnitIds: [unit.A1 as number] });
    await updateEngagement(admin, third as number, { coUnitIds: [] });
    const kept = await rollupSnapshot();
    await database.db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    const viewer = actors["viewer of B, cleared"] as Actor;
    const query = { by: "type", from: "2019-01-01", to: "2023-12-31" };
    expect(shapeOf(await countEngagements(viewer, query))).toEqual(shapeOf(await countEngagements(viewer, query, { fromRecord: true })));
  });

  it("keeps a partner in a unit's slices while another engagement there still reaches it", async () => {
    const [x, y, z] = [
      await insertOrganisation("political_party", "LAO"),
      await insertOrganisation("political_party", "NPL"),
      await insertOrganisation("political_party", "MNG"),
    ];
    const talks = async (leadUnitId: number, coUnitIds: number[], organisationId: number) =>
      (
        await createEngagement(admin, {
          type: "talks",
          direction: "none",
          titleEn: "Talks on slices",
          status: "done",
          startDate: "2022-09-09",
          leadUnitId,
          coUnitIds,
          participants: [{ organisationId, role: "guest" }],
        })
      ).id;
    // Both led by A, one with B beside it: slice (A, "") holds both.
    await talks(unit.A as number, [unit.B as number], x);
    const second = await talks(unit.A as number, [], x);
    // Both with A beside another unit that led them: slice (−A, "") holds both.
    await talks(unit.B as number, [unit.A as number], z);
    const fourth = await talks(unit.A1 as number, [unit.A as number], z);
    await updateEngagement(admin, second, { participants: [{ organisationId: y, role: "guest" }] });
    await updateEngagement(admin, fourth, { participants: [{ organisationId: y, role: "guest" }] });
    const kept = await rollupSnapshot();
    await database.db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    for (const [who, actor] of Object.entries(actors)) {
      const query = { by: "partnerKind", from: "2022-01-01", to: "2022-12-31" };
      expect({ who, ...shapeOf(await countEngagements(actor, query)) }).toEqual({
        who,
        ...shapeOf(await countEngagements(actor, query, { fromRecord: true })),
      });
    }
  });

  it("keeps the topics' breakdown exact when an engagement's topics change", async () => {
    const [first, second] = engagementIds;
    const [governance, poverty] = topics as [number, number];
    await updateEngagement(admin, first as number, { topicIds: [poverty] });
    await updateEngagement(admin, second as number, { topicIds: [governance, poverty] });
    const passing = (await createLabel(admin, "topics", { key: unique("passing-"), nameEn: "Passing", nameZh: "临时" })).id;
    await updateEngagement(admin, second as number, { topicIds: [governance, poverty, passing] });
    // A topic in use stays (the engagement's record keeps it); once no engagement carries it, it can go.
    await expect(deleteLabel(admin, "topics", passing)).rejects.toMatchObject({ code: "CONFLICT" });
    await updateEngagement(admin, second as number, { topicIds: [governance, poverty] });
    await deleteLabel(admin, "topics", passing);
    const kept = await rollupSnapshot();
    await database.db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    for (const [who, actor] of Object.entries(actors)) {
      const query = { by: "place", topicId: poverty, from: "2019-06-01" };
      const fast = await countEngagements(actor, query);
      expect(fast.source).toBe("rollup");
      expect({ who, ...shapeOf(fast) }).toEqual({ who, ...shapeOf(await countEngagements(actor, query, { fromRecord: true })) });
    }
  });

  it("keeps a country group's breakdown exact when its members change, when it goes, and when a partner moves into it", async () => {
    const socialist = groups.socialist as { id: number; key: string };
    // India is reached only by a guest who came without an organisation: its people count too.
    await updateCountryGroup(admin, socialist.id, { countryCodes: ["CUB", "KEN", "VNM", "IND"] });
    await updateCountryGroup(admin, socialist.id, { nameEn: "Socialist states" });
    const kenyan = await insertOrganisation("political_party", "KEN");
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Talks with a Kenyan party",
      status: "done",
      startDate: "2021-05-05",
      leadUnitId: unit.B,
      participants: [{ organisationId: kenyan, role: "guest" }],
    });
    // The Kenyan party moves to Nigeria: it leaves the group's partners, its talks the group.
    await updateOrganisation(admin, kenyan, { countryCode: "NGA" });
    const south = await createCountryGroup(admin, { key: unique("south-"), nameEn: "South", nameZh: "南方", countryCodes: ["IND", "ZAF"] });
    const gone = await createCountryGroup(admin, { key: unique("gone-"), nameEn: "Gone", nameZh: "已删", countryCodes: ["KEN", "ZAF"] });
    await deleteCountryGroup(admin, gone.id);
    const kept = await rollupSnapshot();
    await database.db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    // The deleted group left nothing behind; the changed one answers as the record does, for every reader.
    const left = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM engagement_rollup WHERE dim = 'group' AND value = ${String(gone.id)}`.execute(db());
    expect(left.rows[0]?.n).toBe(0);
    for (const [who, actor] of Object.entries(actors)) {
      for (const query of [
        { by: "countryGroup", from: "2019-01-01", to: "2023-12-31" },
        { by: "type", countryGroup: socialist.key, from: "2020-03-10" },
        { by: "year", countryGroup: south.key },
      ]) {
        const fast = await countEngagements(actor, query);
        expect(fast.source).toBe("rollup");
        expect({ who, query, ...shapeOf(fast) }).toEqual({
          who,
          query,
          ...shapeOf(await countEngagements(actor, query, { fromRecord: true })),
        });
      }
    }
    const byGroup = await countEngagements(admin, { by: "countryGroup", from: "2019-01-01", to: "2023-12-31" });
    expect(byGroup.rows.find((r) => r.key === String(socialist.id))?.label).toEqual({ en: "Socialist states", zh: "社会主义国家" });
  });

  it("counts by place an engagement that reached a state and its regions once, as partners move, a region changes state and a country its region", async () => {
    const party = (country: string) => insertOrganisation("political_party", country);
    const [china, hongKong, macao, britain, ulster, kenya] = [
      await party("CHN"),
      await party("HKG"),
      await party("MAC"),
      await party("GBR"),
      await party("NIR"),
      await party("KEN"),
    ];
    const taiwanese = (
      await db().insertInto("people").values({ nameEn: "Guest from Taiwan", countryCode: "TWN" }).returning("id").executeTakeFirstOrThrow()
    ).id;
    const talks = async (day: string, leadUnitId: number, participants: Array<{ organisationId: number } | { personId: number }>) =>
      (
        await createEngagement(admin, {
          type: "talks",
          direction: "none",
          titleEn: "Talks across places",
          status: "done",
          startDate: day,
          leadUnitId,
          participants: participants.map((p) => ({ ...p, role: "guest" })),
        })
      ).id;
    // February 2024 holds these alone: China's partners and Hong Kong's, Hong Kong's and Macao's (two
    // regions of one state), a Taiwanese guest beside China's partners, Britain's and Northern Ireland's.
    await talks("2024-02-03", unit.A as number, [{ organisationId: china }, { organisationId: hongKong }]);
    await talks("2024-02-10", unit.B as number, [{ organisationId: hongKong }, { organisationId: macao }, { organisationId: kenya }]);
    await talks("2024-02-17", unit.A1 as number, [{ organisationId: china }, { personId: taiwanese }]);
    const moved = await talks("2024-02-20", unit.A as number, [{ organisationId: kenya }, { organisationId: hongKong }]);
    await talks("2024-02-24", unit.B as number, [{ organisationId: britain }, { organisationId: ulster }]);
    // The Kenyan party moves to China: the talks it joined with Hong Kong's partners now reached China twice over.
    await updateOrganisation(admin, kenya, { countryCode: "CHN" });
    const february = { by: "place", from: "2024-02-01", to: "2024-02-29" };
    const engagementsIn = async (place: string) => (await countEngagements(admin, february)).rows.find((r) => r.key === place)?.engagements;
    // Four talks with China's places, each once (its members' counts add up to ten).
    expect(await engagementsIn("CHN")).toBe(4);
    expect(await engagementsIn("GBR")).toBe(1);
    // Northern Ireland is given no state: it counts as a region of its own, apart from Britain.
    await updateCountry(admin, "NIR", { parentCode: null });
    expect(await engagementsIn("GBR")).toBe(1);
    expect(await engagementsIn("NIR")).toBe(1);
    // Kenya is put in Western Asia: its partners count in Asia (142) now, their months too, not in Africa (002).
    await updateCountry(admin, "KEN", { subregionCode: "145" });
    await updateEngagement(admin, moved, { startDate: "2024-03-02" });
    expect(await engagementsIn("CHN")).toBe(3);
    const kept = await rollupSnapshot();
    await database.db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    for (const [who, actor] of Object.entries(actors)) {
      for (const query of [
        february,
        { by: "place", from: "2024-01-01", to: "2024-03-31" },
        { by: "place", from: "2024-02-05", to: "2024-03-10" },
        { by: "region", from: "2019-03-01", to: "2021-06-30" },
        { by: "type", region: "142", from: "2019-11-15", to: "2020-02-10" },
      ]) {
        expect({ who, query, ...shapeOf(await countEngagements(actor, query)) }).toEqual({
          who,
          query,
          ...shapeOf(await countEngagements(actor, query, { fromRecord: true })),
        });
      }
    }
  });
});
