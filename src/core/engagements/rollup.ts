import { type Kysely, type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { migrateToLatest, rebuildsRollups, vacuumsAfter } from "../../db/migrate.ts";
import type { DB } from "../../db/types.ts";
import type { DataContext } from "../access/context.ts";
import type { Executor, Trx } from "../shared/mutation.ts";

/**
 * The rollups behind the counts query. For every done engagement and every breakdown
 * (dim, value) it belongs to — all, its lead unit, its programme, its subtype, its topics, and
 * the regions, country groups and partner kinds it reaches — they hold:
 *  - engagement_rollup: how many engagements;
 *  - engagement_country_rollup: per country reached, how many engagements, per type and
 *    direction and over every type ("*"), and, derived from it, engagement_country_bits: the set
 *    of those countries as a bit string;
 *  - engagement_partner_bits: which partner organisations were reached, as bit strings, per
 *    type and direction and over every type (type and direction "*");
 *  - engagement_partner_rollup: per partner, how many engagements reached it (for the
 *    breakdowns all, unit and programme only, over all types: what the top partners need);
 *  - engagement_partner_slices: the same for the breakdown "all" per slice (not slice 0), for
 *    the top partners of those who read only some slices.
 * Every row belongs to a slice and a classification (`restricted`). A slice is named by a lead
 * unit (`lead_unit_id`) and co-units (`co_units`, their ids in order; "" for none):
 *  - (0, ""): every engagement;
 *  - (L, ""): every engagement unit L led, with co-units or without;
 *  - (L, "3,7"): those unit L led with exactly units 3 and 7 beside it;
 *  - (−U, ""): every engagement unit U took part in beside another unit that led it.
 * A caller's answer adds up slices that hold no engagement twice (see `slicesRead`): a unit's own
 * work is one slice, and what a single unit took part in beside others is one more.
 * The breakdown "unit" is held in slice 0 only (within a unit's slice it is "all").
 * Every row counts one period: a year, or for the breakdown "all" also
 * a month (see `monthlyDim`: its per-partner counts too, migration 0041), for the partner
 * statuses and the subtypes a month (`ownMonthDims`), and for the regions, country groups and
 * partner kinds a month's engagement count (see `maskedMonthDims`).
 * Services keep them exact in the same transaction as the change: they capture an
 * engagement's contribution before the change and apply the difference after it.
 */

/** Organisation ids per bit string: a chunk covers ids [chunk × 4096, chunk × 4096 + 4095]. */
export const chunkBits = 4096;

/**
 * The rollups' periods are whole years (the column `year` holds 2019) and, for the breakdown "all"
 * in every slice, whole months too (201903: year × 100 + month). The months answer a quarter, the
 * months of a part-year and counts by month without the record, for every reader; they are kept
 * for the few breakdowns the overview asks of any period (`ownMonthDims`, `maskedMonthDims`), not
 * for every one, since a month's rows are some seven times its year's and the breakdowns are many
 * (at 1M engagements every breakdown by month would multiply the rollups' 4.8 GB).
 */
export const monthlyDim = "all";

/**
 * The breakdowns that keep whole months of their own, partners, countries and per-country counts
 * too: "all", the partner statuses (migration 0042) and the subtypes (migration 0043). Neither has
 * a mask: a status is what a partner was on the engagement's day, a subtype the engagement's own.
 * "Reached a party then in government" is a line of every overview, and so are the subtypes'
 * (congratulatory messages received, thematic briefings, medical assistance), each read twice
 * with the period before: from the record, a quarter's congratulatory messages at 1M engagements
 * took 60 ms alone and up to 250 ms beside the overview's other counts.
 */
export const ownMonthDims = [monthlyDim, "status", "subtype"] as const;

/** Whether a breakdown keeps whole months of its own (`ownMonthDims`). */
export const keepsOwnMonths = (dim: string) => (ownMonthDims as readonly string[]).includes(dim);

/**
 * Breakdowns by the countries reached (regions, country groups) keep their months' engagement
 * counts only: a month's partners, countries and per-country counts for such a breakdown value are
 * those of "all" within the value's countries (a partner has one country), which the counts query
 * reads by masking the months of "all" (`breakdownMembers`). So a quarter of Africa, or a
 * part-year by region, is answered from the rollups for a few rows more rather than a month's rows
 * once more for each region and group.
 */
export const countryMonthDims = ["region", "group"] as const;

/**
 * The breakdowns whose months keep their engagement counts only, their partners read from the
 * months of "all" through a mask: the countries' (`countryMonthDims`) and the partner kinds, whose
 * mask is the organisations of a kind (`organisation_kind_bits`, migration 0040) and whose
 * countries are those partners' countries (a partner has one).
 */
export const maskedMonthDims = [...countryMonthDims, "kind"] as const;

/** The breakdowns whose months the engagement counts keep. */
const monthlyCountDims = [...ownMonthDims, ...maskedMonthDims];

/**
 * SQL: the countries of each value of a breakdown by countries reached (`dim` one of
 * `countryMonthDims`), as (value, country): a region's, as the reach names it; a group's members.
 * `value`: one value alone.
 */
export function breakdownMembers(dim: (typeof countryMonthDims)[number], value: string | null): RawBuilder<unknown> {
  const members =
    dim === "region"
      ? sql`SELECT region_code AS value, code AS country FROM countries WHERE region_code IS NOT NULL`
      : sql`SELECT group_id::text AS value, country_code AS country FROM country_group_members`;
  return value === null ? members : sql`SELECT * FROM (${members}) mb WHERE mb.value = ${value}`;
}

/** The last year a period code can name: a larger code is a month's (year × 100 + month). */
const lastYearCode = 9999;

/** Whether a period code (a rollup's `year`) is a month's (year × 100 + month), not a year's. */
export const isMonthPeriod = (code: number) => code > lastYearCode;

/** SQL: the period code (a rollup's `year`) is a month's (year × 100 + month), not a year's. */
export const isMonthCode = (period: RawBuilder<unknown>) => sql<boolean>`${period} > ${sql.lit(lastYearCode)}`;

/** SQL: the year of a period code (a rollup's `year`), whether it names a year or one of its months. */
export const periodYear = (period: RawBuilder<unknown>) =>
  sql<number>`CASE WHEN ${isMonthCode(period)} THEN ${period} / 100 ELSE ${period} END`;

/** SQL: the first day of the period a rollup's `year` holds, and the first day after it. */
function periodBounds(period: RawBuilder<unknown>) {
  const month = isMonthCode(period);
  // Year and month picked apart first, so that no branch ever makes a date of the other kind's code.
  const start = sql`make_date(${periodYear(period)}, CASE WHEN ${month} THEN ${period} % 100 ELSE 1 END, 1)`;
  return { start, end: sql`(${start} + CASE WHEN ${month} THEN interval '1 month' ELSE interval '1 year' END)::date` };
}

/** The breakdowns the rollups hold; anything else is answered from the record itself. */
export const rollupDims = ["unit", "programme", "subtype", "topic", "region", "group", "kind", "status"] as const;

/** The partner statuses the "status" breakdown holds: what a partner was on the day we met it. */
export const rollupStatuses = ["in_government", "opposition"] as const;

/** "Organisation `org` held the status `status` on `day`" (all three SQL expressions). */
export function heldOnTheDay(org: RawBuilder<unknown>, day: RawBuilder<unknown>, status: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM organisation_statuses s WHERE s.organisation_id = ${org} AND s.status = ${status}
    AND ${statusValidOn(sql.ref("s"), day)})`;
}

/** "The status row `s` (an organisation_statuses row) was in force on `day`": both ends inclusive, an open end for a status still held. */
export function statusValidOn(s: RawBuilder<unknown>, day: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${s}.valid_from <= ${day} AND (${s}.valid_to IS NULL OR ${s}.valid_to >= ${day})`;
}
export type RollupDim = (typeof rollupDims)[number];

