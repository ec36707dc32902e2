import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, administrator, freshUnit, insertOrganisation } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { countEngagements } from "../engagements/counts.ts";
import { createEngagement } from "../engagements/service.ts";
import { createPerson } from "../people/service.ts";
import { importGeography } from "../reference/service.ts";
import { prepareOverviewExport } from "../reports/export.ts";
import { buildOverview } from "../reports/service.ts";
import type { Actor } from "../shared/actor.ts";
import { defaultPlacePolicy } from "./places.ts";
import { getCountry, getPlacePolicy, listCountries, setPlacePolicy, updateCountry } from "./service.ts";

let database: Database;
let admin: Actor;
const org: Record<string, number> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  // Congratulations on one day from parties of three states, of Hong Kong and Taiwan (parts
  // of China), of Northern Ireland (part of the United Kingdom, whose party is there too), of
  // Greenland (a territory of Denmark) and of Kosovo (disputed); and one letter from a group of
  // the European Union.
  for (const code of ["VNM", "CUB", "GBR", "HKG", "TWN", "NIR", "GRL", "XKX", "EUN"])
    org[code] = await insertOrganisation("political_party", code, `Party of ${code}`);
  const unit = await freshUnit("Centenary desk");
  for (const code of Object.keys(org)) {
    await createEngagement(admin, {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      titleEn: `Message from ${code}`,
      startDate: "2021-07-01",
      status: "done",
      leadUnitId: unit,
      participants: [{ organisationId: org[code], role: "sender" }],
    });
  }
}, 120_000);
afterAll(() => database.close());

const year2021 = { from: "2021-01-01", to: "2021-12-31" };

/** The counts of the year, from the rollups and from the record: both must agree. */
async function both(query: Record<string, unknown> = {}) {
  const input = { ...year2021, by: "none", ...query };
  const fromRollups = await countEngagements(admin, input);
  const fromRecord = await countEngagements(admin, input, { fromRecord: true });
  expect(fromRollups.source).toBe("rollup");
  expect(fromRecord.total).toEqual(fromRollups.total);
  return fromRollups.total;
}

