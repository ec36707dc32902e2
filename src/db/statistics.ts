import { type Kysely, sql } from "kysely";
import type { DB } from "./types.ts";

/** A table whose planner statistics were refreshed, and how large it is now (in pages of 8 kB). */
export interface RefreshedTable {
  table: string;
  pages: number;
}

/**
 * How far a table may grow or shrink from what its statistics say (a share of its pages, plus a
 * few pages for small tables) before they are refreshed: about PostgreSQL's autovacuum default
 * (10% changed rows before an automatic ANALYZE).
 */
const tolerance = { share: 0.1, pages: 8 };

/**
 * Brings the planner's statistics up to date where the tables changed. The embedded engine has no
 * autovacuum daemon: without this its statistics would stay as the first migration left them
 * (tables "empty"), and the planner would pick nested loops over tables of a million rows. A table
 * counts as changed when its size on disk differs from the one its last ANALYZE or VACUUM recorded
 * (inserts and updates grow it; a rewrite shrinks it), or when it has rows but no column
 * statistics; each such
 * table is analysed (with `vacuum`, vacuumed first, which also lets index-only scans skip the heap).
 * A table that changes without growing (updates in place) keeps its statistics until its size
 * moves: the embedded engine keeps no count of changed rows to go by. A PostgreSQL server's
 * autovacuum does all this on its own; the function works there too.
 */
export async function refreshStatistics(db: Kysely<DB>, options: { vacuum?: boolean } = {}): Promise<RefreshedTable[]> {
  // "Analysed" means column statistics exist: CREATE INDEX on a filled table also records its
  // size and row count, but no statistics of its columns.
  const tables = await sql<{ table: string; recorded: number; pages: number; analysed: boolean }>`
    SELECT c.relname AS "table", c.relpages AS recorded,
      (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
      EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS analysed
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname`.execute(db);
  const stale = tables.rows.filter(
    (t) => (!t.analysed && t.pages > 0) || Math.abs(t.pages - t.recorded) > Math.max(tolerance.pages, t.recorded * tolerance.share),
  );
  for (const t of stale) {
    // One table at a time: the embedded engine answers other queries in between.
    await sql`${sql.raw(options.vacuum ? "VACUUM (ANALYZE)" : "ANALYZE")} ${sql.table(t.table)}`.execute(db);
  }
  return stale.map((t) => ({ table: t.table, pages: t.pages }));
}
