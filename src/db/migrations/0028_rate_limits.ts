import { type Kysely, sql } from "kysely";

/**
 * The write limit's counters move into the database, so that two or more Liaison processes on one
 * PostgreSQL count a client's writes together (in memory each process counted its own share).
 * Unlogged: a counter lost in a database crash costs nothing, and skipping the WAL keeps the
 * increment cheap.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE UNLOGGED TABLE rate_limit_windows (
      key text PRIMARY KEY,
      opened_at timestamptz NOT NULL,
      count integer NOT NULL
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE rate_limit_windows;`.execute(db);
}
