import { type RawBuilder, sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import { CompiledQueries, placeholderId } from "../../db/compiled.ts";
import { inCountryGroup, inRegion } from "../countries/store.ts";
import { amongCandidates, rankedSearchCandidates, startsWith, topLevelTerms, vectorHolds, vectorMatches } from "../search/match.ts";
import { buildPhraseQuery, buildSearchQuery, latinSearchQuery, prefixUpperBound, searchWords, typedForms } from "../search/text.ts";
import { estimatedMatches } from "../search/word-shares.ts";
import { today } from "../shared/dates.ts";
import { invalidField } from "../shared/errors.ts";
import type { Executor } from "../shared/mutation.ts";
import type { OrganisationCountQuery, OrganisationListQuery } from "./schema.ts";

/**
 * The filters that lists and counts of organisations share; `spellings` are other spellings
 * of words typed in a name search (a typo's likely targets, from the registry's own words).
 */
export type OrganisationFilters = Omit<OrganisationListQuery, "page" | "pageSize" | "sort" | "withTotal"> & { spellings?: Spellings };

/** For a word typed, the registry's words it may be a misspelling of. */
export type Spellings = ReadonlyMap<string, readonly string[]>;

/** Filters the pre-aggregated counts can answer: the rest need the organisations themselves. */
export function countableFromSummary(filters: OrganisationFilters): boolean {
  return !filters.q && !filters.family && !filters.level && !filters.inGovernmentOn && !filters.tag && filters.active !== "true";
}

/**
 * "The organisation exists today": not dissolved (by its years or a dated status), and not of
 * a country that no longer exists (the GDR, Yugoslavia…).
 */
export function existsToday(o: string): RawBuilder<boolean> {
  const ref = (column: string) => sql.ref(`${o}.${column}`);
  return sql<boolean>`(${ref("dissolved_year")} IS NULL
    AND NOT EXISTS (SELECT 1 FROM organisation_statuses ds WHERE ds.organisation_id = ${ref("id")} AND ds.status = 'dissolved' AND ds.valid_from <= current_date)
    AND NOT EXISTS (SELECT 1 FROM countries hc WHERE hc.code = ${ref("country_code")} AND hc.historical))`;
}

/**
 * Organisations narrowed by the filters, with no joins: every filter is a condition on
 * `o` itself, so lists, counts and pages can each add only the joins they show.
 */
function filteredOrganisations(executor: Executor, filters: OrganisationFilters) {
  let q = executor.selectFrom("organisations as o");
  // With other spellings, a misspelt name still finds its record ("Sozialdemokratishe", "Bharatiya Janta").
  const tsquery = filters.q ? buildSearchQuery(filters.q, filters.spellings) : null;
  if (filters.q && !tsquery) q = q.where(sql<boolean>`false`);
  if (tsquery) q = q.where(vectorMatches("o.search_vector", tsquery));
  if (filters.active === "true") q = q.where(existsToday("o"));
  if (filters.kind) q = q.where("o.kind", "=", filters.kind);
  if (filters.country) q = q.where("o.countryCode", "=", filters.country);
  if (filters.region) q = q.where(inRegion(sql.ref("o.country_code"), filters.region));
  if (filters.group) q = q.where(inCountryGroup(sql.ref("o.country_code"), filters.group));
  if (filters.family) q = q.where("o.family", "=", filters.family);
  if (filters.level === "none") {
    q = q.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM relationships r2 WHERE r2.organisation_id = o.id AND r2.level <> 'none')`);
  } else if (filters.level) {
    q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM relationships r2 WHERE r2.organisation_id = o.id AND r2.level = ${filters.level})`);
  }
  if (filters.inGovernmentOn) {
    const day = filters.inGovernmentOn;
    q = q.where(
      sql<boolean>`o.id IN (SELECT s.organisation_id FROM organisation_statuses s WHERE s.status = 'in_government'
        AND s.valid_from <= ${day}::date AND (s.valid_to IS NULL OR s.valid_to >= ${day}::date))`,
    );
  }
  if (filters.tag) {
    q = q.where(
      sql<boolean>`o.id IN (SELECT ot.organisation_id FROM organisation_tags ot JOIN tags t ON t.id = ot.tag_id WHERE t.key = ${filters.tag})`,
    );
  }
  return { q, tsquery };
}

