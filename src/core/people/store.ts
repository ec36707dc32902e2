import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { buildSearchQuery } from "../search/text.ts";
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
      "pe.updatedAt",
    ]);
}

/** A filtered page of people, each row carrying the total that matched. */
export function personListQuery(executor: Executor, query: PersonListQuery) {
  let q = personColumns(executor).select(sql<number>`count(*) OVER ()`.as("total"));
  const tsquery = query.q ? buildSearchQuery(query.q) : null;
  if (query.q && !tsquery) q = q.where(sql<boolean>`false`);
  if (tsquery) q = q.where(sql<boolean>`to_tsvector('simple', pe.search_text) @@ to_tsquery('simple', ${tsquery})`);
  if (query.country) q = q.where("pe.countryCode", "=", query.country);
  if (query.organisationId) {
    const organisationId = query.organisationId;
    q = q.where("pe.id", "in", (eb) => eb.selectFrom("positions").select("personId").where("organisationId", "=", organisationId));
  }
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
