import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { countedPlaces } from "../countries/places.ts";
import { inCountryGroup, inRegion } from "../countries/store.ts";
import type { Actor } from "../shared/actor.ts";
import type { Executor } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import {
  assistanceKinds,
  correspondenceKinds,
  engagementKinds,
  eventFormats,
  organisationKinds,
  statementStances,
  talkModes,
} from "../shared/vocabulary.ts";
import { anyType, heldOnTheDay, reachQuery } from "./rollup.ts";
import { type EngagementCounts, type EngagementCountsQuery, engagementCountsQuery } from "./schema.ts";
import { engagementFilter } from "./store.ts";

type Measures = { engagements: number; organisations: number; countries: number; regions: number };
type Label = { en: string; zh: string };
type Group = EngagementCountsQuery["by"];

/** The breakdown a rollup holds for each group or filter, if it holds one. */
const rollupDimOf: Partial<Record<Group, string>> = {
  unit: "unit",
  programme: "programme",
  subtype: "subtype",
  region: "region",
  partnerKind: "kind",
};

/**
 * Counts engagements, the distinct partner organisations they reached and the distinct
 * countries those are in, for any filter and period, grouped by one dimension. An
 * engagement counts in every group it reaches (a forum with parties from three regions
 * counts in each); the total counts it once.
 */
export async function countEngagements(
  actor: Actor,
  input: unknown = {},
  options: { fromRecord?: boolean } = {},
): Promise<EngagementCounts> {
  authorize(actor, "engagements.read");
  const query = parseInput(engagementCountsQuery, input);
  // fromRecord: answer from the record even where the rollups could (tests and benchmarks compare the two).
  const scope = forActor(actor);
  const plan = options.fromRecord ? null : await rollupPlan(scope, query);
  const { rows, total } = plan
    ? query.by === "place"
      ? await placesFromRollups(scope, query, plan)
      : await fromRollups(db(), query, plan)
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
  fromYear: number;
  toYear: number;
  /** The one breakdown used: a filter's, or the grouping's. */
  dim: string;
  value: string | null;
  /** A country filter, answered from the per-country counts and the country's organisations. */
  country: string | null;
}

/**
 * Whether the rollups can answer: done engagements over whole years, everything visible
 * to the actor, and at most one breakdown among unit, programme, subtype, region, partner
 * kind and partner status on the day, as a filter or as the grouping, with the grouping by
 * country or a country filter beside it. Anything else goes to the record.
 */
async function rollupPlan(scope: DataContext, q: EngagementCountsQuery): Promise<RollupPlan | null> {
  // The rollups count every record: those who may not see them all are counted from the record.
  if (q.status !== "done" || !scope.reachesEveryUnit("engagements.read") || !scope.actor.clearance) return null;
  if (q.mechanismId || q.countryGroup || q.organisationId || q.subunits === "true" || q.topicId) return null;
  if (q.place || q.placeKind || q.series || q.occasion || q.eventId) return null;
  if (q.country && (q.by === "country" || q.by === "place")) return null;
  if (q.from && !q.from.endsWith("-01-01")) return null;
  if (q.to && !q.to.endsWith("-12-31")) return null;
  if (!["none", "type", "year", "country", "place", ...Object.keys(rollupDimOf)].includes(q.by)) return null;
  const filters: Array<[string, string]> = [];
  if (q.unitId) filters.push(["unit", String(q.unitId)]);
  if (q.programmeId) filters.push(["programme", String(q.programmeId)]);
  if (q.subtype) filters.push(["subtype", q.subtype]);
  if (q.partnerKind) filters.push(["kind", q.partnerKind]);
  if (q.partnerStatus) filters.push(["status", q.partnerStatus]);
  if (q.region) {
    // Only the top-level regions are a breakdown; sub-regions are answered from the record.
    const region = await db().selectFrom("regions").select("level").where("code", "=", q.region).executeTakeFirst();
    if (region?.level !== "region") return null;
    filters.push(["region", q.region]);
  }
  const groupDim = rollupDimOf[q.by];
  if (filters.length > 1 || (filters.length === 1 && groupDim)) return null;
  const [filter] = filters;
  return {
    fromYear: q.from ? Number(q.from.slice(0, 4)) : 1000,
    toYear: q.to ? Number(q.to.slice(0, 4)) : 9999,
    dim: filter?.[0] ?? groupDim ?? "all",
    value: filter ? filter[1] : groupDim ? null : "",
    country: q.country ?? null,
  };
}