/** What a list row shows of the organisation itself (but whether it exists today). */
const organisationColumns = [
  "o.id",
  "o.kind",
  "o.nameEn",
  "o.nameZh",
  "o.nameZhStatus",
  "o.abbreviation",
  "o.countryCode",
  "o.foundedYear",
  "o.dissolvedYear",
  "o.family",
  "o.updatedAt",
] as const;

/** What a list row shows besides: its country's names and our relationship level. */
const listRowColumns = [
  ...organisationColumns,
  "c.nameEn as countryNameEn",
  "c.nameZh as countryNameZh",
  "r.level as relationshipLevel",
] as const;

/** Adds what a list row shows: the country's names and our relationship level. */
function withListColumns<Q extends ReturnType<typeof filteredOrganisations>["q"]>(q: Q) {
  return q
    .leftJoin("countries as c", "c.code", "o.countryCode")
    .leftJoin("relationships as r", "r.organisationId", "o.id")
    .select([...listRowColumns, existsToday("o").as("existsToday")]);
}

/** Refuses an organisation id that does not exist, as a field error on `path`. */
export async function assertOrganisationExists(executor: Executor, organisationId: number, path: string): Promise<void> {
  const found = await executor.selectFrom("organisations").select("id").where("id", "=", organisationId).executeTakeFirst();
  if (!found) throw invalidField(path, `No organisation ${organisationId}.`);
}

/** The columns every organisation listing shows. */
export function listColumns(executor: Executor) {
  return withListColumns(executor.selectFrom("organisations as o"));
}

const sortColumns = {
  name: [sql`o.name_en`, sql`o.id`],
  "-name": [sql`o.name_en DESC`, sql`o.id DESC`],
  nameZh: [sql`o.name_zh NULLS LAST`, sql`o.id`],
  country: [sql`o.country_code NULLS LAST`, sql`o.name_en`, sql`o.id`],
  founded: [sql`o.founded_year NULLS LAST`, sql`o.id`],
  "-founded": [sql`o.founded_year DESC NULLS LAST`, sql`o.id`],
  updated: [sql`o.updated_at`, sql`o.id`],
  "-updated": [sql`o.updated_at DESC`, sql`o.id DESC`],
} as const;

/** True when a name search puts relevance first: exact matches, then alphabetical. */
export function sortsByRelevance(query: OrganisationListQuery): boolean {
  return Boolean(query.q) && (query.sort ?? "relevance") === "relevance";
}

/**
 * How well an organisation answers a name search, best first: 0 a name (any, in any
 * language, aliases included) equal to it, 1 the abbreviation, 2 a name that starts with it,
 * 3 the words typed standing together in a name, 4 every word found, 5 only alike (a typo).
 */
function relevanceTier(typed: string, prefixesOnly = false) {
  const { lower, folded, trimmed } = typedForms(typed);
  // Each set is worked out once for the query (a hashed sub-plan), not once per row.
  // A search of one word has no phrase: its null is put in as a parameter, so the text stays the same.
  // Among prefixed names that fill the window, a record below them never reaches the page: the tiers past 2 need not be told apart.
  const below = prefixesOnly
    ? sql`ELSE 3`
    : sql`WHEN ${vectorHolds("o.search_vector", buildPhraseQuery(typed))} THEN 3
    WHEN ${vectorHolds("o.search_vector", buildSearchQuery(typed))} THEN 4
    ELSE 5`;
  return sql<number>`CASE
    WHEN o.name_zh = ${trimmed} OR o.id IN (SELECT n.organisation_id FROM organisation_names n
      WHERE lower(n.value) IN (${lower}, ${folded}) AND n.kind <> 'abbreviation') THEN 0
    WHEN lower(o.abbreviation) = ${lower} OR o.id IN (SELECT n.organisation_id FROM organisation_names n
      WHERE lower(n.value) = ${lower} AND n.kind = 'abbreviation') THEN 1
    WHEN ${startsWith(sql`lower(o.name_en)`, lower)} OR ${startsWith(sql`o.name_zh`, trimmed)} THEN 2
    ${below} END`;
}

/**
 * The last order of a ranked name search, among records alike in all else: the name as the
 * candidates are cut (lower case, in byte order), so that a cut never leaves out a record that
 * would come before one it kept ("MOVEMENT …" and "Movement …" sort together).
 */
const alikeLast = sql`lower(o.name_en) USING ~<~`;

