import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import { lockGroupMembers, withPartnerChange } from "../engagements/rollup.ts";
import { foldLatin } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { type PlacePolicy, placePolicy, placePolicyKey, readPlacePolicy } from "./places.ts";
import { presentCountry, presentRegion } from "./presenter.ts";
import {
  type CountryDetailOutput,
  type CountryOutput,
  countryCreateInput,
  countryListQuery,
  countryUpdateInput,
  type RegionOutput,
} from "./schema.ts";
import { assertCountryExists, countriesWithRegions, inCountryGroup } from "./store.ts";

/** Lists the UN M49 regions and sub-regions. */
export async function listRegions(actor: Actor): Promise<RegionOutput[]> {
  authorize(actor, "registry.read");
  const rows = await db().selectFrom("regions").selectAll().orderBy("code").execute();
  return rows.map(presentRegion);
}

/** Lists countries and territories, filtered by region, group, history or name. */
export async function listCountries(actor: Actor, input: unknown = {}): Promise<CountryOutput[]> {
  authorize(actor, "registry.read");
  const query = parseInput(countryListQuery, input);
  let q = countriesWithRegions(db()).orderBy("c.nameEn");
  if (query.region) {
    const region = query.region;
    q = q.where((eb) => eb.or([eb("c.regionCode", "=", region), eb("c.subregionCode", "=", region)]));
  }
  if (query.group) q = q.where(inCountryGroup(sql.ref("c.code"), query.group));
  if (query.historical) q = q.where("c.historical", "=", query.historical === "true");
  const rows = await q.execute();
  const needle = query.q ? foldLatin(query.q.trim()) : "";
  const matching = needle
    ? rows.filter((r) => [r.code, r.iso2, r.nameEn, r.nameZh, r.officialNameEn].some((v) => v && foldLatin(v).includes(needle)))
    : rows;
  return matching.map(presentCountry);
}

async function findCountry(executor: Executor, code: string) {
  return countriesWithRegions(executor).where("c.code", "=", code.toUpperCase()).executeTakeFirst();
}

/** One country with its organisations counted by kind and its groups. */
export async function getCountry(actor: Actor, code: string): Promise<CountryDetailOutput> {
  authorize(actor, "registry.read");
  const row = await findCountry(db(), code);
  if (!row) throw notFound("country", code);
  const [kinds, groups] = await Promise.all([
    db().selectFrom("organisationCounts").select(["kind", "n"]).where("countryKey", "=", row.code).where("n", ">", 0).execute(),
    db()
      .selectFrom("countryGroups as g")
      .innerJoin("countryGroupMembers as m", "m.groupId", "g.id")
      .select(["g.id", "g.key", "g.nameEn", "g.nameZh"])
      .where("m.countryCode", "=", row.code)
      .orderBy("g.key")
      .execute(),
  ]);
  return {
    ...presentCountry(row),
    organisationsByKind: Object.fromEntries(kinds.map((k) => [k.kind, k.n])),
    groups: groups.map((g) => ({ id: g.id, key: g.key, name: { en: g.nameEn, zh: g.nameZh } })),
  };
}

async function assertCountryRefs(executor: Executor, subregionCode: string | undefined, successorCode: string | null | undefined) {
  if (subregionCode !== undefined) {
    const region = await executor
      .selectFrom("regions")
      .select(["code", "parentCode", "level"])
      .where("code", "=", subregionCode)
      .executeTakeFirst();
    if (!region || region.level === "world") throw invalidField("subregionCode", `No UN M49 region or sub-region ${subregionCode}.`);
  }
  await assertCountryExists(executor, successorCode, "successorCode");
}

async function regionOf(executor: Executor, code: string): Promise<{ regionCode: string | null; subregionCode: string }> {
  const chain = await sql<{ code: string; level: string }>`
    WITH RECURSIVE up(code, parent_code, level) AS (
      SELECT code, parent_code, level FROM regions WHERE code = ${code}
      UNION ALL SELECT r.code, r.parent_code, r.level FROM regions r JOIN up ON r.code = up.parent_code
    ) SELECT code, level FROM up`.execute(executor);
  return {
    regionCode: chain.rows.find((r) => r.level === "region")?.code ?? null,
    subregionCode: chain.rows.find((r) => r.level === "subregion")?.code ?? code,
  };
}

