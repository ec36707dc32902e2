import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { planEachTime } from "../../db/prepared.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { countedPlaces } from "../countries/places.ts";
import { countryGroupRef, inCountryGroup, inRegion } from "../countries/store.ts";
import type { Actor } from "../shared/actor.ts";
import { isoDay } from "../shared/dates.ts";
import type { Executor } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import {
  assistanceKinds,
  correspondenceKinds,
  engagementKinds,
  engagementTypes,
  eventFormats,
  organisationKinds,
  statementStances,
  talkModes,
} from "../shared/vocabulary.ts";
import {
  anyType,
  breakdownMembers,
  chunkBits,
  heldOnTheDay,
  inSlices,
  isMonthPeriod,
  keepsOwnMonths,
  maskedMonthDims,
  monthlyDim,
  periodYear,
  reachQuery,
  type Slices,
  type SlicesMemo,
  slicesRead,
  statusValidOn,
} from "./rollup.ts";
import { type EngagementCounts, type EngagementCountsQuery, engagementCountsQuery } from "./schema.ts";
import { engagementFilter } from "./store.ts";

type Measures = { engagements: number; organisations: number; countries: number; regions: number };
type Label = { en: string; zh: string };
type Group = EngagementCountsQuery["by"];

/**
 * The breakdown a rollup holds for each group or filter, if it holds one. The lead unit is not
 * a breakdown here but the rollups' slice: a unit filter or grouping picks slices.
 */
const rollupDimOf: Partial<Record<Group, string>> = {
  programme: "programme",
  subtype: "subtype",
  region: "region",
  countryGroup: "group",
  partnerKind: "kind",
};

/**
 * Counts engagements, the distinct partner organisations they reached and the distinct
 * countries those are in, for any filter and period, grouped by one dimension. An
 * engagement counts in every group it reaches (a forum with parties from three regions
 * counts in each); the total counts it once.
 */
export async function countEngagements(actor: Actor, input: unknown = {}, options: CountOptions = {}): Promise<EngagementCounts> {
  authorize(actor, "engagements.read");
  const query = parseInput(engagementCountsQuery, input);
  const scope = forActor(actor);
  const plan = options.fromRecord ? null : await rollupPlan(scope, query, options.slicesMemo);
  const { rows, total } = plan
    ? query.by === "place"
      ? await placesFromRollups(scope, query, plan)
      : await fromRollups(scope, query, plan, options.kindCountries)
    : await fromRecord(db(), scope, query);
  const labels = await labelsFor(
    db(),
    query.by,
    rows.map((r) => r.key),
  );
  const sorted = [...rows].sort((a, b) =>
    query.by === "year" || query.by === "month" ? a.key.localeCompare(b.key) : b.engagements - a.engagements || a.key.localeCompare(b.key),
  );
  return {
    by: query.by,
    rows: sorted.map((r) => ({ ...r, label: labels.get(r.key) ?? { en: r.key, zh: r.key } })),
    total,
    source: plan ? "rollup" : "record",
  };
}

interface RollupPlan {
  /**
   * The periods the rollups answer, as ranges of their period codes (years, and months as
   * year × 100 + month where the breakdown and slices hold them); the period's other days come
   * from the record (`remainder`).
   */
  periods: PeriodRange[];
  /** The one breakdown used: a filter's, or the grouping's. */
  dim: string;
  value: string | null;
  /** A country filter, answered from the per-country counts and the country's organisations. */
  country: string | null;
  /** The slices read, or null for slice 0, which holds every unit together. */
  slices: Slices | null;
  /** Whether the slices of restricted engagements are read (the caller is cleared). */
  restricted: boolean;
  /**
   * The engagements the caller reads that those slices do not hold, counted from the record and
   * added in; null when there are none.
   */
  remainder: Remainder | null;
  /**
   * Grouped by a breakdown that keeps years only (a programme; a partner kind, per country): the total's
   * own periods and remainder. The total is read from "all", which keeps months, so its part-years
   * come from the rollups too, and the groups' record reads only what a group holds. Null
   * otherwise: the total reads the plan's periods, in the same statement as the groups.
   */
  total: { periods: PeriodRange[]; remainder: Remainder | null } | null;
}

/**
 * What a rollup answer reads from the record: the engagements shared with a unit of the caller's
 * by units they do not read (`ids`), and those dated in the period's part-years (`days`, as date
 * ranges, so that the record reads them by date rather than through a list of every id).
 */
export interface Remainder {
  ids: number[];
  days: Array<{ from: string; to: string }>;
  /**
   * Only the engagements with this column set, which a group by it holds (a programme): the
   * groups' remainder when the total is read apart (`RollupPlan.total`).
   */
  grouping?: "programme_id";
}

/**
 * Whether the reader reads any done engagement dated in these days (the first one found by the
 * date index decides). Planned each time: a prepared statement's generic plan, blind to the dates,
 * scanned the whole record when no engagement was found (300 ms at 1M engagements, against 0.1).
 */
async function anyDoneIn(scope: DataContext, days: Remainder["days"]): Promise<boolean> {
  const within = inRemainder(sql.ref("e.id"), sql.ref("e.start_date"), { ids: [], days });
  const found = await sql<{ any: boolean }>`${sql.raw(planEachTime)} SELECT EXISTS (SELECT 1 FROM ${scope.engagementsSql} e
    WHERE ${within} AND e.status = 'done') AS any`.execute(db());
  return found.rows[0]?.any === true;
}

