import { sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { parseInput } from "../shared/schema.ts";

export const dormantQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(3650).default(365).describe("Not contacted for more than this many days."),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
export const dormantPartner = z.object({
  organisation: z.object({
    id: z.number(),
    name: bilingual,
    country: z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  }),
  relationshipLevel: z.string().nullable(),
  lastContact: z.string(),
  daysSince: z.number(),
});
export type DormantPartner = z.output<typeof dormantPartner>;

/**
 * Partners not contacted for over `days` days: their latest done engagement that the reader
 * may see is older than that. The closest relationships come first, then the most recently
 * lost touch with.
 */
export async function listDormantPartners(actor: Actor, input: unknown = {}): Promise<DormantPartner[]> {
  authorize(actor, "engagements.read");
  const q = parseInput(dormantQuery, input);
  const rows = await sql<{
    id: number;
    nameEn: string;
    nameZh: string | null;
    countryCode: string | null;
    countryEn: string | null;
    countryZh: string | null;
    level: string | null;
    last: string;
    days: number;
  }>`WITH last AS (
      SELECT p.organisation_id AS id, max(p.start_date) AS last
      FROM engagement_participants p JOIN ${forActor(actor).engagementsSql} e ON e.id = p.engagement_id
      WHERE p.organisation_id IS NOT NULL AND e.status = 'done'
      GROUP BY 1)
    SELECT o.id, o.name_en AS "nameEn", o.name_zh AS "nameZh", o.country_code AS "countryCode",
      c.name_en AS "countryEn", c.name_zh AS "countryZh", r.level, last.last::text AS last, (current_date - last.last)::int AS days
    FROM last JOIN organisations o ON o.id = last.id
    LEFT JOIN countries c ON c.code = o.country_code
    LEFT JOIN relationships r ON r.organisation_id = o.id
    WHERE last.last < current_date - ${q.days}::int
    ORDER BY CASE r.level WHEN 'strategic' THEN 0 WHEN 'established' THEN 1 WHEN 'regular' THEN 2 WHEN 'contact' THEN 3 ELSE 4 END,
      last.last DESC, o.id
    LIMIT ${q.limit}`.execute(db());
  return rows.rows.map((r) => ({
    organisation: {
      id: r.id,
      name: { en: r.nameEn, zh: r.nameZh },
      country: r.countryCode && r.countryEn && r.countryZh ? { code: r.countryCode, name: { en: r.countryEn, zh: r.countryZh } } : null,
    },
    relationshipLevel: r.level,
    lastContact: r.last,
    daysSince: r.days,
  }));
}
