import { type Kysely, sql } from "kysely";

/**
 * The overview lists the period's flagship events (hosted events marked so in their details). Found
 * by type and date alone, every hosted event of the period had its details read to find the few
 * flagships: most of a second at 200,000 engagements for a bureau's user, whose scope is checked
 * row by row. A partial index holds just the flagships.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX engagements_flagship ON engagements (start_date)
    WHERE type = 'event' AND direction = 'hosted' AND (details ->> 'flagship') = 'true'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX engagements_flagship`.execute(db);
}
