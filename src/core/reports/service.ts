import { sql } from "kysely";
import type { z } from "zod";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { countedPlaces } from "../countries/places.ts";
import { countEngagements } from "../engagements/counts.ts";
import type { SlicesMemo } from "../engagements/rollup.ts";
import type { EngagementCounts } from "../engagements/schema.ts";
import { rankPartners, scopeConditions } from "../engagements/top-partners.ts";
import type { Actor } from "../shared/actor.ts";
import { isoDay } from "../shared/dates.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { type Executor, mutate } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { type FigureRules, type StatedFigure, stateFigure } from "./approximate.ts";
import { type Overview, type OverviewQuery, overviewQuery, type SnapshotDetail, type SnapshotOutput, snapshotInput } from "./schema.ts";
import {
  type Bilingual,
  defaultNarrative,
  type FilledFigure,
  fill,
  type LineFilter,
  lineFilter,
  type Measure,
  type NarrativeLine,
  newTemplateInput,
  type Phrases,
  placeholdersOf,
  type TemplateOutput,
  templateInput,
  templateKeyParam,
} from "./templates.ts";

type Measures = { engagements: number; organisations: number; countries: number; regions: number };

const day = 86_400_000;
const iso = (t: number) => isoDay(new Date(t));

/**
 * The period of the same length that ends the day before `from`: whole months or years go
 * back by as many months (2021 → 2020, leap year or not), other periods by as many days.
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  const monthEnd = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate() === end.getUTCDate();
  if (start.getUTCDate() === 1 && monthEnd) {
    const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth() + 1;
    return { from: iso(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - months, 1)), to: iso(start.getTime() - day) };
  }
  const length = end.getTime() - start.getTime() + day;
  return { from: iso(start.getTime() - length), to: iso(start.getTime() - day) };
}

/** What a figure adds to the overview's scope: a narrative line's type, or an as-of status. */
type FigureFilter = Partial<LineFilter> & { partnerStatus?: "in_government" };

/** The counts query's filter for an overview (its scope and period, and what the figure adds). */
function countsFilter(q: OverviewQuery, period: { from: string; to: string }, line: FigureFilter = {}) {
  return {
    from: period.from,
    to: period.to,
    ...(q.unitId ? { unitId: q.unitId, ...(q.subunits ? { subunits: q.subunits } : {}) } : {}),
    ...(q.programmeId ? { programmeId: q.programmeId } : {}),
    ...(q.countryGroup ? { countryGroup: q.countryGroup } : {}),
    ...(q.partnerKind ? { partnerKind: q.partnerKind } : {}),
    ...(q.topicId ? { topicId: q.topicId } : {}),
    ...line,
  };
}

