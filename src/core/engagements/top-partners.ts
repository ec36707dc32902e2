import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { planEachTime } from "../../db/prepared.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { inCountryGroup } from "../countries/store.ts";
import type { Actor } from "../shared/actor.ts";
import type { Executor } from "../shared/mutation.ts";
import { everyUnitsSlices, inSlices, isMonthCode, type SlicesMemo, slicesRead } from "./rollup.ts";
import { engagementFilter } from "./store.ts";

/** Which done engagements and which partners a ranking counts. */
export interface PartnerRankScope {
  from: string;
  to: string;
  unitId?: number | undefined;
  subunits?: "true" | "false" | undefined;
  programmeId?: number | undefined;
  topicId?: number | undefined;
  partnerKind?: string | undefined;
  countryGroup?: string | undefined;
}

export interface RankedPartner {
  organisationId: number;
  engagements: number;
}

/** How deep each year's list is read before the bound is checked (see rankFromRollup). */
const depthPerYear = 50;

/**
 * The partner organisations reached by the most done engagements in the scope, most first
 * (ties by id), counting only what the actor may see. Whole years that the per-partner
 * rollup holds are answered from it, for those who read only some units or no restricted work
 * from its slices; anything else from the record. All give the same.
 */
export async function rankPartners(
  actor: Actor,
  scope: PartnerRankScope,
  limit: number,
  options: { fromRecord?: boolean; slicesMemo?: SlicesMemo } = {},
): Promise<{ rows: RankedPartner[]; source: "rollup" | "record"; method: "threshold" | "full" | "record" }> {
  const { engagements, partners } = scopeConditions(scope);
  const data = forActor(actor);
  const breakdown = options.fromRecord ? null : rollupBreakdown(data, scope);
  if (breakdown) return { ...(await rankFromRollup(db(), scope, breakdown, partners, limit)), source: "rollup" };
  if (!options.fromRecord && slicesAnswer(scope)) {
    return { ...(await rankFromSlices(data, scope, engagements, partners, limit, options.slicesMemo)), source: "rollup" };
  }
  const rows = await sql<RankedPartner>`
    SELECT o.id AS "organisationId", count(DISTINCT e.id)::int AS engagements
    FROM ${data.engagementsSql} e JOIN engagement_participants p ON p.engagement_id = e.id JOIN organisations o ON o.id = p.organisation_id
    WHERE ${engagements} AND ${partners}
    GROUP BY o.id ORDER BY engagements DESC, o.id LIMIT ${limit}`.execute(db());
  return { rows: rows.rows, source: "record", method: "record" };
}

/**
 * A scope in SQL: the done engagements `e` of the period that the unit (and its sub-units,
 * when asked) led, within the programme and topic; and the partners (organisations `o`) of
 * the kind and country group asked for. The overview's snapshot ids use it too.
 */
export function scopeConditions(scope: PartnerRankScope): { engagements: RawBuilder<boolean>; partners: RawBuilder<boolean> } {
  const engagements = engagementFilter(
    {
      from: scope.from,
      to: scope.to,
      status: "done",
      unitId: scope.unitId,
      subunits: scope.subunits,
      programmeId: scope.programmeId,
      topicId: scope.topicId,
    },
    "lead",
  );
  const conditions = [sql<boolean>`true`];
  if (scope.partnerKind) conditions.push(sql<boolean>`o.kind = ${scope.partnerKind}`);
  if (scope.countryGroup) conditions.push(sql<boolean>`${inCountryGroup(sql.ref("o.country_code"), scope.countryGroup)}`);
  return { engagements, partners: sql<boolean>`${sql.join(conditions, sql` AND `)}` };
}

/** The rollup's breakdown for the scope, or null when only the record can answer. */
function rollupBreakdown(data: DataContext, scope: PartnerRankScope): { dim: string; value: string } | null {
  // The rollup counts every record: those who may not see them all are counted from the record.
  if (!data.reachesEveryUnit("engagements.read") || !data.actor.clearance) return null;
  if (!scope.from.endsWith("-01-01") || !scope.to.endsWith("-12-31")) return null;
  if (scope.subunits === "true" || scope.topicId || (scope.unitId && scope.programmeId)) return null;
  if (scope.unitId) return { dim: "unit", value: String(scope.unitId) };
  if (scope.programmeId) return { dim: "programme", value: String(scope.programmeId) };
  return { dim: "all", value: "" };
}