/** How many matches of a broad name search are ranked, besides every exact and prefix match. */
const rankedMatches = 200;

/** How many of a broad name search's prefixed names are ranked among those with a relationship or in government besides (see `prefixedMatches`). */
const rankedStandingMatches = 50;

/**
 * The organisations a name search ranks: every one with a name, alias or abbreviation equal to
 * what was typed, the first by name among those whose name starts with it, and — when those
 * cannot fill the page — a bounded share of the rest, so that ranking stays quick at any size;
 * a narrow search (the usual case) ranks every match.
 */
function rankedCandidates(executor: Executor, filters: OrganisationFilters, typed: string, window: number, day: string) {
  return rankedSearchCandidates({
    exact: exactMatches(typed),
    prefixed: prefixedMatches(executor, filters, typed, window, day).map((q) => q.select("o.id")),
    rest: filteredOrganisations(executor, filters)
      .q.select("o.id")
      .limit(rankedMatches + window),
    window,
  });
}

/** The ids of the organisations with a name, alias or abbreviation equal to what was typed. */
function exactMatches(typed: string) {
  const { lower, folded, trimmed } = typedForms(typed);
  return sql`SELECT n.organisation_id FROM organisation_names n WHERE lower(n.value) IN (${lower}, ${folded})
      UNION SELECT x.id FROM organisations x WHERE x.name_zh = ${trimmed} OR lower(x.abbreviation) = ${lower}`;
}

/**
 * The partners that rank first among names alike (see `importance`), each class with name indexes
 * of its own members (migration 0038; the conditions are written as the indexes' are, so that the
 * planner uses them): those the office engages, and those it has a relationship with or that
 * govern today (the index holds all that have governed, and the days are then checked).
 */
const engagedPartner = sql<boolean>`o.engaged`;
const standingPartner = (day: string) =>
  sql<boolean>`(o.relationship_level <> 'none' OR NOT isempty(o.governing)) AND (o.relationship_level <> 'none' OR o.governing @> ${day}::date)`;

/**
 * The first organisations by name among those whose English name (and, for Chinese typed, whose
 * Chinese name) starts with what was typed, the other filters applied, so that those counted for
 * the page are ones it can show: queries to add their columns to. The first by name are taken of
 * each standing class too, so that a partner the office works with is ranked however many names
 * come before it in the alphabet ("Democratic Party of Socialists…" among 300 "Democratic…").
 * Where engaged partners alone fill the window, nothing else can reach it (they rank first): the
 * names of every class are not read, and the engaged take their share (which holds every engaged
 * name the share of all names would).
 */
function prefixedMatches(executor: Executor, filters: OrganisationFilters, typed: string, window: number, day: string) {
  const { lower, trimmed } = typedForms(typed);
  const others = () => filteredOrganisations(executor, { ...filters, q: undefined }).q;
  const names = [{ name: sql`lower(o.name_en)`, typed: lower }];
  if (holdsChinese(trimmed)) names.push({ name: sql`o.name_zh`, typed: trimmed });
  return names.flatMap(({ name, typed }) => {
    const prefixed = () => others().where(startsWith(name, typed));
    // Ties broken by id, so that which of several same-named records make the cut never depends on the plan.
    const first = (q: ReturnType<typeof prefixed>, share: number) =>
      q
        .orderBy(sql`${name} USING ~<~`)
        .orderBy("o.id")
        .limit(share + window);
    const engagedFill = prefixed().where(engagedPartner).select(sql`1`.as("one")).limit(window);
    return [
      first(prefixed().where(engagedPartner), rankedMatches),
      first(prefixed().where(standingPartner(day)), rankedStandingMatches),
      first(prefixed().where(sql<boolean>`(SELECT count(*) FROM (${engagedFill}) f) < ${window}`), rankedMatches),
    ];
  });
}

/**
 * Within a tier, the partners that matter to the office first: those it engages, the closest
 * relationships, those in government today, those not dissolved, the larger parties.
 */
function importance(day: string) {
  // From the organisation's own row, which triggers keep (migration 0037): looked up in their
  // tables for each ranked record, these were a quarter of a broad search's time.
  return [
    sql`o.engaged DESC`,
    sql`CASE o.relationship_level WHEN 'strategic' THEN 0 WHEN 'established' THEN 1 WHEN 'regular' THEN 2 WHEN 'contact' THEN 3 ELSE 4 END`,
    sql`o.governing @> ${day}::date DESC`,
    sql`${existsToday("o")} DESC`,
    sql`o.vote_share DESC NULLS LAST`,
  ];
}

