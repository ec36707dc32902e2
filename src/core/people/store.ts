import { type RawBuilder, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { amongCandidates, rankedSearchCandidates, startsWith, vectorMatches } from "../search/match.ts";
import { buildSearchQuery, typedForms } from "../search/text.ts";
import type { Executor } from "../shared/mutation.ts";
import type { PersonListQuery } from "./schema.ts";

/** The columns every people listing shows. */
export function personColumns(executor: Executor) {
  return executor
    .selectFrom("people as pe")
    .leftJoin("countries as c", "c.code", "pe.countryCode")
    .select([
      "pe.id",
      "pe.nameEn",
      "pe.nameZh",
      "pe.nameNative",
      "pe.gender",
      "pe.countryCode",
      "c.nameEn as countryNameEn",
      "c.nameZh as countryNameZh",
      "pe.demo",
      "pe.updatedAt",
    ]);
}

function peopleFilter(query: Omit<PersonListQuery, "page" | "pageSize" | "sort">) {
  const conditions: RawBuilder<boolean>[] = [];
  const tsquery = query.q ? buildSearchQuery(query.q) : null;
  if (query.q && !tsquery) conditions.push(sql<boolean>`false`);
  if (tsquery) conditions.push(vectorMatches("pe.search_vector", tsquery));
  if (query.country) conditions.push(sql<boolean>`pe.country_code = ${query.country}`);
  if (query.organisationId)
    conditions.push(sql<boolean>`pe.id IN (SELECT person_id FROM positions WHERE organisation_id = ${query.organisationId})`);
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(conditions, sql` AND `)}`;
}

/** How many people the filters match, up to `cap`. */
export function personTotalQuery(executor: Executor, query: PersonListQuery, cap: number) {
  const matches = executor
    .selectFrom("people as pe")
    .select(sql`1`.as("one"))
    .where(peopleFilter(query))
    .limit(cap + 1);
  return executor.selectFrom(matches.as("m")).select(sql<number>`count(*)::int`.as("total"));
}

/** How many matches of a broad name search are ranked, besides every exact and prefix match. */
const rankedMatches = 200;

/**
 * A filtered, sorted page of people (the total is counted apart). A name search without a
 * chosen order ranks: the name as typed (in English or Chinese) first, then names that start
 * with it, then the other matches by name — over every exact and prefix match and, when those
 * cannot fill the page, a bounded share of the rest, so that a typeahead stays quick at any size.
 */
export function personListQuery(executor: Executor, query: PersonListQuery) {
  if (query.q && !query.sort) {
    const { trimmed, lower } = typedForms(query.q);
    const offset = (query.page - 1) * query.pageSize;
    const limit = rankedMatches + offset + query.pageSize;
    // The other filters apply to the prefixed matches here, so that those counted for the page are ones it can show.
    const others = () =>
      executor
        .selectFrom("people as pe")
        .select("pe.id")
        .where(peopleFilter({ ...query, q: undefined }))
        .limit(limit);
    const candidates = rankedSearchCandidates({
      exact: sql`SELECT x.id FROM people x WHERE lower(x.name_en) = ${lower} OR x.name_zh = ${trimmed}`,
      prefixed: [
        others().where(startsWith(sql`lower(pe.name_en)`, lower)).orderBy(sql`lower(pe.name_en) USING ~<~`),
        others().where(startsWith(sql`pe.name_zh`, trimmed)).orderBy(sql`pe.name_zh USING ~<~`),
      ],
      rest: executor.selectFrom("people as pe").select("pe.id").where(peopleFilter(query)).limit(limit),
      window: offset + query.pageSize,
    });
    // The candidates matched the name already: the outer query adds only the other filters.
    return personColumns(executor)
      .where(peopleFilter({ ...query, q: undefined }))
      .where(amongCandidates("pe.id", candidates))
      .orderBy(
        sql`CASE WHEN lower(pe.name_en) = ${lower} OR pe.name_zh = ${trimmed} THEN 0
          WHEN ${startsWith(sql`lower(pe.name_en)`, lower)} OR ${startsWith(sql`pe.name_zh`, trimmed)} THEN 1 ELSE 2 END`,
      )
      .orderBy("pe.nameEn")
      .orderBy("pe.id")
      .limit(query.pageSize)
      .offset(offset);
  }
  let q = personColumns(executor).where(peopleFilter(query));
  const sort = query.sort ?? "name";
  const order = {
    name: [sql`pe.name_en`, sql`pe.id`],
    "-name": [sql`pe.name_en DESC`, sql`pe.id DESC`],
    updated: [sql`pe.updated_at`, sql`pe.id`],
    "-updated": [sql`pe.updated_at DESC`, sql`pe.id DESC`],
  }[sort];
  for (const column of order) q = q.orderBy(column);
  return q.limit(query.pageSize).offset((query.page - 1) * query.pageSize);
}

/** One person's public profile with positions, in one round trip. */
export function personDetailQuery(executor: Executor, personId: number) {
  return personColumns(executor)
    .select((eb) => [
      "pe.familyNameEn",
      "pe.givenNameEn",
      "pe.nativeLang",
      "pe.aliases",
      "pe.birthYear",
      "pe.biography",
      "pe.createdAt",
      jsonArrayFrom(
        eb
          .selectFrom("positions as p")
          .innerJoin("organisations as o", "o.id", "p.organisationId")
          .select(["p.id", "o.id as organisationId", "o.nameEn", "o.nameZh", "p.titleEn", "p.titleZh", "p.startDate", "p.endDate"])
          .whereRef("p.personId", "=", "pe.id")
          .orderBy(sql`p.end_date DESC NULLS FIRST`)
          .orderBy(sql`p.start_date DESC NULLS LAST`),
      ).as("positions"),
    ])
    .where("pe.id", "=", personId);
}

export type PersonRow = Awaited<ReturnType<ReturnType<typeof personColumns>["executeTakeFirstOrThrow"]>>;
export type PersonDetailRow = Awaited<ReturnType<ReturnType<typeof personDetailQuery>["executeTakeFirstOrThrow"]>>;
