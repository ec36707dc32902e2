import { type Kysely, sql } from "kysely";

/** Relationships the demo records are marked, so that removing the demo takes them out too. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE relationships ADD COLUMN demo boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE relationships DROP COLUMN demo`.execute(db);
}