/**
 * Whether a name search's page is first asked of the names that start with it alone
 * (`prefixedPageQuery`): a search by relevance that the statistics expect to
 * match more names than the pages up to this one hold, with no filter but "exists today". That
 * query keeps a generic plan, which walks the name index's range in order and tests each name; a
 * selective filter (a country, a tag, a level) would have it read the whole range before finding
 * a page, where a plan made for the words starts from the filter. A filter not named here counts
 * as selective.
 */
export function triesPrefixesFirst(query: OrganisationListQuery, window: number): boolean {
  const { q } = query;
  if (!q || !sortsByRelevance(query) || filtersBeyondExisting(query)) return false;
  const expected = expectedMatches(q);
  return Number.isFinite(expected) && expected >= window;
}

/** Whether a list query filters by more than the name typed and "exists today" (its page, size, sort and total aside). */
function filtersBeyondExisting(query: OrganisationListQuery): boolean {
  const { q: _q, page: _page, pageSize: _pageSize, sort: _sort, withTotal: _withTotal, active: _active, ...filters } = query;
  return Object.values(filters).some((v) => v !== undefined);
}

/** Whether typed text holds Chinese, and so is also matched against the Chinese names. */
const holdsChinese = (text: string) => /\p{Script=Han}/u.test(text);

/**
 * A filtered, sorted page of organisations (the total is counted apart); a name search by
 * relevance ranks as above.
 */
export function organisationPageQuery(
  executor: Executor,
  query: OrganisationListQuery & { spellings?: Spellings },
  window: { offset: number; limit: number } = { offset: (query.page - 1) * query.pageSize, limit: query.pageSize },
) {
  if (sortsByRelevance(query) && query.q) {
    // The candidates matched the name already: the outer query adds only the other filters.
    let q = withListColumns(filteredOrganisations(executor, { ...query, q: undefined }).q);
    const day = today();
    q = q.where(amongCandidates("o.id", rankedCandidates(executor, query, query.q, window.offset + window.limit, day)));
    q = q.orderBy(relevanceTier(query.q));
    // Among the merely alike (a word matched only as another spelling), the most alike first.
    const latin = latinSearchQuery(query.q);
    if (latin && query.spellings?.size) q = q.orderBy(sql`word_similarity(${latin}, o.search_latin) DESC`);
    for (const column of importance(day)) q = q.orderBy(column);
    return q.orderBy(alikeLast).orderBy("o.id").limit(window.limit).offset(window.offset);
  }
  let q = withListColumns(filteredOrganisations(executor, query).q);
  const sort = query.sort && query.sort !== "relevance" ? query.sort : "name";
  for (const column of sortColumns[sort]) q = q.orderBy(column);
  return q.limit(window.limit).offset(window.offset);
}

/** The columns a ranked page reads of each candidate: what a list row shows of it and what ranks it. */
const rankedColumns = [...organisationColumns, "o.engaged", "o.relationshipLevel", "o.governing", "o.voteShare"] as const;

/**
 * The page of a broad name search (by relevance, `triesPrefixesFirst`) from the names that start
 * with what was typed alone, ranked as `organisationPageQuery` ranks it; empty when those cannot
 * fill the pages up to this one, and the full query then answers. It holds none of the search
 * vector's words, only parameters, so it is prepared once and its plan kept. Each candidate's row
 * is read once, by the name index's range, with what ranks it (kept on the row): the page is cut
 * before the country's names and the relationship are joined to it.
 */