/** Whether the per-partner slices can rank the scope: whole years, no programme, no topic. */
function slicesAnswer(scope: PartnerRankScope): boolean {
  return scope.from.endsWith("-01-01") && scope.to.endsWith("-12-31") && !scope.programmeId && !scope.topicId;
}

/**
 * The ranking for someone who reads only some slices (a unit's users, anyone filtering by a unit,
 * a reader without clearance), from the per-partner slices (engagement_partner_slices) plus the
 * engagements only shared with them, counted from the record (the two sets of engagements are
 * apart, so the counts add up). The threshold algorithm of `rankFromRollup`, with a slice's year
 * for a year: the busiest `depthPerYear` partners of each (an index scan each) and every partner
 * of the shared engagements are the candidates, totalled over the period; the answer stands when
 * the last of the top `limit` beats what any other partner could reach (the sum of each full
 * list's last count read). Otherwise every partner of the slices is totalled.
 */
async function rankFromSlices(
  data: DataContext,
  scope: PartnerRankScope,
  engagements: RawBuilder<boolean>,
  partners: RawBuilder<boolean>,
  limit: number,
  slicesMemo?: SlicesMemo,
): Promise<{ rows: RankedPartner[]; method: "threshold" | "full" }> {
  const { slices: read, shared } = await slicesRead(data, scope, slicesMemo);
  // Every slice, when the reader reads every unit (but not the restricted work).
  const slices = read ?? (await everyUnitsSlices());
  const classifications = data.actor.clearance ? [false, true] : [false];
  const fromYear = Number(scope.from.slice(0, 4));
  const toYear = Number(scope.to.slice(0, 4));
  const sliced = sql`${inSlices("r", slices)} AND r.restricted = ANY(${classifications}::boolean[])
    AND r.year BETWEEN ${fromYear} AND ${toYear}`;
  /**
   * The ranking's last step, after the CTE `shared`: the slices' counts of the partners `which`
   * picks, with the shared engagements' added, kept to the partners asked for, best first (and
   * `also`, more columns).
   */
  const totalled = (which: RawBuilder<unknown>, also: RawBuilder<unknown>) => sql`counted AS (
      SELECT r.organisation_id, sum(r.n) AS n FROM engagement_partner_slices r WHERE ${which} AND ${sliced} GROUP BY 1
      UNION ALL SELECT organisation_id, n FROM shared)
    SELECT o.id AS "organisationId", sum(counted.n)::int AS engagements ${also}
    FROM counted JOIN organisations o ON o.id = counted.organisation_id WHERE ${partners}
    GROUP BY o.id ORDER BY engagements DESC, o.id LIMIT ${limit}`;
  const fromRecord =
    shared.length > 0
      ? sql`SELECT p.organisation_id, count(DISTINCT e.id) AS n FROM ${data.engagementsSql} e
          JOIN engagement_participants p ON p.engagement_id = e.id
          WHERE e.id IN (SELECT unnest(${shared}::int[])) AND ${engagements} AND p.organisation_id IS NOT NULL GROUP BY 1`
      : sql`SELECT 0 AS organisation_id, 0 AS n WHERE false`;
  const candidates = await sql<RankedPartner & { bound: number }>`${sql.raw(planEachTime)}
    -- The years of the period that hold any engagement (a period may name centuries).
    WITH years AS (SELECT generate_series(greatest(${fromYear}::int, min(r.year)), least(${toYear}::int, max(r.year))) AS year
        FROM engagement_rollup r WHERE r.dim = 'all' AND r.lead_unit_id = 0 AND NOT ${isMonthCode(sql.ref("r.year"))}),
      lists AS (SELECT g.lead, g.co, c.restricted, years.year
        FROM unnest(${slices.leads}::int[], ${slices.coUnits}::text[]) AS g(lead, co)
        CROSS JOIN unnest(${classifications}::boolean[]) AS c(restricted) CROSS JOIN years),
      top AS (SELECT lists.*, t.organisation_id, t.n FROM lists CROSS JOIN LATERAL (
        SELECT r.organisation_id, r.n FROM engagement_partner_slices r JOIN organisations o ON o.id = r.organisation_id
        WHERE r.lead_unit_id = lists.lead AND r.co_units = lists.co AND r.restricted = lists.restricted AND r.year = lists.year
          AND ${partners}
        ORDER BY r.n DESC LIMIT ${depthPerYear}) t),
      bound AS (SELECT coalesce(sum(last_read), 0)::int AS bound FROM (SELECT min(n) AS last_read FROM top
        GROUP BY lead, co, restricted, year HAVING count(*) = ${depthPerYear}) full_lists),
      shared AS (${fromRecord}),
      ${totalled(
        // An array, not IN (…): each candidate is then looked up by its own index.
        sql`r.organisation_id = ANY(ARRAY(SELECT organisation_id FROM top UNION SELECT organisation_id FROM shared))`,
        sql`, (SELECT bound FROM bound) AS bound`,
      )}`.execute(db());
  const rows = candidates.rows;
  if (settles(rows, limit)) return { rows: rows.map(ranked), method: "threshold" };
  const all = await sql<RankedPartner>`${sql.raw(planEachTime)}
    WITH shared AS (${fromRecord}), ${totalled(sql`true`, sql``)}`.execute(db());
  return { rows: all.rows, method: "full" };
}