async function fromRollups(executor: Executor, q: EngagementCountsQuery, plan: RollupPlan) {
  const rows = await rollupQuery(executor, q, plan, q.by);
  // Grouped by a breakdown, an engagement sits in several groups; the total is read
  // from the breakdown "all" (or the filter's), where it sits once.
  const totalPlan = plan.value === null ? { ...plan, dim: "all", value: "" } : plan;
  const [total] = await rollupQuery(executor, q, totalPlan, "none");
  return {
    rows: q.by === "none" ? rows.map((r) => ({ ...r, key: "all" })) : rows,
    total: total
      ? { engagements: total.engagements, organisations: total.organisations, countries: total.countries, regions: total.regions }
      : zero,
  };
}

const zero: Measures = { engagements: 0, organisations: 0, countries: 0, regions: 0 };

/**
 * Per place as the territorial policy counts it, from the per-country rollups: a place reached
 * alone (Viet Nam; Hong Kong without China) is its country's row; a place that several reached
 * places count as (China with Hong Kong) is counted from the record, since an engagement that
 * reached two of them must count once.
 */
async function placesFromRollups(scope: DataContext, q: EngagementCountsQuery, plan: RollupPlan) {
  const perCountry = await fromRollups(db(), { ...q, by: "country" }, plan);
  const placeOf = new Map(
    (await sql<{ code: string; counted: string; kind: string }>`${countedPlaces}`.execute(db())).rows.map((p) => [p.code, p]),
  );
  const groups = new Map<string, Array<{ key: string } & Measures>>();
  for (const row of perCountry.rows) {
    const place = placeOf.get(row.key);
    if (!place || (place.kind !== "country" && place.kind !== "region")) continue;
    groups.set(place.counted, [...(groups.get(place.counted) ?? []), row]);
  }
  const rows = await Promise.all(
    [...groups].map(async ([counted, members]) => {
      const kind = placeOf.get(members[0]?.key ?? "")?.kind;
      if (members.length === 1) {
        const only = members[0] as Measures;
        return { ...only, key: counted, countries: kind === "country" ? 1 : 0, regions: kind === "region" ? 1 : 0 };
      }
      const { total } = await fromRecord(db(), scope, { ...q, by: "none", place: counted });
      return { key: counted, ...total };
    }),
  );
  return { rows, total: perCountry.total };
}

/**
 * One pass over the rollups: engagements, partners (OR of bit strings) and countries per
 * group. Per country (as the grouping or a filter) the engagements come from the
 * per-country counts, the partners from the breakdown's partner bits AND the country's
 * organisations, and the countries are that one country.
 */
