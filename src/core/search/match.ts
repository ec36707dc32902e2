import { type RawBuilder, sql } from "kysely";
import { planEachTime } from "../../db/prepared.ts";

/**
 * `vector` (a search_vector column) matching the tsquery of what was typed. The query is planned
 * with its words each time: how many records a word matches decides the plan ("christian" a few
 * hundred, "party" most of the registry), and a prepared statement's generic plan, made for no
 * word in particular, ran a name search ten times slower.
 */
export function vectorMatches(vector: string, tsquery: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(vector)} @@ to_tsquery('simple', ${tsquery}) ${sql.raw(planEachTime)}`;
}

/**
 * `id` (a column reference) is one of a name search's candidates (`candidates`: a query of ids).
 * As an array, not IN (…): the candidates, a few hundred at most, then lead the plan and are each
 * looked up by key. With IN, sorted by name and cut to a page, the planner could walk the whole
 * registry in name order and test every record against the list (55 ms for "front" among 5,700
 * organisations, 3.5 ms this way).
 */
export function amongCandidates(id: string, candidates: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(id)} = ANY(ARRAY${candidates})`;
}
