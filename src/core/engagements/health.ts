import { sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { today } from "../shared/dates.ts";
import { id, isoDate, parseInput } from "../shared/schema.ts";

/** How far ahead a congress and a national day are listed as coming occasions. */
const congressDays = 120;
const nationalDayDays = 60;

/**
 * The next time a month-day (MM-DD) comes, on or after `from` (29 February waits for a leap
 * year); null for a month-day that never comes within eight years (no such day).
 */
export function nextOccurrence(monthDay: string, from: string): string | null {
  const [month, day] = monthDay.split("-").map(Number) as [number, number];
  const start = Date.parse(`${from}T00:00:00Z`);
  const first = Number(from.slice(0, 4));
  // Bounded: a leap day is at most eight years away, and a date compares as a date, not as text.
  for (let year = first; year <= first + 8; year++) {
    const candidate = new Date(Date.UTC(year, month - 1, day));
    if (candidate.getUTCMonth() !== month - 1 || candidate.getTime() < start) continue;
    return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  }
  return null;
}

/** Engagements a year that each relationship level leads one to expect. */
export const expectedPerYear: Record<string, number> = { strategic: 6, established: 4, regular: 2, contact: 1 };

export const healthQuery = z
  .object({
    unitId: id.optional().describe("Partners whose relationship this unit leads, or that it engaged."),
    attention: z.enum(["true", "false"]).default("true").describe("Only partners needing attention."),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    on: isoDate.optional().describe("The day to judge from (default today): what is overdue then, and what is coming."),
  })
  .strict();

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
export const partnerHealth = z.object({
  organisation: z.object({ id: z.number(), name: bilingual, country: z.string().nullable() }),
  level: z.string(),
  lastContact: z.string().nullable(),
  daysSince: z.number().nullable(),
  lastYear: z.number().describe("Engagements in the last 365 days."),
  expected: z.number().describe("What the level leads one to expect in a year."),
  reciprocity: z.object({ visitsSent: z.number(), visitsReceived: z.number(), lettersSent: z.number(), lettersReceived: z.number() }),
  anniversary: z
    .object({ year: z.number(), years: z.number() })
    .nullable()
    .describe("A founding anniversary ending in 0 or 5, this year or next."),
  occasions: z
    .array(
      z.object({
        kind: z.enum(["founding", "congress", "national_day"]),
        date: z.string().nullable().describe("The day (a founding anniversary has only its year)."),
        year: z.number(),
        years: z.number().nullable().describe("For a founding anniversary: how many years."),
        ordinal: z.number().nullable().describe("For a congress: its number."),
        name: bilingual.nullable(),
      }),
    )
    .describe(
      `Coming occasions to prepare for: a founding anniversary ending in 0 or 5 this year or next, a congress within ${congressDays} days, the country's national day within ${nationalDayDays} days.`,
    ),
  signals: z.array(z.enum(["overdue", "below_expectation", "one_sided", "anniversary"])),
});
export type PartnerHealth = z.output<typeof partnerHealth>;

/**
 * Relationship health for the partners we have a relationship with: last contact and days
 * since; reciprocity (visits and letters each way, last five years); frequency in the last
 * year against the level's expectation; coming occasions (a founding anniversary, a congress,
 * the national day). The signals: overdue (no contact for longer than twice the expected
 * interval), below expectation, one-sided (five or more exchanges, all one way), anniversary
 * (an occasion is coming). All judged as of `on`, today unless asked. Counts only what the actor
 * may see. The worklist is those with a signal, the closest relationships first.
 */
export async function listRelationshipHealth(actor: Actor, input: unknown = {}): Promise<PartnerHealth[]> {
  authorize(actor, "engagements.read");
  const q = parseInput(healthQuery, input);
  const on = q.on ?? today();
  const year = Number(on.slice(0, 4));
  const readable = forActor(actor).engagementsSql;
  const unitFilter = q.unitId
    ? sql`AND (r.lead_unit_id = ${q.unitId} OR o.id IN (SELECT p.organisation_id FROM engagement_participants p
        JOIN ${readable} e ON e.id = p.engagement_id WHERE e.lead_unit_id = ${q.unitId}))`
    : sql``;
  const rows = await sql<{
    id: number;
    nameEn: string;
    nameZh: string | null;
    country: string | null;
    level: string;
    founded: number | null;
    last: string | null;
    lastYear: number;
    visitsSent: number;
    visitsReceived: number;
    lettersSent: number;
    lettersReceived: number;
    nationalDay: string | null;
    congressOn: string | null;
    congressOrdinal: number | null;
    congressNameEn: string | null;
    congressNameZh: string | null;
  }>`WITH seen AS (
      SELECT p.organisation_id AS org, e.start_date, e.type, e.direction
      FROM engagement_participants p JOIN ${readable} e ON e.id = p.engagement_id
      WHERE e.status = 'done' AND p.organisation_id IS NOT NULL AND e.start_date <= ${on}::date),
    stats AS (
      SELECT org, max(start_date) AS last,
        count(*) FILTER (WHERE start_date > ${on}::date - 365)::int AS last_year,
        count(*) FILTER (WHERE type = 'visit' AND direction = 'sent' AND start_date > ${on}::date - 1826)::int AS visits_sent,
        count(*) FILTER (WHERE type = 'visit' AND direction = 'received' AND start_date > ${on}::date - 1826)::int AS visits_received,
        count(*) FILTER (WHERE type = 'correspondence' AND direction = 'sent' AND start_date > ${on}::date - 1826)::int AS letters_sent,
        count(*) FILTER (WHERE type = 'correspondence' AND direction = 'received' AND start_date > ${on}::date - 1826)::int AS letters_received
      FROM seen GROUP BY org)
    SELECT o.id, o.name_en AS "nameEn", o.name_zh AS "nameZh", o.country_code AS country, r.level, o.founded_year AS founded,
      s.last::text AS last, coalesce(s.last_year, 0) AS "lastYear", coalesce(s.visits_sent, 0) AS "visitsSent",
      coalesce(s.visits_received, 0) AS "visitsReceived", coalesce(s.letters_sent, 0) AS "lettersSent",
      coalesce(s.letters_received, 0) AS "lettersReceived", c.national_day AS "nationalDay",
      cg.opens_on::text AS "congressOn", cg.ordinal AS "congressOrdinal", cg.name_en AS "congressNameEn", cg.name_zh AS "congressNameZh"
    FROM relationships r JOIN organisations o ON o.id = r.organisation_id LEFT JOIN stats s ON s.org = o.id
    LEFT JOIN countries c ON c.code = o.country_code
    LEFT JOIN LATERAL (SELECT * FROM organisation_congresses x WHERE x.organisation_id = o.id
      AND x.opens_on BETWEEN ${on}::date AND ${on}::date + ${congressDays}::int ORDER BY x.opens_on LIMIT 1) cg ON true
    WHERE r.level <> 'none' ${unitFilter}
    ORDER BY CASE r.level WHEN 'strategic' THEN 0 WHEN 'established' THEN 1 WHEN 'regular' THEN 2 ELSE 3 END, s.last NULLS FIRST, o.id`.execute(
    db(),
  );
  const onTime = Date.parse(`${on}T00:00:00Z`);
  // Whole days from `on` to a date (negative for the past): both are midnights UTC.
  const daysUntil = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - onTime) / 86_400_000);
  const health = rows.rows.map((r): PartnerHealth => {
    const expected = expectedPerYear[r.level] ?? 1;
    const daysSince = r.last ? -daysUntil(r.last) : null;
    const founded = r.founded;
    const anniversaryYear = founded ? [year, year + 1].find((y) => y > founded && (y - founded) % 5 === 0) : undefined;
    const signals: PartnerHealth["signals"] = [];
    if (daysSince === null || daysSince > (2 * 365) / expected) signals.push("overdue");
    if (r.lastYear < expected) signals.push("below_expectation");
    const ours = r.visitsSent + r.lettersSent;
    const theirs = r.visitsReceived + r.lettersReceived;
    if (ours + theirs >= 5 && Math.min(ours, theirs) === 0) signals.push("one_sided");
    const occasions: PartnerHealth["occasions"] = [];
    if (anniversaryYear && founded) {
      occasions.push({ kind: "founding", date: null, year: anniversaryYear, years: anniversaryYear - founded, ordinal: null, name: null });
    }
    if (r.congressOn) {
      occasions.push({
        kind: "congress",
        date: r.congressOn,
        year: Number(r.congressOn.slice(0, 4)),
        years: null,
        ordinal: r.congressOrdinal,
        name: r.congressNameEn || r.congressNameZh ? { en: r.congressNameEn ?? r.congressNameZh ?? "", zh: r.congressNameZh } : null,
      });
    }
    const nationalDay = r.nationalDay ? nextOccurrence(r.nationalDay, on) : null;
    if (nationalDay && daysUntil(nationalDay) <= nationalDayDays) {
      occasions.push({
        kind: "national_day",
        date: nationalDay,
        year: Number(nationalDay.slice(0, 4)),
        years: null,
        ordinal: null,
        name: null,
      });
    }
    if (occasions.length > 0) signals.push("anniversary");
    return {
      organisation: { id: r.id, name: { en: r.nameEn, zh: r.nameZh }, country: r.country },
      level: r.level,
      lastContact: r.last,
      daysSince,
      lastYear: r.lastYear,
      expected,
      reciprocity: {
        visitsSent: r.visitsSent,
        visitsReceived: r.visitsReceived,
        lettersSent: r.lettersSent,
        lettersReceived: r.lettersReceived,
      },
      anniversary: anniversaryYear && founded ? { year: anniversaryYear, years: anniversaryYear - founded } : null,
      occasions,
      signals,
    };
  });
  return (q.attention === "true" ? health.filter((h) => h.signals.length > 0) : health).slice(0, q.limit);
}