/**
 * What each engagement reaches: one row per distinct (engagement, organisation, country),
 * where the country is the organisation's, or for a person who came without an
 * organisation, the person's. The counts query's raw path and the rollups both use it,
 * so that both count the same thing.
 */
export function reachQuery(engagementCondition: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`SELECT DISTINCT p.engagement_id, p.organisation_id AS org, o.kind, c.code AS country, c.region_code AS region,
      p.start_date AS day
    FROM engagement_participants p
    LEFT JOIN organisations o ON o.id = p.organisation_id
    LEFT JOIN people pe ON pe.id = p.person_id AND p.organisation_id IS NULL
    LEFT JOIN countries c ON c.code = coalesce(o.country_code, pe.country_code)
    WHERE ${engagementCondition}`;
}

/**
 * Works out afresh which of the engagements (`ids`; null: every one) reached two or more places
 * of one family, a place and its parent or two places of one parent (engagement_place_overlaps,
 * migration 0044): by place, those the territorial policy counts as one place count each such
 * engagement once. Any status: the counts read only what is done.
 */
export async function refreshPlaceOverlaps(executor: Executor, ids: number[] | null): Promise<void> {
  if (ids?.length === 0) return;
  const these = (column: RawBuilder<unknown>) => (ids ? sql`${column} = ANY(${ids}::int[])` : sql`true`);
  await sql`DELETE FROM engagement_place_overlaps WHERE ${these(sql.ref("engagement_id"))}`.execute(executor);
  await sql`INSERT INTO engagement_place_overlaps (engagement_id, key, start_date, countries)
    SELECT r.engagement_id, f.key, e.start_date, array_agg(DISTINCT r.country ORDER BY r.country)
    FROM (SELECT DISTINCT engagement_id, country FROM (${reachQuery(these(sql.ref("p.engagement_id")))}) reach
      WHERE country IS NOT NULL) r
    JOIN engagements e ON e.id = r.engagement_id
    JOIN countries c ON c.code = r.country
    CROSS JOIN LATERAL (VALUES (c.code), (c.parent_code)) AS f(key)
    WHERE f.key IS NOT NULL
    GROUP BY r.engagement_id, f.key, e.start_date
    HAVING count(DISTINCT r.country) > 1`.execute(executor);
}

/** SQL: the units that took part in engagement `alias` beside its lead unit, as a slice names them ("3,7"; "" for none). */
function coUnitsOf(alias: string): RawBuilder<string> {
  return sql<string>`coalesce((SELECT string_agg(eu.unit_id::text, ',' ORDER BY eu.unit_id) FROM engagement_units eu
    WHERE eu.engagement_id = ${sql.ref(`${alias}.id`)} AND eu.unit_id <> ${sql.ref(`${alias}.lead_unit_id`)}), '')`;
}

/**
 * SQL: the engagement (`alias` of engagements) is in the slice (`unit`, `co`), as `membershipCtes`
 * puts it there: slice 0 holds every engagement; (L, "") all that L led, with co-units or without;
 * (L, "3,7") those L led with exactly units 3 and 7 beside it; (−U, "") those U took part in
 * beside another unit that led them.
 */
function inSlice(alias: string, unit: RawBuilder<unknown>, co: RawBuilder<unknown>): RawBuilder<boolean> {
  const e = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<boolean>`CASE WHEN ${unit} = 0 THEN true
    WHEN ${unit} > 0 THEN ${e("lead_unit_id")} = ${unit} AND (${co} = '' OR ${coUnitsOf(alias)} = ${co})
    ELSE ${e("lead_unit_id")} <> -${unit}
      AND EXISTS (SELECT 1 FROM engagement_units eu WHERE eu.engagement_id = ${e("id")} AND eu.unit_id = -${unit}) END`;
}

/** One breakdown value (a country group's), when a change can move nothing else. */
type OneBreakdown = { dim: RollupDim; value: string };

