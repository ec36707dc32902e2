import { sql } from "kysely";
import { db } from "../../db/current.ts";
import type { Executor } from "../shared/mutation.ts";

/**
 * How common words are in a search column: each word's share of the records (0–1), from
 * PostgreSQL's own statistics of the column (its most common elements, which ANALYZE keeps on
 * both engines). A word not listed is rarer than every word listed.
 */
export type WordShares = ReadonlyMap<string, number>;

/** The search columns whose statistics are read, by the alias the list queries give their table. */
const searchTables: Record<string, string> = {
  "o.search_vector": "organisations",
  "pe.search_vector": "people",
  "e.search_vector": "engagements",
};

/** Statistics change with ANALYZE, after a tenth of a table has changed: read again this often. */
const keptForMs = 10 * 60_000;
/** After a failed read (a replica restarting, say), or one that found no statistics yet, try again this soon. */
const retryAfterMs = 10_000;

interface Kept {
  at: number;
  forMs: number;
  byTable: Map<string, WordShares>;
  rows: Map<string, number>;
}
/** Per database (the primary, a replica, a test's own), so that one's statistics never steer another's searches. */
const kept = new WeakMap<Executor, Kept>();
const reading = new WeakMap<Executor, Promise<void>>();

/**
 * Reads the search columns' statistics of the database `executor` reaches, when those kept are
 * missing or older than ten minutes. They only steer which words an index scan reads (see
 * `indexedTerms`) and in which order a search asks its questions, never which records match:
 * without them a search finds the same records. So a failure to read them is not a search's
 * failure: every word then goes to the index, as before.
 */
export async function keepWordShares(executor: Executor): Promise<void> {
  const known = kept.get(executor);
  if (known && performance.now() - known.at < known.forMs) return;
  let read = reading.get(executor);
  if (!read) {
    read = readWordShares(executor).finally(() => reading.delete(executor));
    reading.set(executor, read);
  }
  await read;
}

async function readWordShares(executor: Executor): Promise<void> {
  const byTable = new Map<string, WordShares>();
  const rowCounts = new Map<string, number>();
  let forMs = keptForMs;
  try {
    const rows = await sql<{ table: string; words: string[] | null; shares: number[] | null; rows: number }>`SELECT s.tablename AS table,
        s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS shares, c.reltuples::float8 AS rows
      FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = to_regnamespace(s.schemaname)
      WHERE s.schemaname = current_schema() AND s.attname = 'search_vector'
        AND s.tablename = ANY(${Object.values(searchTables)}::text[])`.execute(executor);
    for (const row of rows.rows) {
      // The shares list ends with three figures of its own (the least, the most, the nulls).
      const shares = new Map((row.words ?? []).map((word, i) => [word, Number(row.shares?.[i] ?? 0)]));
      byTable.set(row.table, shares);
      rowCounts.set(row.table, Number(row.rows));
    }
    // None yet (a registry just loaded, before its first ANALYZE): look again soon.
    if (!byTable.has("organisations")) forMs = retryAfterMs;
  } catch {
    // Kept empty (see above) for a short while.
    forMs = retryAfterMs;
  }
  kept.set(executor, { at: performance.now(), forMs, byTable, rows: rowCounts });
}

/**
 * The word shares kept for a search column (by its aliased name, as `vectorMatches` takes it) of
 * the current database; empty when none.
 */
export function wordSharesOf(vector: string): WordShares {
  const table = searchTables[vector];
  return (table && kept.get(db())?.byTable.get(table)) || new Map();
}

/**
 * About how many records of a search column's table the parts of a tsquery (its terms joined by
 * " & ") match together, from the statistics (each part's share, as if the words were
 * independent); null without statistics. Only ever a guess at how a search will go, never an answer.
 */
export function estimatedMatches(vector: string, parts: readonly string[]): number | null {
  const table = searchTables[vector];
  const shares = wordSharesOf(vector);
  const rows = table ? kept.get(db())?.rows.get(table) : undefined;
  if (shares.size === 0 || rows === undefined || rows <= 0) return null;
  return parts.reduce((n, part) => n * shareOf(part, shares), rows);
}

/** Forgets the kept statistics of the current database (tests: after an ANALYZE they made). */
export function forgetWordShares(): void {
  kept.delete(db());
}

/**
 * A word (or, with a trailing ":*", every word it begins) counts as rare up to this share: its
 * index entries are few enough that reading them always pays.
 */
const rareShare = 0.02;
/**
 * A common word is still read from the index while its share stays within this many times the
 * share of records the rarer words leave: reading its entries costs about a tenth of checking
 * a record, so beyond that, checking the records the rarer words leave is cheaper.
 */
const worthReading = 10;

/** A tsquery operand of quoted folded Latin words (letters and digits) or Chinese pieces, with prefixes and alternatives. */
const plainTerm = /^\(?'[a-z0-9\p{Script=Han}]+'(:\*)?( \| '[a-z0-9\p{Script=Han}]+'(:\*)?)*\)?$/u;

/**
 * A part's estimated share: the sum over its alternatives ("'a':* | 'b'"), each a word or a
 * prefix (every listed word it begins); a word not listed at half the least listed share, as
 * PostgreSQL estimates it.
 */
function shareOf(part: string, shares: WordShares): number {
  let least = 1;
  for (const share of shares.values()) least = Math.min(least, share);
  const unlisted = least / 2;
  let share = 0;
  for (const [, word = "", prefix] of part.matchAll(/'((?:[^']|'')*)'(:\*)?/g)) {
    let listed = prefix ? 0 : (shares.get(word) ?? 0);
    if (prefix) for (const [other, s] of shares) if (other.startsWith(word)) listed += s;
    share += listed || unlisted;
  }
  return Math.min(share, 1);
}

/**
 * The parts of a tsquery (its terms joined by " & ") that the search column's index should
 * read: the rarest, then each next rarest while it still narrows enough to be worth its index
 * entries. The rest are checked on the records those leave. A word in most of the registry
 * ("party", a fifth to a half of all names) otherwise makes the index read every one of its
 * entries, most of the time of a three-word search. All parts when none is left out.
 */
export function indexedTerms(parts: readonly string[], shares: WordShares): string[] {
  if (parts.length < 2 || shares.size === 0) return [...parts];
  // A word of another script may give no lexeme at all under the server's locale (a Tamil
  // numeral, say): to_tsquery drops it from the whole query, but alone it would match nothing.
  // Only the search text's own folded Latin words and Chinese pieces are ever read apart.
  if (!parts.every((part) => plainTerm.test(part))) return [...parts];
  const ranked = parts.map((part, order) => ({ part, order, share: shareOf(part, shares) })).sort((a, b) => a.share - b.share);
  const chosen: typeof ranked = [];
  let left = 1;
  for (const term of ranked) {
    if (chosen.length > 0 && term.share > rareShare && term.share > worthReading * left) break;
    chosen.push(term);
    left *= term.share;
  }
  return chosen.sort((a, b) => a.order - b.order).map((t) => t.part);
}