describe("countries and regions", () => {
  it("gives every place a status, regions their state, and the names of the reference user's usage", async () => {
    const places = await listCountries(admin);
    const of = (code: string) => places.find((p) => p.code === code);
    expect(of("TWN")).toMatchObject({
      status: "region",
      parentCode: "CHN",
      counting: "parent",
      name: { zh: "中国台湾", en: "Taiwan, China" },
    });
    expect(of("HKG")).toMatchObject({ status: "region", parentCode: "CHN", name: { zh: "中国香港", en: "Hong Kong, China" } });
    expect(of("MAC")).toMatchObject({ status: "region", parentCode: "CHN", name: { zh: "中国澳门", en: "Macao, China" } });
    expect(of("PSE")).toMatchObject({ status: "state", name: { zh: "巴勒斯坦", en: "Palestine" } });
    expect(of("NIR")).toMatchObject({ status: "region", parentCode: "GBR" });
    expect(of("GRL")).toMatchObject({ status: "region", parentCode: "DNK", counting: null });
    for (const code of ["XKX", "SML", "PMR", "ESH"]) expect(of(code)?.status, code).toBe("disputed");
    expect(of("EUN")?.status).toBe("supranational");
    expect(of("DDR")?.status).toBe("historical");
    // 193 members of the United Nations and its two observer states.
    expect(places.filter((p) => p.status === "state")).toHaveLength(195);
    expect(await getPlacePolicy(admin)).toEqual(defaultPlacePolicy);
  });

  it("counts once an engagement that reached several parts of one place, from the rollups as from the record", async () => {
    const unit = await freshUnit("Cross-strait desk");
    const china = await insertOrganisation("political_party", "CHN", "Party of CHN");
    const year2022 = { from: "2022-01-01", to: "2022-12-31" };
    const talks = (titleEn: string, parties: number[]) =>
      createEngagement(admin, {
        type: "talks",
        direction: "none",
        titleEn,
        startDate: "2022-05-05",
        status: "done",
        leadUnitId: unit,
        participants: parties.map((organisationId) => ({ organisationId, role: "participant" })),
      });
    // One meeting of parties of the mainland, Hong Kong and Taiwan; one of Hong Kong's and Taiwan's; one of Taiwan's alone; one of Viet Nam's.
    await talks("Three sides", [china, org.HKG as number, org.TWN as number]);
    await talks("Two sides", [org.HKG as number, org.TWN as number]);
    await talks("Taiwan alone", [org.TWN as number]);
    await talks("Viet Nam", [org.VNM as number]);
    const byPlace = await countEngagements(admin, { ...year2022, by: "place" });
    const byPlaceRecord = await countEngagements(admin, { ...year2022, by: "place" }, { fromRecord: true });
    expect(byPlace.source).toBe("rollup");
    const chn = byPlace.rows.find((r) => r.key === "CHN");
    expect(chn).toMatchObject({ engagements: 3, organisations: 3, countries: 1, regions: 0 });
    expect(byPlace.rows.map((r) => ({ ...r, label: undefined }))).toEqual(byPlaceRecord.rows.map((r) => ({ ...r, label: undefined })));
    // A scholar of Taiwan who came without an organisation, beside a mainland party, in the autumn.
    const scholar = await createPerson(admin, { nameEn: "A scholar of Taiwan", countryCode: "TWN" });
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "A seminar",
      startDate: "2022-10-10",
      status: "done",
      leadUnitId: unit,
      participants: [
        { organisationId: china, role: "participant" },
        { personId: scholar.id, role: "participant" },
      ],
    });
    // The same from the rollups as from the record: for the administrator and for the desk's own
    // viewer, over the year and over part of it, for one kind of partner and for parties in government.
    const viewer = await actorIn(unit, "viewer");
    for (const reader of [admin, viewer]) {
      for (const query of [
        { ...year2022, by: "place" },
        { from: "2021-03-15", to: "2022-12-31", by: "place" },
        { ...year2022, by: "place", partnerKind: "political_party" },
        { ...year2022, by: "place", partnerStatus: "in_government" },
      ]) {
        const rolled = await countEngagements(reader, query);
        const recorded = await countEngagements(reader, query, { fromRecord: true });
        expect(rolled.source).toBe("rollup");
        expect(rolled.rows.map((r) => ({ ...r, label: undefined }))).toEqual(recorded.rows.map((r) => ({ ...r, label: undefined })));
        expect(rolled.total).toEqual(recorded.total);
      }
    }
    const all = await countEngagements(viewer, { ...year2022, by: "place" });
    expect(all.rows.find((r) => r.key === "CHN")).toMatchObject({ engagements: 4, organisations: 3 });
    const parties = await countEngagements(admin, { ...year2022, by: "place", partnerKind: "political_party" });
    expect(parties.rows.find((r) => r.key === "CHN")).toMatchObject({ engagements: 4, organisations: 3 });
  });

  it("counts Hong Kong and Taiwan under China, territories and disputed places as regions, never as countries", async () => {
    // VNM, CUB, GBR (with Northern Ireland), CHN (Hong Kong and Taiwan); Greenland and Kosovo regions; the EU nothing.
    expect(await both()).toMatchObject({ engagements: 9, organisations: 9, countries: 4, regions: 2 });
    const report = await buildOverview(admin, { ...year2021, mode: "exact" });
    expect(report.totals).toMatchObject({ countries: 4, regions: 2 });
    expect(report.totals.stated.places).toEqual({ zh: "6个国家和地区", en: "6 countries and regions" });
    const line = report.narrative.find((l) => l.key === "congratulations");
    expect(line?.zh).toBe("6个国家和地区的9个政党和政治组织等发来9封贺电贺信");
    expect(line?.en).toContain("in 6 countries and regions");
    const csv = (await prepareOverviewExport(admin, { ...year2021, mode: "exact", format: "csv" })).body.toString("utf8");
    expect(csv).toContain("6个国家和地区");
    // The top places are the places counted: China with Hong Kong and Taiwan, one row; Greenland a region.
    const top = Object.fromEntries(report.topCountries.map((r) => [r.key, r]));
    expect(top.CHN).toMatchObject({ engagements: 2, organisations: 2, countries: 1, regions: 0 });
    expect(top.GRL).toMatchObject({ engagements: 1, countries: 0, regions: 1 });
    expect(top.HKG).toBeUndefined();
    expect(top.EUN).toBeUndefined();
    // Each figure opens exactly its records: China's two; the countries' and the regions' apart.
    const { listEngagements } = await import("../engagements/service.ts");
    expect((await listEngagements(admin, { ...top.CHN?.drill, pageSize: 50 })).total).toBe(2);
    const regions = await listEngagements(admin, { ...report.totals.drills?.regions, pageSize: 50 });
    expect(regions.items.map((e) => e.title.en).sort()).toEqual(["Message from GRL", "Message from XKX"]);
    const countries = await listEngagements(admin, { ...report.totals.drills?.countries, pageSize: 50 });
    expect(countries.total).toBe(6);
    // From the rollups and from the record alike.
    const byPlace = await countEngagements(admin, { ...year2021, by: "place" });
    const byPlaceRecord = await countEngagements(admin, { ...year2021, by: "place" }, { fromRecord: true });
    expect(byPlace.source).toBe("rollup");
    expect(new Set(byPlace.rows.map((r) => JSON.stringify({ ...r, label: undefined })))).toEqual(
      new Set(byPlaceRecord.rows.map((r) => JSON.stringify({ ...r, label: undefined }))),
    );
  });

  it("follows a changed policy in every figure at once, and says 国家 only when no region is among them", async () => {
    try {
      await setPlacePolicy(admin, { ...defaultPlacePolicy, region: "parent" });
      // Greenland now counts as Denmark.
      expect(await both()).toMatchObject({ countries: 5, regions: 1 });
      await setPlacePolicy(admin, { ...defaultPlacePolicy, region: "parent", disputed: "none" });
      expect(await both()).toMatchObject({ countries: 5, regions: 0 });
      const report = await buildOverview(admin, { ...year2021, mode: "exact" });
      expect(report.narrative.find((l) => l.key === "congratulations")?.zh).toBe("5个国家的9个政党和政治组织等发来9封贺电贺信");
      await setPlacePolicy(admin, { ...defaultPlacePolicy, supranational: "region", disputed: "country" });
      expect(await both()).toMatchObject({ countries: 5, regions: 2 });
      // By year and by type the same, row for row.
      const byYear = await countEngagements(admin, { ...year2021, by: "year" });
      expect(byYear.rows[0]).toMatchObject({ key: "2021", countries: 5, regions: 2 });
    } finally {
      await setPlacePolicy(admin, defaultPlacePolicy);
    }
    expect(await both()).toMatchObject({ countries: 4, regions: 2 });
  });

  it("follows a place's own counting over its status's: Hong Kong as a region of its own when an administrator says so", async () => {
    try {
      await updateCountry(admin, "HKG", { counting: "region" });
      expect(await both()).toMatchObject({ countries: 4, regions: 3 });
      await updateCountry(admin, "HKG", { counting: "none" });
      expect(await both()).toMatchObject({ organisations: 9, countries: 4, regions: 2 });
    } finally {
      await updateCountry(admin, "HKG", { counting: "parent" });
    }
    expect(await both()).toMatchObject({ countries: 4, regions: 2 });
    await expect(updateCountry(admin, "HKG", { counting: "province" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("follows a place's status as an administrator sets it, and refuses a place that belongs to itself or to nothing known", async () => {
    try {
      await updateCountry(admin, "XKX", { status: "state" });
      expect(await both()).toMatchObject({ countries: 5, regions: 1 });
    } finally {
      await updateCountry(admin, "XKX", { status: "disputed" });
    }
    await expect(updateCountry(admin, "NIR", { parentCode: "NIR" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(updateCountry(admin, "NIR", { parentCode: "QQQ" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await getCountry(admin, "NIR")).parentCode).toBe("GBR");
  });

  it("lets only administrators change the policy, and refuses a policy it cannot follow", async () => {
    const coordinator = await actorInFreshUnit("coordinator");
    expect(await getPlacePolicy(coordinator)).toEqual(defaultPlacePolicy);
    await expect(setPlacePolicy(coordinator, defaultPlacePolicy)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setPlacePolicy(admin, { ...defaultPlacePolicy, region: "province" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(setPlacePolicy(admin, { state: "country" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
