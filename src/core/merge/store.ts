import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../shared/mutation.ts";
import type { DuplicateQuery } from "./schema.ts";

/** One pair of records that look like one partner, with what they share. */
export interface CandidatePairRow {
  aId: number;
  bId: number;
  shared: string[];
  alike: number | null;
  sameWikidata: string | null;
}

/** Names whose folded Latin text is at least this alike (trigram similarity) are candidates too. */
export const alikeThreshold = 0.75;

/**
 * Pairs of organisations that may be one partner: the same Wikidata id from the reference
 * data, a name shared after folding (with the country), or — for one record or one country,
 * where comparing every pair stays cheap — Latin names alike enough. Pairs someone dismissed
 * are left out.
 */
export function organisationCandidatePairs(executor: Executor, query: DuplicateQuery) {
  const base = candidateBase("organisations", query);
  const alike =
    query.id || query.country
      ? sql`UNION ALL
      SELECT a.id, b.id, ARRAY[]::text[], similarity(a.search_latin, b.search_latin), NULL
      FROM base a JOIN organisations b ON b.country_code IS NOT DISTINCT FROM a.country_code AND ${otherSide(query)}
        AND similarity(a.search_latin, b.search_latin) >= ${alikeThreshold}
      WHERE a.search_latin <> ''`
      : sql``;
  return sql<CandidatePairRow>`
    WITH base AS (${base}),
    pairs AS (
      ${sharedKeyPairs("organisations", query)}
      UNION ALL
      SELECT a.id, b.id, ARRAY[]::text[], NULL, COALESCE(a.reference_wikidata_id, a.wikidata_id)
      FROM base a JOIN organisations b ON ${otherSide(query)} AND b.reference_wikidata_id = COALESCE(a.reference_wikidata_id, a.wikidata_id)
      UNION ALL
      SELECT a.id, b.id, ARRAY[]::text[], NULL, a.reference_wikidata_id
      FROM base a JOIN organisations b ON ${otherSide(query)} AND b.wikidata_id = a.reference_wikidata_id
      ${alike}
    )
    ${groupedPairs("organisation")}`.execute(executor);
}

/**
 * Pairs that share a folded name: every record's keys unnested and joined by equality (a
 * hash join, where an array-overlap join would probe the index once per record).
 */
function sharedKeyPairs(table: "organisations" | "people", query: DuplicateQuery): RawBuilder<unknown> {
  return sql`SELECT a.id AS a_id, b.id AS b_id, array_agg(DISTINCT a.key) AS shared, NULL::real AS alike, NULL::text AS same_wikidata
      FROM (SELECT id, country_code, unnest(match_keys) AS key FROM base) a
      JOIN (SELECT id, country_code, unnest(match_keys) AS key FROM ${sql.table(table)}) b
        ON b.key = a.key AND b.country_code IS NOT DISTINCT FROM a.country_code AND ${otherSide(query)}
      GROUP BY a.id, b.id`;
}

/** Each pair once, lower id first, with everything the pairs' rows found about it. */
function groupedPairs(kind: "organisation" | "person"): RawBuilder<unknown> {
  return sql`SELECT LEAST(a_id, b_id) AS "aId", GREATEST(a_id, b_id) AS "bId",
      array_remove(array_agg(DISTINCT s.k), NULL) AS shared, max(alike) AS alike, max(same_wikidata) AS "sameWikidata"
    FROM pairs LEFT JOIN LATERAL unnest(pairs.shared) AS s(k) ON true
    WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.record_kind = ${kind}
      AND d.low_id = LEAST(a_id, b_id) AND d.high_id = GREATEST(a_id, b_id))
    GROUP BY 1, 2
    LIMIT 5000`;
}

/** Pairs of people who may be one person: a name shared after folding (in any script, or with the words reordered). */
export function personCandidatePairs(executor: Executor, query: DuplicateQuery) {
  const base = candidateBase("people", query);
  return sql<CandidatePairRow>`
    WITH base AS (${base}),
    pairs AS (${sharedKeyPairs("people", query)})
    ${groupedPairs("person")}`.execute(executor);
}

/** The records whose candidates are looked for: one, a country's, or all. */
function candidateBase(table: "organisations" | "people", query: DuplicateQuery): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`true`];
  if (query.id) conditions.push(sql`id = ${query.id}`);
  if (query.country) conditions.push(sql`country_code = ${query.country}`);
  return sql`SELECT * FROM ${sql.table(table)} WHERE ${sql.join(conditions, sql` AND `)}`;
}

/** Each pair once when listing everything; for one record, every other record. */
function otherSide(query: DuplicateQuery): RawBuilder<boolean> {
  return query.id ? sql<boolean>`b.id <> a.id` : sql<boolean>`b.id > a.id`;
}