async function rollupQuery(executor: Executor, q: EngagementCountsQuery, plan: RollupPlan, by: Group) {
  // The partner bit strings hold each breakdown over every type too: a question without a type reads those.
  const overEveryType = !q.type?.length && !q.direction && by !== "type";
  const where = (alias: string) => {
    const a = (c: string) => sql.ref(`${alias}.${c}`);
    const conditions = [sql`${a("year")} BETWEEN ${plan.fromYear} AND ${plan.toYear}`, sql`${a("dim")} = ${plan.dim}`];
    if (plan.value !== null) conditions.push(sql`${a("value")} = ${plan.value}`);
    if (alias === "b") conditions.push(overEveryType ? sql`b.type = ${anyType}` : sql`b.type <> ${anyType}`);
    if (q.type?.length) conditions.push(sql`${a("type")} = ANY(${q.type}::text[])`);
    if (q.direction) conditions.push(sql`${a("direction")} = ${q.direction}`);
    return sql.join(conditions, sql` AND `);
  };
  const keyOf = (alias: string) => {
    const a = (c: string) => sql.ref(`${alias}.${c}`);
    if (by === "type") return sql`${a("type")} || ':' || ${a("direction")}`;
    if (by === "year") return sql`${a("year")}::text`;
    if (by === "none") return sql`''`;
    if (by === "country") return sql`${a("country_code")}`;
    return sql`${a("value")}`;
  };
  const perCountry = by === "country" || plan.country !== null;
  const countryOnly = plan.country !== null ? sql`AND r.country_code = ${plan.country}` : sql``;
  const maskOnly = plan.country !== null ? sql`AND m.country_code = ${plan.country}` : sql``;
  const countsOf = perCountry
    ? sql`SELECT ${keyOf("r")} AS key, sum(r.n)::int AS engagements FROM engagement_country_rollup r WHERE ${where("r")} ${countryOnly} GROUP BY 1`
    : sql`SELECT ${keyOf("r")} AS key, sum(r.n)::int AS engagements FROM engagement_rollup r WHERE ${where("r")} GROUP BY 1`;
  const chunkKey = by === "country" ? sql`''` : keyOf("b");
  const partnersOf = perCountry
    ? sql`SELECT ${by === "country" ? sql`m.country_code` : sql`chunks.key`} AS key, sum(bit_count(chunks.bits & m.bits))::int AS organisations
        FROM chunks JOIN organisation_country_bits m ON m.chunk = chunks.chunk ${maskOnly} GROUP BY 1`
    : sql`SELECT key, sum(bit_count(bits))::int AS organisations FROM chunks GROUP BY key`;
  // The places reached, counted as the territorial policy says (a region under its state…).
  const countriesOf = perCountry
    ? sql`SELECT counts.key, (pl.kind = 'country')::int AS countries, (pl.kind = 'region')::int AS regions
        FROM counts JOIN places pl ON pl.code = ${by === "country" ? sql`counts.key` : sql`${plan.country}`}`
    : sql`SELECT k.key, ${placeMeasures}
        FROM (SELECT ${keyOf("c")} AS key, bit_or(c.bits) AS bits FROM engagement_country_bits c WHERE ${where("c")} GROUP BY 1) k
        JOIN places pl ON pl.ordinal < length(k.bits) AND get_bit(k.bits, pl.ordinal) = 1
        GROUP BY k.key`;
  const result = await sql<{ key: string } & Measures>`
    WITH places AS (${countedPlaces}),
    counts AS (${countsOf}),
    chunks AS (SELECT ${chunkKey} AS key, b.chunk, bit_or(b.bits) AS bits FROM engagement_partner_bits b WHERE ${where("b")} GROUP BY 1, 2),
    partners AS (${partnersOf}),
    countries AS (${countriesOf})
    SELECT counts.key, counts.engagements, coalesce(partners.organisations, 0) AS organisations,
      coalesce(countries.countries, 0) AS countries, coalesce(countries.regions, 0) AS regions
    FROM counts LEFT JOIN partners ON partners.key = counts.key LEFT JOIN countries ON countries.key = counts.key`.execute(executor);
  return result.rows;
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
 * The engagements the filter's place, country or organisation took part in (an organisation of
 * theirs, or a person of theirs who came without one, as the reach counts them), or null when the
 * query has no such filter. Several filters: the engagements all of them took part in.
 */
async function engagementsTakenPartIn(executor: Executor, q: EngagementCountsQuery): Promise<number[] | null> {
  const sets: number[][] = [];
  const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id);
  const ofCountries = async (countries: RawBuilder<unknown>) => {
    // The place's organisations and people, in one look-up of the policy's places.
    const members = await sql<{ organisations: number[]; people: number[] }>`WITH places AS (${countedPlaces}), c AS (${countries})
      SELECT coalesce((SELECT array_agg(id) FROM organisations WHERE country_code IN (SELECT * FROM c)), '{}') AS organisations,
        coalesce((SELECT array_agg(id) FROM people WHERE country_code IN (SELECT * FROM c)), '{}') AS people`.execute(executor);
    const { organisations, people } = members.rows[0] ?? { organisations: [], people: [] };
    return ids(
      (
        await sql<{
          id: number;
        }>`SELECT engagement_id AS id FROM engagement_participants WHERE organisation_id = ANY(${organisations}::int[])
          UNION SELECT engagement_id FROM engagement_participants WHERE organisation_id IS NULL AND person_id = ANY(${people}::int[])`.execute(
          executor,
        )
      ).rows,
    );
  };
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
  const [first, ...rest] = sets;
  if (!first) return null;
  return rest.reduce((kept, set) => {
    const within = new Set(set);
    return kept.filter((id) => within.has(id));
  }, first);
}