export function prefixedPageQuery(
  executor: Executor,
  query: OrganisationListQuery,
  window: { offset: number; limit: number } = { offset: (query.page - 1) * query.pageSize, limit: query.pageSize },
) {
  const typed = query.q ?? "";
  const size = window.offset + window.limit;
  const filters = { ...query, q: undefined };
  // Each ordered and limited, so each its own sub-query in the union.
  const day = today();
  const [first, ...more] = prefixedMatches(executor, query, typed, size, day).map((q, i) =>
    executor.selectFrom(q.select(rankedColumns).as(`p${i}`)).selectAll(),
  );
  let parts = first as NonNullable<typeof first>;
  for (const other of more) parts = parts.unionAll(other);
  const fills = sql<boolean>`(SELECT count(*) FROM head) >= ${size}`;
  const order = [relevanceTier(typed, true), ...importance(day), alikeLast, sql`o.id`];
  return (
    executor
      .with("parts", () => parts)
      // A record in several parts once: told apart by its id alone (a UNION hashed every column, the day ranges too).
      .with("head", (db) => db.selectFrom("parts").selectAll().distinctOn("parts.id").orderBy("parts.id"))
      .with("candidates", (db) =>
        db
          .selectFrom("head as o")
          .selectAll("o")
          .where(fills)
          .unionAll(
            // An exact match the prefixed names left out (an alias, an abbreviation, a Chinese name).
            filteredOrganisations(executor, filters)
              .q.select(rankedColumns)
              .where(fills)
              .where(sql<boolean>`o.id IN (${exactMatches(typed)})`)
              .where(sql<boolean>`o.id NOT IN (SELECT id FROM head)`),
          ),
      )
      .with("page", (db) =>
        db
          .selectFrom("candidates as o")
          .selectAll("o")
          .select([existsToday("o").as("existsToday"), sql<number>`row_number() OVER (ORDER BY ${sql.join(order)})`.as("rank")])
          .orderBy("rank")
          .limit(window.limit)
          .offset(window.offset),
      )
      .selectFrom("page as o")
      .leftJoin("countries as c", "c.code", "o.countryCode")
      .leftJoin("relationships as r", "r.organisationId", "o.id")
      .select([...listRowColumns, "o.existsToday"])
      .orderBy("o.rank")
  );
}

type PrefixedPageRow = Awaited<ReturnType<ReturnType<typeof prefixedPageQuery>["execute"]>>[number];

/**
 * What a prefixed page takes of what was typed, each form a parameter of its own: trimmed, lower
 * case, folded, and the upper bounds of the lower-case and trimmed prefixes' ranges. Null when a
 * bound does not exist (only U+10FFFF typed last), where the query is written otherwise.
 */
function prefixedForms(typed: string): string[] | null {
  const { trimmed, lower, folded } = typedForms(typed);
  const lowerBound = prefixUpperBound(lower);
  const trimmedBound = prefixUpperBound(trimmed);
  return lowerBound === null || trimmedBound === null ? null : [trimmed, lower, folded, lowerBound, trimmedBound];
}

/**
 * What stands for the typed text in a compiled prefixed page, without Chinese and with it (which
 * adds the Chinese names' sub-queries): its five forms all differ, and each holds "§", which lower
 * case and folding keep and no other parameter of the query holds, so that a form the query took
 * in some other way is caught.
 */
const standInTyped = {
  latin: { typed: "Q§é", forms: prefixedForms("Q§é") as string[] },
  han: { typed: "Q中§é", forms: prefixedForms("Q中§é") as string[] },
};
const compiledPrefixedPages = new CompiledQueries<PrefixedPageRow>(64);

/**
 * The page of a broad name search (`prefixedPageQuery`) compiled: once for each shape (Chinese
 * typed or not, the filters, the page, the day), then with what was typed put in. Building the
 * query through Kysely took the server 0.4 ms a request, more than PostgreSQL spends running it.
 */
export function compilePrefixedPage(executor: Executor, query: OrganisationListQuery) {
  const typed = query.q ?? "";
  const forms = prefixedForms(typed);
  // Only the search `triesPrefixesFirst` sends here is kept: a filter's value could equal a stand-in.
  if (!forms || filtersBeyondExisting(query)) return prefixedPageQuery(executor, query).compile();
  const { typed: standIn, forms: standIns } = holdsChinese(typedForms(typed).trimmed) ? standInTyped.han : standInTyped.latin;
  const key = JSON.stringify([{ ...query, q: standIn }, today()]);
  const build = () => {
    const compiled = prefixedPageQuery(executor, { ...query, q: standIn }).compile();
    if (compiled.parameters.some((p) => typeof p === "string" && p.includes("§") && !standIns.includes(p))) {
      throw new Error("The prefixed page takes what was typed in a form it does not put in.");
    }
    return compiled;
  };
  return compiledPrefixedPages.withValues(key, build, standIns, forms);
}

/** How far a word of the registry may differ from a word typed (pg_trgm similarity) to be offered for it. */
const spellingSimilarity = 0.35;

