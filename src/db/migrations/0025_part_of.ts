import { type Kysely, sql } from "kysely";

/**
 * Talks during a visit, a session's reception during a forum: an engagement can be part of a visit
 * or an event, and each shows the other.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE engagements ADD COLUMN part_of_id integer REFERENCES engagements(id) ON DELETE SET NULL;
    CREATE INDEX engagements_part_of ON engagements (part_of_id) WHERE part_of_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE engagements DROP COLUMN part_of_id;`.execute(db);
}