/** SQL: the engagement (its id and its date, as columns) is in the remainder (which names some days or some ids). */
export function inRemainder(id: RawBuilder<unknown>, day: RawBuilder<unknown>, remainder: Remainder): RawBuilder<boolean> {
  const parts = remainder.days.map((d) => sql<boolean>`${day} BETWEEN ${d.from}::date AND ${d.to}::date`);
  if (remainder.ids.length > 0) parts.push(sql<boolean>`${id} = ANY(${remainder.ids}::int[])`);
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

/** The years that stand for "no bound" in a rollup plan. */
const firstYear = 1000;
const lastYear = 9999;

/** An inclusive range of the rollups' period codes: years (2019) or months (201903). */
export type PeriodRange = [number, number];

/** The first day of month `index` (year × 12 + month − 1). */
const monthStart = (index: number) => new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
const monthCode = (index: number) => Math.floor(index / 12) * 100 + (index % 12) + 1;

/** The month codes (year × 100 + month) from month code `lo` to `hi`, both included. */
export function monthCodesBetween(lo: number, hi: number): number[] {
  const index = (code: number) => Math.floor(code / 100) * 12 + (code % 100) - 1;
  const codes: number[] = [];
  for (let i = index(lo); i <= index(hi); i++) codes.push(monthCode(i));
  return codes;
}

/** The most period codes a condition lists one by one rather than as ranges (see inPeriodRanges). */
const listedCodesAtMost = 120;

/**
 * SQL: the period code `year` (a rollup's column) is in one of the ranges (a months' range holds
 * only month codes, a years' range only years); false for no range. `keyed`: the index read binds
 * every column before the period (the rollups' key: breakdown, slice, type, value); several ranges
 * (a part-year's whole years and whole months) are then listed code by code while they are few,
 * since a list bounds each read of the key where an OR of ranges is only a filter on every row of
 * the slice and type (a bureau editor's partners by type over 2014-03 to 2021-06 at 1M engagements
 * read 48,000 rows of bit strings for the 9,000 wanted: 88 → 22 ms). With a column unbound, a list
 * would be one read of the index for each code.
 */
export function inPeriodRanges(year: RawBuilder<unknown>, periods: PeriodRange[], keyed = false): RawBuilder<boolean> {
  if (periods.length === 0) return sql<boolean>`false`;
  const listed = keyed && periods.length > 1 ? listPeriodCodes(periods) : null;
  if (listed) return sql<boolean>`${year} = ANY(${listed}::int[])`;
  const ranges = periods.map(([lo, hi]) => sql<boolean>`${year} BETWEEN ${lo} AND ${hi}`);
  return sql<boolean>`(${sql.join(ranges, sql` OR `)})`;
}

/** Every period code of the ranges, or null when they are more than `listedCodesAtMost` (an open end spans centuries). */
function listPeriodCodes(periods: PeriodRange[]): number[] | null {
  const codes: number[] = [];
  for (const [lo, hi] of periods) {
    if (isMonthPeriod(lo)) {
      codes.push(...monthCodesBetween(lo, hi));
    } else {
      if (hi - lo + 1 > listedCodesAtMost) return null;
      for (let y = lo; y <= hi; y++) codes.push(y);
    }
    if (codes.length > listedCodesAtMost) return null;
  }
  return codes;
}

/**
 * How a period splits between the rollups and the record: its whole years (and, where `months`,
 * the whole months of its part-years, or of a period shorter than a year) as ranges of period
 * codes, and the days left over as date ranges. `byMonth` reads the whole years as their months,
 * to count per month. Null when the rollups answer none of it (less than a whole year without
 * months, less than a whole month with them).
 */
export function splitPeriod(
  from: string | undefined,
  to: string | undefined,
  months: boolean,
  byMonth = false,
): { periods: PeriodRange[]; days: Array<{ from: string; to: string }> } | null {
  const fromYear = from ? Number(from.slice(0, 4)) + (from.endsWith("-01-01") ? 0 : 1) : firstYear;
  const toYear = to ? Number(to.slice(0, 4)) - (to.endsWith("-12-31") ? 0 : 1) : lastYear;
  const periods: PeriodRange[] = [];
  const segments: Array<{ from: string; to: string }> = [];
  if (fromYear <= toYear) {
    periods.push(byMonth ? [fromYear * 100 + 1, toYear * 100 + 12] : [fromYear, toYear]);
    if (from && fromYear > Number(from.slice(0, 4))) segments.push({ from, to: `${fromYear - 1}-12-31` });
    if (to && toYear < Number(to.slice(0, 4))) segments.push({ from: `${toYear + 1}-01-01`, to });
  } else if (from && to && from <= to) {
    segments.push({ from, to });
  } else {
    return null;
  }
  const days: Array<{ from: string; to: string }> = [];
  for (const segment of segments) {
    const a = new Date(`${segment.from}T00:00:00Z`);
    const b = new Date(`${segment.to}T00:00:00Z`);
    // The first whole month on or after a, the last one on or before b.
    const first = a.getUTCFullYear() * 12 + a.getUTCMonth() + (a.getUTCDate() === 1 ? 0 : 1);
    const dayAfterB = new Date(b.getTime() + 86_400_000);
    const last = b.getUTCFullYear() * 12 + b.getUTCMonth() - (dayAfterB.getUTCDate() === 1 ? 0 : 1);
    if (!months || first > last) {
      days.push(segment);
      continue;
    }
    periods.push([monthCode(first), monthCode(last)]);
    const firstDay = monthStart(first);
    const afterLast = monthStart(last + 1);
    if (a < firstDay) days.push({ from: segment.from, to: isoDay(new Date(firstDay.getTime() - 86_400_000)) });
    if (b >= afterLast) days.push({ from: isoDay(afterLast), to: segment.to });
  }
  return periods.length > 0 ? { periods, days } : null;
}

/**
 * Whether the rollups can answer, and how: done engagements, at most one breakdown among
 * programme, subtype, topic, region, country group, partner kind and partner status on the day,
 * as a filter or as the grouping, with the grouping by country or unit or a country filter beside it. The caller's
 * scope, clearance and unit filter pick the slices (whole years); what the caller reads beyond
 * them and the days of part-years are added from the record. Anything else goes to the record.
 */
async function rollupPlan(scope: DataContext, q: EngagementCountsQuery, slicesMemo?: SlicesMemo): Promise<RollupPlan | null> {
  if (q.status !== "done") return null;
  if (q.mechanismId || q.organisationId) return null;
  if (q.place || q.placeKind || q.series || q.occasion || q.eventId) return null;
  if (q.country && (q.by === "country" || q.by === "place")) return null;
  if (!["none", "type", "year", "month", "country", "place", "unit", ...Object.keys(rollupDimOf)].includes(q.by)) return null;
  // Less than a whole month: the record answers it as fast (asked before any lookup below).
  const withMonths = splitPeriod(q.from, q.to, true, q.by === "month");
  if (!withMonths) return null;
  const filters: Array<[string, string]> = [];
  if (q.programmeId) filters.push(["programme", String(q.programmeId)]);
  if (q.subtype) filters.push(["subtype", q.subtype]);
  if (q.topicId) filters.push(["topic", String(q.topicId)]);
  if (q.partnerKind) filters.push(["kind", q.partnerKind]);
  if (q.partnerStatus) filters.push(["status", q.partnerStatus]);
  if (q.region) {
    // Only the top-level regions are a breakdown; sub-regions are answered from the record.
    const region = await db().selectFrom("regions").select("level").where("code", "=", q.region).executeTakeFirst();
    if (region?.level !== "region") return null;
    filters.push(["region", q.region]);
  }
  if (q.countryGroup) {
    // The breakdown is kept by the group's id; a group that does not exist is the record's (nothing) to answer.
    const ref = countryGroupRef(q.countryGroup);
    const lookup = db().selectFrom("countryGroups").select("id");
    const group = await ("id" in ref ? lookup.where("id", "=", ref.id) : lookup.where("key", "=", ref.key)).executeTakeFirst();
    if (!group) return null;
    filters.push(["group", String(group.id)]);
  }
  const groupDim = rollupDimOf[q.by];
  if (filters.length > 1 || (filters.length === 1 && groupDim)) return null;
  const [filter] = filters;
  const dim = filter?.[0] ?? groupDim ?? "all";
  // Months are kept for "all", the partner statuses and the subtypes and, through "all", for the
  // regions, country groups and partner kinds, in every slice (see ownMonthDims, maskedMonthDims): another
  // breakdown's period shorter than a year is the record's, found before the slices are worked
  // out. A partner kind's months have no per-country counts (an engagement that reached a country
  // did not tell by which kind).
  const perCountry = q.by === "country" || q.by === "place" || q.country !== undefined;
  const months = keepsOwnMonths(dim) || (isMaskedMonthDim(dim) && (dim !== "kind" || !perCountry));
  if (q.by === "month" && !months) return null;
  // Grouped by a breakdown without months, the total is read apart, from the months of "all"; the
  // groups then take whole years from the rollups and the rest from the record (see RollupPlan.total).
  const totalApart = groupDim !== undefined && !filter && !months;
  // Only an engagement with a programme is in a group by programme.
  const keyed = totalApart && q.by === "programme" ? "programme_id" : undefined;
  // With no whole year, the groups are all the record's: worth it beside the total's months only when
  // few engagements can be in a group (those with a programme); otherwise the record answers it all.
  const split = months ? withMonths : (splitPeriod(q.from, q.to, false) ?? (keyed === "programme_id" ? periodAsDays(q) : null));
  if (!split) return null;
  const { slices, shared } = await slicesRead(scope, q, slicesMemo);
  // Days that hold no done engagement the reader reads ("since 15 November 2012" before the record
  // begins) are dropped after a glance at the date index, rather than read through the record's queries.
  const remainderOf = async (daysToRead: Remainder["days"], grouping?: Remainder["grouping"]): Promise<Remainder | null> => {
    const days = daysToRead.length > 0 && (await anyDoneIn(scope, daysToRead)) ? daysToRead : [];
    if (shared.length === 0 && days.length === 0) return null;
    return { ids: shared, days, ...(grouping ? { grouping } : {}) };
  };
  return {
    periods: split.periods,
    dim,
    value: filter ? filter[1] : groupDim ? null : "",
    country: q.country ?? null,
    slices,
    restricted: scope.actor.clearance === true,
    remainder: await remainderOf(split.days, keyed),
    total: totalApart ? { periods: withMonths.periods, remainder: await remainderOf(withMonths.days) } : null,
  };
}

/** A period of less than a whole year as days alone, all of it read from the record; null when it holds no day. */
function periodAsDays(q: EngagementCountsQuery): { periods: PeriodRange[]; days: Remainder["days"] } | null {
  return q.from && q.to && q.from <= q.to ? { periods: [], days: [{ from: q.from, to: q.to }] } : null;
}

/** Whether a breakdown keeps its months' engagement counts only, its partners read from the months of "all" through a mask. */
function isMaskedMonthDim(dim: string): dim is MaskedDim {
  return (maskedMonthDims as readonly string[]).includes(dim);
}

type MaskedDim = (typeof maskedMonthDims)[number];

/**
 * The rows and the total from the rollups, in one statement: the remainder's working sets from
 * the record (its CTEs) are the same for both, and so worked out once. When the total is read
 * apart (`RollupPlan.total`), each has its own remainder and statement.
 */
async function fromRollups(scope: DataContext, q: EngagementCountsQuery, plan: RollupPlan, kindCountries: KindCountries = "either") {
  // Grouped by a breakdown, an engagement sits in several groups; the total is read
  // from the breakdown "all" (or the filter's), where it sits once.
  const totalPlan = plan.value === null ? { ...plan, dim: "all", value: "", ...plan.total } : plan;
  const grouped = { plan, by: q.by, name: "grouped" } as const;
  const total = { plan: totalPlan, by: "none", name: "total" } as const;
  if (!plan.total) return splitTotal(await rollupStatement(scope, q, plan.remainder, [grouped, total], kindCountries));
  // Each with its own remainder from the record: two statements (side by side on PostgreSQL's pool).
  const [groups, all] = await Promise.all([
    rollupStatement(scope, q, plan.remainder, [grouped], kindCountries),
    rollupStatement(scope, q, totalPlan.remainder, [total], kindCountries),
  ]);
  return splitTotal([...groups, ...all]);
}

/**
 * One statement over the rollups for the groups, the total or both, with `remainder` from the
 * record (its CTEs, shared by the parts). A part named "total" is marked so in its rows.
 */
async function rollupStatement(
  scope: DataContext,
  q: EngagementCountsQuery,
  remainder: Remainder | null,
  parts: ReadonlyArray<{ plan: RollupPlan; by: Group; name: "grouped" | "total" }>,
  kindCountries: KindCountries,
) {
  const record = remainder ? await recordCtes(db(), scope, q, remainder) : null;
  const built = parts.map((part) => ({ ...part, sql: rollupParts(q, part.plan, part.by, record !== null, part.name, kindCountries) }));
  // The masks are the first plan's alone (the total reads "all", or the same filter), so worked out once for all.
  const [first] = parts;
  const masked = first ? maskedDim(first.plan) : null;
  const masks = masked && first ? sql`${monthMasks(masked, first.plan.value)},` : sql``;
  const result = await sql<{ total: boolean; key: string } & Measures>`${sql.raw(first?.plan.slices ? planEachTime : "")}
    WITH places AS (${countedPlaces}), ${record ? sql`${record},` : sql``} ${masks} ${sql.join(built.map((b) => b.sql.ctes))}
    ${sql.join(
      built.map((b) => sql`SELECT ${sql.raw(String(b.name === "total"))} AS total, x.* FROM (${b.sql.select}) x`),
      sql` UNION ALL `,
    )}`.execute(db());
  return result.rows;
}

const zero: Measures = { engagements: 0, organisations: 0, countries: 0, regions: 0 };

/**
 * The region, country group or partner kind whose months a plan reads through the months of
 * "all" (its engagement counts are its own; its partners are masked by its organisations, and a
 * region's or group's countries and per-country counts by its countries), or null when it reads none.
 */
function maskedDim(plan: RollupPlan): MaskedDim | null {
  return isMaskedMonthDim(plan.dim) && plan.periods.some(([lo]) => isMonthPeriod(lo)) ? plan.dim : null;
}

/**
 * CTEs: the masks of the months of "all" for each value (`value`: one alone): its organisations
 * (`month_masks` per chunk: a kind's and a region's as kept, a group's from its members'); for a
 * region or group also its countries (`month_members`) and their bit string (`month_country_masks`).
 */
function monthMasks(dim: MaskedDim, value: string | null): RawBuilder<unknown> {
  if (dim === "kind") {
    return sql`month_masks AS (SELECT m.kind AS value, m.chunk, m.bits FROM organisation_kind_bits m
      ${value === null ? sql`` : sql`WHERE m.kind = ${value}`})`;
  }
  // A region's organisations are kept as its own strings (migration 0045); a group's are its members' ORed.
  const masks =
    dim === "region"
      ? sql`SELECT m.region_code AS value, m.chunk, m.bits FROM organisation_region_bits m
        ${value === null ? sql`` : sql`WHERE m.region_code = ${value}`}`
      : sql`SELECT mb.value, m.chunk, bit_or(m.bits) AS bits
        FROM month_members mb JOIN organisation_country_bits m ON m.country_code = mb.country GROUP BY 1, 2`;
  return sql`month_members AS (${breakdownMembers(dim, value)}),
    month_masks AS (${masks}),
    month_country_masks AS (SELECT mb.value, bit_or(set_bit(repeat('0', ${sql.lit(chunkBits)})::varbit, c.ordinal, 1)) AS bits
      FROM month_members mb JOIN countries c ON c.code = mb.country GROUP BY 1)`;
}

/**
 * Per place as the territorial policy counts it, from the per-country rollups: a place reached
 * alone (Viet Nam; Hong Kong without China) is its country's row; a place that several reached
 * places count as (China with Hong Kong) is its members' rows added up, less the engagements that
 * reached two or more of them (`placeOverlap`), since each must count once.
 */
async function placesFromRollups(scope: DataContext, q: EngagementCountsQuery, plan: RollupPlan) {
  const perCountry = await fromRollups(scope, { ...q, by: "country" }, plan);
  const placeOf = new Map(
    (await sql<{ code: string; counted: string; kind: string }>`${countedPlaces}`.execute(db())).rows.map((p) => [p.code, p]),
  );
  const groups = new Map<string, Array<{ key: string } & Measures>>();
  for (const row of perCountry.rows) {
    const place = placeOf.get(row.key);
    if (!place || (place.kind !== "country" && place.kind !== "region")) continue;
    groups.set(place.counted, [...(groups.get(place.counted) ?? []), row]);
  }
  // An engagement that reached several members is in each member's count: counted once.
  const overlaps = await placeOverlaps(
    scope,
    q,
    [...groups].map(([counted, members]) => ({ counted, codes: members.map((m) => m.key) })),
  );
  const rows = [...groups].map(([counted, members]) => {
    const reached = (kind: string) => (members.some((m) => placeOf.get(m.key)?.kind === kind && m.engagements > 0) ? 1 : 0);
    // A partner has one country: the place's partners are its members' together.
    const organisations = members.reduce((sum, m) => sum + m.organisations, 0);
    const engagements = members.reduce((sum, m) => sum + m.engagements, 0) - (overlaps.get(counted) ?? 0);
    return { key: counted, engagements, organisations, countries: reached("country"), regions: reached("region") };
  });
  return { rows, total: perCountry.total };
}

/**
 * For each place that several reached places count as one (China with Hong Kong, Macao and
 * Taiwan), how many times over its members' counts hold the engagements that reached more than
 * one of them: each such engagement less once. Those are found first among the engagements kept as
 * reaching two places of one family (a handful), then read from the record in the reader's scope
 * and under the question's filters, as the reach counts them. Every place at once, in two queries.
 */
async function placeOverlaps(
  scope: DataContext,
  q: EngagementCountsQuery,
  places: Array<{ counted: string; codes: string[] }>,
): Promise<Map<string, number>> {
  const composite = places.filter((p) => p.codes.length > 1);
  if (composite.length === 0) return new Map();
  const codes = composite.flatMap((p) => p.codes);
  const counted = composite.flatMap((p) => p.codes.map(() => p.counted));
  // The candidates: the engagements of the period that reached two places of the counted place's
  // family (engagement_place_overlaps, keyed by the place they share, which for two places that
  // count as one is the place they count as), two of them members. The record then reads them in
  // the reader's scope, with the status and the question's filters.
  // Two members of a place are the place and a region of it, or two regions of it: a row without
  // a region that is a member is passed over before its members are counted (a state's family holds
  // its other regions too: of Britain's 6,800 rows over seven years, 200 hold Northern Ireland).
  const regions = codes.filter((code, i) => code !== counted[i]);
  const found = await sql<{ id: number }>`WITH member(code, counted) AS (SELECT * FROM unnest(${codes}::text[], ${counted}::text[]))
    SELECT DISTINCT o.engagement_id AS id FROM engagement_place_overlaps o
    WHERE o.key = ANY(${composite.map((p) => p.counted)}::text[])
      AND o.start_date BETWEEN ${q.from ?? "1000-01-01"}::date AND ${q.to ?? "9999-12-31"}::date
      AND o.countries && ${regions}::text[]
      AND (SELECT count(*) FROM unnest(o.countries) AS c(code) JOIN member ON member.code = c.code AND member.counted = o.key) > 1`.execute(
    db(),
  );
  const candidates = found.rows.map((r) => r.id);
  if (candidates.length === 0) return new Map();
  const ctes = await recordCtes(db(), scope, { ...q, by: "none", place: undefined }, { ids: candidates, days: [] });
  // The reach (`rf`) holds only the engagements read, in scope and under the filters: it is not
  // tested against them again, which the planner made a scan of the list of ids for each participation.
  const result = await sql<{ place: string; twice: number }>`WITH places AS (${countedPlaces}), ${ctes}
    SELECT place, coalesce(sum(k - 1), 0)::int AS twice FROM (
      SELECT rf.place, rf.engagement_id, count(DISTINCT rf.country) AS k FROM rf
      WHERE rf.place = ANY(${[...new Set(counted)]}::text[]) AND rf.place_kind IN ('country', 'region')
      GROUP BY rf.place, rf.engagement_id) reached GROUP BY place`.execute(db());
  return new Map(result.rows.map((r) => [r.place, r.twice]));
}

/** Options of `countEngagements` that tests and benchmarks set. */
export interface CountOptions {
  /** Answer from the record even where the rollups could (tests and benchmarks compare the two). */
  fromRecord?: boolean;
  /** The reader's slices, worked out once for all the counts of one request. */
  slicesMemo?: SlicesMemo;
  /** How a partner kind's countries are worked out (default: chosen by how many partners there are). */
  kindCountries?: KindCountries;
}

/** A partner kind's countries from each place's organisations, from each partner's own country, or either as the partners' number says. */
export type KindCountries = "byPlace" | "byPartner" | "either";

/**
 * Up to how many partners in all a partner kind's countries are read from each partner's row: a
 * bureau's quarter (a few hundred to a few thousand partners), where each place's organisations
 * rarely meet them and many of their chunks are read. Each partner looked up costs about the same
 * on both engines, so the two ways break even at 2,500 to 4,000 partners (PostgreSQL, 100,000
 * organisations: 900 partners 58 → 23 ms by partner, 8,300 43 → 66 ms).
 */
const fewPartners = 3000;

/**
 * A partner kind's places reached (its CTE of partner chunks `chunks`: key, chunk, bits), in one of
 * two ways. By place: each kind's chunks are put in one array (by chunk; a chunk without partners
 * is null), and a place is reached when one chunk of its organisations meets them, its chunks read
 * until one does (every chunk against every country, 44,000 bit strings ANDed for a quarter at 1M
 * engagements, took 38 ms; stopping at the first, 5,000, 13 ms). Sparse partners meet few places,
 * whose chunks are then all read. By partner: each partner's id is read off the bits (each run of
 * zeros ending in a one is a partner, its position the runs' lengths added up) and its country
 * from its row. "either" writes both, each under a one-time condition on the number of partners,
 * so that PostgreSQL runs one.
 */
function kindCountriesOf(chunks: RawBuilder<unknown> | ReturnType<typeof sql.table>, how: KindCountries) {
  const byPlace = sql`SELECT k.key, ${placeMeasures} FROM (SELECT ks.key, array_agg(c.bits ORDER BY g.chunk) AS bits
      FROM (SELECT DISTINCT key FROM ${chunks}) ks
      CROSS JOIN generate_series(0, (SELECT max(chunk) FROM ${chunks})) AS g(chunk)
      LEFT JOIN ${chunks} c ON c.key = ks.key AND c.chunk = g.chunk GROUP BY ks.key) k
    CROSS JOIN places pl
    CROSS JOIN LATERAL (SELECT 1 FROM organisation_country_bits m
      WHERE m.country_code = pl.code AND bit_count(k.bits[m.chunk + 1] & m.bits) > 0 LIMIT 1) reached`;
  const byPartner = sql`SELECT d.key, ${placeMeasures} FROM (
      SELECT c.key, c.chunk * ${sql.lit(chunkBits)} + sum(length(p.run[1])) OVER (PARTITION BY c.key, c.chunk ORDER BY p.n) - 1 AS org
      FROM ${chunks} c CROSS JOIN LATERAL regexp_matches(c.bits::text, '0*1', 'g') WITH ORDINALITY AS p(run, n)) d
    JOIN organisations o ON o.id = d.org JOIN places pl ON pl.code = o.country_code`;
  if (how === "byPlace") return sql`${byPlace} GROUP BY k.key`;
  if (how === "byPartner") return sql`${byPartner} GROUP BY d.key`;
  const few = sql`(SELECT coalesce(sum(bit_count(bits)), 0) FROM ${chunks}) <= ${sql.lit(fewPartners)}`;
  return sql`${byPlace} WHERE NOT ${few} GROUP BY k.key UNION ALL ${byPartner} WHERE ${few} GROUP BY d.key`;
}

/**
 * One pass over the rollups, as CTE definitions (named after `name`) and the select that reads
 * them: engagements, partners (OR of bit strings) and countries per group, over the slices the plan reads. Per country (as the grouping or a filter) the
 * engagements come from the per-country counts, the partners from the breakdown's partner
 * bits AND the country's organisations, and the countries are that one country. The plan's
 * remainder (when `withRecord`: the CTEs of `recordCtes` precede these) is counted in the same
 * shapes (counts, bit strings) and added in before anything is counted, so that a partner or
 * country met on both sides counts once. A region's, group's or partner kind's months read the
 * CTEs of `monthMasks`, which precede these too.
 */
function rollupParts(
  q: EngagementCountsQuery,
  plan: RollupPlan,
  by: Group,
  hasRecord: boolean,
  name: string,
  kindCountries: KindCountries,
) {
  const cte = (part: string) => sql.table(`${name}_${part}`);
  // The partner bit strings hold each breakdown over every type too: a question without a type reads those.
  const overEveryType = !q.type?.length && !q.direction && by !== "type";
  const perCountry = by === "country" || plan.country !== null;
  // A region's, country group's or partner kind's months: the masked months of "all" beside its own rows (see maskedDim, monthMasks).
  const maskedBy = maskedDim(plan);
  const masked = maskedBy !== null;
  /** The rows of the plan's periods (`periods` "years": its whole years only; "months": the months of "all"). */
  const where = (alias: string, periods: "every" | "years" | "months" = "every") => {
    const a = (c: string) => sql.ref(`${alias}.${c}`);
    const read = plan.periods.filter(([lo]) => periods === "every" || isMonthPeriod(lo) === (periods === "months"));
    const [dim, value] = periods === "months" ? [monthlyDim, ""] : [plan.dim, plan.value];
    // Whether the read binds the key before the period: not grouped by a breakdown's values (the
    // value unbound) nor by unit over every unit (the lead unit a range).
    const keyed = value !== null && (plan.slices !== null || by !== "unit");
    const conditions = [inPeriodRanges(a("year"), read, keyed), sql`${a("dim")} = ${dim}`];
    if (value !== null) conditions.push(sql`${a("value")} = ${value}`);
    // Each slice read is a range of the rollups' index (planned each time, with the list's length).
    if (plan.slices !== null) {
      conditions.push(inSlices(alias, plan.slices));
    } else {
      // By unit over every unit: each lead unit's own slice (all it led), not slice 0.
      conditions.push(sql`${by === "unit" ? sql`${a("lead_unit_id")} > 0` : sql`${a("lead_unit_id")} = 0`} AND ${a("co_units")} = ''`);
    }
    if (!plan.restricted) conditions.push(sql`NOT ${a("restricted")}`);
    // The partner bits and the per-country rows hold every type together too (type "*"); the
    // engagement counts do not (an engagement has one type, so theirs add up).
    const holdsEveryType = alias !== "r" || perCountry;
    // Every type is named (rather than "not *", or no condition at all in the engagement counts of
    // one value): the rollups' key then bounds the read by type, value and period for each type,
    // rather than reading all of a slice's rows (its months among them) to filter them.
    if (q.type?.length) conditions.push(sql`${a("type")} = ANY(${q.type}::text[])`);
    else if (overEveryType && holdsEveryType) conditions.push(sql`${a("type")} = ${anyType}`);
    else if (holdsEveryType || keyed) conditions.push(sql`${a("type")} = ANY(${Object.keys(engagementTypes)}::text[])`);
    if (q.direction) conditions.push(sql`${a("direction")} = ${q.direction}`);
    return sql.join(conditions, sql` AND `);
  };
  /** The group's key of a row; `value`: where a breakdown's value is read (a mask's, for the months of "all"). */
  const keyOf = (alias: string, value: RawBuilder<unknown> = sql.ref(`${alias}.value`)) => {
    const a = (c: string) => sql.ref(`${alias}.${c}`);
    if (by === "type") return sql`${a("type")} || ':' || ${a("direction")}`;
    if (by === "year") return sql`${periodYear(a("year"))}::text`;
    if (by === "month") return sql`(${a("year")} / 100)::text || '-' || lpad((${a("year")} % 100)::text, 2, '0')`;
    if (by === "none") return sql`'all'`;
    if (by === "unit") return sql`${a("lead_unit_id")}::text`;
    if (by === "country") return sql`${a("country_code")}`;
    return sql`${value}`;
  };
  // Without masked months, every period is read from the plan's own breakdown.
  const own = masked ? "years" : "every";
  /** The masked months of "all" beside the breakdown's own rows (`months`: the select over them, given the mask's value). */
  const besideMaskedMonths = (rows: RawBuilder<unknown>, months: (value: RawBuilder<unknown>) => RawBuilder<unknown>) =>
    masked ? sql`${rows} UNION ALL ${months(sql.ref("mk.value"))}` : rows;
  const countryOnly = plan.country !== null ? sql`AND r.country_code = ${plan.country}` : sql``;
  const maskOnly = plan.country !== null ? sql`AND m.country_code = ${plan.country}` : sql``;
  const fromRecordToo = hasRecord ? recordParts(by) : null;
  const withRecord = (rollup: RawBuilder<unknown>, part: RawBuilder<unknown> | undefined) =>
    part ? sql`${rollup} UNION ALL ${part}` : rollup;
  const rollupCounts = perCountry
    ? besideMaskedMonths(
        sql`SELECT ${keyOf("r")} AS key, r.n AS engagements FROM engagement_country_rollup r WHERE ${where("r", own)} ${countryOnly}`,
        (value) => sql`SELECT ${keyOf("r", value)}, r.n FROM engagement_country_rollup r
          JOIN month_members mk ON mk.country = r.country_code WHERE ${where("r", "months")} ${countryOnly}`,
      )
    : sql`SELECT ${keyOf("r")} AS key, r.n AS engagements FROM engagement_rollup r WHERE ${where("r")}`;
  const chunkKey = (value?: RawBuilder<unknown>) => (by === "country" ? sql`''` : keyOf("b", value));
  const partnersOf = perCountry
    ? sql`SELECT ${by === "country" ? sql`m.country_code` : sql`chunks.key`} AS key, sum(bit_count(chunks.bits & m.bits))::int AS organisations
        FROM ${cte("chunks")} chunks JOIN organisation_country_bits m ON m.chunk = chunks.chunk ${maskOnly} GROUP BY 1`
    : sql`SELECT key, sum(bit_count(bits))::int AS organisations FROM ${cte("chunks")} GROUP BY key`;
  // The places reached, counted as the territorial policy says (a region under its state…). A
  // partner kind's are its partners' countries (persons without an organisation have no kind):
  // with its months, read from the partners counted (years, masked months and the record's).
  const countriesOf =
    maskedBy === "kind"
      ? kindCountriesOf(cte("chunks"), kindCountries)
      : perCountry
        ? sql`SELECT counts.key, (pl.kind = 'country')::int AS countries, (pl.kind = 'region')::int AS regions
        FROM ${cte("counts")} counts JOIN places pl ON pl.code = ${by === "country" ? sql`counts.key` : sql`${plan.country}`}`
        : sql`SELECT k.key, ${placeMeasures}
        FROM (SELECT key, bit_or(bits) AS bits FROM (${withRecord(
          besideMaskedMonths(
            sql`SELECT ${keyOf("c")} AS key, c.bits FROM engagement_country_bits c WHERE ${where("c", own)}`,
            (value) => sql`SELECT ${keyOf("c", value)}, c.bits & mk.bits FROM engagement_country_bits c
              CROSS JOIN month_country_masks mk WHERE ${where("c", "months")}`,
          ),
          fromRecordToo?.countries,
        )}) x GROUP BY 1) k
        JOIN places pl ON pl.ordinal < length(k.bits) AND get_bit(k.bits, pl.ordinal) = 1
        GROUP BY k.key`;
  return {
    ctes: sql`${cte("counts")} AS (SELECT key, sum(engagements)::int AS engagements FROM (${withRecord(rollupCounts, fromRecordToo?.counts)}) x
      GROUP BY 1),
    ${cte("chunks")} AS (SELECT key, chunk, bit_or(bits) AS bits FROM (${withRecord(
      besideMaskedMonths(
        sql`SELECT ${chunkKey()} AS key, b.chunk, b.bits FROM engagement_partner_bits b WHERE ${where("b", own)}`,
        (value) => sql`SELECT ${chunkKey(value)}, b.chunk, b.bits & mk.bits FROM engagement_partner_bits b
          JOIN month_masks mk ON mk.chunk = b.chunk WHERE ${where("b", "months")}`,
      ),
      fromRecordToo?.chunks,
    )}) x GROUP BY 1, 2),
    ${cte("partners")} AS (${partnersOf}),
    ${cte("countries")} AS (${countriesOf})`,
    select: sql`SELECT counts.key, counts.engagements, coalesce(partners.organisations, 0) AS organisations,
      coalesce(countries.countries, 0) AS countries, coalesce(countries.regions, 0) AS regions
    FROM ${cte("counts")} counts LEFT JOIN ${cte("partners")} partners ON partners.key = counts.key
    LEFT JOIN ${cte("countries")} countries ON countries.key = counts.key`,
  };
}

/**
 * The record's side of a rollup answer (over the CTEs of `recordCtes`), in the rollups' shapes
 * and keys: engagements per group, the partners reached as bit strings per chunk (over every
 * group when grouping by country, as the rollups hold them), the countries reached as a bit string.
 */
function recordParts(by: Group) {
  const participant = participantKeys[by];
  const join = participantJoins[by] ?? sql``;
  const key = participant ?? engagementKey(by as EngagementKey, "rf");
  const ofEngagement = engagementKey(by as EngagementKey, "e");
  const chunkKey = by === "country" ? sql`''` : key;
  // The empty string's length is a literal, so that it is made once when planned, not once per row.
  const oneBit = (position: RawBuilder<unknown>) => sql`set_bit(repeat('0', ${sql.lit(chunkBits)})::varbit, ${position}, 1)`;
  // Each partner and country once per group before it becomes a bit: most are reached many times.
  return {
    counts: participant
      ? sql`SELECT ${key} AS key, count(DISTINCT rf.engagement_id)::int AS engagements FROM rf ${join} WHERE ${key} IS NOT NULL GROUP BY 1`
      : sql`SELECT ${ofEngagement} AS key, count(*)::int AS engagements FROM e WHERE ${ofEngagement} IS NOT NULL GROUP BY 1`,
    chunks: sql`SELECT d.key, d.org / ${sql.lit(chunkBits)} AS chunk, bit_or(${oneBit(sql`d.org % ${sql.lit(chunkBits)}`)}) AS bits
      FROM (SELECT DISTINCT ${chunkKey} AS key, rf.org FROM rf ${join} WHERE rf.org IS NOT NULL AND ${key} IS NOT NULL) d GROUP BY 1, 2`,
    countries: sql`SELECT d.key, bit_or(${oneBit(sql`c.ordinal`)}) AS bits
      FROM (SELECT DISTINCT ${key} AS key, rf.country FROM rf ${join} WHERE ${key} IS NOT NULL) d
      JOIN countries c ON c.code = d.country GROUP BY 1`,
  };
}

/** Countries and regions among the places reached, each counted once: `place` is the place counted, `kind` how. */
const placeMeasuresOf = (place: RawBuilder<unknown>, kind: RawBuilder<unknown>) =>
  sql`count(DISTINCT ${place}) FILTER (WHERE ${kind} = 'country')::int AS countries,
  count(DISTINCT ${place}) FILTER (WHERE ${kind} = 'region')::int AS regions`;
/** Over the places of the country bit strings (`pl`). */
const placeMeasures = placeMeasuresOf(sql.ref("pl.counted"), sql.ref("pl.kind"));
/** Over the record's reached participants (`rf`), their places already counted as the policy says. */
const recordPlaceMeasures = placeMeasuresOf(sql.ref("rf.place"), sql.ref("rf.place_kind"));

/**
 * The engagements that organisations or people of these countries (`countries`: a query of codes,
 * after the CTE `places`) took part in: an organisation of theirs, or a person of theirs who came
 * without one, as the reach counts them. From the registry's and the participants' indexes.
 */
async function engagementsReaching(executor: Executor, countries: RawBuilder<unknown>): Promise<number[]> {
  // The countries' organisations and people, in one look-up of the policy's places.
  const members = await sql<{ organisations: number[]; people: number[] }>`WITH places AS (${countedPlaces}), c AS (${countries})
    SELECT coalesce((SELECT array_agg(id) FROM organisations WHERE country_code IN (SELECT * FROM c)), '{}') AS organisations,
      coalesce((SELECT array_agg(id) FROM people WHERE country_code IN (SELECT * FROM c)), '{}') AS people`.execute(executor);
  const { organisations, people } = members.rows[0] ?? { organisations: [], people: [] };
  const found = await sql<{
    id: number;
  }>`SELECT engagement_id AS id FROM engagement_participants WHERE organisation_id = ANY(${organisations}::int[])
    UNION SELECT engagement_id FROM engagement_participants WHERE organisation_id IS NULL AND person_id = ANY(${people}::int[])`.execute(
    executor,
  );
  return found.rows.map((r) => r.id);
}

/**
 * The engagements the filter's place, country or organisation took part in (an organisation of
 * theirs, or a person of theirs who came without one, as the reach counts them), or in which a
 * partner of the filter's status on the day took part, or null when the query has no such filter.
 * Several filters: the engagements all of them took part in. `days`: the dates read, when only
 * those are (a rollup answer's remainder).
 */
async function engagementsTakenPartIn(
  executor: Executor,
  q: EngagementCountsQuery,
  days: Remainder["days"] = [],
): Promise<number[] | null> {
  const sets: number[][] = [];
  const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id);
  const ofCountries = (countries: RawBuilder<unknown>) => engagementsReaching(executor, countries);
  if (q.place) sets.push(await ofCountries(sql`SELECT code FROM places WHERE counted = ${q.place} AND kind IN ('country', 'region')`));
  if (q.country) sets.push(await ofCountries(sql`SELECT ${q.country}::text`));
  if (q.organisationId) {
    sets.push(
      ids(
        (
          await sql<{
            id: number;
          }>`SELECT DISTINCT engagement_id AS id FROM engagement_participants WHERE organisation_id = ${q.organisationId}`.execute(executor)
        ).rows,
      ),
    );
  }
  if (q.partnerStatus) sets.push(await engagementsWithStatus(executor, q.partnerStatus, q, days));
  const [first, ...rest] = sets;
  if (!first) return null;
  return rest.reduce((kept, set) => {
    const within = new Set(set);
    return kept.filter((id) => within.has(id));
  }, first);
}

