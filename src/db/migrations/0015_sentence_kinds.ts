import { type Kysely, sql } from "kysely";
import { defaultPlacePolicy, placePolicyKey, readPlaceSeeds } from "../../core/countries/places.ts";
import { bundledDataDir } from "../../paths.ts";

/**
 * A place can count otherwise than its status says (Hong Kong, Macao, Taiwan, Northern
 * Ireland and Zanzibar under their state, while other regions — the dependent territories — count as
 * regions, 地区). Sentence kinds are data: an administrator adds kinds of their own (a bilingual template bound
 * to an engagement filter), and every kind can carry a label, a sentence for one partner, and a
 * lead-in, an occasion and a purpose phrase.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE report_templates ADD COLUMN label jsonb;
    ALTER TABLE report_templates ADD COLUMN filter jsonb;
    ALTER TABLE report_templates ADD COLUMN one jsonb;
    ALTER TABLE report_templates ADD COLUMN phrases jsonb NOT NULL DEFAULT '{}'::jsonb;
    ALTER TABLE report_templates ADD COLUMN custom boolean NOT NULL DEFAULT false;
    ALTER TABLE report_templates ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE report_templates ADD CONSTRAINT report_templates_custom_filter CHECK (NOT custom OR (filter IS NOT NULL AND label IS NOT NULL));
    ALTER TABLE countries ADD COLUMN counting text CHECK (counting IN ('country', 'region', 'parent', 'none'));
  `.execute(db);
  // The bundled places' own counting, and the policy's new default for regions where nobody changed the old one.
  for (const seed of readPlaceSeeds(bundledDataDir)) {
    if (seed.counting) await sql`UPDATE countries SET counting = ${seed.counting} WHERE code = ${seed.code}`.execute(db);
  }
  await sql`UPDATE settings SET value = jsonb_set(value, '{region}', '"region"')
    WHERE key = ${placePolicyKey} AND value = ${JSON.stringify({ ...defaultPlacePolicy, region: "parent" })}::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE countries DROP COLUMN counting;
    DELETE FROM report_templates WHERE custom;
    ALTER TABLE report_templates DROP CONSTRAINT report_templates_custom_filter, DROP COLUMN label, DROP COLUMN filter, DROP COLUMN one,
      DROP COLUMN phrases, DROP COLUMN custom, DROP COLUMN created_at`.execute(db);
}