/**
 * Other spellings for a name search that the words as typed answer too thinly (fewer than
 * `enough` organisations): see `alikeWords`. Empty when none are needed — a good query stays as
 * it is, and quick.
 */
export async function spellingsFor(executor: Executor, filters: OrganisationFilters, enough: number): Promise<Spellings> {
  if (!filters.q || typedWords(filters.q).length === 0) return new Map();
  const found = await filteredOrganisations(executor, { ...filters, spellings: new Map() })
    .q.select("o.id")
    .limit(enough)
    .execute();
  if (found.length >= enough) return new Map();
  return alikeWords(executor, filters.q);
}

/**
 * About how many organisations a name search's words match, from the registry's statistics;
 * infinity without them, or when the page could hold names its words do not match (so that
 * nothing is taken to be thin on a guess that cannot be made: see `wordsBoundThePage`).
 */
export function expectedMatches(q: string): number {
  const tsquery = buildSearchQuery(q);
  if (!tsquery || !wordsBoundThePage(q)) return Number.POSITIVE_INFINITY;
  return estimatedMatches("o.search_vector", topLevelTerms(tsquery)) ?? Number.POSITIVE_INFINITY;
}

/**
 * Whether every organisation a ranked name search can take (a name equal to what was typed, a
 * name that starts with it, a match of its words) matches its words, so that a page is short
 * exactly when they match fewer names than it holds: when what was typed holds no Chinese and
 * ends in a word of three letters or more, which is matched as a prefix. "partido so" is not:
 * "Partido Socialista" starts with it, but a word of two letters is matched whole.
 */
export function wordsBoundThePage(q: string): boolean {
  if (holdsChinese(q)) return false;
  const words = searchWords(q);
  const last = words.at(-1);
  return last !== undefined && [...last].length >= 3 && /[\p{L}\p{N}]$/u.test(q.trim());
}

/** The words of a name search that other spellings are looked for: those of four letters or more, each once. */
const typedWords = (q: string) => [...new Set(searchWords(q).filter((w) => [...w].length >= 4))];

/**
 * For each word of four letters or more of a name search, the registry's words most like it
 * ("germny" → germany, "chrisitan" → christian), most alike first: all the words in one look-up.
 * For a caller that already knows the words as typed find too few organisations.
 */
export async function alikeWords(executor: Executor, q: string | undefined): Promise<Spellings> {
  const words = q ? typedWords(q) : [];
  if (words.length === 0) return new Map();
  const found = await sql<{ typed: string; word: string }>`SELECT t.typed, a.word
    FROM unnest(${words}::text[]) WITH ORDINALITY AS t(typed, i)
    CROSS JOIN LATERAL (SELECT word, similarity(word, t.typed) AS alike FROM name_words
      WHERE word % t.typed AND word <> t.typed AND similarity(word, t.typed) >= ${spellingSimilarity}
      ORDER BY alike DESC, word LIMIT 6) a
    ORDER BY t.i, a.alike DESC, a.word`.execute(executor);
  const spellings = new Map<string, string[]>();
  for (const row of found.rows) spellings.set(row.typed, [...(spellings.get(row.typed) ?? []), row.word]);
  return spellings;
}

/** How many organisations the filters match (up to `cap`), from the organisations themselves. */
export function organisationTotalQuery(executor: Executor, filters: OrganisationFilters, cap: number) {
  const matches = filteredOrganisations(executor, filters)
    .q.select(sql`1`.as("one"))
    .limit(cap + 1);
  return executor.selectFrom(matches.as("m")).select(sql<number>`count(*)::int`.as("total"));
}

/** Counts of the filtered organisations by one dimension, from the organisations themselves. */
export function organisationCountsQuery(executor: Executor, filters: OrganisationFilters, by: OrganisationCountQuery["by"]) {
  const q = filteredOrganisations(executor, filters).q;
  const grouped = {
    country: () => q.select(sql<string | null>`o.country_code`.as("key")).groupBy(sql`o.country_code`),
    kind: () => q.select(sql<string | null>`o.kind`.as("key")).groupBy(sql`o.kind`),
    family: () => q.select(sql<string | null>`o.family`.as("key")).groupBy(sql`o.family`),
    region: () =>
      q
        .leftJoin("countries as c", "c.code", "o.countryCode")
        .select(sql<string | null>`c.region_code`.as("key"))
        .groupBy(sql`c.region_code`),
    level: () =>
      q
        .leftJoin("relationships as r", "r.organisationId", "o.id")
        .select(sql<string | null>`coalesce(r.level, 'none')`.as("key"))
        .groupBy(sql`coalesce(r.level, 'none')`),
  }[by]();
  return grouped.select(sql<number>`count(*)`.as("count"));
}

