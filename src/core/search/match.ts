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