/** SQL: the country (a code) is a member of the country group (its id as text, as a breakdown's value holds it). */
function inGroup(country: RawBuilder<unknown>, group: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM country_group_members gm WHERE gm.country_code = ${country} AND gm.group_id::text = ${group})`;
}

/**
 * The breakdowns done engagements belong to: `me` has one row per (engagement, dim,
 * value, slice), `mr` one per (engagement, dim, value, slice, organisation, country) reached — for the
 * region, country group and kind breakdowns only what is itself of that region, group or kind, for
 * the status breakdown only partners that held the status on the engagement's date. `only`: the
 * rows of one breakdown value alone (one country group's, when its members change).
 */
function membershipCtes(
  engagementWhere: RawBuilder<unknown>,
  participantWhere: RawBuilder<unknown>,
  only?: OneBreakdown,
): RawBuilder<unknown> {
  return sql`WITH e AS (
      SELECT id, extract(year FROM start_date)::int AS year,
        (extract(year FROM start_date) * 100 + extract(month FROM start_date))::int AS month, type, direction, subtype, lead_unit_id, programme_id,
        classification = 'restricted' AS restricted, ${coUnitsOf("engagements")} AS co_units
      FROM engagements WHERE status = 'done' AND ${engagementWhere}),
    r AS (${reachQuery(participantWhere)}),
    m AS (SELECT * FROM (
      SELECT e.id, 'all' AS dim, '' AS value FROM e
      UNION ALL SELECT e.id, 'unit', e.lead_unit_id::text FROM e
      UNION ALL SELECT e.id, 'programme', e.programme_id::text FROM e WHERE e.programme_id IS NOT NULL
      UNION ALL SELECT e.id, 'subtype', e.subtype FROM e WHERE e.subtype IS NOT NULL
      UNION ALL SELECT et.engagement_id, 'topic', et.topic_id::text FROM engagement_topics et JOIN e ON e.id = et.engagement_id
      UNION SELECT r.engagement_id, 'region', r.region FROM r WHERE r.region IS NOT NULL
      UNION SELECT r.engagement_id, 'group', gm.group_id::text FROM r JOIN country_group_members gm ON gm.country_code = r.country
      UNION SELECT r.engagement_id, 'kind', r.kind FROM r WHERE r.kind IS NOT NULL
      UNION SELECT r.engagement_id, 'status', st.status FROM r CROSS JOIN unnest(${[...rollupStatuses]}::text[]) AS st(status)
        WHERE ${heldOnTheDay(sql.ref("r.org"), sql.ref("r.day"), sql.ref("st.status"))}) m
      ${only ? sql`WHERE m.dim = ${only.dim} AND m.value = ${only.value}` : sql``}),
    me AS (SELECT pd.period AS year, e.type, e.direction, m.dim, m.value, s.unit, s.co, e.restricted, m.id
      FROM m JOIN e ON e.id = m.id CROSS JOIN LATERAL (
        SELECT 0 AS unit, '' AS co
        UNION ALL SELECT e.lead_unit_id, ''
        UNION ALL SELECT e.lead_unit_id, e.co_units WHERE e.co_units <> ''
        UNION ALL SELECT -u.id::int, '' FROM unnest(string_to_array(nullif(e.co_units, ''), ',')) AS u(id)) AS s(unit, co)
      CROSS JOIN LATERAL (SELECT e.year UNION ALL SELECT e.month WHERE m.dim = ANY(${monthlyCountDims}::text[])) AS pd(period)
      WHERE s.unit = 0 OR m.dim <> 'unit'),
    mr AS (SELECT me.*, r.country, r.org FROM me JOIN r ON r.engagement_id = me.id
      WHERE (me.dim = ANY(${[...ownMonthDims]}::text[]) OR NOT ${isMonthCode(sql.ref("me.year"))})
        AND (me.dim <> 'region' OR r.region = me.value) AND (me.dim <> 'kind' OR r.kind = me.value)
        AND (me.dim <> 'group' OR ${inGroup(sql.ref("r.country"), sql.ref("me.value"))})
        AND (me.dim <> 'status' OR ${heldOnTheDay(sql.ref("r.org"), sql.ref("r.day"), sql.ref("me.value"))}))`;
}

interface RollupKey {
  year: number;
  type: string;
  direction: string;
  dim: string;
  value: string;
  /** The slice: the lead unit (0 for every unit), the co-units, the classification. */
  unit: number;
  co: string;
  restricted: boolean;
}

/** The type and direction of engagement_partner_bits rows that hold a breakdown's partners over every type. */
export const anyType = "*";

/** The breakdowns engagement_partner_rollup holds (unsliced: it is read from slice 0). */
export const partnerRollupDims = ["all", "unit", "programme"] as const;

/** The rollups' rows for a set of engagements: engagement counts, per-country counts, partners, per-partner counts. */
function rollupQueries(ctes: RawBuilder<unknown>) {
  return {
    partnerCounts: sql<{ year: number; dim: string; value: string; org: number; n: number }>`${ctes}
      SELECT year, dim, value, org, count(DISTINCT id)::int AS n FROM mr
      WHERE org IS NOT NULL AND unit = 0 AND dim = ANY(${[...partnerRollupDims]}::text[])
      GROUP BY 1, 2, 3, 4`,
    partnerSlices: sql<{ unit: number; co: string; restricted: boolean; year: number; org: number; n: number }>`${ctes}
      SELECT unit, co, restricted, year, org, count(DISTINCT id)::int AS n FROM mr
      WHERE org IS NOT NULL AND unit <> 0 AND dim = 'all' GROUP BY 1, 2, 3, 4, 5`,
    counts: sql<
      RollupKey & { n: number }
    >`${ctes} SELECT year, type, direction, dim, value, unit, co, restricted, count(*)::int AS n FROM me GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    countries: sql<RollupKey & { country: string; n: number }>`${ctes}
      SELECT year, type, direction, dim, value, unit, co, restricted, country, count(DISTINCT id)::int AS n FROM mr WHERE country IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      UNION ALL
      SELECT year, ${anyType}, ${anyType}, dim, value, unit, co, restricted, country, count(DISTINCT id)::int FROM mr WHERE country IS NOT NULL
      GROUP BY 1, 4, 5, 6, 7, 8, 9`,
    // Each breakdown's partners per type and direction, and once more over every type (type
    // and direction "*"), which is what a question without a type reads: far fewer strings.
    partners: sql<RollupKey & { chunk: number; positions: number[] }>`${ctes}
      SELECT year, type, direction, dim, value, unit, co, restricted, org / ${chunkBits} AS chunk,
        array_agg(DISTINCT org % ${chunkBits}) AS positions
      FROM mr WHERE org IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
      UNION ALL
      SELECT year, ${anyType}, ${anyType}, dim, value, unit, co, restricted, org / ${chunkBits}, array_agg(DISTINCT org % ${chunkBits})
      FROM mr WHERE org IS NOT NULL GROUP BY 1, 4, 5, 6, 7, 8, 9`,
  };
}

