import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { getCountry, listCountries } from "../countries/service.ts";
import { getOrganisation, listOrganisations, updateOrganisation } from "../organisations/service.ts";
import type { Actor } from "../shared/actor.ts";
import { importReference } from "./service.ts";

let database: Database;
let admin: Actor;

async function tableCounts() {
  const result = await sql<{ organisations: number; names: number; countries: number; audit: number }>`
    SELECT (SELECT count(*) FROM organisations) AS organisations, (SELECT count(*) FROM organisation_names) AS names,
           (SELECT count(*) FROM countries) AS countries, (SELECT count(*) FROM audit_log) AS audit`.execute(db());
  return result.rows[0];
}

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
});
afterAll(() => database.close());

describe("importReference", () => {
  it("loads countries, regions and every Party Facts party once", async () => {
    const summary = await importReference(admin);
    expect(summary.parties).toEqual({ inFile: 5558, added: 5558, updated: 0, unchanged: 0 });
    expect(summary.countriesAdded).toBe(263);
    expect(summary.regionsAdded).toBe(30);
    const counts = await tableCounts();
    expect(counts?.organisations).toBe(5558);
    const audit = await db().selectFrom("auditLog").selectAll().where("entity", "=", "reference_import").execute();
    expect(audit).toHaveLength(1);
  });

  it("changes nothing on a second run, forced or not", async () => {
    const before = await tableCounts();
    const again = await importReference(admin);
    expect(again.skippedBecauseUnchanged).toBe(true);
    const forced = await importReference(admin, { force: true });
    expect(forced.parties).toEqual({ inFile: 5558, added: 0, updated: 0, unchanged: 5558 });
    const after = await tableCounts();
    expect(after?.organisations).toBe(before?.organisations);
    expect(after?.names).toBe(before?.names);
    expect(after?.countries).toBe(before?.countries);
  });

  it("serves real parties of any country, in Chinese and English", async () => {
    const germany = await listOrganisations(admin, { country: "DEU", kind: "political_party", pageSize: 200 });
    expect(germany.total).toBe(63);
    const spd = germany.items.find((o) => o.abbreviation === "SPD");
    expect(spd).toMatchObject({ name: { en: "Social Democratic Party of Germany" }, family: "soc", country: { name: { zh: "德国" } } });
    const china = await listOrganisations(admin, { q: "中国共产党" });
    expect(china.items[0]).toMatchObject({ abbreviation: "CPC", name: { en: "Communist Party of China", zh: "中国共产党" } });
    const cpc = await getOrganisation(admin, china.items[0]?.id as number);
    expect(cpc.externalIds).toMatchObject({ wikidata: "Q17427", partyfacts: 5124 });
    expect(cpc.links[0]?.url).toBe("https://www.wikidata.org/wiki/Q17427");
    const gdr = await getCountry(admin, "DDR");
    expect(gdr).toMatchObject({ historical: true, successorCode: "DEU", name: { zh: "德意志民主共和国" } });
    expect(gdr.organisationsByKind.political_party).toBeGreaterThan(10);
    const asia = await listCountries(admin, { region: "142" });
    expect(asia.map((c) => c.code)).toEqual(expect.arrayContaining(["CHN", "VNM", "LAO", "TWN"]));
  });

  it("keeps a user's edits when the source did not change", async () => {
    const found = await listOrganisations(admin, { q: "CPC", country: "CHN" });
    const id = found.items[0]?.id as number;
    const editor = await actorInFreshUnit("editor");
    await updateOrganisation(editor, id, { website: "https://www.12371.cn/" });
    await importReference(admin, { force: true });
    expect((await getOrganisation(admin, id)).website).toBe("https://www.12371.cn/");
  });

  it("updates a party whose source record changed", async () => {
    const found = await listOrganisations(admin, { q: "SPD", country: "DEU" });
    const id = found.items[0]?.id as number;
    await db().updateTable("organisations").set({ source: "partyfacts:stale", foundedYear: 1800 }).where("id", "=", id).execute();
    const summary = await importReference(admin, { force: true });
    expect(summary.parties.updated).toBe(1);
    expect((await getOrganisation(admin, id)).foundedYear).toBe(1875); // as Party Facts records it
  });

  it("is refused to a non-administrator", async () => {
    const editor = await actorInFreshUnit("editor");
    await expect(importReference(editor)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