/** The engagement list's filter behind a figure (strings, as a URL takes them). */
function drillOf(q: OverviewQuery, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    from: q.from,
    to: q.to,
    status: "done",
    unitId: q.unitId ? String(q.unitId) : undefined,
    subunits: q.unitId && q.subunits === "true" ? "true" : undefined,
    // The figures count what the unit led; so does the list behind them.
    unitRole: q.unitId ? "lead" : undefined,
    programmeId: q.programmeId ? String(q.programmeId) : undefined,
    partnerKind: q.partnerKind,
    countryGroup: q.countryGroup,
    topicId: q.topicId ? String(q.topicId) : undefined,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

const measuresOf = (c: { engagements: number; organisations: number; countries: number; regions?: number }): Measures => ({
  engagements: c.engagements,
  organisations: c.organisations,
  countries: c.countries,
  regions: c.regions ?? 0,
});

const noFigures: Measures = { engagements: 0, organisations: 0, countries: 0, regions: 0 };

/** What official texts call the partners of each kind, in the plural. */
const kindWords: Record<string, { zh: string; en: string }> = {
  political_party: { zh: "政党", en: "political parties" },
  movement: { zh: "政治组织", en: "political organisations" },
  think_tank: { zh: "智库", en: "think tanks" },
  civil_society: { zh: "社会组织", en: "social organisations" },
  media: { zh: "媒体", en: "media" },
  government_body: { zh: "政府机构", en: "government bodies" },
  parliament: { zh: "议会", en: "parliaments" },
  international_organisation: { zh: "国际组织", en: "international organisations" },
  other: { zh: "其他组织", en: "other organisations" },
};

/**
 * The partners a figure counts, named by the kinds actually among them, the most numerous
 * first: 政党 / political parties; 政党和政治组织; 政党、智库和社会组织; beyond three kinds, the
 * first three and 等 / "and others". Never 伙伴.
 */
export function nameKinds(rows: Array<{ key: string; organisations: number }>): { zh: string; en: string } {
  const words = rows
    .filter((r) => r.organisations > 0 && kindWords[r.key])
    .sort((a, b) => b.organisations - a.organisations || a.key.localeCompare(b.key))
    .map((r) => kindWords[r.key] as { zh: string; en: string });
  if (words.length === 0) return { zh: "政党和组织", en: "parties and organisations" };
  const shown = words.slice(0, 3);
  const join = (list: string[], comma: string, and: string) =>
    list.length === 1 ? (list[0] as string) : `${list.slice(0, -1).join(comma)}${and}${list.at(-1)}`;
  const more = words.length > shown.length;
  return {
    zh: `${join(
      shown.map((w) => w.zh),
      "、",
      "和",
    )}${more ? "等" : ""}`,
    en: more
      ? `${shown.map((w) => w.en).join(", ")} and others`
      : join(
          shown.map((w) => w.en),
          ", ",
          " and ",
        ),
  };
}

/**
 * The overview's first section as one complete sentence in each language: what was done, with
 * whom (named by kind) and where, and of them those in government on the day.
 */
function summarise(
  totals: { engagements: StatedFigure; organisations: StatedFigure; places: { zh: string; en: string } },
  governing: { organisations: StatedFigure; places: { zh: string; en: string }; count: number },
  kinds: { zh: string; en: string },
  leadIn: { zh?: string | undefined; en?: string | undefined },
): { zh: string; en: string } {
  const zhGoverning = governing.count > 0 ? `，其中${governing.places.zh}的${governing.organisations.zh}个政党在交往时处于执政地位` : "";
  const enGoverning =
    governing.count > 0
      ? `; ${governing.organisations.en} of them, in ${governing.places.en}, were parties in government when we met them`
      : "";
  return {
    zh: `${leadIn.zh ? `${leadIn.zh}，` : "本期"}共开展对外交往${totals.engagements.zh}次，同${totals.places.zh}的${totals.organisations.zh}个${kinds.zh}开展交往${zhGoverning}。`,
    en: `${leadIn.en ? `${leadIn.en}, there have been` : "In the period there were"} ${totals.engagements.en} engagements with ${totals.organisations.en} ${kinds.en} in ${totals.places.en}${enGoverning}.`,
  };
}

/** The report's lead-in for its period (党的十八大以来 / Since the 18th National Congress), each language's for its own sentence. */
function periodLeadIn(q: OverviewQuery): { zh?: string | undefined; en?: string | undefined } {
  return { zh: q.leadInZh, en: q.leadInEn };
}

/**
 * No sentence repeats another's figures for a part of its records: a line within another
 * (medical assistance within assistance) that counts all of the other's records replaces it — the
 * more precise sentence is kept, once — and one that counts a part says so (其中 / "part of the
 * above") right after the other.
 */
function foldSubsets(
  narrative: Array<{ key: string; zh: string; en: string; figures: Record<string, StatedFigure> }>,
  lines: NarrativeLine[],
) {
  for (const line of lines) {
    if (!line.within) continue;
    const part = narrative.findIndex((n) => n.key === line.key);
    const whole = narrative.findIndex((n) => n.key === line.within);
    if (part === -1 || whole === -1) continue;
    const [p, w] = [narrative[part], narrative[whole]] as [(typeof narrative)[number], (typeof narrative)[number]];
    const same = (["engagements", "partners", "countries"] as const).every((m) => p.figures[m]?.value === w.figures[m]?.value);
    narrative.splice(part, 1);
    const at = narrative.indexOf(w);
    if (same) narrative.splice(at, 1, p);
    else narrative.splice(at + 1, 0, { ...p, zh: `其中${p.zh}`, en: `${p.en} (part of the above)` });
  }
}

/**
 * A sentence for each flagship event hosted in the period (a summit, a high-level dialogue):
 * named, with the places and the partners it brought together — "举办中国共产党与世界政党领导人
 * 峰会，160多个国家的500多个政党和政治组织参加" — as the reference names them, not folded into a count.
 */
async function flagshipLines(actor: Actor, q: OverviewQuery, rules: FigureRules) {
  const events = await sql<{
    id: number;
    titleEn: string;
    titleZh: string | null;
    date: string;
    organisations: number;
    countries: number;
    regions: number;
    kinds: Array<{ key: string; organisations: number }> | null;
  }>`WITH places AS (${countedPlaces})
    SELECT e.id, e.title_en AS "titleEn", e.title_zh AS "titleZh", e.start_date::text AS date,
      count(DISTINCT p.organisation_id)::int AS organisations,
      count(DISTINCT pl.counted) FILTER (WHERE pl.kind = 'country')::int AS countries,
      count(DISTINCT pl.counted) FILTER (WHERE pl.kind = 'region')::int AS regions,
      (SELECT json_agg(json_build_object('key', k.kind, 'organisations', k.n)) FROM (
        SELECT o2.kind, count(DISTINCT o2.id)::int AS n FROM engagement_participants p2
          JOIN organisations o2 ON o2.id = p2.organisation_id WHERE p2.engagement_id = e.id GROUP BY o2.kind) k) AS kinds
    FROM ${forActor(actor).engagementsSql} e
    LEFT JOIN engagement_participants p ON p.engagement_id = e.id
    LEFT JOIN organisations o ON o.id = p.organisation_id
    LEFT JOIN places pl ON pl.code = o.country_code
    WHERE e.type = 'event' AND e.direction = 'hosted' AND e.status = 'done' AND (e.details ->> 'flagship') = 'true'
      AND e.start_date BETWEEN ${q.from}::date AND ${q.to}::date
      ${q.unitId ? sql`AND e.lead_unit_id = ${q.unitId}` : sql``}
      ${q.programmeId ? sql`AND e.programme_id = ${q.programmeId}` : sql``}
    GROUP BY e.id, e.title_en, e.title_zh, e.start_date ORDER BY e.start_date, e.id`.execute(db());
  return events.rows.map((e) => {
    const partners = stateFigure(e.organisations, rules, { style: "over" });
    const placesFigure = stateFigure(e.countries + e.regions, rules, { style: "over" });
    const places = namePlaces(placesFigure, e);
    const kinds = nameKinds(e.kinds ?? []);
    const attended = e.organisations > 0;
    return {
      key: `flagship_${e.id}`,
      zh: `举办${e.titleZh ?? e.titleEn}${attended ? `，${places.zh}的${partners.zh}个${kinds.zh}参加` : ""}`,
      en: `hosted the ${e.titleEn}${attended ? `, attended by ${partners.en} ${kinds.en} from ${places.en}` : ""}`,
      figures: { engagements: stateFigure(1, rules), partners, countries: placesFigure },
      previous: null,
      // The list of that day's hosted events of that title: the event itself.
      drill: drillOf(q, { type: "event", direction: "hosted", from: e.date, to: e.date, q: e.titleEn }),
    };
  });
}

/**
 * The places reached as a sentence names them, the figure being countries and regions
 * together: 170多个国家 (no region among them), 近100个国家和地区, 3个地区 (regions only);
 * "170 plus countries", "1 country", "some 100 countries and regions"; one place by its name when given.
 */
export function namePlaces(
  figure: StatedFigure,
  places: { countries: number; regions: number },
  name?: Bilingual,
): { zh: string; en: string } {
  const { countries, regions } = places;
  // One place reached is named: 访问越南, not 访问1个国家.
  if (name && countries + regions === 1) return name;
  const zh = regions === 0 ? "国家" : countries === 0 ? "地区" : "国家和地区";
  const one = figure.kind === "exact" && figure.value === 1;
  const en = regions === 0 ? (one ? "country" : "countries") : countries === 0 ? (one ? "region" : "regions") : "countries and regions";
  return { zh: `${figure.zh}个${zh}`, en: `${figure.en} ${en}` };
}

/**
 * A narrative line's figures read from the counts by type, when its filter is exactly one of
 * their rows (a type and direction, or a type that went only one way); undefined when it
 * must be counted (a subtype, or a type that went several ways: partners do not add up).
 */
function lineRow(byType: EngagementCounts, filter: LineFilter): Measures | undefined {
  if (Object.entries(filter).some(([k, v]) => v !== undefined && k !== "type" && k !== "direction")) return undefined;
  const rows = byType.rows.filter((r) => {
    const [type, direction] = r.key.split(":");
    return type === filter.type && (!filter.direction || direction === filter.direction);
  });
  if (rows.length === 0) return noFigures;
  return rows.length === 1 ? measuresOf(rows[0] as Measures) : undefined;
}

const asBilingual = (v: unknown): Bilingual | undefined => {
  const o = v as Partial<Bilingual> | null | undefined;
  return typeof o?.zh === "string" && typeof o.en === "string" ? { zh: o.zh, en: o.en } : undefined;
};

const templateRows = (executor: Executor = db()) =>
  executor.selectFrom("reportTemplates").selectAll().orderBy("createdAt").orderBy("key").execute();
type ReportTemplateRow = Awaited<ReturnType<typeof templateRows>>[number];

/** A stored row as a narrative line: a built-in kind with an administrator's edits over it, or an added kind. */
function lineOf(row: ReportTemplateRow, base: NarrativeLine | undefined): NarrativeLine & { edited: boolean } {
  const stored = (row.phrases ?? {}) as Record<string, unknown>;
  return {
    key: row.key,
    label: asBilingual(row.label) ?? base?.label ?? { zh: row.key, en: row.key },
    filter: base?.filter ?? (lineFilter.parse(row.filter) as LineFilter),
    zh: row.zh,
    en: row.en,
    one: row.one === null ? base?.one : asBilingual(row.one),
    phrases: { leadIn: asBilingual(stored.leadIn), occasion: asBilingual(stored.occasion), purpose: asBilingual(stored.purpose) },
    within: base?.within,
    custom: row.custom,
    edited: !row.custom,
  };
}

/** The sentence kinds in force: the built-in ones with an administrator's edits over them, then the added ones. */
export async function narrativeLines(executor: Executor = db()): Promise<Array<NarrativeLine & { edited: boolean }>> {
  const rows = await templateRows(executor);
  const edited = new Map(rows.filter((r) => !r.custom).map((r) => [r.key, r]));
  const builtIn = defaultNarrative.map((line) => {
    const own = edited.get(line.key);
    return own ? lineOf(own, line) : { ...line, custom: false, edited: false };
  });
  return [...builtIn, ...rows.filter((r) => r.custom).map((r) => lineOf(r, undefined))];
}

/** The one place or partner a line counts, named in both languages, when it counts exactly one. */
interface Sole {
  place?: Bilingual | undefined;
  partner?: Bilingual | undefined;
}

/**
 * Names the place and the partner of a line that reached exactly one: "越南" rather than
 * "1个国家"; "越南共产党", or "英国工党" with its place where the name does not say it.
 */
async function soleOf(count: (by: string) => Promise<EngagementCounts>, figures: Measures): Promise<Sole> {
  const sole: Sole = {};
  if (figures.countries + figures.regions === 1) {
    const place = (await count("place")).rows[0];
    if (place) sole.place = { zh: place.label.zh, en: place.label.en };
  }
  if (figures.organisations !== 1) return sole;
  const only = (await count("organisation")).rows[0];
  const organisation = only
    ? await db()
        .selectFrom("organisations as o")
        .leftJoin("countries as c", "c.code", "o.countryCode")
        .select(["o.nameEn", "o.nameZh", "o.nameZhStatus", "c.nameZh as countryZh"])
        .where("o.id", "=", Number(only.key))
        .executeTakeFirst()
    : undefined;
  if (!organisation) return sole;
  const zh = organisation.nameZh ?? organisation.nameEn;
  const placed =
    organisation.countryZh && organisation.nameZh && !zh.includes(organisation.countryZh) ? `${organisation.countryZh}${zh}` : zh;
  sole.partner = {
    zh: organisation.nameZhStatus === "suggested" ? `${placed}（暂译）` : placed,
    en: englishPartnerName(organisation.nameEn),
  };
  return sole;
}

/** A partner's English name as a sentence uses it: "the Communist Party of Vietnam", but "Fidesz". */
export function englishPartnerName(name: string): string {
  const common =
    /\b(party|parties|movement|front|union|congress|league|alliance|organi[sz]ation|council|association|federation|forum|committee|institute|centre|center|foundation|society|assembly|coalition|bloc|rally)\b/i;
  return /^the\s/i.test(name) || !common.test(name) ? name : `the ${name}`;
}

/** A sentence with its phrases: lead-in, occasion, the sentence, purpose — 党的十八大以来，在…之际，…，给予…. */
export function withPhrases(text: Bilingual, phrases: Phrases | undefined): Bilingual {
  if (!phrases) return text;
  const before = [phrases.leadIn, phrases.occasion].filter((p): p is Bilingual => p !== undefined);
  const after = phrases.purpose ? [phrases.purpose] : [];
  const zh = [...before.map((p) => p.zh), text.zh, ...after.map((p) => p.zh)].join("，");
  // The English sentence is capitalised where it is shown; what follows the first part is not.
  const en = [...before.map((p) => p.en), text.en, ...after.map((p) => p.en)]
    .map((p, i) => (i === 0 ? p : `${p.charAt(0).toLowerCase()}${p.slice(1)}`))
    .join(", ");
  return { zh, en };
}

function sentence(line: NarrativeLine, figures: Measures, rules: FigureRules, sole: Sole = {}) {
  const value = {
    engagements: figures.engagements,
    partners: figures.organisations,
    countries: figures.countries,
    places: figures.countries + figures.regions,
  };
  const stated = (measure: keyof typeof value, style: string | undefined) =>
    style === "exact"
      ? stateFigure(value[measure], { ...rules, mode: "exact" })
      : stateFigure(value[measure], rules, style === "over" || style === "plus" || style === "more" ? { style } : {});
  const text = (m: Measure, style: string | undefined, lang: "zh" | "en"): FilledFigure => {
    if (m === "partner") return { text: sole.partner?.[lang] ?? "", one: true };
    const figure = stated(m, style);
    if (style === "bare") return { text: value[m] === 1 ? "" : figure[lang], one: value[m] === 1 };
    const one = lang === "zh" ? value[m] === 1 : figure.kind === "exact" && figure.value === 1;
    return { text: m === "places" ? namePlaces(figure, figures, sole.place)[lang] : figure[lang], one };
  };
  const template = line.one && sole.partner && value.partners === 1 ? line.one : line;
  const main = { zh: fill(template.zh, (m, style) => text(m, style, "zh")), en: fill(template.en, (m, style) => text(m, style, "en")) };
  return {
    ...withPhrases(main, line.phrases),
    figures: {
      engagements: stated("engagements", undefined),
      partners: stated("partners", undefined),
      countries: stated("countries", undefined),
    },
  };
}

/**
 * The overview of a period: engagements by type, partners reached by kind, countries and
 * regions reached, the top partners and countries, each beside the previous period, and a
 * sentence per kind of work in both languages. Everything counts only what the actor may
 * see, and every figure carries the list filter of the records behind it.
 */
export async function buildOverview(actor: Actor, input: unknown): Promise<Overview> {
  authorize(actor, "engagements.read");
  const q = parseInput(overviewQuery, input);
  const rules: FigureRules = {
    mode: q.mode,
    exactBelow: q.exactBelow,
    nearlyMargin: q.nearlyMargin,
    significantDigits: q.significantDigits,
  };
  const period = { from: q.from, to: q.to };
  const before = q.compare === "true" ? previousPeriod(q.from, q.to) : null;
  // Every count and the ranking are of this reader and unit: the slices they read are worked out once.
  const slicesMemo: SlicesMemo = new Map();
  const count = (by: string, p: { from: string; to: string }, line: FigureFilter = {}) =>
    countEngagements(actor, { by, ...countsFilter(q, p, line) }, { slicesMemo });
  const inGovernment = { partnerStatus: "in_government" } as const;
  // What does not depend on the counts starts beside them, not after them: under load each
  // query waits its turn for a connection, and the overview's waits should not add up.
  const started = {
    ranking: topPartners(actor, q, slicesMemo),
    governing: Promise.all([count("none", period, inGovernment), before ? count("none", before, inGovernment) : Promise.resolve(null)]),
    lines: narrativeLines(),
    flagships: flagshipLines(actor, q, rules),
  };
  // Awaited below; an earlier failure must not leave them unhandled.
  for (const promise of Object.values(started)) promise.catch(() => {});
  const [byType, byKind, byRegion, byCountry] = await Promise.all([
    count("type", period),
    count("partnerKind", period),
    count("region", period),
    count("place", period),
  ]);
  const [prevType, prevKind, prevRegion, prevCountry] = before
    ? await Promise.all([count("type", before), count("partnerKind", before), count("region", before), count("place", before)])
    : [null, null, null, null];
  const [governing, governingBefore] = await started.governing;
  const rows = (current: EngagementCounts, previous: EngagementCounts | null, drill: (key: string) => Record<string, string>) =>
    current.rows.map((r) => {
      const p = previous?.rows.find((x) => x.key === r.key);
      return {
        key: r.key,
        label: r.label,
        ...measuresOf(r),
        previous: previous ? (p ? measuresOf(p) : noFigures) : null,
        drill: drill(r.key),
      };
    });
  const lines = await started.lines;
  // A line whose filter is one row of the counts by type reads it; the others are counted.
  const lineFigures = (line: NarrativeLine, byTypeOfPeriod: EngagementCounts, p: { from: string; to: string }) => {
    const row = lineRow(byTypeOfPeriod, line.filter);
    return row !== undefined ? Promise.resolve(row) : count("none", p, line.filter).then((c) => measuresOf(c.total));
  };
  const lineCounts = await Promise.all(
    lines.map((line) =>
      Promise.all([lineFigures(line, byType, period), before && prevType ? lineFigures(line, prevType, before) : Promise.resolve(null)]),
    ),
  );
  const narrative = (
    await Promise.all(
      lines.map(async (line, i) => {
        const [now, then] = lineCounts[i] as [Measures, Measures | null];
        if (now.engagements === 0) return [];
        const sole = await soleOf((by) => count(by, period, line.filter), now);
        const drill = drillOf(q, Object.fromEntries(Object.entries(line.filter).map(([k, v]) => [k, v === undefined ? v : String(v)])));
        return [{ key: line.key, ...sentence(line, now, rules, sole), previous: then, drill }];
      }),
    )
  ).flat();
  foldSubsets(narrative, lines);
  // Flagship events are named in sentences of their own, before the hosted events are counted.
  const flagships = await started.flagships;
  const hostedAt = narrative.findIndex((n) => n.key === "events_hosted");
  narrative.splice(hostedAt === -1 ? narrative.length : hostedAt, 0, ...flagships);
  const total = byType.total;
  const stated = {
    engagements: stateFigure(total.engagements, rules),
    organisations: stateFigure(total.organisations, rules, { style: "over" }),
    countries: stateFigure(total.countries, rules, { style: "plus" }),
    places: namePlaces(stateFigure(total.countries + total.regions, rules, { style: "plus" }), total),
  };
  const governingStated = {
    organisations: stateFigure(governing.total.organisations, rules, { style: "over" }),
    countries: stateFigure(governing.total.countries, rules, { style: "plus" }),
    places: namePlaces(stateFigure(governing.total.countries + governing.total.regions, rules, { style: "plus" }), governing.total),
  };
  return {
    period,
    previousPeriod: before,
    totals: {
      ...measuresOf(total),
      previous: prevType ? measuresOf(prevType.total) : null,
      stated,
      drill: drillOf(q),
      drills: { countries: drillOf(q, { placeKind: "country" }), regions: drillOf(q, { placeKind: "region" }) },
    },
    summary: summarise(stated, { ...governingStated, count: governing.total.organisations }, nameKinds(byKind.rows), periodLeadIn(q)),
    inGovernment: {
      ...measuresOf(governing.total),
      previous: governingBefore ? measuresOf(governingBefore.total) : null,
      stated: governingStated,
      drill: drillOf(q, inGovernment),
    },
    regions: byRegion.rows.filter((r) => r.key.length === 3).length,
    byType: rows(byType, prevType, (key) => {
      const [type, direction] = key.split(":");
      return drillOf(q, { type, direction });
    }),
    byPartnerKind: rows(byKind, prevKind, (kind) => drillOf(q, { partnerKind: kind })),
    byRegion: rows(byRegion, prevRegion, (region) => drillOf(q, { region })),
    // Places as the territorial policy counts them: China with Hong Kong, Macao and Taiwan.
    topCountries: rows(byCountry, prevCountry, (code) => drillOf(q, { place: code })).slice(0, 10),
    topPartners: await started.ranking,
    narrative,
    rules,
    source: byType.source,
  };
}

/** The partners met most often in the period, within the reader's scope. */
async function topPartners(actor: Actor, q: OverviewQuery, slicesMemo: SlicesMemo): Promise<Overview["topPartners"]> {
  const ranked = await rankPartners(actor, q, 10, { slicesMemo });
  const ids = ranked.rows.map((r) => r.organisationId);
  const names = ids.length
    ? await db()
        .selectFrom("organisations")
        .select(["id", "nameEn", "nameZh", "nameZhStatus", "countryCode"])
        .where("id", "in", ids)
        .execute()
    : [];
  const byId = new Map(names.map((o) => [o.id, o]));
  return ranked.rows.flatMap((r) => {
    const o = byId.get(r.organisationId);
    if (!o) return [];
    return [
      {
        organisation: {
          id: o.id,
          name: { en: o.nameEn, zh: o.nameZh },
          nameZhSuggested: o.nameZhStatus === "suggested",
          country: o.countryCode,
        },
        engagements: r.engagements,
        drill: drillOf(q, { organisationId: String(o.id) }),
      },
    ];
  });
}

/** A narrative line as the administrator's list shows it. */
function presentTemplate(line: NarrativeLine & { edited: boolean }): TemplateOutput {
  const phrase = (p: Bilingual | undefined) => p ?? null;
  return {
    key: line.key,
    label: line.label,
    filter: line.filter as TemplateOutput["filter"],
    zh: line.zh,
    en: line.en,
    one: line.one ?? null,
    phrases: { leadIn: phrase(line.phrases?.leadIn), occasion: phrase(line.phrases?.occasion), purpose: phrase(line.phrases?.purpose) },
    custom: line.custom ?? false,
    edited: line.edited,
  };
}

/** The overview's sentence kinds: the built-in ones (with which an administrator changed) and those added. */
export async function listTemplates(actor: Actor): Promise<TemplateOutput[]> {
  authorize(actor, "engagements.read");
  return (await narrativeLines()).map(presentTemplate);
}

/** Checks every template of a kind: known placeholders, {partner} only in the sentence for one partner. */
function checkTemplates(data: { zh: string; en: string; one?: { zh: string; en: string } | null | undefined }) {
  placeholdersOf(data.zh, "zh");
  placeholdersOf(data.en, "en");
  if (data.one) {
    placeholdersOf(data.one.zh, "one.zh", true);
    placeholdersOf(data.one.en, "one.en", true);
  }
}

/** The stored columns of a kind's templates and phrases. */
const storedColumns = (data: z.output<typeof templateInput>) => ({
  zh: data.zh,
  en: data.en,
  // Not given: a built-in kind keeps its own; null: no sentence for one partner.
  one: data.one === undefined ? null : JSON.stringify(data.one ?? false),
  phrases: JSON.stringify(data.phrases ?? {}),
  ...(data.label ? { label: JSON.stringify(data.label) } : {}),
});

/**
 * Changes a sentence kind (administrators): a built-in kind's templates, label and phrases (its
 * filter stays), or everything of an added kind. Placeholders are checked.
 */
export async function setTemplate(actor: Actor, key: string, input: unknown): Promise<TemplateOutput> {
  authorize(actor, "reports.configure");
  const { key: lineKey } = parseInput(templateKeyParam, { key });
  const data = parseInput(templateInput, input);
  checkTemplates(data);
  return mutate(actor, async (trx) => {
    const before = await trx.selectFrom("reportTemplates").selectAll().where("key", "=", lineKey).executeTakeFirst();
    const builtIn = defaultNarrative.find((l) => l.key === lineKey);
    if (!builtIn && !before?.custom) throw notFound("sentence kind", lineKey);
    if (builtIn && data.filter)
      throw new AppError("VALIDATION_FAILED", "A built-in sentence kind keeps its filter.", {
        fields: [{ path: "filter", message: "A built-in kind keeps its filter." }],
      });
    const columns = {
      ...storedColumns(data),
      ...(data.filter && !builtIn ? { filter: JSON.stringify(data.filter) } : {}),
      updatedBy: actor.userId,
    };
    await trx
      .insertInto("reportTemplates")
      .values({ key: lineKey, ...columns })
      .onConflict((oc) => oc.column("key").doUpdateSet({ ...columns, updatedAt: sql`now()` }))
      .execute();
    const lines = await narrativeLines(trx);
    const result = presentTemplate(lines.find((l) => l.key === lineKey) as NarrativeLine & { edited: boolean });
    return { result, audit: { entity: "report_template", entityId: lineKey, action: before ? "update" : "create", before, after: data } };
  });
}

/** Adds a sentence kind of the administrator's own: a bilingual template bound to an engagement filter. */
export async function createTemplate(actor: Actor, input: unknown): Promise<TemplateOutput> {
  authorize(actor, "reports.configure");
  const data = parseInput(newTemplateInput, input);
  checkTemplates(data);
  if (defaultNarrative.some((l) => l.key === data.key) || data.key.startsWith("flagship_"))
    throw new AppError("CONFLICT", `"${data.key}" is the name of a built-in sentence kind.`, {
      fields: [{ path: "key", message: "Taken by a built-in kind." }],
    });
  return mutate(actor, async (trx) => {
    const taken = await trx.selectFrom("reportTemplates").select("key").where("key", "=", data.key).executeTakeFirst();
    if (taken)
      throw new AppError("CONFLICT", `A sentence kind "${data.key}" exists already.`, { fields: [{ path: "key", message: "Taken." }] });
    await trx
      .insertInto("reportTemplates")
      .values({ key: data.key, ...storedColumns(data), filter: JSON.stringify(data.filter), custom: true, updatedBy: actor.userId })
      .execute();
    const lines = await narrativeLines(trx);
    const result = presentTemplate(lines.find((l) => l.key === data.key) as NarrativeLine & { edited: boolean });
    return { result, audit: { entity: "report_template", entityId: data.key, action: "create", after: data } };
  });
}

/** Puts a built-in sentence kind back to its default, or removes an added one (administrators). */
export async function resetTemplate(actor: Actor, key: string): Promise<TemplateOutput> {
  authorize(actor, "reports.configure");
  const { key: lineKey } = parseInput(templateKeyParam, { key });
  const builtIn = defaultNarrative.find((l) => l.key === lineKey);
  return mutate(actor, async (trx) => {
    const before = await trx.deleteFrom("reportTemplates").where("key", "=", lineKey).returningAll().executeTakeFirst();
    if (!builtIn && !before) throw notFound("sentence kind", lineKey);
    const result = builtIn
      ? presentTemplate({ ...builtIn, custom: false, edited: false })
      : presentTemplate(lineOf(before as ReportTemplateRow, undefined));
    return {
      result,
      audit: before ? { entity: "report_template", entityId: lineKey, action: "delete", before } : [],
    };
  });
}

/** The ids of the done engagements an overview counts, as the actor sees them. */
async function engagementIdsOf(actor: Actor, q: OverviewQuery): Promise<number[]> {
  const scope = scopeConditions(q);
  const partners =
    q.partnerKind || q.countryGroup
      ? sql<boolean>`e.id IN (SELECT p.engagement_id FROM engagement_participants p JOIN organisations o ON o.id = p.organisation_id WHERE ${scope.partners})`
      : sql<boolean>`true`;
  const filter = scope.engagements;
  const rows = await sql<{
    id: number;
  }>`SELECT e.id FROM ${forActor(actor).engagementsSql} e WHERE ${filter} AND ${partners} ORDER BY e.id`.execute(db());
  return rows.rows.map((r) => r.id);
}

function snapshotRows(scope: DataContext) {
  return scope
    .snapshots(db())
    .leftJoin("users as u", "u.id", "s.createdBy")
    .leftJoin("units as un", "un.id", "s.unitId")
    .select([
      "s.id",
      "s.title",
      "s.params",
      "s.report",
      "s.createdAt",
      "u.id as userId",
      "u.displayName",
      "un.id as unitId",
      "un.nameEn as unitNameEn",
      "un.nameZh as unitNameZh",
      sql<number>`cardinality(s.engagement_ids)`.as("engagements"),
    ]);
}
type SnapshotRow = Awaited<ReturnType<ReturnType<typeof snapshotRows>["executeTakeFirstOrThrow"]>>;

function presentSnapshot(r: SnapshotRow): SnapshotOutput {
  return {
    id: r.id,
    title: r.title,
    params: r.params,
    createdAt: new Date(r.createdAt).toISOString(),
    createdBy: r.userId !== null && r.displayName !== null ? { id: r.userId, displayName: r.displayName } : null,
    unit:
      r.unitId !== null && r.unitNameEn !== null && r.unitNameZh !== null
        ? { id: r.unitId, name: { en: r.unitNameEn, zh: r.unitNameZh } }
        : null,
    engagements: r.engagements,
  };
}

/**
 * Freezes a report: its figures and the ids of every engagement behind them, dated, with who
 * made it and for which scope. Later edits do not change it; reading it shows the difference.
 */
export async function createSnapshot(actor: Actor, input: unknown): Promise<SnapshotOutput> {
  authorize(actor, "reports.snapshot");
  const data = parseInput(snapshotInput, input);
  const q = parseInput(overviewQuery, data.params);
  const report = await buildOverview(actor, data.params);
  const ids = await engagementIdsOf(actor, q);
  const scopeUnitIds = await forActor(actor).readableUnits(db(), "engagements.read");
  const id = await mutate(actor, async (trx) => {
    const row = await trx
      .insertInto("reportSnapshots")
      .values({
        title: data.title,
        params: JSON.stringify(q),
        report: JSON.stringify(report),
        engagementIds: ids,
        createdBy: actor.userId,
        unitId: q.unitId ?? (actor.unitId || null),
        clearance: actor.clearance ?? false,
        scopeUnitIds,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      result: row.id,
      audit: {
        entity: "report_snapshot",
        entityId: row.id,
        action: "create",
        after: { title: data.title, params: q, engagements: ids.length },
        // Its figures may count restricted work when its author is cleared.
        restricted: actor.clearance ?? false,
      },
    };
  });
  return presentSnapshot(await snapshotRows(forActor(actor)).where("s.id", "=", id).executeTakeFirstOrThrow());
}

/** The snapshots the actor may read, newest first. */
export async function listSnapshots(actor: Actor): Promise<SnapshotOutput[]> {
  authorize(actor, "reports.snapshot");
  return (await snapshotRows(forActor(actor)).orderBy("s.id", "desc").limit(200).execute()).map(presentSnapshot);
}

/** A frozen report beside the same report from today's data, and what changed. */
export async function getSnapshot(actor: Actor, snapshotId: number): Promise<SnapshotDetail> {
  authorize(actor, "reports.snapshot");
  const id = parseInput(idSchema, snapshotId);
  const row = await snapshotRows(forActor(actor)).select("s.engagementIds").where("s.id", "=", id).executeTakeFirst();
  if (!row) throw notFound("report snapshot", id);
  const frozen = row.report as unknown as Overview;
  const q = parseInput(overviewQuery, row.params);
  const [live, liveIds] = await Promise.all([buildOverview(actor, row.params), engagementIdsOf(actor, q)]);
  const held = new Set(row.engagementIds);
  const now = new Set(liveIds);
  return {
    ...presentSnapshot(row),
    report: frozen,
    live,
    changes: {
      added: liveIds.filter((x) => !held.has(x)).length,
      removed: row.engagementIds.filter((x) => !now.has(x)).length,
      totals: {
        engagements: live.totals.engagements - frozen.totals.engagements,
        organisations: live.totals.organisations - frozen.totals.organisations,
        countries: live.totals.countries - frozen.totals.countries,
      },
    },
  };
}
