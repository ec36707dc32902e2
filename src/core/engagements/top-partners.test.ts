import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorIn, actorInFreshUnit, administrator, freshUnit } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { type BulkEngagement, insertEngagements } from "./bulk.ts";
import { rebuildRollups } from "./rollup.ts";
import { createEngagement, deleteEngagement, updateEngagement } from "./service.ts";
import { type PartnerRankScope, rankPartners } from "./top-partners.ts";

/*
 * 120 parties over 2019–2021. "Busy" ones (the first 12) are met in many letters, spread over
 * the months and their days; the first 60 are also met once a year at a forum in March, so each
 * year's list and March's are full (more than 50 partners) and the threshold bound is real. A
 * second, "even" unit meets the other 60 parties once a year each in April, where no partner
 * stands out and the bound cannot settle it.
 */
let database: Database;
let admin: Actor;
let busyUnit: number;
let evenUnit: number;
const parties: number[] = [];
const media: number[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  busyUnit = await freshUnit("Busy");
  evenUnit = await freshUnit("Even");
  const countries = ["VNM", "CUB", "KEN", "ZAF", "BRA", "IND"];
  for (let i = 0; i < 120; i++) {
    const row = await db()
      .insertInto("organisations")
      .values({ kind: "political_party", countryCode: countries[i % countries.length] as string, nameEn: `Party ${i}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    parties.push(row.id);
  }
  for (let i = 0; i < 5; i++) {
    const row = await db()
      .insertInto("organisations")
      .values({ kind: "media", countryCode: "KEN", nameEn: `Paper ${i}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    media.push(row.id);
  }
  const records: BulkEngagement[] = [];
  const record = (year: number, month: number, day: number, leadUnitId: number, orgs: number[]): BulkEngagement => {
    const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    return {
      type: "correspondence",
      direction: "received",
      subtype: "letter",
      status: "done",
      titleEn: `Letter ${year}-${day}`,
      titleZh: null,
      startDate: date,
      endDate: date,
      countryCode: null,
      city: null,
      leadUnitId,
      participants: orgs.map((organisationId) => ({ organisationId, role: "sender" })),
    };
  };
  for (const year of [2019, 2020, 2021]) {
    // Busy party k writes (12 - k) × 2 letters a year; the media write every other year.
    for (let k = 0; k < 12; k++) {
      for (let j = 0; j < (12 - k) * 2; j++) {
        records.push(record(year, 1 + ((k + j) % 12), 1 + ((k * 5 + j * 3) % 28), busyUnit, [parties[k] as number]));
      }
    }
    if (year !== 2020) for (const m of media) records.push(record(year, 3, 2, busyUnit, [m]));
    records.push(record(year, 3, 3, busyUnit, parties.slice(0, 60)));
    for (let i = 0; i < 60; i++) records.push(record(year, 4, 4, evenUnit, [parties[60 + i] as number]));
  }
  await insertEngagements(db(), records, { demo: false });
  await db()
    .transaction()
    .execute((trx) => rebuildRollups(trx));
});
afterAll(() => database.close());

/** The ranking from the rollup and from the record, which must agree. */
async function ranked(scope: PartnerRankScope, limit = 10) {
  const fast = await rankPartners(admin, scope, limit);
  const slow = await rankPartners(admin, scope, limit, { fromRecord: true });
  expect(slow.source).toBe("record");
  expect(fast.rows).toEqual(slow.rows);
  return fast;
}

const tenYears = { from: "2013-01-01", to: "2022-12-31" };

describe("the partners met most often", () => {
  it("ranks the busiest partners from the rollup, equal to the record", async () => {
    const top = await ranked(tenYears);
    expect(top.source).toBe("rollup");
    expect(top.method).toBe("threshold");
    // Party 0: 24 letters a year and the forum, over three years.
    expect(top.rows.slice(0, 3)).toEqual([
      { organisationId: parties[0], engagements: 75 },
      { organisationId: parties[1], engagements: 69 },
      { organisationId: parties[2], engagements: 63 },
    ]);
    expect(top.rows).toHaveLength(10);
    expect(top.rows[9]).toEqual({ organisationId: parties[9], engagements: 21 });
  });

  it("keeps to the period, the unit, the programme's absence and the partner kind", async () => {
    expect((await ranked({ from: "2020-01-01", to: "2020-12-31" }, 3)).rows).toEqual([
      { organisationId: parties[0], engagements: 25 },
      { organisationId: parties[1], engagements: 23 },
      { organisationId: parties[2], engagements: 21 },
    ]);
    const kind = await ranked({ ...tenYears, partnerKind: "media" });
    expect(kind.source).toBe("rollup");
    expect(kind.rows.map((r) => r.engagements)).toEqual([2, 2, 2, 2, 2]);
    expect((await ranked({ ...tenYears, programmeId: 999_999 })).rows).toEqual([]);
    expect((await ranked({ ...tenYears, unitId: busyUnit }, 1)).rows).toEqual([{ organisationId: parties[0], engagements: 75 }]);
  });

  it("totals every partner when no partner stands out", async () => {
    const even = await ranked({ ...tenYears, unitId: evenUnit });
    expect(even.source).toBe("rollup");
    expect(even.method).toBe("full");
    expect(even.rows).toEqual(parties.slice(60, 70).map((organisationId) => ({ organisationId, engagements: 3 })));
  });

  it("ranks part-years from the months kept, the days of part-months from the record, and less than a month from the record", async () => {
    // The first quarter: Jan, Feb and March's lists (March's full, through the forum), settled by the threshold.
    const quarter = await ranked({ from: "2020-01-01", to: "2020-03-31" });
    expect(quarter).toMatchObject({ source: "rollup", method: "threshold" });
    expect(quarter.rows[0]?.organisationId).toBe(parties[0]);
    // Months, a whole year and the days of two part-months, with a partner kind and with a unit.
    for (const period of [
      { from: "2020-02-01", to: "2020-12-31" },
      { from: "2019-11-15", to: "2021-02-10" },
      { from: "2019-03-03", to: "2021-03-03" },
    ]) {
      expect((await ranked(period)).source).toBe("rollup");
      expect((await ranked({ ...period, partnerKind: "media" })).source).toBe("rollup");
      expect((await ranked({ ...period, unitId: busyUnit }, 3)).source).toBe("rollup");
    }
    // April: the even unit's sixty partners once each, which no threshold settles.
    const even = await ranked({ from: "2021-04-01", to: "2021-06-30", unitId: evenUnit });
    expect(even).toMatchObject({ source: "rollup", method: "full" });
    expect(even.rows).toEqual(parties.slice(60, 70).map((organisationId) => ({ organisationId, engagements: 1 })));
    // Less than a whole month (across a year's end too), and a programme's period without a whole year: the record's.
    expect((await ranked({ from: "2020-03-02", to: "2020-03-20" })).source).toBe("record");
    expect((await ranked({ from: "2019-12-20", to: "2020-01-10" })).source).toBe("record");
    expect((await ranked({ from: "2020-03-01", to: "2020-09-30", programmeId: 999_999 })).source).toBe("record");
    expect((await ranked({ from: "2019-03-01", to: "2020-12-31", programmeId: 999_999 })).source).toBe("rollup");
  });

  it("goes to the slices for sub-units and readers who do not see every unit", async () => {
    expect((await ranked({ ...tenYears, unitId: admin.unitId, subunits: "true" })).source).toBe("rollup");
    const outsider = await actorInFreshUnit("viewer");
    const theirs = await rankPartners(outsider, tenYears, 10);
    // No list of theirs is full: every partner was read, and there are none.
    expect(theirs).toEqual({ source: "rollup", rows: [], method: "threshold" });
  });

  it("stays exact through edits", async () => {
    const before = (await ranked({ from: "2021-01-01", to: "2021-12-31" }, 1)).rows;
    expect(before).toEqual([{ organisationId: parties[0], engagements: 25 }]);
    // Party 11 (2 letters and the forum a year) gets 25 more in 2021; one is moved to 2019, one deleted.
    const added: number[] = [];
    for (let i = 0; i < 25; i++) {
      const e = await createEngagement(admin, {
        type: "correspondence",
        direction: "sent",
        subtype: "letter",
        status: "done",
        titleEn: `Reply ${i}`,
        startDate: "2021-06-01",
        leadUnitId: busyUnit,
        participants: [{ organisationId: parties[11], role: "recipient" }],
      });
      added.push(e.id);
    }
    await updateEngagement(admin, added[0] as number, { startDate: "2019-06-01" });
    await deleteEngagement(admin, added[1] as number);
    expect((await ranked({ from: "2021-01-01", to: "2021-12-31" }, 1)).rows).toEqual([{ organisationId: parties[11], engagements: 26 }]);
    const kept = await sql<{ k: string }>`SELECT dim || value || year || ':' || organisation_id || ':' || n AS k
      FROM engagement_partner_rollup ORDER BY 1`.execute(db());
    await db()
      .transaction()
      .execute((trx) => rebuildRollups(trx));
    const rebuilt = await sql<{ k: string }>`SELECT dim || value || year || ':' || organisation_id || ':' || n AS k
      FROM engagement_partner_rollup ORDER BY 1`.execute(db());
    expect(kept.rows).toEqual(rebuilt.rows);
  });

  it("ranks for those who read some units from their slices, by the threshold where partners stand out, as the record does", async () => {
    // Restricted letters to party 100 (of the even unit's parties), led by the busy unit.
    for (let i = 0; i < 30; i++) {
      await createEngagement(admin, {
        type: "correspondence",
        direction: "sent",
        subtype: "letter",
        status: "done",
        classification: "restricted",
        titleEn: `Restricted ${i}`,
        startDate: "2020-05-01",
        leadUnitId: busyUnit,
        participants: [{ organisationId: parties[100], role: "recipient" }],
      });
    }
    const readers = {
      busyEditor: await actorIn(busyUnit, "editor"),
      clearedBusyEditor: await actorIn(busyUnit, "editor", { clearance: true }),
      evenViewer: await actorIn(evenUnit, "viewer"),
      everyUnitUncleared: await actorAtCentre("coordinator"),
    };
    const rankings: Record<string, Awaited<ReturnType<typeof rankPartners>>> = {};
    for (const [name, reader] of Object.entries(readers)) {
      // Ten years, two centuries (read only where there are engagements), a quarter, and part-years with part-months.
      for (const period of [
        tenYears,
        { from: "1900-01-01", to: "2099-12-31" },
        { from: "2020-04-01", to: "2020-06-30" },
        { from: "2019-11-15", to: "2021-02-10" },
        { from: "1912-11-15", to: "2020-05-06" },
      ]) {
        const fast = await rankPartners(reader, period, 10);
        const slow = await rankPartners(reader, period, 10, { fromRecord: true });
        expect({ name, period, rows: fast.rows }).toEqual({ name, period, rows: slow.rows });
        expect(fast.source).toBe("rollup");
        if (period === tenYears) rankings[name] = fast;
      }
    }
    expect(rankings.busyEditor?.method).toBe("threshold");
    expect(rankings.evenViewer?.method).toBe("full");
    // Only the cleared reader counts the restricted letters.
    expect(rankings.clearedBusyEditor?.rows).toContainEqual({ organisationId: parties[100], engagements: 30 });
    expect(rankings.busyEditor?.rows.map((r) => r.organisationId)).not.toContain(parties[100]);
    expect(rankings.everyUnitUncleared?.rows.find((r) => r.organisationId === parties[100])).toBeUndefined();
  });
});