/**
 * The same counts from the pre-aggregated organisation_counts table, which triggers keep
 * exact on every write: for filters on kind, country, region and group only.
 */
export function organisationSummaryCountsQuery(
  executor: Executor,
  filters: OrganisationFilters,
  by: "country" | "kind" | "region" | "total",
) {
  let q = executor.selectFrom("organisationCounts as oc").leftJoin("countries as c", "c.code", "oc.countryKey").where("oc.n", ">", 0);
  if (filters.kind) q = q.where("oc.kind", "=", filters.kind);
  if (filters.country) q = q.where("oc.countryKey", "=", filters.country);
  if (filters.region) q = q.where(inRegion(sql.ref("oc.country_key"), filters.region));
  if (filters.group) q = q.where(inCountryGroup(sql.ref("oc.country_key"), filters.group));
  const key = {
    country: sql<string | null>`nullif(oc.country_key, '')`,
    kind: sql<string | null>`oc.kind`,
    region: sql<string | null>`c.region_code`,
    total: sql<string | null>`NULL::text`,
  }[by];
  return q.select([key.as("key"), sql<number>`sum(oc.n)::int`.as("count")]).groupBy(key);
}

/** The organisations bearing any of these match keys (see `merge/keys.ts`), as the list shows them, with their keys. */
export function organisationsWithKeys(executor: Executor, keys: string[]) {
  return listColumns(executor).select("o.matchKeys").where(sql<boolean>`o.match_keys && ${keys}::text[]`);
}

/** One organisation with everything its page shows, in a single round trip. */
export function organisationDetailQuery(executor: Executor, organisationId: number) {
  return listColumns(executor)
    .select((eb) => [
      "o.dissolvedYear",
      "o.website",
      "o.description",
      "o.wikidataId",
      "o.partyfactsId",
      "o.parlgovId",
      "o.source",
      "o.createdAt",
      jsonArrayFrom(
        eb
          .selectFrom("organisationNames as n")
          .select(["n.id", "n.kind", "n.lang", "n.script", "n.value", "n.validTo", "n.source"])
          .whereRef("n.organisationId", "=", "o.id")
          .orderBy("n.position")
          .orderBy("n.id"),
      ).as("names"),
      jsonArrayFrom(
        eb
          .selectFrom("organisationStatuses as s")
          .select(["s.id", "s.status", "s.validFrom", "s.validTo", "s.note"])
          .whereRef("s.organisationId", "=", "o.id")
          .orderBy("s.validFrom", "desc"),
      ).as("statuses"),
      jsonArrayFrom(
        eb
          .selectFrom("organisationCongresses as cg")
          .select(["cg.id", "cg.opensOn", "cg.ordinal", "cg.nameEn", "cg.nameZh"])
          .whereRef("cg.organisationId", "=", "o.id")
          .orderBy("cg.opensOn", "desc"),
      ).as("congresses"),
      jsonArrayFrom(
        eb
          .selectFrom("organisationTags as ot")
          .innerJoin("tags as t", "t.id", "ot.tagId")
          .select(["t.key", "t.nameEn", "t.nameZh"])
          .whereRef("ot.organisationId", "=", "o.id")
          .orderBy("t.key"),
      ).as("tags"),
      jsonObjectFrom(
        eb
          .selectFrom("relationships as rel")
          .leftJoin("units as u", "u.id", "rel.leadUnitId")
          .select(["rel.level", "rel.since", "rel.notes", "u.id as unitId", "u.nameEn as unitNameEn", "u.nameZh as unitNameZh"])
          .whereRef("rel.organisationId", "=", "o.id"),
      ).as("relationship"),
      jsonArrayFrom(
        eb
          .selectFrom("partnerRelations as pr")
          .innerJoin("organisations as other", (join) =>
            join.on(
              sql<boolean>`other.id = CASE WHEN pr.from_organisation_id = o.id THEN pr.to_organisation_id ELSE pr.from_organisation_id END`,
            ),
          )
          .select([
            "pr.id",
            "pr.kind",
            sql<"outgoing" | "incoming">`CASE WHEN pr.from_organisation_id = o.id THEN 'outgoing' ELSE 'incoming' END`.as("direction"),
            "other.id as otherId",
            "other.nameEn as otherNameEn",
            "other.nameZh as otherNameZh",
            "pr.startDate",
            "pr.endDate",
            "pr.note",
          ])
          .where(sql<boolean>`(pr.from_organisation_id = o.id OR pr.to_organisation_id = o.id)`)
          .orderBy("pr.id"),
      ).as("relations"),
      jsonArrayFrom(
        eb
          .selectFrom("positions as p")
          .innerJoin("people as pe", "pe.id", "p.personId")
          .select(["p.id", "pe.id as personId", "pe.nameEn", "pe.nameZh", "p.titleEn", "p.titleZh", "p.startDate", "p.endDate"])
          .whereRef("p.organisationId", "=", "o.id")
          .orderBy(sql`p.end_date DESC NULLS FIRST`)
          .orderBy("p.id")
          .limit(200),
      ).as("people"),
    ])
    .where("o.id", "=", organisationId);
}

