import { type Kysely, sql } from "kysely";

/**
 * The top partners of a bureau's users, or of anyone who reads only some slices, were totalled over
 * every partner of their slices: at 1,000,000 engagements a bureau editor's overview read 1.6
 * million per-partner rows for its ten partners. Two indexes let it read the busiest partners of
 * each slice and year first, and then total just those candidates (see rankFromSlices).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX engagement_partner_slices_rank ON engagement_partner_slices (lead_unit_id, co_units, restricted, year, n DESC, organisation_id);
    CREATE INDEX engagement_partner_slices_partner ON engagement_partner_slices (organisation_id, year) INCLUDE (lead_unit_id, co_units, restricted, n);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX engagement_partner_slices_rank, engagement_partner_slices_partner`.execute(db);
}