interface Contribution {
  counts: Map<string, number>;
  countries: Map<string, number>;
  partners: Set<string>;
  partnerCounts: Map<string, number>;
  partnerSlices: Map<string, number>;
}

const sep = "\u0001";
const keyOf = (r: RollupKey, ...rest: Array<string | number>) =>
  [r.year, r.type, r.direction, r.dim, r.value, r.unit, r.co, r.restricted, ...rest].join(sep);
/** The number of a contribution key's parts that name its row (the rest: a country, an organisation). */
const rowKeyParts = 8;

/** An engagement set's contribution to the three rollups (to one breakdown value's rows: `only`), read from the current state. */
async function contributionOf(executor: Executor, ids: number[], only?: OneBreakdown): Promise<Contribution> {
  const counts = new Map<string, number>();
  const countries = new Map<string, number>();
  const partners = new Set<string>();
  const partnerCounts = new Map<string, number>();
  const partnerSlices = new Map<string, number>();
  if (ids.length === 0) return { counts, countries, partners, partnerCounts, partnerSlices };
  const q = rollupQueries(membershipCtes(sql`id = ANY(${ids}::int[])`, sql`p.engagement_id = ANY(${ids}::int[])`, only));
  for (const r of (await q.counts.execute(executor)).rows) counts.set(keyOf(r), r.n);
  for (const r of (await q.countries.execute(executor)).rows) countries.set(keyOf(r, r.country), r.n);
  for (const r of (await q.partners.execute(executor)).rows) {
    for (const position of r.positions) partners.add(keyOf(r, r.chunk * chunkBits + position));
  }
  for (const r of (await q.partnerCounts.execute(executor)).rows) partnerCounts.set([r.year, r.dim, r.value, r.org].join(sep), r.n);
  for (const r of (await q.partnerSlices.execute(executor)).rows) {
    partnerSlices.set([r.unit, r.co, r.restricted, r.year, r.org].join(sep), r.n);
  }
  return { counts, countries, partners, partnerCounts, partnerSlices };
}

/**
 * An advisory lock that orders a change of a country group's members against the changes that
 * move engagements in the rollups: each works its contributions out from the members it reads, so
 * each must see the other's commit. Those changes share it; a group's change takes it alone
 * (first, before it captures anything itself). The regions' strings take it too (migration 0045):
 * shared by every statement that adds, deletes or moves organisations between countries, alone by
 * a country's change of region.
 */
const groupMembersLock = 4_471_001;

/** Takes the lock on the country groups' members for the rest of the transaction: shared, or alone. */
export async function lockGroupMembers(executor: Executor, alone: boolean): Promise<void> {
  await (alone
    ? sql`SELECT pg_advisory_xact_lock(${groupMembersLock})`
    : sql`SELECT pg_advisory_xact_lock_shared(${groupMembersLock})`
  ).execute(executor);
}

/**
 * Captures what the given engagements contribute now; call `apply` after changing them
 * (in the same transaction) to move the rollups from the old contribution to the new —
 * with the ids they have then, for engagements that did not exist before.
 */
export async function captureRollups(
  executor: Executor,
  ids: number[],
  only?: OneBreakdown,
): Promise<{ apply: (idsAfter?: number[]) => Promise<void> }> {
  await lockGroupMembers(executor, false);
  const unique = [...new Set(ids)];
  const before = await contributionOf(executor, unique, only);
  return {
    apply: async (idsAfter = unique) => {
      const after = await contributionOf(executor, [...new Set(idsAfter)], only);
      await applyCountDelta(executor, countTables.engagements, before.counts, after.counts);
      const countryKeys = await applyCountDelta(executor, countTables.countries, before.countries, after.countries);
      await refreshCountryBits(executor, countryKeys);
      await applyCountDelta(executor, countTables.partners, before.partnerCounts, after.partnerCounts);
      await applyCountDelta(executor, countTables.partnerSlices, before.partnerSlices, after.partnerSlices);
      const added = [...after.partners];
      const removed = [...before.partners].filter((k) => !after.partners.has(k));
      await setPartnerBits(executor, added, removed);
      // One breakdown value's change (a country group's members) moves no engagement's reach.
      if (!only) await refreshPlaceOverlaps(executor, [...new Set([...unique, ...idsAfter])]);
    },
  };
}

/** A rollup of counts: its table and its key columns, in the order of the contribution keys. */
interface CountTable {
  table: "engagement_rollup" | "engagement_country_rollup" | "engagement_partner_rollup" | "engagement_partner_slices";
  columns: Array<[name: string, type: "int" | "text" | "bool"]>;
}
const breakdownColumns: CountTable["columns"] = [
  ["year", "int"],
  ["type", "text"],
  ["direction", "text"],
  ["dim", "text"],
  ["value", "text"],
  ["lead_unit_id", "int"],
  ["co_units", "text"],
  ["restricted", "bool"],
];
const countTables = {
  engagements: { table: "engagement_rollup", columns: breakdownColumns },
  countries: { table: "engagement_country_rollup", columns: [...breakdownColumns, ["country_code", "text"]] },
  partners: {
    table: "engagement_partner_rollup",
    columns: [
      ["year", "int"],
      ["dim", "text"],
      ["value", "text"],
      ["organisation_id", "int"],
    ],
  },
  partnerSlices: {
    table: "engagement_partner_slices",
    columns: [
      ["lead_unit_id", "int"],
      ["co_units", "text"],
      ["restricted", "bool"],
      ["year", "int"],
      ["organisation_id", "int"],
    ],
  },
} satisfies Record<string, CountTable>;