export type OrganisationListRow = Awaited<ReturnType<ReturnType<typeof listColumns>["executeTakeFirstOrThrow"]>>;
export type OrganisationDetailRow = Awaited<ReturnType<ReturnType<typeof organisationDetailQuery>["executeTakeFirstOrThrow"]>>;

const compiledDetail = new CompiledQueries<OrganisationDetailRow>(1);

/** Runs the organisation detail query for one id, compiled once per process. */
export async function findOrganisationDetail(executor: Executor, organisationId: number): Promise<OrganisationDetailRow | undefined> {
  const query = compiledDetail.with("", () => organisationDetailQuery(executor, placeholderId).compile(), organisationId);
  return (await executor.executeQuery(query)).rows[0];
}

/** SQL: an organisation's standing for ranking as its tables say, for each `x` of organisations: id, engaged, level, governing. */
const standingFromTables = sql`SELECT x.id, EXISTS (SELECT 1 FROM engagement_participants p WHERE p.organisation_id = x.id) AS engaged,
    (SELECT r.level FROM relationships r WHERE r.organisation_id = x.id) AS level,
    coalesce((SELECT range_agg(daterange(g.valid_from, g.valid_to, '[]')) FROM organisation_statuses g
      WHERE g.organisation_id = x.id AND g.status = 'in_government'), '{}') AS governing
  FROM organisations x`;

/**
 * The organisations (of `ids`, or all) whose standing kept for ranking (`engaged`,
 * `relationship_level`, `governing`: migration 0037) differs from what their engagements,
 * relationship and statuses say: none, unless a trigger was bypassed.
 */
export async function standingDrift(executor: Executor, ids?: number[]): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`SELECT o.id FROM organisations o JOIN (${standingFromTables}) s ON s.id = o.id
    WHERE (${ids ?? null}::int[] IS NULL OR o.id = ANY (${ids ?? null}::int[]))
      AND (o.engaged, o.relationship_level, o.governing) IS DISTINCT FROM (s.engaged, s.level, s.governing)
    ORDER BY o.id`.execute(executor);
  return rows.map((r) => r.id);
}

/**
 * Sets right the standing kept for ranking where it differs from its tables; the ids set right.
 * By default only whether each organisation is engaged, where the one race its trigger leaves (an
 * engagement removing a partner's last participation while another adds one) left it wrong: run
 * by the server every ten minutes, one look-up a record. With `all`, the relationship level and
 * the days in government too: after a restore, whose rows (an export is read table by table, not
 * as one snapshot) may disagree with each other.
 */
export async function repairStanding(executor: Executor, options: { all?: boolean } = {}): Promise<number[]> {
  const query = options.all
    ? sql<{ id: number }>`UPDATE organisations o SET engaged = s.engaged, relationship_level = s.level, governing = s.governing
        FROM (${standingFromTables}) s
        WHERE o.id = s.id AND (o.engaged, o.relationship_level, o.governing) IS DISTINCT FROM (s.engaged, s.level, s.governing)
        RETURNING o.id`
    : sql<{ id: number }>`UPDATE organisations o SET engaged = NOT o.engaged
        WHERE o.engaged IS DISTINCT FROM EXISTS (SELECT 1 FROM engagement_participants p WHERE p.organisation_id = o.id)
        RETURNING o.id`;
  const { rows } = await query.execute(executor);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
