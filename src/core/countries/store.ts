import { sql } from "kysely";
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
