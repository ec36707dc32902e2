import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../core/shared/mutation.ts";

/** The PostgreSQL type a bulk column is sent as. */
export type BulkType = "int" | "bigint" | "text" | "bool" | "real" | "jsonb" | "text[]" | "timestamptz";

const needsEscape = /[\\"]/;

/** A PostgreSQL array literal, written here in one pass (the driver's own escapes each element with two regular expressions). */
function arrayLiteral(values: unknown[]): string {
  const parts = values.map((value) => {
    if (value === null) return "NULL";
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    const text = value instanceof Date ? value.toISOString() : String(value);
    return `"${needsEscape.test(text) ? text.replace(/[\\"]/g, "\\$&") : text}"`;
  });
  return `{${parts.join(",")}}`;
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Inserts many rows in one statement with one array parameter per column (`INSERT … SELECT FROM
 * unnest(…)`): a thousand rows cost a handful of parameters instead of ten thousand, and no query
 * building per row. Columns are named as in the Kysely types (camelCase); a row's missing value
 * is NULL. A jsonb value is given as an object (serialised here) or as JSON text; a text[] value
 * as an array of strings. Rows come back in the order given when `returning` is asked for.
 */
export async function insertMany<R = Record<string, unknown>>(
  executor: Executor,
  table: string,
  columns: Record<string, BulkType>,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { returning?: string[]; onConflict?: RawBuilder<unknown> } = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = Object.keys(columns);
  const parameters = names.map((name) => {
    const type = columns[name] as BulkType;
    const values = rows.map((row) => {
      const value = row[name];
      if (value === undefined || value === null) return null;
      if (type === "jsonb") return typeof value === "string" ? value : JSON.stringify(value);
      if (type === "text[]") return (value as string[]).join("\u001f");
      return value;
    });
    const sent = type === "jsonb" || type === "text[]" ? "text" : type;
    return sql`${arrayLiteral(values)}::${sql.raw(sent)}[]`;
  });
  const aliases = names.map((_, i) => `c${i}`);
  const selected = names.map((name, i) => {
    const type = columns[name] as BulkType;
    if (type === "jsonb") return `c${i}::jsonb`;
    // Sent joined by U+001F, a control character no stored text holds (cleanText strips them).
    if (type === "text[]") return `coalesce(string_to_array(c${i}, E'\\x1f'), '{}')`;
    return `c${i}`;
  });
  const result = await sql<R>`INSERT INTO ${sql.raw(snakeCase(table))} (${sql.raw(names.map(snakeCase).join(", "))})
    SELECT ${sql.raw(selected.join(", "))} FROM unnest(${sql.join(parameters)}) AS u(${sql.raw(aliases.join(", "))})
    ${options.onConflict ?? sql``}
    ${options.returning ? sql.raw(`RETURNING ${options.returning.map(snakeCase).join(", ")}`) : sql``}`.execute(executor);
  return result.rows;
}
