import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { notFound } from "../shared/errors.ts";
import type { Executor } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { alertsQuery, type Clash, type CoordinationAlert, clashPreviewQuery } from "./schema.ts";

/** How close in time two units' engagements with one partner raise a coordination alert. */
export const coordinationWindowDays = 90;

/** What a clash is measured from: engagements already recorded, or one being planned in the form. */
type ClashSource =
  | { engagementIds: number[] }
  | { organisationIds: number[]; startDate: string; leadUnitId: number; excludeId: number | null };

/** A clash as found, with the engagement it concerns (`sourceId`, 0 for a plan not yet saved). */
export type FoundClash = Clash & { sourceId: number };

/**
 * The one clash rule: another unit's engagement (not cancelled) that meets one of the same
 * partner organisations within `windowDays` of the source's date. `among` is the set of
 * engagements that may be mentioned at all (restricted work never is, unless the reader is
 * cleared); `visible` says which of them the reader may open, and only those are identified.
 */
export async function findClashes(
  executor: Executor,
  source: ClashSource,
  among: RawBuilder<unknown>,
  visible: (alias: string) => RawBuilder<boolean>,
  windowDays = coordinationWindowDays,
): Promise<FoundClash[]> {
  const sources =
    "engagementIds" in source
      ? sql`SELECT p.engagement_id AS source_id, p.organisation_id, p.start_date, e.lead_unit_id
          FROM engagement_participants p JOIN engagements e ON e.id = p.engagement_id
          WHERE p.engagement_id = ANY(${source.engagementIds}::int[]) AND p.organisation_id IS NOT NULL`
      : sql`SELECT 0 AS source_id, o AS organisation_id, ${source.startDate}::date AS start_date, ${source.leadUnitId}::int AS lead_unit_id
          FROM unnest(${source.organisationIds}::int[]) o`;
  const exclude = "excludeId" in source && source.excludeId ? source.excludeId : 0;
  const rows = await sql<{
    sourceId: number;
    partnerId: number;
    partnerEn: string;
    partnerZh: string | null;
    otherId: number;
    otherDate: string;
    otherEnd: string;
    otherStatus: string;
    otherType: string;
    otherVisible: boolean;
    otherTitleEn: string;
    otherTitleZh: string | null;
    unitId: number;
    unitEn: string;
    unitZh: string;
  }>`WITH src AS (${sources})
    SELECT DISTINCT ON (src.source_id, b.id, o.id) src.source_id, o.id AS partner_id, o.name_en AS partner_en, o.name_zh AS partner_zh,
      b.id AS other_id, b.start_date AS other_date, b.end_date AS other_end, b.status AS other_status, b.type AS other_type,
      ${visible("b")} AS other_visible, b.title_en AS other_title_en, b.title_zh AS other_title_zh,
      u.id AS unit_id, u.name_en AS unit_en, u.name_zh AS unit_zh
    FROM src
    JOIN engagement_participants pb ON pb.organisation_id = src.organisation_id AND pb.engagement_id <> src.source_id
      AND pb.start_date BETWEEN src.start_date - ${windowDays}::int AND src.start_date + ${windowDays}::int
    JOIN ${among} b ON b.id = pb.engagement_id AND b.lead_unit_id <> src.lead_unit_id AND b.status <> 'cancelled' AND b.id <> ${exclude}::int
    JOIN organisations o ON o.id = src.organisation_id
    JOIN units u ON u.id = b.lead_unit_id
    ORDER BY src.source_id, b.id, o.id
    LIMIT 2000`.execute(executor);
  return rows.rows
    .map((r) => ({
      sourceId: r.sourceId,
      partner: { id: r.partnerId, name: { en: r.partnerEn, zh: r.partnerZh } },
      other: {
        id: r.otherVisible ? r.otherId : null,
        title: r.otherVisible ? { en: r.otherTitleEn, zh: r.otherTitleZh } : null,
        type: r.otherType,
        startDate: r.otherDate,
        endDate: r.otherEnd,
        status: r.otherStatus,
        unit: { id: r.unitId, name: { en: r.unitEn, zh: r.unitZh } },
      },
    }))
    .sort((a, b) => a.other.startDate.localeCompare(b.other.startDate));
}

/** Clashes as the actor may be told of them: every unit's work that is not restricted from them. */
export function clashesFor(scope: DataContext, executor: Executor, source: ClashSource): Promise<FoundClash[]> {
  return findClashes(executor, source, scope.disclosableEngagementsSql, (alias) => scope.engagementReadable(alias));
}

/**
 * The warning on the form, before the plan is saved: other units' engagements with these
 * partners within the window of this date.
 */
export async function previewClashes(actor: Actor, input: unknown): Promise<Clash[]> {
  authorize(actor, "engagements.read");
  const query = parseInput(clashPreviewQuery, input);
  const scope = forActor(actor);
  // Only someone planning work for the unit asks: what saving the plan would tell them anyway.
  await scope.assertUnitAllows(db(), "engagements.write", query.leadUnitId, "leadUnitId");
  const found = await clashesFor(scope, db(), {
    organisationIds: query.organisationIds,
    startDate: query.startDate,
    leadUnitId: query.leadUnitId,
    excludeId: query.excludeId ?? null,
  });
  return found.map(({ sourceId: _, ...clash }) => clash);
}

/** The clashes of one planned engagement the actor reads: what its page warns about. */
export async function engagementClashes(actor: Actor, engagementId: number): Promise<Clash[]> {
  authorize(actor, "engagements.read");
  const id = parseInput(idSchema, engagementId);
  const scope = forActor(actor);
  const own = await scope.engagements(db()).select(["e.id", "e.status"]).where("e.id", "=", id).executeTakeFirst();
  if (!own) throw notFound("engagement", id);
  if (own.status !== "planned") return [];
  const found = await clashesFor(scope, db(), { engagementIds: [id] });
  return found.map(({ sourceId: _, ...clash }) => clash);
}

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
