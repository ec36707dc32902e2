import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { type Action, authorize } from "../access/policy.ts";
import { notifyUsers } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError } from "../shared/errors.ts";
import { mutate, ownedBy } from "../shared/mutation.ts";
import { id as idSchema, type Page, pageTotal, parseInput } from "../shared/schema.ts";
import { cleanMultiline } from "../shared/text.ts";
import { presentEngagement, presentEngagementListItem } from "./presenter.ts";
import {
  approvalNoteInput,
  approvalQueueQuery,
  approvalReportInput,
  approvalReturnInput,
  type EngagementDetail,
  type EngagementListItem,
} from "./schema.ts";
import { recordStep } from "./service.ts";
import { engagementColumns, engagementDetailQuery } from "./store.ts";

type State = "draft" | "submitted" | "approved" | "returned" | "reported";

/** Moves an engagement from one approval state to the next, records the step, and audits it. */
async function transition(
  actor: Actor,
  engagementId: number,
  move: {
    from: State[];
    to: State;
    step: "submitted" | "approved" | "returned" | "reported";
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

/** A coordinator approves a submitted plan. */
export async function approveEngagement(actor: Actor, engagementId: number, input: unknown = {}): Promise<EngagementDetail> {
  authorize(actor, "approvals.decide");
  const { note } = parseInput(approvalNoteInput, input);
  return transition(actor, engagementId, {
    from: ["submitted"],
    to: "approved",
    step: "approved",
    note: cleanMultiline(note),
    action: "approvals.decide",
  });
}

/** A coordinator returns a submitted plan to its unit, saying why. */
export async function returnEngagement(actor: Actor, engagementId: number, input: unknown): Promise<EngagementDetail> {
  authorize(actor, "approvals.decide");
  const { note } = parseInput(approvalReturnInput, input);
  return transition(actor, engagementId, {
    from: ["submitted"],
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

/** The coordinator's queue: engagements in one approval state (submitted by default) that the actor decides on, soonest first. */
export async function approvalQueue(actor: Actor, input: unknown = {}): Promise<Page<EngagementListItem>> {
  authorize(actor, "approvals.decide");
  const query = parseInput(approvalQueueQuery, input);
  const scope = forActor(actor);
  const decides = scope.unitAllows("approvals.decide", sql.ref("e.lead_unit_id"));
  const rows = await engagementColumns(scope, db())
    .where("e.approval", "=", query.state)
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
      .where(decides)
      .executeTakeFirstOrThrow();
    return Math.min(Number(result.n), cap + 1);
  });
  return { items: rows.map(presentEngagementListItem), ...counted, page: query.page, pageSize: query.pageSize };
}
