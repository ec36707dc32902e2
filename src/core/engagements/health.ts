import { sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { id, parseInput } from "../shared/schema.ts";
import { engagementVisible } from "./service.ts";

/** Engagements a year that each relationship level leads one to expect. */
export const expectedPerYear: Record<string, number> = { strategic: 6, established: 4, regular: 2, contact: 1 };

export const healthQuery = z
  .object({
    unitId: id.optional().describe("Partners whose relationship this unit leads, or that it engaged."),
    attention: z.enum(["true", "false"]).default("true").describe("Only partners needing attention."),
    limit: z.coerce.number().int().min(1).max(500).default(50),
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
  signals: z.array(z.enum(["overdue", "below_expectation", "one_sided", "anniversary"])),
});
export type PartnerHealth = z.output<typeof partnerHealth>;

/**
 * Relationship health for the partners we have a relationship with: last contact and days
 * since; reciprocity (visits and letters each way, last five years); frequency in the last
 * year against the level's expectation; an upcoming founding anniversary. The signals:
 * overdue (no contact for longer than twice the expected interval), below expectation,
 * one-sided (five or more exchanges, all one way), anniversary. Counts only what the actor
 * may see. The worklist is those with a signal, the closest relationships first.
 */
export async function listRelationshipHealth(actor: Actor, input: unknown = {}): Promise<PartnerHealth[]> {
  authorize(actor, "engagements.read");
  const q = parseInput(healthQuery, input);
  const year = new Date().getUTCFullYear();
  const unitFilter = q.unitId
    ? sql`AND (r.lead_unit_id = ${q.unitId} OR o.id IN (SELECT p.organisation_id FROM engagement_participants p
        JOIN engagements e ON e.id = p.engagement_id WHERE e.lead_unit_id = ${q.unitId} AND ${engagementVisible(actor)}))`
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
  }>`WITH seen AS (
      SELECT p.organisation_id AS org, e.start_date, e.type, e.direction
      FROM engagement_participants p JOIN engagements e ON e.id = p.engagement_id
      WHERE e.status = 'done' AND p.organisation_id IS NOT NULL AND ${engagementVisible(actor)}),
    stats AS (
      SELECT org, max(start_date) AS last,
        count(*) FILTER (WHERE start_date > current_date - 365)::int AS last_year,
        count(*) FILTER (WHERE type = 'visit' AND direction = 'sent' AND start_date > current_date - 1826)::int AS visits_sent,
        count(*) FILTER (WHERE type = 'visit' AND direction = 'received' AND start_date > current_date - 1826)::int AS visits_received,
        count(*) FILTER (WHERE type = 'correspondence' AND direction = 'sent' AND start_date > current_date - 1826)::int AS letters_sent,
        count(*) FILTER (WHERE type = 'correspondence' AND direction = 'received' AND start_date > current_date - 1826)::int AS letters_received
      FROM seen GROUP BY org)
    SELECT o.id, o.name_en AS "nameEn", o.name_zh AS "nameZh", o.country_code AS country, r.level, o.founded_year AS founded,
      s.last::text AS last, coalesce(s.last_year, 0) AS "lastYear", coalesce(s.visits_sent, 0) AS "visitsSent",
      coalesce(s.visits_received, 0) AS "visitsReceived", coalesce(s.letters_sent, 0) AS "lettersSent",
      coalesce(s.letters_received, 0) AS "lettersReceived"
    FROM relationships r JOIN organisations o ON o.id = r.organisation_id LEFT JOIN stats s ON s.org = o.id
    WHERE r.level <> 'none' ${unitFilter}
    ORDER BY CASE r.level WHEN 'strategic' THEN 0 WHEN 'established' THEN 1 WHEN 'regular' THEN 2 ELSE 3 END, s.last NULLS FIRST, o.id`.execute(
    db(),
  );
  const today = Date.now();
  const health = rows.rows.map((r): PartnerHealth => {
    const expected = expectedPerYear[r.level] ?? 1;
    const daysSince = r.last ? Math.floor((today - Date.parse(`${r.last}T00:00:00Z`)) / 86_400_000) : null;
    const founded = r.founded;
    const anniversaryYear = founded ? [year, year + 1].find((y) => y > founded && (y - founded) % 5 === 0) : undefined;
    const signals: PartnerHealth["signals"] = [];
    if (daysSince === null || daysSince > (2 * 365) / expected) signals.push("overdue");
    if (r.lastYear < expected) signals.push("below_expectation");
    const ours = r.visitsSent + r.lettersSent;
    const theirs = r.visitsReceived + r.lettersReceived;
    if (ours + theirs >= 5 && Math.min(ours, theirs) === 0) signals.push("one_sided");
    if (anniversaryYear) signals.push("anniversary");
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
      signals,
    };
  });
  return (q.attention === "true" ? health.filter((h) => h.signals.length > 0) : health).slice(0, q.limit);
}
