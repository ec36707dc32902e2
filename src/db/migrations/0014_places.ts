import fs from "node:fs";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { applyPlaceSeeds, defaultPlacePolicy, placePolicyKey, readPlaceSeeds } from "../../core/countries/places.ts";
import { bundledDataDir } from "../../paths.ts";
import type { DB } from "../types.ts";

/**
 * Places that are not sovereign states stop counting as countries: every place carries a
 * status (state, region of a state, disputed, supranational, historical) and, for a region,
 * the state it belongs to; the territorial policy (how figures count each status) is a
 * setting. Existing places get the bundled statuses, and the reference user's names where
 * nobody changed the names first loaded (中国台湾, 中国香港, 中国澳门, 巴勒斯坦).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE countries ADD COLUMN status text NOT NULL DEFAULT 'state'
      CHECK (status IN ('state', 'region', 'disputed', 'supranational', 'historical'));
    ALTER TABLE countries ADD COLUMN parent_code text REFERENCES countries(code) CHECK (parent_code <> code);
  `.execute(db);
  await sql`INSERT INTO settings (key, value) VALUES (${placePolicyKey}, ${JSON.stringify(defaultPlacePolicy)}::jsonb)
    ON CONFLICT (key) DO NOTHING`.execute(db);
  const file = path.join(bundledDataDir, "geography", "countries.json");
  const first = JSON.parse(fs.readFileSync(file, "utf8")) as Array<{ code: string; nameZh: string; nameEn: string }>;
  await applyPlaceSeeds(
    db as Kysely<DB>,
    readPlaceSeeds(bundledDataDir),
    new Map(first.map((c) => [c.code, { nameZh: c.nameZh, nameEn: c.nameEn }])),
    undefined,
    { counting: false },
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM settings WHERE key = ${placePolicyKey};
    ALTER TABLE countries DROP COLUMN parent_code; ALTER TABLE countries DROP COLUMN status;`.execute(db);
}
