import { sql } from "kysely";
import type { Executor } from "../shared/mutation.ts";

/** A column that holds the id of a registry record: found in the database's own catalogue. */
interface ReferencingColumn {
  table: string;
  column: string;
  /** Each unique constraint or index of the table that includes the column: its other columns. */
  uniqueWith: string[][];
  /** Its rows go when the record goes (ON DELETE CASCADE): a part of the record, not a reference that keeps it. */
  cascades: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Every column in the database that references `table`'s id, with the unique keys it is
 * part of. Read from the catalogue rather than listed by hand, so that a table added later
 * is moved by a merge without anyone remembering to.
 */
export async function referencingColumns(executor: Executor, table: "organisations" | "people"): Promise<ReferencingColumn[]> {
  const columns = await sql<{ table: string; column: string; cascades: boolean }>`
    SELECT cl.relname::text AS table, a.attname::text AS column, c.confdeltype = 'c' AS cascades
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confrelid = (SELECT oid FROM pg_class WHERE relname = ${table}
      AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
      AND array_length(c.conkey, 1) = 1
    ORDER BY cl.relname, a.attname`.execute(executor);
  const uniques = await sql<{ table: string; columns: string[] }>`
    SELECT cl.relname::text AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index i
    JOIN pg_class cl ON cl.oid = i.indrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
    GROUP BY cl.relname, i.indexrelid`.execute(executor);
  return columns.rows.map((c) => ({
    ...c,
    uniqueWith: uniques.rows
      .filter((u) => u.table === c.table && u.columns.includes(c.column))
      .map((u) => u.columns.filter((other) => other !== c.column)),
  }));
}

/** What a merge did to one referencing column: rows moved, and rows dropped as repeats of the survivor's. */
export interface MovedReferences {
  table: string;
  column: string;
  moved: number;
  folded: number;
}

/**
 * Points every reference to `fromId` at `toId`, in every referencing column except those
 * in `handled` (moved by the caller with their own rules). A row that would then repeat one
 * the survivor has (the same engagement, the same tag) is a repeat: it is dropped, and
 * counted as folded.
 */
export async function moveReferences(
  executor: Executor,
  table: "organisations" | "people",
  fromId: number,
  toId: number,
  handled: ReadonlyArray<string> = [],
): Promise<MovedReferences[]> {
  const out: MovedReferences[] = [];
  for (const ref of await referencingColumns(executor, table)) {
    if (handled.includes(`${ref.table}.${ref.column}`)) continue;
    const t = sql.raw(quote(ref.table));
    const col = sql.raw(quote(ref.column));
    let folded = 0;
    for (const others of ref.uniqueWith) {
      // The survivor's own row wins; where the unique key is the column alone, so does it.
      const same = others.map((o) => sql`s.${sql.raw(quote(o))} IS NOT DISTINCT FROM m.${sql.raw(quote(o))}`);
      const dropped = await sql`DELETE FROM ${t} m WHERE m.${col} = ${fromId}
        AND EXISTS (SELECT 1 FROM ${t} s WHERE s.${col} = ${toId}${same.length ? sql` AND ${sql.join(same, sql` AND `)}` : sql``})`.execute(
        executor,
      );
      folded += Number(dropped.numAffectedRows ?? 0);
    }
    const moved = await sql`UPDATE ${t} SET ${col} = ${toId} WHERE ${col} = ${fromId}`.execute(executor);
    const n = Number(moved.numAffectedRows ?? 0);
    if (n > 0 || folded > 0) out.push({ table: ref.table, column: ref.column, moved: n, folded });
  }
  return out;
}

/** How many rows of any referencing column still name `id` (a merge leaves none). */
export async function remainingReferences(executor: Executor, table: "organisations" | "people", id: number): Promise<number> {
  let total = 0;
  for (const ref of await referencingColumns(executor, table)) {
    const row = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM ${sql.raw(quote(ref.table))} WHERE ${sql.raw(quote(ref.column))} = ${id}`.execute(executor);
    total += row.rows[0]?.n ?? 0;
  }
  return total;
}
