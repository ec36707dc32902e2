import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { type Action, authorize } from "../access/policy.ts";
import { codeRef } from "../countries/presenter.ts";
import { notifyUsers } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { mutate, ownedBy } from "../shared/mutation.ts";
import { id as idSchema, type Page, pageTotal, parseInput } from "../shared/schema.ts";
import { chineseDate, cleanMultiline, englishDate } from "../shared/text.ts";
import { clashesFor } from "./alerts.ts";
import { asRecorded, presentEngagement, presentEngagementListItem } from "./presenter.ts";
import {
  type ApprovalQueueItem,
  approvalNoteInput,
  approvalQueueQuery,
  approvalReportInput,
  approvalReturnInput,
  cancelInput,
  type EngagementDetail,
} from "./schema.ts";
import { changeEngagement, recordStep } from "./service.ts";
import { engagementColumns, engagementDetailQuery } from "./store.ts";

type State = "draft" | "submitted" | "endorsed" | "approved" | "returned" | "reported";

/** Moves an engagement from one approval state to the next, records the step, and audits it. */
async function transition(
  actor: Actor,
  engagementId: number,
  move: {
    from: State[];
    to: State;
    step: "submitted" | "endorsed" | "approved" | "returned" | "reported";
    note: string | null;
    /** What the step needs in the engagement's lead unit: changing it (the unit's own steps) or deciding on it. */
    action: Action;
    needsDone?: boolean;
  },
): Promise<EngagementDetail> {
  const id = parseInput(idSchema, engagementId);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    // The lead unit submits and reports; coordinators of the lead unit decide.
    const row = await scope.lockEngagement(trx, id, move.action);
    if (!row.approval || !move.from.includes(row.approval)) {
      throw new AppError(
        "CONFLICT",
        `This engagement is ${row.approval ?? "not in the approval workflow"}; it cannot be ${move.step} now.`,
        {
          approval: row.approval,
        },
      );
    }
    if (move.needsDone && row.status !== "done") throw new AppError("CONFLICT", "Mark the engagement done before reporting on it.");
    await scope.updateEngagements(trx, move.action).set({ approval: move.to, updatedAt: new Date() }).where("x.id", "=", id).execute();
    await recordStep(trx, actor, id, move.step, move.note);
    const title = { en: row.titleEn, zh: row.titleZh ?? row.titleEn };
    if (move.step === "submitted") {
      await notifyUsers(
        trx,
        actor,
        { roles: ["coordinator", "administrator"], unitIds: [row.leadUnitId], restricted: row.classification === "restricted" },
        {
          kind: "approval_submitted",
          engagementId: id,
          en: `Submitted for approval: ${title.en}`,
          zh: `待审批：${title.zh}`,
        },
      );
    }
    if (move.step === "endorsed") {
      // The unit head has endorsed it: the coordinators above decide now.
      await notifyUsers(
        trx,
        actor,
        { roles: ["coordinator", "administrator"], unitIds: [row.leadUnitId], restricted: row.classification === "restricted" },
        {
          kind: "approval_submitted",
          engagementId: id,
          en: `Endorsed by the unit, for your approval: ${title.en}`,
          zh: `已经单位初审，待批准：${title.zh}`,
        },
      );
    }
    if (move.step === "approved" || move.step === "returned") {
      const approved = move.step === "approved";
      await notifyUsers(
        trx,
        actor,
        { roles: ["editor", "coordinator", "administrator"], unitIds: [row.leadUnitId], restricted: row.classification === "restricted" },
        {
          kind: approved ? "approval_approved" : "approval_returned",
          engagementId: id,
          en: `${approved ? "Approved" : "Returned"}: ${title.en}${move.note ? ` — ${move.note}` : ""}`,
          zh: `${approved ? "已批准" : "已退回"}：${title.zh}${move.note ? `——${move.note}` : ""}`,
        },
      );
    }
    const detail = await engagementDetailQuery(scope, trx, id).executeTakeFirstOrThrow();
    const result = presentEngagement(detail);
    return {
      result,
      audit: {
        entity: "engagement",
        entityId: id,
        action: move.step,
        before: { approval: row.approval },
        after: { approval: move.to, note: move.note },
        ...ownedBy({ unitId: row.leadUnitId, classification: row.classification }),
      },
    };
  });
}

/** The lead unit submits a draft (or a returned plan) for approval. */
export async function submitEngagement(actor: Actor, engagementId: number, input: unknown = {}): Promise<EngagementDetail> {
  authorize(actor, "engagements.write");
  const { note } = parseInput(approvalNoteInput, input);
  return transition(actor, engagementId, {
    from: ["draft", "returned"],
    to: "submitted",
    step: "submitted",
    note: cleanMultiline(note),
    action: "engagements.write",
  });
}