/**
 * The engagements in which an organisation took part on a day it held `status` (as
 * `heldOnTheDay` says, by the same `statusValidOn`), read from the statuses' side: the few
 * partners that ever held it, then their participations in the period from the timeline index,
 * rather than every participation of the period tested in turn. `days`: only those dates, else
 * the query's period.
 */
async function engagementsWithStatus(
  executor: Executor,
  status: string,
  q: EngagementCountsQuery,
  days: Remainder["days"],
): Promise<number[]> {
  const ranges = days.length > 0 ? days : [{ from: q.from ?? "0001-01-01", to: q.to ?? "9999-12-31" }];
  const inRanges = sql.join(
    ranges.map((d) => sql`p.start_date BETWEEN ${d.from}::date AND ${d.to}::date`),
    sql` OR `,
  );
  const found = await sql<{ id: number }>`SELECT DISTINCT p.engagement_id AS id FROM organisation_statuses s
    JOIN engagement_participants p ON p.organisation_id = s.organisation_id AND ${statusValidOn(sql.ref("s"), sql.ref("p.start_date"))}
    WHERE s.status = ${status} AND (${inRanges})`.execute(executor);
  return found.rows.map((r) => r.id);
}

/** Group keys of the record's reached participants (`rf`). */
const participantKeys: Partial<Record<Group, RawBuilder<unknown>>> = {
  region: sql`rf.region`,
  partnerKind: sql`rf.kind`,
  country: sql`rf.country`,
  place: sql`CASE WHEN rf.place_kind IN ('country', 'region') THEN rf.place END`,
  organisation: sql`rf.org::text`,
  countryGroup: sql`gm.group_id::text`,
};
/** What a participant key needs joined to the reached participants (`rf`): a country is in any number of groups. */
const participantJoins: Partial<Record<Group, RawBuilder<unknown>>> = {
  countryGroup: sql`JOIN country_group_members gm ON gm.country_code = rf.country`,
};
type EngagementKey = "none" | "type" | "year" | "month" | "unit" | "programme" | "subtype";
/**
 * Group keys of the record's engagements: over `e`, or over `rf`, whose reach rows carry their
 * engagement's columns (so that a group's partners need no join back to the engagements).
 */
