import { type ExpressionBuilder, sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/types.ts";
import { buildSearchQuery } from "../search/text.ts";
import type { Executor } from "../shared/mutation.ts";
import type { OrganisationListQuery } from "./schema.ts";

type OrgScope = ExpressionBuilder<DB & { o: DB["organisations"] }, "o">;

/** The filters that lists and counts of organisations share. */
export type OrganisationFilters = Omit<OrganisationListQuery, "page" | "pageSize" | "sort">;

/** Organisations joined with their country and our relationship, narrowed by the filters. */
function filteredOrganisations(executor: Executor, filters: OrganisationFilters) {
  let q = executor
    .selectFrom("organisations as o")
    .leftJoin("countries as c", "c.code", "o.countryCode")
    .leftJoin("relationships as r", "r.organisationId", "o.id");
  const tsquery = filters.q ? buildSearchQuery(filters.q) : null;
  if (filters.q && !tsquery) q = q.where(sql<boolean>`false`);
  if (tsquery) q = q.where(sql<boolean>`to_tsvector('simple', o.search_text) @@ to_tsquery('simple', ${tsquery})`);
  if (filters.kind) q = q.where("o.kind", "=", filters.kind);
  if (filters.country) q = q.where("o.countryCode", "=", filters.country);
  if (filters.region) {
    const region = filters.region;
    q = q.where((eb) => eb.or([eb("c.regionCode", "=", region), eb("c.subregionCode", "=", region)]));
  }
  if (filters.group) {
    const group = filters.group;
    q = q.where("o.countryCode", "in", (eb) =>
      eb
        .selectFrom("countryGroupMembers as m")
        .innerJoin("countryGroups as g", "g.id", "m.groupId")
        .select("m.countryCode")
        .where(/^\d+$/.test(group) ? sql<boolean>`g.id = ${Number(group)}` : sql<boolean>`g.key = ${group}`),
    );
  }
  if (filters.family) q = q.where("o.family", "=", filters.family);
  if (filters.level) q = q.where(sql<boolean>`coalesce(r.level, 'none') = ${filters.level}`);
  if (filters.inGovernmentOn) {
    const day = filters.inGovernmentOn;
    q = q.where((eb: OrgScope) =>
      eb.exists(
        eb
          .selectFrom("organisationStatuses as s")
          .select(sql`1`.as("one"))
          .whereRef("s.organisationId", "=", "o.id")
          .where("s.status", "=", "in_government")
          .where("s.validFrom", "<=", day)
          .where((w) => w.or([w("s.validTo", "is", null), w("s.validTo", ">=", day)])),
      ),
    );
  }
  if (filters.tag) {
    const tag = filters.tag;
    q = q.where((eb: OrgScope) =>
      eb.exists(
        eb
          .selectFrom("organisationTags as ot")
          .innerJoin("tags as t", "t.id", "ot.tagId")
          .select(sql`1`.as("one"))
          .whereRef("ot.organisationId", "=", "o.id")
          .where("t.key", "=", tag),
      ),
    );
  }
  return { q, tsquery };
}

const listSelection = [
  "o.id",
  "o.kind",
  "o.nameEn",
  "o.nameZh",
  "o.abbreviation",
  "o.countryCode",
  "c.nameEn as countryNameEn",
  "c.nameZh as countryNameZh",
  "o.foundedYear",
  "o.family",
  "r.level as relationshipLevel",
  "o.updatedAt",
] as const;

/** The columns every organisation listing shows. */
export function listColumns(executor: Executor) {
  return filteredOrganisations(executor, {}).q.select(listSelection);
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

/** A filtered, sorted page of organisations, each row carrying the total that matched. */
export function organisationListQuery(executor: Executor, query: OrganisationListQuery) {
  const filtered = filteredOrganisations(executor, query);
  let q = filtered.q.select(listSelection).select(sql<number>`count(*) OVER ()`.as("total"));
  const { tsquery } = filtered;
  const sort = query.sort ?? (tsquery ? "relevance" : "name");
  if (sort === "relevance" && query.q) {
    const exact = query.q.trim().toLowerCase();
    q = q.orderBy(
      sql`coalesce(lower(o.abbreviation) = ${exact} OR lower(o.name_en) = ${exact} OR o.name_zh = ${query.q.trim()}, false) DESC`,
    );
    if (tsquery) q = q.orderBy(sql`ts_rank(to_tsvector('simple', o.search_text), to_tsquery('simple', ${tsquery})) DESC`);
    q = q.orderBy(sql`o.name_en`).orderBy(sql`o.id`);
  } else {
    for (const column of sortColumns[sort === "relevance" ? "name" : sort]) q = q.orderBy(column);
  }
  return q.limit(query.pageSize).offset((query.page - 1) * query.pageSize);
}

/** The dimensions organisations can be counted by. */
export const countDimensions = {
  country: sql`o.country_code`,
  kind: sql`o.kind`,
  family: sql`o.family`,
  region: sql`c.region_code`,
  level: sql`coalesce(r.level, 'none')`,
} as const;

/** Counts of the filtered organisations, grouped by one dimension. */
export function organisationCountsQuery(executor: Executor, filters: OrganisationFilters, by: keyof typeof countDimensions) {
  const key = countDimensions[by];
  return filteredOrganisations(executor, filters)
    .q.select([sql<string | null>`${key}`.as("key"), sql<number>`count(*)`.as("count")])
    .groupBy(key)
    .orderBy(sql`count(*) DESC`)
    .orderBy(key);
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
          .select(["n.id", "n.kind", "n.lang", "n.script", "n.value", "n.validTo"])
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
