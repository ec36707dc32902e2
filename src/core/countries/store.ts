import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import { invalidField } from "../shared/errors.ts";
import type { Executor } from "../shared/mutation.ts";

/** Countries joined with their region and sub-region names. */
export function countriesWithRegions(executor: Executor) {
  return executor
    .selectFrom("countries as c")
    .leftJoin("regions as r", "r.code", "c.regionCode")
    .leftJoin("regions as s", "s.code", "c.subregionCode")
    .selectAll("c")
    .select([
      "r.nameEn as regionNameEn",
      "r.nameZh as regionNameZh",
      "s.nameEn as subregionNameEn",
      "s.nameZh as subregionNameZh",
      // From the pre-aggregated counts: a scan per country would cost milliseconds each.
      sql<number>`(SELECT coalesce(sum(oc.n), 0)::int FROM organisation_counts oc WHERE oc.country_key = c.code)`.as("organisationCount"),
    ]);
}

/** Refuses a country code that is not in the registry, as a field error on `path`. */
export async function assertCountryExists(executor: Executor, code: string | null | undefined, path = "countryCode"): Promise<void> {
  if (!code) return;
  const found = await executor.selectFrom("countries").select("code").where("code", "=", code).executeTakeFirst();
  if (!found) throw invalidField(path, `No country ${code}.`);
}

export type CountryRow = Awaited<ReturnType<ReturnType<typeof countriesWithRegions>["executeTakeFirstOrThrow"]>>;

/**
 * A country group named in a filter, as its id when the name is one (digits that fit an id), or
 * else as its key: the same reading wherever a filter names a group.
 */
export function countryGroupRef(group: string): { id: number } | { key: string } {
  return /^\d{1,9}$/.test(group) ? { id: Number(group) } : { key: group };
}

/**
 * "This country code is in the group", for a group named by id or key: one condition
 * shared by every filter on country groups.
 */
export function inCountryGroup(countryCode: Expression<string | null> | RawBuilder<unknown>, group: string): RawBuilder<SqlBool> {
  const ref = countryGroupRef(group);
  const which = "id" in ref ? sql`g.id = ${ref.id}` : sql`g.key = ${ref.key}`;
  return sql<SqlBool>`${countryCode} IN (SELECT m.country_code FROM country_group_members m JOIN country_groups g ON g.id = m.group_id WHERE ${which})`;
}

/** "This country code is in the UN M49 region or sub-region". */
export function inRegion(countryCode: Expression<string | null> | RawBuilder<unknown>, region: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${countryCode} IN (SELECT code FROM countries WHERE region_code = ${region} OR subregion_code = ${region})`;
}