function engagementKey(by: EngagementKey, alias: "e" | "rf"): RawBuilder<unknown> {
  const a = (column: string) => sql.ref(`${alias}.${column}`);
  const keys: Record<EngagementKey, RawBuilder<unknown>> = {
    none: sql`'all'`,
    type: sql`${a("type")} || ':' || ${a("direction")}`,
    year: sql`${a("year")}::text`,
    month: sql`${a("month")}`,
    unit: sql`${a("lead_unit_id")}::text`,
    programme: sql`${a("programme_id")}::text`,
    subtype: sql`${a("subtype")}`,
  };
  return keys[by];
}

/**
 * The record's working sets for a counts query, as CTE definitions to follow `places`: `e0`
 * the engagements read and filtered, `r` what they reached, `rf` that reach filtered (with each
 * place as the policy counts it), `e` the engagements that kept a reach when the reach is filtered.
 * `within`: only these engagements (the remainder of a rollup answer, or a list of candidates).
 * Every branch keeps `r` (so `rf`) to participations in engagements of `e0`, read in the caller's
 * scope and under the question's filters: `placeOverlaps` relies on it, reading `rf` alone.
 */
async function recordCtes(executor: Executor, scope: DataContext, q: EngagementCountsQuery, within: Remainder | null = null) {
  // The engagement list's own filter, with the unit as lead unit: counts attribute an engagement to the unit that led it.
  const { from, to, type, direction, subtype, status, unitId, subunits, programmeId, mechanismId, topicId, series, occasion, eventId } = q;
  const engagementConditions = engagementFilter(
    { from, to, type, direction, subtype, status, unitId, subunits, programmeId, mechanismId, topicId, series, occasion, eventId },
    "lead",
  );
  const reachConditions: RawBuilder<unknown>[] = [];
  if (q.region) reachConditions.push(inRegion(sql.ref("r.country"), q.region));
  if (q.countryGroup) reachConditions.push(inCountryGroup(sql.ref("r.country"), q.countryGroup));
  if (q.partnerKind) reachConditions.push(sql`r.kind = ${q.partnerKind}`);
  if (q.country) reachConditions.push(sql`r.country = ${q.country}`);
  if (q.organisationId) reachConditions.push(sql`r.org = ${q.organisationId}`);
  if (q.partnerStatus) reachConditions.push(heldOnTheDay(sql.ref("r.org"), sql.ref("r.day"), sql`${q.partnerStatus}`));
  if (q.place) reachConditions.push(sql`pl.counted = ${q.place} AND pl.kind IN ('country', 'region')`);
  if (q.placeKind) reachConditions.push(sql`pl.kind = ${q.placeKind}`);
  const reachFilter = reachConditions.length ? sql.join(reachConditions, sql` AND `) : sql`true`;
  // A filter on where the partner is (a place, a country), who it is (one organisation) or what it
  // was on the day (a status) can only be met by engagements in which those organisations and
  // people took part: the engagements counted are narrowed to those first, found in their own
  // queries from the registry's and the participants' indexes (a list of ids, so that the plan
  // does not depend on the table's statistics).
  // Found within the remainder's days alone, unless it holds engagements shared on other days too.
  const takenPartIn = await engagementsTakenPartIn(executor, q, within && within.ids.length === 0 ? within.days : []);
  // A remainder of ids alone narrows like those; one with days is a condition on the engagements read.
  const withinIds = within && within.days.length === 0 ? new Set(within.ids) : null;
  const narrowTo =
    takenPartIn && withinIds ? takenPartIn.filter((id) => withinIds.has(id)) : (takenPartIn ?? (withinIds && [...withinIds]));
  // As a set to join (unnest), not `= ANY(…)`: each id is then looked up by its index, where a long
  // array would be searched row by row under a generic plan.
  const narrowed = narrowTo ? sql`AND e.id IN (SELECT unnest(${narrowTo}::int[]))` : sql``;
  const inDays = within && within.days.length > 0 ? sql`AND ${inRemainder(sql.ref("e.id"), sql.ref("e.start_date"), within)}` : sql``;
  // The column itself, not the group's key made of it: the planner then knows how few rows have it.
  const inGroups = within?.grouping ? sql`AND ${sql.ref(`e.${within.grouping}`)} IS NOT NULL` : sql``;
  // The engagements read (`e`), as e0 holds them.
  const engagementsRead = sql`${scope.engagementsSql} e WHERE ${engagementConditions} ${narrowed} ${inDays} ${inGroups}`;
  // Narrowed, the engagements are read again in the subquery rather than from e0: the planner
  // knows the table, not the CTE, and took a few thousand participations for one row.
  const participations = narrowTo
    ? sql`p.engagement_id IN (SELECT unnest(${narrowTo}::int[]))
        AND p.engagement_id IN (SELECT e.id FROM ${engagementsRead})`
    : within
      ? sql`p.engagement_id IN (SELECT e.id FROM ${engagementsRead})`
      : sql`p.engagement_id IN (SELECT id FROM e0)`;
  const restrict = reachConditions.length ? sql`WHERE e.id IN (SELECT engagement_id FROM rf)` : sql``;
  /** The engagement columns the working sets carry: from the table (`x`), or as e0 holds them (`computed` false). */
  const columnsOf = (x: string, computed = true) => {
    const c = (column: string) => sql.ref(`${x}.${column}`);
    const dated = computed
      ? sql`extract(year FROM ${c("start_date")})::int AS year, to_char(${c("start_date")}, 'YYYY-MM') AS month`
      : sql`${c("year")}, ${c("month")}`;
    return sql`${sql.join(["type", "direction", "subtype", "lead_unit_id", "programme_id"].map(c))}, ${dated}`;
  };
  // Narrowed to a list, the reach's engagements are looked up by key in the table rather than in
  // e0, which holds the same ones: misled by the list, the planner took the reach for a few rows
  // and scanned e0 once for each of them (1.4 s for 3,800 reached partners at 1M engagements).
  const reachEngagements = narrowTo ? sql`engagements` : sql`e0`;
  // Planned with its lists of ids each time (see planEachTime).
  return sql`${sql.raw(planEachTime)} e0 AS (
      SELECT e.id, ${columnsOf("e")}
      FROM ${engagementsRead}),
    r AS (${reachQuery(participations)}),
    rf AS (SELECT r.*, pl.counted AS place, pl.kind AS place_kind, ${columnsOf("x", Boolean(narrowTo))}
      FROM r JOIN ${reachEngagements} x ON x.id = r.engagement_id LEFT JOIN places pl ON pl.code = r.country WHERE ${reachFilter}),
    e AS (SELECT * FROM e0 e ${restrict})`;
}