/** Moves a rollup of counts from one contribution to another; returns the keys that changed. */
async function applyCountDelta(
  executor: Executor,
  target: CountTable,
  before: Map<string, number>,
  after: Map<string, number>,
): Promise<string[][]> {
  const delta = new Map<string, number>();
  for (const [k, n] of after) delta.set(k, n);
  for (const [k, n] of before) delta.set(k, (delta.get(k) ?? 0) - n);
  const changes = [...delta].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (changes.length === 0) return [];
  const parts = changes.map(([k]) => k.split(sep));
  const columns = target.columns.map(([, type], i) => typedColumn(parts, i, type));
  const names = sql.join(target.columns.map(([name]) => sql.ref(name)));
  const ns = changes.map(([, n]) => n);
  // Sorted keys keep concurrent writers from locking rollup rows in opposite orders.
  const written = await sql<{ n: number }>`INSERT INTO ${sql.table(target.table)} (${names}, n)
    SELECT * FROM unnest(${sql.join(columns)}, ${ns}::int[])
    ON CONFLICT (${names}) DO UPDATE SET n = ${sql.table(target.table)}.n + excluded.n
    RETURNING n`.execute(executor);
  // Rows that fell to zero go; only the rows just written are looked at, never the whole table.
  if (written.rows.some((r) => r.n === 0)) {
    const matches = sql.join(
      target.columns.map(([name]) => sql`t.${sql.ref(name)} = k.${sql.ref(name)}`),
      sql` AND `,
    );
    await sql`DELETE FROM ${sql.table(target.table)} t USING unnest(${sql.join(columns)}) AS k(${names})
      WHERE ${matches} AND t.n = 0`.execute(executor);
  }
  return parts;
}

/** One part of split contribution keys as an SQL array of its type. */
function typedColumn(parts: string[][], i: number, type: "int" | "text" | "bool"): RawBuilder<unknown> {
  if (type === "int") return sql`${parts.map((p) => Number(p[i]))}::int[]`;
  if (type === "bool") return sql`${parts.map((p) => p[i] === "true")}::boolean[]`;
  return sql`${parts.map((p) => p[i] as string)}::text[]`;
}

/** The columns that name a breakdown's row in a slice, as the rollup tables spell them. */
const rowColumnNames = sql.join(breakdownColumns.map(([name]) => sql.ref(name)));

// The set of countries of one breakdown, from its per-country counts.
const countryBitsOf = (where: RawBuilder<unknown>) => sql`SELECT r.year, r.type, r.direction, r.dim, r.value, r.lead_unit_id, r.co_units,
    r.restricted, bit_or(set_bit(repeat('0', ${chunkBits})::varbit, c.ordinal, 1)) AS bits
  FROM engagement_country_rollup r JOIN countries c ON c.code = r.country_code WHERE ${where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;

/** Recomputes the country bit strings of the breakdowns whose per-country counts changed. */
async function refreshCountryBits(executor: Executor, changed: string[][]): Promise<void> {
  const keys = [...new Map(changed.map((p) => [p.slice(0, rowKeyParts).join(sep), p])).values()];
  if (keys.length === 0) return;
  const k = sql`unnest(${sql.join(breakdownColumns.map(([, type], i) => typedColumn(keys, i, type)))}) AS k(${rowColumnNames})`;
  const matches = sql.join(
    breakdownColumns.map(([name]) => sql`b.${sql.ref(name)} = k.${sql.ref(name)}`),
    sql` AND `,
  );
  await sql`DELETE FROM engagement_country_bits b USING ${k} WHERE ${matches}`.execute(executor);
  await sql`INSERT INTO engagement_country_bits (${rowColumnNames}, bits)
    ${countryBitsOf(sql`(r.year, r.type, r.direction, r.dim, r.value, r.lead_unit_id, r.co_units, r.restricted) IN (SELECT * FROM ${k})`)}`.execute(
    executor,
  );
}

/** A bit string of chunkBits bits with the given positions set, in hex for PostgreSQL's bit input. */
export function bitMask(positions: Iterable<number>): string {
  const bytes = new Uint8Array(chunkBits / 8);
  for (const p of positions) bytes[p >> 3] = (bytes[p >> 3] as number) | (0x80 >> (p & 7));
  return `x${Buffer.from(bytes).toString("hex")}`;
}

/** Groups partner keys into bit string rows: row key → positions. */
function masksByRow(keys: string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const key of keys) {
    const parts = key.split(sep);
    const org = Number(parts[rowKeyParts]);
    const rowKey = [...parts.slice(0, rowKeyParts), Math.floor(org / chunkBits)].join(sep);
    const list = rows.get(rowKey) ?? [];
    list.push(org % chunkBits);
    rows.set(rowKey, list);
  }
  return rows;
}

function rowColumns(rows: Map<string, number[]>) {
  const keys = [...rows.keys()].sort();
  const parts = keys.map((k) => k.split(sep));
  return {
    years: parts.map((p) => Number(p[0])),
    types: parts.map((p) => p[1] as string),
    directions: parts.map((p) => p[2] as string),
    dims: parts.map((p) => p[3] as string),
    values: parts.map((p) => p[4] as string),
    units: parts.map((p) => Number(p[5])),
    coUnits: parts.map((p) => p[6] as string),
    restricted: parts.map((p) => p[7] === "true"),
    chunks: parts.map((p) => Number(p[rowKeyParts])),
    masks: keys.map((k) => bitMask(rows.get(k) ?? [])),
  };
}

async function setPartnerBits(executor: Executor, added: string[], removed: string[]): Promise<void> {
  if (added.length > 0) {
    const c = rowColumns(masksByRow(added));
    await sql`INSERT INTO engagement_partner_bits (${rowColumnNames}, chunk, bits)
      SELECT * FROM unnest(${c.years}::int[], ${c.types}::text[], ${c.directions}::text[], ${c.dims}::text[], ${c.values}::text[],
        ${c.units}::int[], ${c.coUnits}::text[], ${c.restricted}::boolean[], ${c.chunks}::int[], ${c.masks}::varbit[])
      ON CONFLICT (${rowColumnNames}, chunk) DO UPDATE SET bits = engagement_partner_bits.bits | excluded.bits`.execute(executor);
  }
  if (removed.length === 0) return;
  // A partner leaves a breakdown only when no done engagement still puts it there (and,
  // for region, country group and kind, when it is no longer of that region, group or kind).
  const parts = removed.map((k) => k.split(sep));
  const period = periodBounds(sql.ref("r.year"));
  const gone = await sql<{
    i: number;
  }>`SELECT r.i FROM unnest(${sql.join(breakdownColumns.map(([, type], i) => typedColumn(parts, i, type)))},
      ${parts.map((p) => Number(p[rowKeyParts]))}::int[])
      WITH ORDINALITY AS r(year, type, direction, dim, value, unit, co, restricted, org, i)
    WHERE NOT EXISTS (
      SELECT 1 FROM engagement_participants p JOIN engagements e ON e.id = p.engagement_id
      WHERE p.organisation_id = r.org AND p.start_date >= ${period.start} AND p.start_date < ${period.end}
        AND e.status = 'done' AND (r.type = ${anyType} OR (e.type = r.type AND e.direction = r.direction))
        AND ${inSlice("e", sql.ref("r.unit"), sql.ref("r.co"))} AND (e.classification = 'restricted') = r.restricted
        AND CASE r.dim WHEN 'unit' THEN e.lead_unit_id::text = r.value WHEN 'programme' THEN e.programme_id::text = r.value
          WHEN 'subtype' THEN e.subtype = r.value
          WHEN 'topic' THEN EXISTS (SELECT 1 FROM engagement_topics et WHERE et.engagement_id = e.id AND et.topic_id::text = r.value)
          WHEN 'kind' THEN EXISTS (SELECT 1 FROM organisations o WHERE o.id = r.org AND o.kind = r.value)
          WHEN 'region' THEN EXISTS (SELECT 1 FROM organisations o JOIN countries c ON c.code = o.country_code
            WHERE o.id = r.org AND c.region_code = r.value)
          WHEN 'group' THEN EXISTS (SELECT 1 FROM organisations o WHERE o.id = r.org AND ${inGroup(sql.ref("o.country_code"), sql.ref("r.value"))})
          WHEN 'status' THEN ${heldOnTheDay(sql.ref("r.org"), sql.ref("p.start_date"), sql.ref("r.value"))}
          ELSE true END)`.execute(executor);
  if (gone.rows.length === 0) return;
  const c = rowColumns(masksByRow(gone.rows.map((r) => removed[Number(r.i) - 1] as string)));
  await sql`UPDATE engagement_partner_bits b SET bits = b.bits & ~m.mask
    FROM unnest(${c.years}::int[], ${c.types}::text[], ${c.directions}::text[], ${c.dims}::text[], ${c.values}::text[],
      ${c.units}::int[], ${c.coUnits}::text[], ${c.restricted}::boolean[], ${c.chunks}::int[], ${c.masks}::varbit[])
      AS m(year, type, direction, dim, value, lead_unit_id, co_units, restricted, chunk, mask)
    WHERE b.year = m.year AND b.type = m.type AND b.direction = m.direction AND b.dim = m.dim AND b.value = m.value
      AND b.lead_unit_id = m.lead_unit_id AND b.co_units = m.co_units AND b.restricted = m.restricted AND b.chunk = m.chunk`.execute(
    executor,
  );
}

/**
 * Rebuilds the rollups from the record: after bulk loads, and by `liaison rollups
 * rebuild` should they ever be in doubt. Runs in the caller's transaction.
 */
export async function rebuildRollups(executor: Trx): Promise<{ engagements: number; ms: number }> {
  const started = performance.now();
  await refreshOrganisationBits(executor);
  await sql`DELETE FROM engagement_rollup; DELETE FROM engagement_country_rollup; DELETE FROM engagement_country_bits;
    DELETE FROM engagement_partner_bits; DELETE FROM engagement_partner_rollup; DELETE FROM engagement_partner_slices`.execute(executor);
  await fillRollups(
    executor,
    membershipCtes(sql`true`, sql`p.engagement_id IN (SELECT id FROM engagements WHERE status = 'done')`),
    sql`true`,
  );
  await refreshPlaceOverlaps(executor, null);
  const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM engagements WHERE status = 'done'`.execute(executor);
  return { engagements: total.rows[0]?.n ?? 0, ms: performance.now() - started };
}