/** Adds a territory, e.g. a historical state such as the GDR. */
export async function createCountry(actor: Actor, input: unknown): Promise<CountryOutput> {
  authorize(actor, "geography.write");
  const data = parseInput(countryCreateInput, input);
  return mutate(actor, async (trx) => {
    await assertCountryRefs(trx, data.subregionCode, data.successorCode);
    await assertCountryExists(trx, data.parentCode, "parentCode");
    const exists = await trx.selectFrom("countries").select("code").where("code", "=", data.code).executeTakeFirst();
    if (exists)
      throw new AppError("CONFLICT", `A country with code ${data.code} exists already.`, {
        fields: [{ path: "code", message: "Already taken." }],
      });
    await trx
      .insertInto("countries")
      .values({ ...data, ...(await regionOf(trx, data.subregionCode)), iso2: data.iso2 ?? null })
      .execute();
    const row = await findCountry(trx, data.code);
    if (!row) throw notFound("country", data.code);
    return { result: presentCountry(row), audit: { entity: "country", entityId: data.code, action: "create", after: row } };
  });
}

/** Edits a country's names and facts: organisations differ on what to call territories. */
export async function updateCountry(actor: Actor, code: string, input: unknown): Promise<CountryOutput> {
  authorize(actor, "geography.write");
  const data = parseInput(countryUpdateInput, input);
  return mutate(actor, async (trx) => {
    const before = await findCountry(trx, code);
    if (!before) throw notFound("country", code);
    await assertCountryRefs(trx, data.subregionCode, data.successorCode);
    await assertCountryExists(trx, data.parentCode, "parentCode");
    if (data.parentCode === before.code) throw invalidField("parentCode", "A place cannot belong to itself.");
    const regions = data.subregionCode ? await regionOf(trx, data.subregionCode) : {};
    const update = () =>
      trx
        .updateTable("countries")
        .set({ ...data, ...regions, updatedAt: new Date() })
        .where("code", "=", before.code)
        .execute();
    // Moving a country to another region moves its engagements between regions in the counts; a
    // new parent state, which of them reached it beside another place of its family (by place).
    const moves = data.subregionCode || (data.parentCode !== undefined && data.parentCode !== before.parentCode);
    if (moves) {
      // Alone, as a country group's change is: a writer that saw the country where it was would
      // otherwise count an engagement it made meanwhile from there (its region, its family).
      await lockGroupMembers(trx, true);
      await withPartnerChange(trx, { countryCodes: [before.code] }, update);
    } else await update();
    const after = await findCountry(trx, before.code);
    if (!after) throw notFound("country", code);
    return { result: presentCountry(after), audit: { entity: "country", entityId: before.code, action: "update", before, after } };
  });
}

/** The territorial policy in force: how figures count states, regions, disputed, supranational and historical places. */
export async function getPlacePolicy(actor: Actor): Promise<PlacePolicy> {
  authorize(actor, "registry.read");
  return readPlacePolicy(db());
}

/**
 * Changes the territorial policy (administrators). Every figure follows at once: the counts
 * read it inside their queries, so no rollup needs rebuilding.
 */
export async function setPlacePolicy(actor: Actor, input: unknown): Promise<PlacePolicy> {
  authorize(actor, "geography.write");
  const data = parseInput(placePolicy, input);
  return mutate(actor, async (trx) => {
    const before = await readPlacePolicy(trx);
    await trx
      .insertInto("settings")
      .values({ key: placePolicyKey, value: JSON.stringify(data) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(data), updatedAt: new Date() }))
      .execute();
    return { result: data, audit: { entity: "setting", entityId: placePolicyKey, action: "update", before, after: data } };
  });
}
