import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
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
      sql<number>`(SELECT count(*) FROM organisations o WHERE o.country_code = c.code)`.as("organisationCount"),
    ]);
}

export type CountryRow = Awaited<ReturnType<ReturnType<typeof countriesWithRegions>["executeTakeFirstOrThrow"]>>;

/**
 * "This country code is in the group", for a group named by id or key: one condition
 * shared by every filter on country groups.
 */
export function inCountryGroup(countryCode: Expression<string | null> | RawBuilder<unknown>, group: string): RawBuilder<SqlBool> {
  const which = /^\d+$/.test(group) ? sql`g.id = ${Number(group)}` : sql`g.key = ${group}`;
  return sql<SqlBool>`${countryCode} IN (SELECT m.country_code FROM country_group_members m JOIN country_groups g ON g.id = m.group_id WHERE ${which})`;
}

/** "This country code is in the UN M49 region or sub-region". */
export function inRegion(countryCode: Expression<string | null> | RawBuilder<unknown>, region: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${countryCode} IN (SELECT code FROM countries WHERE region_code = ${region} OR subregion_code = ${region})`;
}