/**
 * Where the actor decides on a unit's plans: as its head (the coordinator role held in that very
 * unit) and as a coordinator above it (a role over its sub-units held in a unit above, or an
 * administrator).
 */
async function decidingAs(actor: Actor, unitId: number): Promise<{ head: boolean; above: boolean }> {
  const administrator = actor.roles.some((r) => r.role === "administrator");
  const ancestors = await sql<{ id: number }>`WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM units WHERE id = ${unitId}
      UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 100)
    SELECT id FROM up WHERE depth > 0`.execute(db());
  const above = new Set(ancestors.rows.map((r) => r.id));
  return {
    head: administrator || actor.roles.some((r) => r.role === "coordinator" && r.unitId === unitId),
    above: administrator || actor.roles.some((r) => r.role === "coordinator" && r.subunits !== false && above.has(r.unitId)),
  };
}

/**
 * A coordinator approves a submitted plan. Where the lead unit asks for two levels, its own
 * coordinator first endorses it (submitted → endorsed), and a coordinator above it then approves
 * (endorsed → approved); each level's step is kept, and neither may take the other's.
 */
export async function approveEngagement(actor: Actor, engagementId: number, input: unknown = {}): Promise<EngagementDetail> {
  authorize(actor, "approvals.decide");
  const id = parseInput(idSchema, engagementId);
  const { note } = parseInput(approvalNoteInput, input);
  const current = await forActor(actor)
    .engagements(db())
    .innerJoin("units as u", "u.id", "e.leadUnitId")
    .select(["e.leadUnitId", "e.approval", "u.approvalLevels", "u.nameEn", "u.nameZh"])
    .where("e.id", "=", id)
    .executeTakeFirst();
  if (!current) throw notFound("engagement", id);
  const move = { note: cleanMultiline(note), action: "approvals.decide" as const };
  if (current.approvalLevels < 2) return transition(actor, id, { ...move, from: ["submitted"], to: "approved", step: "approved" });
  const as = await decidingAs(actor, current.leadUnitId);
  if (current.approval === "submitted") {
    if (!as.head)
      throw new AppError(
        "CONFLICT",
        `${current.nameEn} approves in two levels: its own coordinator endorses the plan first. / ${current.nameZh}实行两级审批，须先由本单位协调员初审。`,
        { approval: current.approval },
      );
    return transition(actor, id, { ...move, from: ["submitted"], to: "endorsed", step: "endorsed" });
  }
  if (current.approval === "endorsed" && !as.above)
    throw new AppError(
      "CONFLICT",
      `Endorsed by ${current.nameEn}: a coordinator above it approves. / 已经${current.nameZh}初审，须由上级协调员批准。`,
      { approval: current.approval },
    );
  return transition(actor, id, { ...move, from: ["endorsed"], to: "approved", step: "approved" });
}

/** A coordinator returns a submitted plan to its unit, saying why. */
export async function returnEngagement(actor: Actor, engagementId: number, input: unknown): Promise<EngagementDetail> {
  authorize(actor, "approvals.decide");
  const { note } = parseInput(approvalReturnInput, input);
  return transition(actor, engagementId, {
    from: ["submitted", "endorsed"],
    to: "returned",
    step: "returned",
    note: cleanMultiline(note),
    action: "approvals.decide",
  });
}

/** The lead unit reports on an approved engagement that is done. */
export async function reportEngagement(actor: Actor, engagementId: number, input: unknown): Promise<EngagementDetail> {
  authorize(actor, "engagements.write");
  const { note } = parseInput(approvalReportInput, input);
  return transition(actor, engagementId, {
    from: ["approved"],
    to: "reported",
    step: "reported",
    note: cleanMultiline(note),
    action: "engagements.write",
    needsDone: true,
  });
}

/**
 * The lead unit cancels a plan, saying why: the record stays (with its approval trail, which
 * takes a "cancelled" step), leaves the counts of work done, and those who approved it or had it
 * before them are told. A plan already done is not cancelled.
 */
