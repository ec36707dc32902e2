import { type Kysely, sql } from "kysely";

/**
 * The partner statuses keep whole months of their own beside whole years, engagement counts,
 * partners and countries (the rebuild that follows fills them; see rebuildsRollups). A status is
 * what a partner was on the engagement's day, so no mask of the registry gives a month's partners
 * as it does for a partner kind. "Reached a party then in government", a line of every overview,
 * had been read from the record for any period but whole years: 105 ms for a quarter and 235 ms
 * for nine months at 1M engagements, once for the period and once for the one before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`COMMENT ON COLUMN ${sql.table(table)}.year IS
      'The period: a year (2019), or for the breakdowns all and status (and the engagement counts of region, group and kind) also a month (201903: year × 100 + month)'`.execute(
      db,
    );
  }
}

/** Without the statuses' months: their rows go (the years stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`DELETE FROM ${sql.table(table)} WHERE dim = 'status' AND year > 9999`.execute(db);
  }
}
