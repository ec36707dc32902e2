import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { planEachTime } from "../../db/prepared.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { inCountryGroup } from "../countries/store.ts";
import type { Actor } from "../shared/actor.ts";
import { inPeriodRanges, inRemainder, monthCodesBetween, type PeriodRange, type Remainder, splitPeriod } from "./counts.ts";
import { everyUnitsSlices, inSlices, isMonthPeriod, monthlyDim, type SlicesMemo, slicesRead } from "./rollup.ts";
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

/** How deep each period's list is read before the bound is checked (see rankByThreshold). */
const depthPerList = 50;

/**
 * The partner organisations reached by the most done engagements in the scope, most first
 * (ties by id), counting only what the actor may see. The period's whole years, and its whole
 * months where the rollup keeps them (the breakdown "all", in every slice), are answered from the
 * per-partner rollup, for those who read only some units or no restricted work from its slices;
 * the days of part-months, and what the reader reads beyond the slices, from the record; a period
 * shorter than a whole month, or a topic, from the record alone. All give the same.
 */
export async function rankPartners(
  actor: Actor,
  scope: PartnerRankScope,
  limit: number,
  options: { fromRecord?: boolean; slicesMemo?: SlicesMemo } = {},
): Promise<{ rows: RankedPartner[]; source: "rollup" | "record"; method: "threshold" | "full" | "record" }> {
  const { engagements, partners } = scopeConditions(scope);
  const data = forActor(actor);
  if (!options.fromRecord) {
    const breakdown = rollupBreakdown(data, scope);
    // Only "all" keeps months: a programme's part-years take their whole years from the rollup, the rest from the record.
    const split = breakdown
      ? splitPeriod(scope.from, scope.to, breakdown.dim === monthlyDim)
      : slicesAnswer(scope)
        ? splitPeriod(scope.from, scope.to, true)
        : null;
    if (split) {
      const counts = breakdown ? breakdownCounts(breakdown, split) : await sliceCounts(data, scope, split, options.slicesMemo);
      return { ...(await rankByThreshold(data, counts, engagements, partners, limit)), source: "rollup" };
    }
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

/** Whether the scope is whole years (1 January to 31 December). */
const wholeYears = (scope: PartnerRankScope) => scope.from.endsWith("-01-01") && scope.to.endsWith("-12-31");

/**
 * The rollup's breakdown in slice 0, for a reader of every unit's work, restricted work included;
 * null for anyone else (their slices answer), and for what slice 0's breakdowns do not hold.
 */
function rollupBreakdown(data: DataContext, scope: PartnerRankScope): { dim: string; value: string } | null {
  // Slice 0 counts every record: those who may not see them all are counted from their slices.
  if (!data.reachesEveryUnit("engagements.read") || !data.actor.clearance) return null;
  if (scope.subunits === "true" || scope.topicId || (scope.unitId && scope.programmeId)) return null;
  if (scope.programmeId) return { dim: "programme", value: String(scope.programmeId) };
  // A unit's part-years from its slices, which keep months; its whole years from the breakdown "unit".
  if (scope.unitId) return wholeYears(scope) ? { dim: "unit", value: String(scope.unitId) } : null;
  return { dim: monthlyDim, value: "" };
}

/** Whether the per-partner slices can rank the scope: no programme, no topic (they hold the breakdown "all" only). */
function slicesAnswer(scope: PartnerRankScope): boolean {
  return !scope.programmeId && !scope.topicId;
}

/** A period split between the rollup's codes and the record's days. */
type Split = NonNullable<ReturnType<typeof splitPeriod>>;

/**
 * Where a ranking's counts come from: a per-partner rollup table read as lists, one per period
 * code (and slice), each in the order of its count; and what the record adds beside them.
 */
interface PartnerCounts {
  table: "engagement_partner_rollup" | "engagement_partner_slices";
  /** SQL: the lists, one row each (their columns are the list's key, which `inList` reads). */
  lists: RawBuilder<unknown>;
  /** SQL: rollup row `r` is in list `l`. */
  inList: RawBuilder<boolean>;
  /** SQL: rollup row `r` is counted (it is in one of the lists). */
  counted: RawBuilder<boolean>;
  /** What the record adds: the days of part-months, and the engagements only shared with the reader. */
  remainder: Remainder;
}

/** A breakdown of slice 0 (engagement_partner_rollup): one list per period code. */
function breakdownCounts(breakdown: { dim: string; value: string }, split: Split): PartnerCounts {
  const inBreakdown = sql<boolean>`r.dim = ${breakdown.dim} AND r.value = ${breakdown.value}`;
  return {
    table: "engagement_partner_rollup",
    lists: periodCodes(split.periods),
    inList: sql<boolean>`${inBreakdown} AND r.year = l.code`,
    counted: sql<boolean>`${inBreakdown} AND ${inPeriodRanges(sql.ref("r.year"), split.periods)}`,
    remainder: { ids: [], days: split.days },
  };
}

/**
 * The slices a reader reads (a unit's users, anyone filtering by a unit, a reader without
 * clearance), one list per slice, classification and period code; and the engagements only shared
 * with them, which the record counts (the two sets of engagements are apart, so the counts add up).
 */
async function sliceCounts(data: DataContext, scope: PartnerRankScope, split: Split, slicesMemo?: SlicesMemo): Promise<PartnerCounts> {
  const { slices: read, shared } = await slicesRead(data, scope, slicesMemo);
  // Every slice, when the reader reads every unit (but not the restricted work).
  const slices = read ?? (await everyUnitsSlices());
  const classifications = data.actor.clearance ? [false, true] : [false];
  return {
    table: "engagement_partner_slices",
    lists: sql`SELECT g.lead, g.co, c.restricted, codes.code
      FROM unnest(${slices.leads}::int[], ${slices.coUnits}::text[]) AS g(lead, co)
      CROSS JOIN unnest(${classifications}::boolean[]) AS c(restricted) CROSS JOIN (${periodCodes(split.periods)}) codes`,
    inList: sql<boolean>`r.lead_unit_id = l.lead AND r.co_units = l.co AND r.restricted = l.restricted AND r.year = l.code`,
    counted: sql<boolean>`${inSlices("r", slices)} AND r.restricted = ANY(${classifications}::boolean[]) AND ${inPeriodRanges(sql.ref("r.year"), split.periods)}`,
    remainder: { ids: shared, days: split.days },
  };
}

/**
 * SQL: the period codes of the ranges, as a column `code`: each month of the months' ranges, and
 * each year of a years' range that holds any engagement (a period may name centuries).
 */
function periodCodes(periods: PeriodRange[]): RawBuilder<unknown> {
  const parts = periods
    .filter(([lo]) => !isMonthPeriod(lo))
    .map(
      // No year of the range holding any (min and max null) must give no codes, not every year of the range.
      ([lo, hi]) => sql`SELECT generate_series(greatest(${lo}::int, min(y.year)), least(${hi}::int, max(y.year))) AS code
        FROM engagement_rollup y WHERE y.dim = 'all' AND y.lead_unit_id = 0 AND y.year BETWEEN ${lo} AND ${hi} HAVING count(*) > 0`,
    );
  const months = periods.filter(([lo]) => isMonthPeriod(lo)).flatMap(([lo, hi]) => monthCodesBetween(lo, hi));
  if (months.length > 0) parts.push(sql`SELECT unnest(${months}::int[]) AS code`);
  return sql.join(parts, sql` UNION ALL `);
}

/**
 * The threshold algorithm: read the busiest `depthPerList` partners of each list (an index scan
 * each) and of what the record adds (a list of its own), total those candidates over the period,
 * and keep the answer when the last of the top `limit` beats what any partner outside the
 * candidates could reach: the sum of each full list's last count read (such a partner has at most
 * that in each list). Otherwise, which takes a very even spread, total every partner of the lists
 * and of the record.
 */
async function rankByThreshold(
  data: DataContext,
  counts: PartnerCounts,
  engagements: RawBuilder<boolean>,
  partners: RawBuilder<boolean>,
  limit: number,
): Promise<{ rows: RankedPartner[]; method: "threshold" | "full" }> {
  const { remainder, table } = counts;
  const fromRecord =
    remainder.ids.length > 0 || remainder.days.length > 0
      ? sql`SELECT p.organisation_id, count(DISTINCT e.id) AS n FROM ${data.engagementsSql} e
          JOIN engagement_participants p ON p.engagement_id = e.id
          WHERE ${inRemainder(sql.ref("e.id"), sql.ref("e.start_date"), remainder)} AND ${engagements}
            AND p.organisation_id IS NOT NULL
          GROUP BY 1`
      : sql`SELECT 0 AS organisation_id, 0 AS n WHERE false`;
  /**
   * The ranking's last step, after the CTE `recorded`: the rollup's and the record's counts of the
   * partners `which` picks, kept to the partners asked for, best first (and `also`, more columns).
   */
  const totalled = (which: RawBuilder<boolean>, also: RawBuilder<unknown>) => sql`counted AS (
      SELECT r.organisation_id, sum(r.n) AS n FROM ${sql.table(table)} r WHERE ${which} AND ${counts.counted} GROUP BY 1
      UNION ALL SELECT r.organisation_id, r.n FROM recorded r WHERE ${which})
    SELECT o.id AS "organisationId", sum(counted.n)::int AS engagements ${also}
    FROM counted JOIN organisations o ON o.id = counted.organisation_id WHERE ${partners}
    GROUP BY o.id ORDER BY engagements DESC, o.id LIMIT ${limit}`;
  const candidates = await sql<RankedPartner & { bound: number }>`${sql.raw(planEachTime)}
    WITH lists AS (SELECT row_number() OVER () AS list, l.* FROM (${counts.lists}) l),
      recorded AS (${fromRecord}),
      top AS (SELECT l.list, t.organisation_id, t.n FROM lists l CROSS JOIN LATERAL (
          SELECT r.organisation_id, r.n FROM ${sql.table(table)} r JOIN organisations o ON o.id = r.organisation_id
          WHERE ${counts.inList} AND ${partners}
          ORDER BY r.n DESC LIMIT ${depthPerList}) t
        UNION ALL (SELECT 0, r.organisation_id, r.n FROM recorded r JOIN organisations o ON o.id = r.organisation_id
          WHERE ${partners} ORDER BY r.n DESC LIMIT ${depthPerList})),
      bound AS (SELECT coalesce(sum(last_read), 0)::int AS bound FROM (SELECT min(n) AS last_read FROM top
        GROUP BY list HAVING count(*) = ${depthPerList}) full_lists),
      ${totalled(
        // An array, not IN (…): each candidate is then looked up by its own index.
        sql<boolean>`r.organisation_id = ANY(ARRAY(SELECT DISTINCT organisation_id FROM top))`,
        sql`, (SELECT bound FROM bound) AS bound`,
      )}`.execute(db());
  const rows = candidates.rows;
  if (settles(rows, limit)) return { rows: rows.map(ranked), method: "threshold" };
  const all = await sql<RankedPartner>`${sql.raw(planEachTime)}
    WITH recorded AS (${fromRecord}), ${totalled(sql<boolean>`true`, sql``)}`.execute(db());
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