async function fromRecord(executor: Executor, scope: DataContext, q: EngagementCountsQuery) {
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
  // A filter on where the partner is (a place, a country) or who it is (one organisation) can only
  // be met by engagements in which those organisations and people took part: the engagements
  // counted are narrowed to those first, found in their own queries from the registry's and the
  // participants' indexes (a list of ids, so that the plan does not depend on the table's statistics).
  const takenPartIn = await engagementsTakenPartIn(executor, q);
  // As a set to join (unnest), not `= ANY(…)`: each id is then looked up by its index, where a long
  // array would be searched row by row under a generic plan.
  const narrowed = takenPartIn ? sql`AND e.id IN (SELECT unnest(${takenPartIn}::int[]))` : sql``;
  const participations = takenPartIn
    ? sql`p.engagement_id IN (SELECT unnest(${takenPartIn}::int[])) AND p.engagement_id IN (SELECT id FROM e0)`
    : sql`p.engagement_id IN (SELECT id FROM e0)`;
  const restrict = reachConditions.length ? sql`WHERE e.id IN (SELECT engagement_id FROM rf)` : sql``;
  const ctes = sql`WITH places AS (${countedPlaces}),
    e0 AS (
      SELECT e.id, e.type, e.direction, e.subtype, e.lead_unit_id, e.programme_id, extract(year FROM e.start_date)::int AS year,
        to_char(e.start_date, 'YYYY-MM') AS month
      FROM ${scope.engagementsSql} e WHERE ${engagementConditions} ${narrowed}),
    r AS (${reachQuery(participations)}),
    rf AS (SELECT r.*, pl.counted AS place, pl.kind AS place_kind FROM r LEFT JOIN places pl ON pl.code = r.country WHERE ${reachFilter}),
    e AS (SELECT * FROM e0 e ${restrict})`;
  const totals = await sql<Measures>`${ctes} SELECT (SELECT count(*) FROM e)::int AS engagements,
    count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures} FROM rf`.execute(executor);
  const total = totals.rows[0] as Measures;
  const participantKey: Partial<Record<Group, RawBuilder<unknown>>> = {
    region: sql`rf.region`,
    partnerKind: sql`rf.kind`,
    country: sql`rf.country`,
    place: sql`CASE WHEN rf.place_kind IN ('country', 'region') THEN rf.place END`,
    organisation: sql`rf.org::text`,
  };
  let rows: Array<{ key: string } & Measures>;
  if (q.by === "countryGroup") {
    rows = (
      await sql<{ key: string } & Measures>`${ctes} SELECT m.group_id::text AS key, count(DISTINCT rf.engagement_id)::int AS engagements,
        count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures}
        FROM rf JOIN country_group_members m ON m.country_code = rf.country GROUP BY 1`.execute(executor)
    ).rows;
  } else if (participantKey[q.by]) {
    rows = (
      await sql<
        { key: string } & Measures
      >`${ctes} SELECT ${participantKey[q.by]} AS key, count(DISTINCT rf.engagement_id)::int AS engagements,
        count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures}
        FROM rf WHERE ${participantKey[q.by]} IS NOT NULL GROUP BY 1`.execute(executor)
    ).rows;
  } else {
    const key = {
      none: sql`'all'`,
      type: sql`e.type || ':' || e.direction`,
      year: sql`e.year::text`,
      month: sql`e.month`,
      unit: sql`e.lead_unit_id::text`,
      programme: sql`e.programme_id::text`,
      subtype: sql`e.subtype`,
    }[q.by as "none" | "type" | "year" | "month" | "unit" | "programme" | "subtype"];
    rows = (
      await sql<{ key: string } & Measures>`${ctes},
        counted AS (SELECT ${key} AS key, count(*)::int AS engagements FROM e GROUP BY 1),
        reached AS (SELECT ${key} AS key, count(DISTINCT rf.org)::int AS organisations, ${recordPlaceMeasures}
          FROM e JOIN rf ON rf.engagement_id = e.id GROUP BY 1)
        SELECT counted.key, counted.engagements, coalesce(reached.organisations, 0) AS organisations, coalesce(reached.countries, 0) AS countries,
          coalesce(reached.regions, 0) AS regions
        FROM counted LEFT JOIN reached ON reached.key = counted.key WHERE counted.key IS NOT NULL`.execute(executor)
    ).rows;
  }
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
