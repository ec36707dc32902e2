import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import { notifyUsers } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError } from "../shared/errors.ts";
import { mutate } from "../shared/mutation.ts";
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
import { engagementVisible, lockEditable, recordStep } from "./service.ts";
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
    byLeadUnit: boolean;
    needsDone?: boolean;
  },
): Promise<EngagementDetail> {
  const id = parseInput(idSchema, engagementId);
  return mutate(actor, async (trx) => {
    // The lead unit submits and reports; coordinators, who see every unit, decide.
    const row = await lockEditable(trx, actor, id, { leadUnitOnly: move.byLeadUnit });
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
    await trx.updateTable("engagements").set({ approval: move.to, updatedAt: new Date() }).where("id", "=", id).execute();
    await recordStep(trx, actor, id, move.step, move.note);
    const title = { en: row.titleEn, zh: row.titleZh ?? row.titleEn };
    if (move.step === "submitted") {
      await notifyUsers(
        trx,
        actor,
        { roles: ["coordinator", "administrator"], unitIds: null },
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
        { roles: ["editor", "coordinator", "administrator"], unitIds: [row.leadUnitId] },
        {
          kind: approved ? "approval_approved" : "approval_returned",
          engagementId: id,
          en: `${approved ? "Approved" : "Returned"}: ${title.en}${move.note ? ` — ${move.note}` : ""}`,
          zh: `${approved ? "已批准" : "已退回"}：${title.zh}${move.note ? `——${move.note}` : ""}`,
        },
      );
    }
    const detail = await engagementDetailQuery(trx, id, (alias) => engagementVisible(actor, alias)).executeTakeFirstOrThrow();
    const result = presentEngagement(detail);
    return {
      result,
      audit: {
        entity: "engagement",
        entityId: id,
        action: move.step,
        before: { approval: row.approval },
        after: { approval: move.to, note: move.note },
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
    byLeadUnit: true,
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
    byLeadUnit: false,
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
    byLeadUnit: false,
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
    byLeadUnit: true,
    needsDone: true,
  });
}

/** The coordinator's queue: engagements in one approval state (submitted by default), soonest first. */
export async function approvalQueue(actor: Actor, input: unknown = {}): Promise<Page<EngagementListItem>> {
  authorize(actor, "approvals.decide");
  const query = parseInput(approvalQueueQuery, input);
  const rows = await engagementColumns(db())
    .where("e.approval", "=", query.state)
    .where(engagementVisible(actor))
    .orderBy("e.startDate")
    .orderBy("e.id")
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const counted = await pageTotal(query, rows.length, async (cap) => {
    const result = await db()
      .selectFrom("engagements as e")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("e.approval", "=", query.state)
      .where(engagementVisible(actor))
      .executeTakeFirstOrThrow();
    return Math.min(Number(result.n), cap + 1);
  });
  return { items: rows.map(presentEngagementListItem), ...counted, page: query.page, pageSize: query.pageSize };
}
