import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { type RawBuilder, sql } from "kysely";
import { z } from "zod";
import type { Executor } from "../shared/mutation.ts";

/**
 * What a place in the geography is: a sovereign state (a UN member or observer), a region of
 * a state (Hong Kong, Macao and Taiwan of China; Northern Ireland of the United Kingdom; the
 * dependent territories), a disputed or partially recognised place (Kosovo, Somaliland,
 * Transnistria, Western Sahara), a union of states (the EU), or a state of the past.
 */
export const placeStatuses = ["state", "region", "disputed", "supranational", "historical"] as const;
export type PlaceStatus = (typeof placeStatuses)[number];

/** How the figures count a place of a status: as a country, as a region (地区), under its parent state, or not at all. */
export const placeCounting = z.enum(["country", "region", "parent", "none"]);
export type PlaceCounting = z.output<typeof placeCounting>;

/**
 * The territorial policy: for each status, how figures count its places. Reports, the counts
 * query, the map and the exports all follow it; an administrator reads and changes it.
 */
export const placePolicy = z
  .object({
    state: placeCounting,
    region: placeCounting.describe("parent: counted as the state it belongs to (a region without one counts as a region)."),
    disputed: placeCounting,
    supranational: placeCounting,
    historical: placeCounting,
  })
  .strict();
export type PlacePolicy = z.output<typeof placePolicy>;

/**
 * The reference user's policy: states and the states of the past are countries; regions (the
 * dependent territories: Puerto Rico, New Caledonia…) and disputed places are regions (地区),
 * never countries; a union of states is not a place one reaches. Hong Kong, Macao and Taiwan
 * (and Northern Ireland) count under their state by their own setting (`countries.counting`).
 */
export const defaultPlacePolicy: PlacePolicy = {
  state: "country",
  region: "region",
  disputed: "region",
  supranational: "none",
  historical: "country",
};

/** The settings key the policy is kept under. */
export const placePolicyKey = "places.policy";

/**
 * Every place with the place it counts as and how (country, region or none), under its own
 * counting where it has one, else the policy in force — read inside the query, so that a changed policy changes every figure at once.
 * Columns: code, ordinal (its bit in the country bit strings), counted, kind.
 */
export const countedPlaces: RawBuilder<unknown> = sql`SELECT c.code, c.ordinal,
    CASE WHEN r.own = 'parent' AND par.code IS NOT NULL THEN par.code ELSE c.code END AS counted,
    CASE
      WHEN r.own = 'parent' AND par.code IS NOT NULL THEN CASE WHEN r.parent IN ('region', 'none') THEN r.parent ELSE 'country' END
      WHEN r.own = 'parent' THEN 'region'
      ELSE coalesce(r.own, 'none')
    END AS kind
  FROM countries c
  LEFT JOIN countries par ON par.code = c.parent_code
  CROSS JOIN (SELECT coalesce((SELECT s.value FROM settings s WHERE s.key = ${placePolicyKey}), ${JSON.stringify(defaultPlacePolicy)}::jsonb) AS pol) p
  -- How the place and its state count: their own counting, else their status's rule.
  CROSS JOIN LATERAL (SELECT coalesce(c.counting, pol ->> c.status) AS own, coalesce(par.counting, pol ->> par.status) AS parent) r`;

/** The policy in force. */
export async function readPlacePolicy(executor: Executor): Promise<PlacePolicy> {
  const row = await executor.selectFrom("settings").select("value").where("key", "=", placePolicyKey).executeTakeFirst();
  const parsed = placePolicy.safeParse(row?.value);
  return parsed.success ? parsed.data : defaultPlacePolicy;
}

/** One place's status, parent and default names in the reference user's usage (data/geography/places.csv). */
export interface PlaceSeed {
  code: string;
  status: PlaceStatus;
  parent: string | null;
  /** How it counts whatever the policy says of its status (Hong Kong: under China). */
  counting: PlaceCounting | null;
  nameZh: string | null;
  nameEn: string | null;
  source: string;
}

/** The bundled statuses, parents and names of the places that are not plainly states. */
export function readPlaceSeeds(dataDir: string): PlaceSeed[] {
  const file = path.join(dataDir, "geography", "places.csv");
  if (!fs.existsSync(file)) return [];
  const rows = parse(fs.readFileSync(file, "utf8"), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  return rows.map((r) => ({
    code: r.code as string,
    status: r.status as PlaceStatus,
    parent: r.parent || null,
    counting: placeCounting.safeParse(r.counting).success ? (r.counting as PlaceCounting) : null,
    nameZh: r.name_zh || null,
    nameEn: r.name_en || null,
    source: r.source ?? "",
  }));
}

/**
 * Gives places their bundled status and parent, and their names in the reference user's
 * usage where the names are still the ones first loaded (`seedNames`: code → the names the
 * geography file gave), so that an administrator's own names are never overwritten. `only`
 * limits it to places just added (a reload leaves the others as they were kept).
 */
export async function applyPlaceSeeds(
  executor: Executor,
  seeds: PlaceSeed[],
  seedNames: Map<string, { nameZh: string; nameEn: string }>,
  only?: Set<string>,
  // A migration from before places had their own counting sets status and parent only.
  options: { counting: boolean } = { counting: true },
): Promise<void> {
  const codes = only ? [...only] : null;
  await sql`UPDATE countries SET status = 'historical' WHERE historical AND status = 'state'
    ${codes ? sql`AND code = ANY(${codes}::text[])` : sql``}`.execute(executor);
  for (const seed of seeds) {
    if (only && !only.has(seed.code)) continue;
    await executor
      .updateTable("countries")
      .set({ status: seed.status, parentCode: seed.parent, ...(options.counting ? { counting: seed.counting } : {}) })
      .where("code", "=", seed.code)
      .execute();
    const first = seedNames.get(seed.code);
    for (const column of ["nameZh", "nameEn"] as const) {
      const name = seed[column];
      if (first && name)
        await executor
          .updateTable("countries")
          .set({ [column]: name })
          .where("code", "=", seed.code)
          .where(column, "=", first[column])
          .execute();
    }
  }
}
