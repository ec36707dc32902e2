import { type RawBuilder, sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { DataContext } from "../access/context.ts";
import { countedPlaces } from "../countries/places.ts";
import { inCountryGroup, inRegion } from "../countries/store.ts";
import { vectorMatches } from "../search/match.ts";
import { buildSearchQuery } from "../search/text.ts";
import type { Executor } from "../shared/mutation.ts";
import { heldOnTheDay } from "./rollup.ts";
import type { EngagementFilters, EngagementListQuery } from "./schema.ts";

/** The columns every engagement listing shows, of the engagements the actor may read. */
export function engagementColumns(data: DataContext, executor: Executor) {
  return data
    .engagements(executor)
    .innerJoin("units as u", "u.id", "e.leadUnitId")
    .leftJoin("countries as c", "c.code", "e.countryCode")
    .select((eb) => [
      "e.id",
      "e.type",
      "e.direction",
      "e.subtype",
      "e.status",
      "e.titleEn",
      "e.titleZh",
      "e.startDate",
      "e.endDate",
      "e.countryCode",
      "c.nameEn as countryNameEn",
      "c.nameZh as countryNameZh",
      "e.city",
      "u.id as unitId",
      "u.nameEn as unitNameEn",
      "u.nameZh as unitNameZh",
      "e.demo",
      "e.approval",
      "e.classification",
      eb
        .selectFrom("engagementParticipants as ep")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("ep.engagementId", "=", "e.id")
        .as("participantCount"),
    ]);
}

type UnitArm = "either" | "lead" | "co";

/**
 * The WHERE condition of an engagement list. A unit filter matches the engagements the
 * unit leads or co-organises; `unitArm` picks one side, so that a total can be counted as
 * two index-only counts instead of one scan over both.
 */
export function engagementFilter(query: EngagementFilters, unitArm: UnitArm = "either"): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [];
  const tsquery = query.q ? buildSearchQuery(query.q) : null;
  if (query.q && !tsquery) conditions.push(sql<boolean>`false`);
  if (tsquery) conditions.push(vectorMatches("e.search_vector", tsquery));
  if (query.type?.length) conditions.push(sql<boolean>`e.type = ANY(${query.type}::text[])`);
  if (query.direction) conditions.push(sql<boolean>`e.direction = ${query.direction}`);
  if (query.subtype) conditions.push(sql<boolean>`e.subtype = ${query.subtype}`);
  if (query.status) conditions.push(sql<boolean>`e.status = ${query.status}`);
  if (query.from) conditions.push(sql<boolean>`e.start_date >= ${query.from}::date`);
  if (query.to) conditions.push(sql<boolean>`e.start_date <= ${query.to}::date`);
  if (query.endFrom) conditions.push(sql<boolean>`e.end_date >= ${query.endFrom}::date`);
  if (query.unitId) {
    // The unit alone, or with every unit below it. ANY(ARRAY(…)) rather than IN (…): the
    // planner can then combine both sides by index.
    const units =
      query.subunits === "true"
        ? sql`ANY(ARRAY(WITH RECURSIVE tree(id) AS (SELECT ${query.unitId}::int UNION SELECT u.id FROM units u JOIN tree ON u.parent_id = tree.id) SELECT id FROM tree))`
        : sql`${query.unitId}::int`;
    const coUnit = sql<boolean>`e.id = ANY(ARRAY(SELECT engagement_id FROM engagement_units WHERE unit_id = ${units}))`;
    const lead = sql<boolean>`e.lead_unit_id = ${units}`;
    if (unitArm === "lead" || query.unitRole === "lead") conditions.push(unitArm === "co" ? sql<boolean>`false` : lead);
    else if (unitArm === "co") conditions.push(sql<boolean>`NOT (${lead}) AND ${coUnit}`);
    else conditions.push(sql<boolean>`(${lead} OR ${coUnit})`);
  }
  if (query.programmeId) conditions.push(sql<boolean>`e.programme_id = ${query.programmeId}`);
  if (query.mechanismId) conditions.push(sql<boolean>`e.mechanism_id = ${query.mechanismId}`);
  if (query.organisationId) {
    conditions.push(
      sql<boolean>`e.id IN (SELECT engagement_id FROM engagement_participants WHERE organisation_id = ${query.organisationId})`,
    );
  }
  if (query.personId) {
    conditions.push(sql<boolean>`e.id IN (SELECT engagement_id FROM engagement_participants WHERE person_id = ${query.personId})`);
  }
  if (query.country) {
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      LEFT JOIN organisations o ON o.id = p.organisation_id LEFT JOIN people pe ON pe.id = p.person_id
      WHERE coalesce(o.country_code, pe.country_code) = ${query.country})`);
  }
  if (query.region) {
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      LEFT JOIN organisations o ON o.id = p.organisation_id LEFT JOIN people pe ON pe.id = p.person_id
      WHERE ${inRegion(sql`coalesce(o.country_code, pe.country_code)`, query.region)})`);
  }
  if (query.countryGroup) {
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      LEFT JOIN organisations o ON o.id = p.organisation_id LEFT JOIN people pe ON pe.id = p.person_id
      WHERE ${inCountryGroup(sql`coalesce(o.country_code, pe.country_code)`, query.countryGroup)})`);
  }
  if (query.partnerKind) {
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      JOIN organisations o ON o.id = p.organisation_id WHERE o.kind = ${query.partnerKind})`);
  }
  if (query.partnerStatus) {
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      WHERE ${heldOnTheDay(sql.ref("p.organisation_id"), sql.ref("p.start_date"), sql`${query.partnerStatus}`)})`);
  }
  if (query.topicId) {
    conditions.push(sql<boolean>`e.id IN (SELECT engagement_id FROM engagement_topics WHERE topic_id = ${query.topicId})`);
  }
  if (query.place || query.placeKind) {
    const placeConditions = [sql<boolean>`pl.kind IN ('country', 'region')`];
    if (query.place) placeConditions.push(sql<boolean>`pl.counted = ${query.place}`);
    if (query.placeKind) placeConditions.push(sql<boolean>`pl.kind = ${query.placeKind}`);
    conditions.push(sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p
      LEFT JOIN organisations o ON o.id = p.organisation_id LEFT JOIN people pe ON pe.id = p.person_id
      JOIN (${countedPlaces}) pl ON pl.code = coalesce(o.country_code, pe.country_code)
      WHERE ${sql.join(placeConditions, sql` AND `)})`);
  }
  if (query.occasion) conditions.push(sql<boolean>`e.details->>'occasion' = ${query.occasion}`);
  if (query.eventId) conditions.push(sql<boolean>`e.id = ${query.eventId}`);
  if (query.series) conditions.push(sql<boolean>`e.type = 'event' AND e.details->>'seriesEn' = ${query.series}`);
  if (query.demo) conditions.push(sql<boolean>`e.demo = ${query.demo === "true"}`);
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(conditions, sql` AND `)}`;
}

/** A filtered page of engagements, newest first unless asked otherwise. */
export function engagementPageQuery(data: DataContext, executor: Executor, query: EngagementListQuery) {
  const ascending = query.sort === "date";
  return engagementColumns(data, executor)
    .where(engagementFilter(query))
    .orderBy(ascending ? sql`e.start_date` : sql`e.start_date DESC`)
    .orderBy(ascending ? sql`e.id` : sql`e.id DESC`)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
}

/** How many engagements the actor may read the filters match, up to `cap`. */
export async function countMatchingEngagements(
  data: DataContext,
  executor: Executor,
  query: EngagementFilters,
  cap: number,
): Promise<number> {
  const count = async (arm: UnitArm) => {
    const matches = data
      .engagements(executor)
      .select(sql`1`.as("one"))
      .where(engagementFilter(query, arm))
      .limit(cap + 1);
    return (await executor.selectFrom(matches.as("m")).select(sql<number>`count(*)::int`.as("total")).executeTakeFirstOrThrow()).total;
  };
  // Led by the unit, plus co-organised but led by another: two counts the indexes answer.
  if (query.unitId) return (await count("lead")) + (await count("co"));
  return count("either");
}

/**
 * A partner's timeline: the engagements the actor may read, newest first. The page is read
 * from the participants' (organisation, date) index, each checked against the readable
 * engagements, then joined to their columns.
 */
export function timelineQuery(
  data: DataContext,
  executor: Executor,
  organisationId: number,
  types: string[] | undefined,
  page: number,
  pageSize: number,
) {
  let ids = executor
    .selectFrom("engagementParticipants as p")
    .innerJoin(data.readableEngagements(executor).as("t"), "t.id", "p.engagementId")
    .select(["p.engagementId", "p.startDate"])
    .distinct()
    .where("p.organisationId", "=", organisationId);
  if (types?.length) ids = ids.where("t.type", "in", types);
  const pageIds = ids
    .orderBy("p.startDate", "desc")
    .orderBy("p.engagementId", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return engagementColumns(data, executor)
    .innerJoin(pageIds.as("pg"), "pg.engagementId", "e.id")
    .orderBy("e.startDate", "desc")
    .orderBy("e.id", "desc");
}

/**
 * One engagement with everything about it, in one round trip. The engagements it links to
 * (the letter it replies to, its replies, a thank-you letter, the visit it was part of and what
 * took place during it) are shown only when the
 * reader may read them too.
 */
export function engagementDetailQuery(data: DataContext, executor: Executor, engagementId: number) {
  const linked = () => data.readableEngagements(executor);
  return engagementColumns(data, executor)
    .select((eb) => [
      "e.summaryEn",
      "e.summaryZh",
      "e.timezone",
      "e.details",
      "e.createdAt",
      "e.updatedAt",
      "e.leadUnitId",
      "e.programmeId",
      "e.mechanismId",
      "e.inReplyToId",
      "e.thankYouLetterId",
      "e.partOfId",
      data.unitAllows("engagements.write", sql.ref("e.lead_unit_id")).as("mayEdit"),
      data.unitAllows("gifts.read", sql.ref("e.lead_unit_id")).as("mayReadGifts"),
      data.unitAllows("gifts.write", sql.ref("e.lead_unit_id")).as("mayKeepGifts"),
      jsonObjectFrom(
        eb.selectFrom(linked().as("po")).select(["po.id", "po.titleEn", "po.titleZh"]).whereRef("po.id", "=", "e.partOfId"),
      ).as("partOf"),
      jsonArrayFrom(
        eb
          .selectFrom(linked().as("pt"))
          .select(["pt.id", "pt.titleEn", "pt.titleZh", "pt.type", "pt.startDate"])
          .whereRef("pt.partOfId", "=", "e.id")
          .orderBy("pt.startDate")
          .orderBy("pt.id"),
      ).as("parts"),
      jsonArrayFrom(
        eb
          .selectFrom("engagementUnits as eu")
          .innerJoin("units as cu", "cu.id", "eu.unitId")
          .select(["cu.id", "cu.nameEn", "cu.nameZh"])
          .whereRef("eu.engagementId", "=", "e.id")
          .orderBy("cu.id"),
      ).as("coUnits"),
      jsonObjectFrom(
        eb.selectFrom("programmes as pr").select(["pr.id", "pr.nameEn", "pr.nameZh"]).whereRef("pr.id", "=", "e.programmeId"),
      ).as("programme"),
      jsonObjectFrom(
        eb.selectFrom("mechanisms as me").select(["me.id", "me.nameEn", "me.nameZh"]).whereRef("me.id", "=", "e.mechanismId"),
      ).as("mechanism"),
      jsonObjectFrom(eb.selectFrom(linked().as("r")).select(["r.id", "r.titleEn", "r.titleZh"]).whereRef("r.id", "=", "e.inReplyToId")).as(
        "inReplyTo",
      ),
      jsonObjectFrom(
        eb.selectFrom(linked().as("t")).select(["t.id", "t.titleEn", "t.titleZh"]).whereRef("t.id", "=", "e.thankYouLetterId"),
      ).as("thankYouLetter"),
      jsonArrayFrom(
        eb
          .selectFrom(linked().as("rp"))
          .select(["rp.id", "rp.titleEn", "rp.titleZh"])
          .whereRef("rp.inReplyToId", "=", "e.id")
          .orderBy("rp.startDate")
          .orderBy("rp.id"),
      ).as("replies"),
      jsonArrayFrom(
        eb
          .selectFrom("engagementParticipants as p")
          .leftJoin("organisations as o", "o.id", "p.organisationId")
          .leftJoin("people as pe", "pe.id", "p.personId")
          .leftJoin("countries as pc", (join) => join.on(sql<boolean>`pc.code = coalesce(o.country_code, pe.country_code)`))
          .select([
            "p.id",
            "p.role",
            "p.rank",
            "p.precedence",
            "o.id as organisationId",
            "o.nameEn as organisationNameEn",
            "o.nameZh as organisationNameZh",
            "o.nameZhStatus as organisationNameZhStatus",
            "o.kind as organisationKind",
            "pe.id as personId",
            "pe.nameEn as personNameEn",
            "pe.nameZh as personNameZh",
            "pc.code as countryCode",
            "pc.nameEn as countryNameEn",
            "pc.nameZh as countryNameZh",
          ])
          .whereRef("p.engagementId", "=", "e.id")
          .orderBy(sql`p.precedence NULLS LAST`)
          .orderBy("p.id"),
      ).as("participants"),
      jsonArrayFrom(
        eb
          .selectFrom("engagementApprovalSteps as st")
          .leftJoin("users as su", "su.id", "st.actorId")
          .select(["st.step", "st.at", "st.note", "su.id as userId", "su.displayName"])
          .whereRef("st.engagementId", "=", "e.id")
          .orderBy("st.at")
          .orderBy("st.id"),
      ).as("approvalSteps"),
      jsonArrayFrom(
        eb
          .selectFrom("engagementTopics as et")
          .innerJoin("topics as tp", "tp.id", "et.topicId")
          .select(["tp.id", "tp.key", "tp.nameEn", "tp.nameZh"])
          .whereRef("et.engagementId", "=", "e.id")
          .orderBy("tp.key"),
      ).as("topics"),
      jsonArrayFrom(
        eb
          .selectFrom("engagementAttachments as a")
          .select(["a.id", "a.fileName", "a.contentType", "a.sizeBytes", "a.sha256", "a.createdAt"])
          .whereRef("a.engagementId", "=", "e.id")
          .orderBy("a.id"),
      ).as("attachments"),
    ])
    .where("e.id", "=", engagementId);
}

export type EngagementRow = Awaited<ReturnType<ReturnType<typeof engagementColumns>["executeTakeFirstOrThrow"]>>;
export type EngagementDetailRow = Awaited<ReturnType<ReturnType<typeof engagementDetailQuery>["executeTakeFirstOrThrow"]>>;