/**
 * Counts from the record itself: the rows of the grouping and the total in one statement, so that
 * the engagements read and what they reached are worked out once for both.
 */
async function fromRecord(executor: Executor, scope: DataContext, q: EngagementCountsQuery) {
  const ctes = sql`WITH places AS (${countedPlaces}), ${await recordCtes(executor, scope, q)}`;
  const participantKey = participantKeys[q.by];
  const perParticipant = (key: RawBuilder<unknown>, join: RawBuilder<unknown>) =>
    sql`SELECT ${key} AS key, count(DISTINCT rf.engagement_id)::int AS engagements, count(DISTINCT rf.org)::int AS organisations,
      ${recordPlaceMeasures} FROM rf ${join} WHERE ${key} IS NOT NULL GROUP BY 1`;
  const byEngagement = q.by as EngagementKey;
  const grouped = participantKey
    ? perParticipant(participantKey, participantJoins[q.by] ?? sql``)
    : sql`SELECT counted.key, counted.engagements, coalesce(reached.organisations, 0) AS organisations,
            coalesce(reached.countries, 0) AS countries, coalesce(reached.regions, 0) AS regions
          FROM (SELECT ${engagementKey(byEngagement, "e")} AS key, count(*)::int AS engagements FROM e GROUP BY 1) counted
          LEFT JOIN (SELECT ${engagementKey(byEngagement, "rf")} AS key, count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures}
            FROM rf GROUP BY 1) reached ON reached.key = counted.key
          WHERE counted.key IS NOT NULL`;
  const result = await sql<{ total: boolean; key: string } & Measures>`${ctes},
    grouped AS (${grouped}),
    total AS (SELECT (SELECT count(*) FROM e)::int AS engagements, count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures} FROM rf)
    SELECT false AS total, key, engagements, organisations, countries, regions FROM grouped
    UNION ALL SELECT true, '', engagements, organisations, countries, regions FROM total`.execute(executor);
  return splitTotal(result.rows);
}