export async function cancelEngagement(actor: Actor, engagementId: number, input: unknown): Promise<EngagementDetail> {
  authorize(actor, "engagements.write");
  const id = parseInput(idSchema, engagementId);
  const { reason } = parseInput(cancelInput, input);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    const row = await scope.lockEngagement(trx, id, "engagements.write");
    if (row.status !== "planned")
      throw new AppError("CONFLICT", `Only a planned engagement is cancelled; this one is ${row.status}. / 只有计划中的交往可以取消。`, {
        status: row.status,
      });
    const note = cleanMultiline(reason);
    const { audit } = await changeEngagement(trx, actor, id, { status: "cancelled" });
    if (row.approval) await recordStep(trx, actor, id, "cancelled", note);
    if (row.approval === "submitted" || row.approval === "endorsed" || row.approval === "approved") {
      const title = { en: row.titleEn, zh: row.titleZh ?? row.titleEn };
      await notifyUsers(
        trx,
        actor,
        { roles: ["coordinator", "administrator"], unitIds: [row.leadUnitId], restricted: row.classification === "restricted" },
        {
          kind: "engagement_cancelled",
          engagementId: id,
          en: `Cancelled: ${title.en} (${englishDate(row.startDate)}) — ${note}`,
          zh: `已取消：${title.zh}（${chineseDate(row.startDate)}）——${note}`,
        },
      );
    }
    const result = presentEngagement(await engagementDetailQuery(scope, trx, id).executeTakeFirstOrThrow());
    return { result, audit: { ...audit, action: "cancel", after: { ...asRecorded(result), reason: note } } };
  });
}

/**
 * The coordinator's queue: engagements in one approval state (submitted by default) that the
 * actor decides on, soonest first, each with what a decision needs: its partners, who submitted
 * it and when, and how many other units' engagements meet the same partners around its date.
 */
export async function approvalQueue(actor: Actor, input: unknown = {}): Promise<Page<ApprovalQueueItem>> {
  authorize(actor, "approvals.decide");
  const query = parseInput(approvalQueueQuery, input);
  const scope = forActor(actor);
  const decides = scope.unitAllows("approvals.decide", sql.ref("e.lead_unit_id"));
  const rows = await engagementColumns(scope, db())
    .where("e.approval", "=", query.state)
    .where("e.status", "<>", "cancelled")
    .where(decides)
    .orderBy("e.startDate")
    .orderBy("e.id")
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const counted = await pageTotal(query, rows.length, async (cap) => {
    const result = await scope
      .engagements(db())
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("e.approval", "=", query.state)
      .where("e.status", "<>", "cancelled")
      .where(decides)
      .executeTakeFirstOrThrow();
    return Math.min(Number(result.n), cap + 1);
  });
  const ids = rows.map((r) => r.id);
  const [partners, submissions, clashes] = ids.length
    ? await Promise.all([
        sql<{
          engagementId: number;
          id: number;
          nameEn: string;
          nameZh: string | null;
          countryCode: string | null;
          countryEn: string | null;
          countryZh: string | null;
          n: number;
        }>`SELECT * FROM (SELECT p.engagement_id, o.id, o.name_en, o.name_zh, c.code AS country_code, c.name_en AS country_en,
              c.name_zh AS country_zh, count(*) OVER (PARTITION BY p.engagement_id)::int AS n,
              row_number() OVER (PARTITION BY p.engagement_id ORDER BY p.precedence NULLS LAST, p.id) AS k
            FROM engagement_participants p JOIN organisations o ON o.id = p.organisation_id
            LEFT JOIN countries c ON c.code = o.country_code
            WHERE p.engagement_id = ANY(${ids}::int[])) t WHERE k <= 5 ORDER BY engagement_id, k`.execute(db()),
        sql<{ engagementId: number; at: Date; userId: number | null; name: string | null }>`SELECT DISTINCT ON (s.engagement_id)
            s.engagement_id, s.at, u.id AS user_id, u.display_name AS name
            FROM engagement_approval_steps s LEFT JOIN users u ON u.id = s.actor_id
            WHERE s.engagement_id = ANY(${ids}::int[]) AND s.step = 'submitted' ORDER BY s.engagement_id, s.at DESC`.execute(db()),
        clashesFor(scope, db(), { engagementIds: ids }),
      ])
    : [{ rows: [] }, { rows: [] }, []];
  return {
    items: rows.map((row) => {
      const own = partners.rows.filter((p) => p.engagementId === row.id);
      const submitted = submissions.rows.find((s) => s.engagementId === row.id);
      return {
        ...presentEngagementListItem(row),
        partners: own.map((p) => ({
          id: p.id,
          name: { en: p.nameEn, zh: p.nameZh },
          country: codeRef(p.countryCode, p.countryEn, p.countryZh),
        })),
        partnerCount: own[0]?.n ?? 0,
        submittedBy: submitted?.userId ? { id: submitted.userId, name: submitted.name ?? "" } : null,
        submittedAt: submitted ? new Date(submitted.at).toISOString() : null,
        clashes: new Set(clashes.filter((c) => c.sourceId === row.id).map((c) => `${c.other.unit.id}#${c.other.startDate}#${c.other.id}`))
          .size,
      };
    }),
    ...counted,
    page: query.page,
    pageSize: query.pageSize,
  };
}