/**
 * Works the registry's organisations out afresh as bit strings per country, per region and per
 * kind (the masks of the counts), which statement triggers keep between times: after a restore of
 * rows read table by table, or a rebuild, they are the registry's whatever was loaded.
 */
export async function refreshOrganisationBits(executor: Executor): Promise<void> {
  const bitsOf = (key: RawBuilder<unknown>) => sql`SELECT ${key}, o.id / ${sql.lit(chunkBits)},
      bit_or(set_bit(repeat('0', ${sql.lit(chunkBits)})::varbit, o.id % ${sql.lit(chunkBits)}, 1))
    FROM organisations o LEFT JOIN countries c ON c.code = o.country_code WHERE ${key} IS NOT NULL GROUP BY 1, 2`;
  await sql`DELETE FROM organisation_country_bits; DELETE FROM organisation_kind_bits; DELETE FROM organisation_region_bits;
    INSERT INTO organisation_country_bits (country_code, chunk, bits) ${bitsOf(sql`o.country_code`)};
    INSERT INTO organisation_region_bits (region_code, chunk, bits) ${bitsOf(sql`c.region_code`)};
    INSERT INTO organisation_kind_bits (kind, chunk, bits) ${bitsOf(sql`o.kind`)}`.execute(executor);
}

/**
 * Applies every pending migration, then rebuilds the rollups when one of them changed what they
 * hold (`rebuildsRollups`) and vacuums the tables one rewrote (`vacuumsAfter`): at start, and
 * after a restore that migrated an older archive forward.
 */
export async function migrateWithRollups(
  database: Kysely<DB>,
): Promise<{ applied: string[]; rebuilt: { engagements: number; ms: number } | null }> {
  const applied = await migrateToLatest(database);
  const rebuilt = applied.some((name) => rebuildsRollups.has(name))
    ? await database.transaction().execute((trx) => rebuildRollups(trx))
    : null;
  for (const table of new Set(applied.flatMap((name) => vacuumsAfter[name] ?? []))) {
    await sql`VACUUM (ANALYZE) ${sql.table(table)}`.execute(database);
  }
  return { applied, rebuilt };
}

/**
 * SQL: the participation `p` reaches one of these countries (`countries`: a query of codes) as the
 * reach counts it: an organisation of theirs, or a person of theirs who came without one.
 */