/**
 * Whether a threshold ranking's candidates settle it: the last of the top `limit` beats the bound
 * (what a partner outside the candidates could reach), or, with fewer than `limit` candidates,
 * no list was full, so that every partner was read.
 */
function settles(rows: Array<RankedPartner & { bound: number }>, limit: number): boolean {
  const bound = rows[0]?.bound ?? 0;
  const last = rows[limit - 1];
  return last ? last.engagements > bound : bound === 0;
}

/** A ranked partner without the bound its query carried. */
const ranked = (r: RankedPartner): RankedPartner => ({ organisationId: r.organisationId, engagements: r.engagements });

/**
 * The threshold algorithm over the per-partner rollup: read the busiest `depthPerYear`
 * partners of each year (an index scan each), total those candidates over the period, and
 * keep the answer when the last of the top `limit` beats what any partner outside the
 * candidates could reach (the sum of each full year's last count read). Otherwise, which
 * takes a very even spread, total every partner of the period from the rollup.
 */
async function rankFromRollup(
  executor: Executor,
  scope: PartnerRankScope,
  breakdown: { dim: string; value: string },
  partners: RawBuilder<boolean>,
  limit: number,
): Promise<{ rows: RankedPartner[]; method: "threshold" | "full" }> {
  const fromYear = Number(scope.from.slice(0, 4));
  const toYear = Number(scope.to.slice(0, 4));
  const inBreakdown = sql`r.dim = ${breakdown.dim} AND r.value = ${breakdown.value}`;
  const candidates = await sql<RankedPartner & { bound: number }>`
    WITH span AS (SELECT greatest(${fromYear}::int, min(r.year)) AS first, least(${toYear}::int, max(r.year)) AS last
        FROM engagement_partner_rollup r WHERE ${inBreakdown}),
      years AS (SELECT generate_series(span.first, span.last) AS year FROM span),
      top AS (SELECT years.year, t.organisation_id, t.n FROM years CROSS JOIN LATERAL (
        SELECT r.organisation_id, r.n FROM engagement_partner_rollup r JOIN organisations o ON o.id = r.organisation_id
        WHERE ${inBreakdown} AND r.year = years.year AND ${partners}
        ORDER BY r.n DESC LIMIT ${depthPerYear}) t),
      bound AS (SELECT coalesce(sum(last_read), 0)::int AS bound
        FROM (SELECT min(n) AS last_read FROM top GROUP BY year HAVING count(*) = ${depthPerYear}) full_years)
    SELECT r.organisation_id AS "organisationId", sum(r.n)::int AS engagements, (SELECT bound FROM bound) AS bound
    FROM engagement_partner_rollup r
    WHERE ${inBreakdown} AND r.year BETWEEN ${fromYear} AND ${toYear}
      -- An array, not IN (…): the planner then looks each candidate up by key rather than scanning the period.
      AND r.organisation_id = ANY(ARRAY(SELECT DISTINCT organisation_id FROM top))
    GROUP BY 1 ORDER BY engagements DESC, 1 LIMIT ${limit}`.execute(executor);
  const rows = candidates.rows;
  if (settles(rows, limit)) return { rows: rows.map(ranked), method: "threshold" };
  const all = await sql<RankedPartner>`
    SELECT r.organisation_id AS "organisationId", sum(r.n)::int AS engagements
    FROM engagement_partner_rollup r JOIN organisations o ON o.id = r.organisation_id
    WHERE ${inBreakdown} AND r.year BETWEEN ${fromYear} AND ${toYear} AND ${partners}
    GROUP BY 1 ORDER BY engagements DESC, 1 LIMIT ${limit}`.execute(executor);
  return { rows: all.rows, method: "full" };
}
