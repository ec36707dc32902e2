import { type Kysely, sql } from "kysely";

/**
 * The counts' rollups are sliced by who may read what, so that a bureau's users and viewers get
 * the same fast answers as an administrator: every row now belongs to a lead unit
 * (`lead_unit_id`, 0 for every unit together), the units that took part beside it (`co_units`,
 * their ids in order, comma-separated; empty for none) and a classification (`restricted`). Each
 * engagement sits in exactly one slice besides slice 0, so a question is answered by adding up the
 * slices the caller may read; what they read only because it was shared with them is added from
 * the record. The per-partner counts behind the top partners get their own sliced table
 * (engagement_partner_slices: the breakdown "all" in every slice but 0, which the unsliced
 * engagement_partner_rollup keeps serving). The tables are derived data: they are made anew here
 * and filled by the rebuild that follows this migration (see rebuildsRollups).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Every table names a breakdown's row in a slice the same way; each adds what it holds of it. The
  // key leads with the breakdown and the slice, so that each slice a reader may read is one range
  // of it, and then the type ("*" for every type in the partner bit strings), so that a question
  // over every type reads only those rows.
  const tables: Array<[table: string, held: string, key: string]> = [
    ["engagement_rollup", "n integer NOT NULL", ""],
    ["engagement_country_rollup", "country_code text NOT NULL, n integer NOT NULL", ", country_code"],
    ["engagement_country_bits", "bits bit varying NOT NULL", ""],
    ["engagement_partner_bits", "chunk integer NOT NULL, bits bit varying NOT NULL", ", chunk"],
  ];
  await sql`DROP TABLE engagement_rollup, engagement_country_rollup, engagement_country_bits, engagement_partner_bits`.execute(db);
  for (const [table, held, key] of tables) {
    await sql`CREATE TABLE ${sql.table(table)} (
      year integer NOT NULL,
      type text NOT NULL,
      direction text NOT NULL,
      dim text NOT NULL,
      value text NOT NULL,
      lead_unit_id integer NOT NULL,
      co_units text NOT NULL,
      restricted boolean NOT NULL,
      ${sql.raw(held)},
      PRIMARY KEY (dim, lead_unit_id, co_units, type, value, year, direction, restricted${sql.raw(key)})
    )`.execute(db);
  }
  await sql`CREATE TABLE engagement_partner_slices (
      lead_unit_id integer NOT NULL,
      co_units text NOT NULL,
      restricted boolean NOT NULL,
      year integer NOT NULL,
      organisation_id integer NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (lead_unit_id, co_units, year, restricted, organisation_id)
    )`.execute(db);
}

/** Back to the unsliced tables (empty: the rollups are rebuilt from the record when next in doubt). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE engagement_partner_slices;
    ALTER TABLE engagement_rollup DROP CONSTRAINT engagement_rollup_pkey, DROP COLUMN lead_unit_id, DROP COLUMN co_units, DROP COLUMN restricted;
    ALTER TABLE engagement_country_rollup DROP CONSTRAINT engagement_country_rollup_pkey, DROP COLUMN lead_unit_id, DROP COLUMN co_units,
      DROP COLUMN restricted;
    ALTER TABLE engagement_country_bits DROP CONSTRAINT engagement_country_bits_pkey, DROP COLUMN lead_unit_id, DROP COLUMN co_units,
      DROP COLUMN restricted;
    ALTER TABLE engagement_partner_bits DROP CONSTRAINT engagement_partner_bits_pkey, DROP COLUMN lead_unit_id, DROP COLUMN co_units,
      DROP COLUMN restricted;
    TRUNCATE engagement_rollup, engagement_country_rollup, engagement_country_bits, engagement_partner_bits;
    ALTER TABLE engagement_rollup ADD PRIMARY KEY (dim, value, year, type, direction);
    ALTER TABLE engagement_country_rollup ADD PRIMARY KEY (dim, value, year, type, direction, country_code);
    ALTER TABLE engagement_country_bits ADD PRIMARY KEY (dim, value, year, type, direction);
    ALTER TABLE engagement_partner_bits ADD PRIMARY KEY (dim, value, year, type, direction, chunk);
  `.execute(db);
}
