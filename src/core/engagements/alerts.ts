import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { parseInput } from "../shared/schema.ts";
import { alertsQuery, type CoordinationAlert } from "./schema.ts";

/**
 * Coordination alerts: a unit plans an engagement with a partner that another unit has
 * engaged, or plans to engage, within the window. The alert shows when the actor may read
 * one side; the other side is disclosed as a unit and a date (that is what coordination
 * needs), and identified only to those who may open it. Restricted engagements take part
 * only for the cleared: to anyone else they do not exist, here as everywhere.
 */
export async function listCoordinationAlerts(actor: Actor, input: unknown = {}): Promise<CoordinationAlert[]> {
  authorize(actor, "engagements.read");
  const { windowDays } = parseInput(alertsQuery, input);
  const scope = forActor(actor);
  const rows = await sql<{
    partnerId: number;
    partnerEn: string;
    partnerZh: string | null;
    plannedId: number;
    plannedDate: string;
    plannedVisible: boolean;
    plannedUnit: number;
    plannedUnitEn: string;
    plannedUnitZh: string;
    otherId: number;
    otherDate: string;
    otherStatus: string;
    otherVisible: boolean;
    otherUnit: number;
    otherUnitEn: string;
    otherUnitZh: string;
  }>`SELECT DISTINCT o.id AS partner_id, o.name_en AS partner_en, o.name_zh AS partner_zh,
      a.id AS planned_id, a.start_date AS planned_date, ${scope.engagementReadable("a")} AS planned_visible,
      ua.id AS planned_unit, ua.name_en AS planned_unit_en, ua.name_zh AS planned_unit_zh,
      b.id AS other_id, b.start_date AS other_date, b.status AS other_status, ${scope.engagementReadable("b")} AS other_visible,
      ub.id AS other_unit, ub.name_en AS other_unit_en, ub.name_zh AS other_unit_zh
    FROM ${scope.disclosableEngagementsSql} a
    JOIN engagement_participants pa ON pa.engagement_id = a.id AND pa.organisation_id IS NOT NULL
    JOIN engagement_participants pb ON pb.organisation_id = pa.organisation_id AND pb.engagement_id <> a.id
      AND pb.start_date BETWEEN a.start_date - ${windowDays}::int AND a.start_date + ${windowDays}::int
    JOIN ${scope.disclosableEngagementsSql} b ON b.id = pb.engagement_id AND b.lead_unit_id <> a.lead_unit_id AND b.status <> 'cancelled'
    JOIN organisations o ON o.id = pa.organisation_id
    JOIN units ua ON ua.id = a.lead_unit_id
    JOIN units ub ON ub.id = b.lead_unit_id
    WHERE a.status = 'planned' AND (b.status <> 'planned' OR a.id < b.id)
      AND (${scope.engagementReadable("a")} OR ${scope.engagementReadable("b")})
    ORDER BY a.start_date, a.id, b.start_date, b.id
    LIMIT 500`.execute(db());
  return rows.rows.map((r) => ({
    partner: { id: r.partnerId, name: { en: r.partnerEn, zh: r.partnerZh } },
    planned: {
      id: r.plannedVisible ? r.plannedId : null,
      startDate: r.plannedDate,
      unit: { id: r.plannedUnit, name: { en: r.plannedUnitEn, zh: r.plannedUnitZh } },
    },
    other: {
      id: r.otherVisible ? r.otherId : null,
      startDate: r.otherDate,
      status: r.otherStatus,
      unit: { id: r.otherUnit, name: { en: r.otherUnitEn, zh: r.otherUnitZh } },
    },
  }));
}