/** Rows of one statement that holds both the grouping's rows and (marked `total`) the total. */
function splitTotal(result: Array<{ total: boolean; key: string } & Measures>) {
  const rows = result.filter((r) => !r.total).map(({ total: _, ...row }) => row);
  const { total: _, key: __, ...total } = result.find((r) => r.total) ?? { total: true, key: "", ...zero };
  return { rows, total };
}

const subtypeLabels: Record<string, Label> = {
  ...eventFormats,
  ...correspondenceKinds,
  ...talkModes,
  ...assistanceKinds,
  ...statementStances,
};

/** Bilingual labels for the group keys. */
async function labelsFor(executor: Executor, by: Group, keys: string[]): Promise<Map<string, Label>> {
  const labels = new Map<string, Label>();
  const ids = keys.filter((k) => /^\d+$/.test(k)).map(Number);
  const named = async (table: "units" | "programmes" | "countryGroups") => {
    if (ids.length === 0) return;
    const rows = await executor.selectFrom(table).select(["id", "nameEn", "nameZh"]).where("id", "in", ids).execute();
    for (const r of rows) labels.set(String(r.id), { en: r.nameEn, zh: r.nameZh });
  };
  if (by === "none") labels.set("all", { en: "All", zh: "全部" });
  if (by === "year") for (const k of keys) labels.set(k, { en: k, zh: `${k}年` });
  if (by === "month") for (const k of keys) labels.set(k, { en: k, zh: `${k.slice(0, 4)}年${Number(k.slice(5))}月` });
  if (by === "type")
    for (const k of keys) if (k in engagementKinds) labels.set(k, { ...engagementKinds[k as keyof typeof engagementKinds] });
  if (by === "subtype") for (const k of keys) if (subtypeLabels[k]) labels.set(k, { ...(subtypeLabels[k] as Label) });
  if (by === "partnerKind")
    for (const k of keys) if (k in organisationKinds) labels.set(k, { ...organisationKinds[k as keyof typeof organisationKinds] });
  if (by === "unit") await named("units");
  if (by === "programme") await named("programmes");
  if (by === "countryGroup") await named("countryGroups");
  if (by === "region" && keys.length > 0) {
    const rows = await executor.selectFrom("regions").select(["code", "nameEn", "nameZh"]).where("code", "in", keys).execute();
    for (const r of rows) labels.set(r.code, { en: r.nameEn, zh: r.nameZh });
  }
  if (by === "organisation" && ids.length > 0) {
    const rows = await executor.selectFrom("organisations").select(["id", "nameEn", "nameZh"]).where("id", "in", ids).execute();
    for (const r of rows) labels.set(String(r.id), { en: r.nameEn, zh: r.nameZh ?? r.nameEn });
  }
  if ((by === "country" || by === "place") && keys.length > 0) {
    const rows = await executor.selectFrom("countries").select(["code", "nameEn", "nameZh"]).where("code", "in", keys).execute();
    for (const r of rows) labels.set(r.code, { en: r.nameEn, zh: r.nameZh });
  }
  return labels;
}
