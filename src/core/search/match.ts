import { type Expression, type RawBuilder, sql } from "kysely";
import { planEachTime } from "../../db/prepared.ts";
import { likePrefix, prefixUpperBound } from "./text.ts";
import { indexedTerms, wordSharesOf } from "./word-shares.ts";

/**
 * `vector` (a search_vector column) matching the tsquery of what was typed. The query is planned
 * with its words each time: how many records a word matches decides the plan ("christian" a few
 * hundred, "party" most of the registry), and a prepared statement's generic plan, made for no
 * word in particular, ran a name search ten times slower. The index reads only the words worth
 * reading (`indexedTerms`, from the column's statistics); the whole query is then checked on the
 * records they leave, through the function form of @@, which the planner does not take to the
 * index. Either way the same records match.
 */
export function vectorMatches(vector: string, tsquery: string): RawBuilder<boolean> {
  const column = sql.ref(vector);
  const parts = topLevelTerms(tsquery);
  const indexed = indexedTerms(parts, wordSharesOf(vector));
  if (indexed.length === parts.length) return sql<boolean>`${vectorHolds(vector, tsquery)} ${sql.raw(planEachTime)}`;
  return sql<boolean>`(${vectorHolds(vector, indexed.join(" & "))} ${sql.raw(planEachTime)}
    AND ts_match_vq(${column}, to_tsquery('simple', ${tsquery})))`;
}

/**
 * `vector` matching a tsquery, as a test of a record already found (a ranking's tier), where no
 * index is read and `vectorMatches`' split would only check the words twice. A null tsquery is
 * held by no record (the test is null, never true).
 */
export function vectorHolds(vector: string, tsquery: string | null): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(vector)} @@ to_tsquery('simple', ${tsquery})`;
}

/** The operands of a tsquery's top-level "&" (none of its parenthesised groups split). */
export function topLevelTerms(tsquery: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < tsquery.length; i++) {
    const c = tsquery[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "&" && depth === 0) {
      parts.push(tsquery.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(tsquery.slice(start).trim());
  return parts.filter((p) => p.length > 0);
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

/**
 * SQL: `value` (a text expression with a text_pattern_ops index) starts with `start`, written as
 * the index's range [start, the first text past it): a prepared statement's generic plan cannot
 * read a LIKE pattern it does not know from the index, but it can read a range whose bounds are
 * parameters. In code point order that range holds exactly the texts that start with `start`.
 */
export function startsWith(value: RawBuilder<unknown>, start: string): RawBuilder<boolean> {
  const bound = prefixUpperBound(start);
  if (bound === null) return sql<boolean>`${value} LIKE ${likePrefix(start)}`;
  return sql<boolean>`(${value} ~>=~ ${start} AND ${value} ~<~ ${bound})`;
}

/**
 * The records a ranked name search orders (a query of ids): `exact` (names equal to what was
 * typed), `prefixed` (queries of the records whose name starts with it, each already filtered,
 * ordered by name and limited) and `rest` (a bounded share of the other matches). The rest is
 * read only when the prefixed matches cannot fill the page window: a name that starts with the
 * words typed always ranks above one that merely contains them, so for a broad word ("social",
 * thousands of matches) the rest could never reach the page, and reading and ranking it was
 * half of the search's time.
 */
export function rankedSearchCandidates(parts: {
  exact: Expression<unknown>;
  prefixed: Array<Expression<unknown>>;
  rest: Expression<unknown>;
  window: number;
}): RawBuilder<unknown> {
  const head = sql.join(
    parts.prefixed.map((q) => sql`(${q})`),
    sql` UNION `,
  );
  return sql`(WITH head AS (${head})
    SELECT id FROM head
    UNION ${parts.exact}
    UNION SELECT r.id FROM (${parts.rest}) r WHERE (SELECT count(*) FROM head) < ${parts.window})`;
}