function reachesCountries(countries: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(p.organisation_id IN (SELECT id FROM organisations WHERE country_code IN (${countries}))
    OR (p.organisation_id IS NULL AND p.person_id IN (SELECT id FROM people WHERE country_code IN (${countries}))))`;
}

/**
 * Counts a new country group's breakdown from the record, in one pass over what reaches its
 * countries: quicker and
 * lighter than moving each engagement's contribution when they are many (a third of the record for
 * Africa). A change of members moves only what the countries joining or leaving reached (see
 * `withPartnerChange`). The caller holds the lock on the groups' members (`lockGroupMembers`).
 */
export async function fillCountryGroup(executor: Trx, groupId: number): Promise<void> {
  const value = String(groupId);
  await dropBreakdown(executor, "group", value);
  const reaching = sql`SELECT p.engagement_id FROM engagement_participants p
    WHERE ${reachesCountries(sql`SELECT country_code FROM country_group_members WHERE group_id = ${groupId}`)}`;
  const ctes = membershipCtes(sql`id IN (${reaching})`, sql`p.engagement_id IN (${reaching})`, { dim: "group", value });
  await fillRollups(executor, ctes, sql`r.dim = 'group' AND r.value = ${value}`);
}

/**
 * Writes the rollups' rows of the memberships `ctes` into tables cleared of them; the breakdowns
 * that `countryBitsWhere` names (over engagement_country_rollup as r) get their country bit
 * strings anew. The memberships are worked out once into temporary tables, then read for each rollup.
 */
async function fillRollups(executor: Trx, ctes: RawBuilder<unknown>, countryBitsWhere: RawBuilder<unknown>): Promise<void> {
  await sql`CREATE TEMP TABLE rollup_me ON COMMIT DROP AS ${ctes} SELECT * FROM me`.execute(executor);
  await sql`CREATE TEMP TABLE rollup_mr ON COMMIT DROP AS ${ctes} SELECT * FROM mr`.execute(executor);
  const q = rollupQueries(sql`WITH me AS (SELECT * FROM rollup_me), mr AS (SELECT * FROM rollup_mr)`);
  await sql`INSERT INTO engagement_rollup (${rowColumnNames}, n) ${q.counts}`.execute(executor);
  await sql`INSERT INTO engagement_country_rollup (${rowColumnNames}, country_code, n) ${q.countries}`.execute(executor);
  await sql`INSERT INTO engagement_country_bits (${rowColumnNames}, bits) ${countryBitsOf(countryBitsWhere)}`.execute(executor);
  await sql`INSERT INTO engagement_partner_rollup (year, dim, value, organisation_id, n) ${q.partnerCounts}`.execute(executor);
  await sql`INSERT INTO engagement_partner_slices (lead_unit_id, co_units, restricted, year, organisation_id, n) ${q.partnerSlices}`.execute(
    executor,
  );
  const partnerRows = await q.partners.execute(executor);
  for (let start = 0; start < partnerRows.rows.length; start += 2000) {
    const batch = partnerRows.rows.slice(start, start + 2000);
    await sql`INSERT INTO engagement_partner_bits (${rowColumnNames}, chunk, bits)
      SELECT * FROM unnest(${batch.map((r) => r.year)}::int[], ${batch.map((r) => r.type)}::text[], ${batch.map((r) => r.direction)}::text[],
        ${batch.map((r) => r.dim)}::text[], ${batch.map((r) => r.value)}::text[], ${batch.map((r) => r.unit)}::int[],
        ${batch.map((r) => r.co)}::text[], ${batch.map((r) => r.restricted)}::boolean[], ${batch.map((r) => r.chunk)}::int[],
        ${batch.map((r) => bitMask(r.positions))}::varbit[])`.execute(executor);
  }
  await sql`DROP TABLE rollup_me, rollup_mr`.execute(executor);
}

/**
 * Deletes one breakdown value's rows from the rollups that hold breakdowns (the per-partner ones
 * hold only all, unit and programme): when a country group is deleted.
 */
export async function dropBreakdown(executor: Executor, dim: RollupDim, value: string): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`DELETE FROM ${sql.table(table)} WHERE dim = ${dim} AND value = ${value}`.execute(executor);
  }
}

/**
 * Keeps the rollups right when a partner's country, kind or statuses change, a country
 * moves to another region, or countries join or leave a country group (the breakdowns follow
 * them; `only` the group's, which nothing else moves): captures the engagements concerned, runs
 * the change, then applies the difference. For a person, only where they came without an organisation.
 */
export async function withPartnerChange<T>(
  executor: Executor,
  partner: { organisationId: number } | { personId: number } | { countryCodes: string[] },
  change: () => Promise<T>,
  only?: OneBreakdown,
): Promise<T> {
  const concerned =
    "organisationId" in partner
      ? sql`p.organisation_id = ${partner.organisationId}`
      : "personId" in partner
        ? sql`p.person_id = ${partner.personId} AND p.organisation_id IS NULL`
        : reachesCountries(sql`SELECT unnest(${partner.countryCodes}::text[])`);
  const rows = await sql<{
    engagementId: number;
  }>`SELECT DISTINCT p.engagement_id FROM engagement_participants p WHERE ${concerned}`.execute(executor);
  const rollups = await captureRollups(
    executor,
    rows.rows.map((r) => r.engagementId),
    only,
  );
  const result = await change();
  await rollups.apply();
  return result;
}

/**
 * Runs a change of an organisation's fields (`fields`: those it sets) through `withPartnerChange`
 * when it gives the organisation a country or kind, which the breakdowns follow; other fields
 * (names, years) move nothing in the rollups.
 */
export function withPartnerMove<T>(
  executor: Executor,
  organisationId: number,
  fields: { countryCode?: unknown; kind?: unknown },
  change: () => Promise<T>,
): Promise<T> {
  return fields.countryCode !== undefined || fields.kind !== undefined ? withPartnerChange(executor, { organisationId }, change) : change();
}

/** Slices of the rollups: each a lead unit and its co-units, in two lists of the same length. */
export interface Slices {
  leads: number[];
  coUnits: string[];
}

/**
 * The rollup slices that answer the caller, none holding an engagement twice: for each unit they
 * read engagements of (and that the query's unit, with its sub-units if asked, covers), the slice
 * of all it led; and what units they do not read led with one of theirs beside them: when they
 * read one unit only and ask of every unit, the one slice of what that unit took part in beside
 * others (not when grouping by unit, which needs each lead unit apart); otherwise each slice of a
 * lead unit and co-units among which is one of theirs. Null when that is every unit, which slice 0
 * holds together. With them, `shared`: the done engagements the caller reads only because they
 * were shared with a unit of theirs (none when the slices are null), which no slice of theirs
 * holds. Worked out in two queries side by side: a count asks this first, and under load each
 * round trip waits its turn.
 */
export async function slicesRead(scope: DataContext, q: SlicesQuestion, memo?: SlicesMemo): Promise<SlicesAnswer> {
  if (!memo) return readSlices(scope, q);
  const key = `${q.unitId ?? ""}|${q.subunits ?? ""}|${q.by === "unit"}`;
  let answer = memo.get(key);
  if (!answer) {
    answer = readSlices(scope, q);
    memo.set(key, answer);
  }
  return answer;
}

/** What of a count's question decides the slices it reads: its unit filter, and whether it groups by unit. */
export interface SlicesQuestion {
  unitId?: number | undefined;
  subunits?: string | undefined;
  by?: string | undefined;
}

/** The slices a reader reads, and the engagements only shared with them (see `slicesRead`). */
export interface SlicesAnswer {
  slices: Slices | null;
  shared: number[];
}

/**
 * `slicesRead`'s answers within one request of one reader: an overview asks some twenty counts,
 * all of the same unit, and each would otherwise work the slices out again (two queries, which
 * the embedded engine runs one after another). Made for a request and dropped with it, so that a
 * slice made by a later write is never missed.
 */
export type SlicesMemo = Map<string, Promise<SlicesAnswer>>;

async function readSlices(scope: DataContext, q: SlicesQuestion): Promise<SlicesAnswer> {
  const everyUnit = scope.reachesEveryUnit("engagements.read");
  if (!q.unitId && everyUnit) return { slices: null, shared: [] };
  const inFilter = !q.unitId
    ? sql`true`
    : q.subunits === "true"
      ? sql`u.id IN (WITH RECURSIVE tree(id) AS (SELECT ${q.unitId}::int UNION SELECT c.id FROM units c JOIN tree ON c.parent_id = tree.id)
          SELECT id FROM tree)`
      : sql`u.id = ${q.unitId}`;
  const [found, shared] = await Promise.all([
    sql<{ units: Array<{ id: number; reads: boolean; led: boolean }>; existing: Array<{ lead: number; co: string }> }>`SELECT
      (SELECT coalesce(json_agg(json_build_object('id', u.id, 'reads', ${scope.unitAllows("engagements.read", sql.ref("u.id"))},
        'led', ${inFilter})), '[]') FROM units u) AS units,
      (SELECT coalesce(json_agg(json_build_object('lead', s.lead, 'co', s.co)), '[]') FROM (${existingSlicesQuery}) s) AS existing`.execute(
      db(),
    ),
    scope.doneEngagementsSharedOnly(db()),
  ]);
  const { units, existing } = found.rows[0] ?? { units: [], existing: [] };
  const reads = new Set(units.filter((u) => u.reads).map((u) => u.id));
  const led = new Set(units.filter((u) => u.led).map((u) => u.id));
  const exists = new Set(existing.map((s) => `${s.lead}/${s.co}`));
  const kept: Array<{ lead: number; co: string }> = [...led]
    .filter((lead) => reads.has(lead) && exists.has(`${lead}/`))
    .map((lead) => ({ lead, co: "" }));
  const [only] = reads.size === 1 ? [...reads] : [];
  if (only !== undefined && !q.unitId && q.by !== "unit") {
    if (exists.has(`${-only}/`)) kept.push({ lead: -only, co: "" });
  } else {
    kept.push(
      ...existing.filter(
        (s) => s.lead > 0 && s.co !== "" && led.has(s.lead) && !reads.has(s.lead) && s.co.split(",").some((u) => reads.has(Number(u))),
      ),
    );
  }
  return { slices: { leads: kept.map((s) => s.lead), coUnits: kept.map((s) => s.co) }, shared };
}

/**
 * The slices that exist, slice 0 aside: a few per unit, each holding thousands of rows of the
 * breakdown "all" (per year, month, type and classification). Read by stepping through the key
 * index from one slice to the next (one probe each) rather than through every row: asked on each
 * unit reader's count, a DISTINCT over the rows took 31 ms on the embedded engine at 1M engagements.
 */
const existingSlicesQuery = sql`WITH RECURSIVE s AS (
    (SELECT lead_unit_id, co_units FROM engagement_rollup WHERE dim = 'all' ORDER BY lead_unit_id, co_units LIMIT 1)
    UNION ALL SELECT next.* FROM s CROSS JOIN LATERAL (SELECT r.lead_unit_id, r.co_units FROM engagement_rollup r
      WHERE r.dim = 'all' AND (r.lead_unit_id, r.co_units) > (s.lead_unit_id, s.co_units)
      ORDER BY r.lead_unit_id, r.co_units LIMIT 1) next)
  SELECT lead_unit_id AS lead, co_units AS co FROM s WHERE lead_unit_id <> 0`;

/** The slices that hold every unit's work once between them: each lead unit's own (no co-units named). */
export async function everyUnitsSlices(): Promise<Slices> {
  const found = await sql<{ lead: number }>`SELECT s.lead FROM (${existingSlicesQuery}) s WHERE s.lead > 0 AND s.co = ''`.execute(db());
  return { leads: found.rows.map((s) => s.lead), coUnits: found.rows.map(() => "") };
}

/** Past this many slices, `inSlices` joins to a list: each slice named adds parameters and planning. */
const slicesNamedAtMost = 100;

/**
 * SQL: rollup row `alias` belongs to one of the slices, each slice named as its own range of the
 * rollups' keys. Written out (lead unit and co-units per slice, ORed), not as a join to a list:
 * the planner then reads each slice's range of the key index, where a join to the list let it
 * scan every slice of the breakdown and hash them (five times the time on the embedded engine).
 * A reader of very many slices (beyond `slicesNamedAtMost`) gets the join, which stays within
 * the protocol's parameter limit.
 */
export function inSlices(alias: string, slices: Slices): RawBuilder<boolean> {
  const lead = sql.ref(`${alias}.lead_unit_id`);
  const co = sql.ref(`${alias}.co_units`);
  if (slices.leads.length > slicesNamedAtMost) {
    return sql<boolean>`(${lead}, ${co}) IN (SELECT * FROM unnest(${slices.leads}::int[], ${slices.coUnits}::text[]))`;
  }
  if (slices.leads.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(${sql.join(
    slices.leads.map((id, i) => sql`(${lead} = ${id}::int AND ${co} = ${slices.coUnits[i]}::text)`),
    sql` OR `,
  )})`;
}
