import { type Kysely, sql } from "kysely";
import { db } from "../../db/current.ts";
import type { DB } from "../../db/types.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { assertMayClassify, authorize } from "../access/policy.ts";
import { grantReachesUnits, notifyUser } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { today } from "../shared/dates.ts";
import { invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, ownedBy, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { chineseDate, cleanMultiline, cleanText, englishDate } from "../shared/text.ts";
import { assigneeQuery, type TaskOutput, taskCreateInput, taskListQuery, taskUpdateInput } from "./schema.ts";

function taskRows(executor: Executor, scope: DataContext) {
  return scope
    .tasks(executor)
    .innerJoin("units as u", "u.id", "t.unitId")
    .leftJoin("users as owner", "owner.id", "t.ownerId")
    .leftJoin("users as by", "by.id", "t.createdBy")
    .leftJoin("engagements as e", "e.id", "t.engagementId")
    .leftJoin("organisations as o", "o.id", "t.organisationId")
    .select([
      "t.id",
      "t.title",
      "t.note",
      "t.status",
      "t.dueDate",
      "t.classification",
      "t.createdAt",
      "t.completedAt",
      "u.id as unitId",
      "u.nameEn as unitEn",
      "u.nameZh as unitZh",
      "owner.id as ownerId",
      "owner.displayName as ownerName",
      "by.id as byId",
      "by.displayName as byName",
      "e.id as engagementId",
      "e.titleEn as engagementEn",
      "e.titleZh as engagementZh",
      "e.startDate as engagementDate",
      "o.id as organisationId",
      "o.nameEn as organisationEn",
      "o.nameZh as organisationZh",
      scope.unitAllows("tasks.write", sql.ref("t.unit_id")).as("editable"),
    ]);
}
type TaskRow = Awaited<ReturnType<ReturnType<typeof taskRows>["executeTakeFirstOrThrow"]>>;

function presentTask(row: TaskRow, on = today()): TaskOutput {
  const due = row.dueDate ? String(row.dueDate).slice(0, 10) : null;
  return {
    id: row.id,
    title: row.title,
    note: row.note,
    status: row.status,
    dueDate: due,
    overdue: row.status === "open" && due !== null && due < on,
    classification: row.classification,
    unit: { id: row.unitId, name: { en: row.unitEn, zh: row.unitZh } },
    owner: row.ownerId !== null && row.ownerName !== null ? { id: row.ownerId, name: row.ownerName } : null,
    engagement:
      row.engagementId !== null && row.engagementEn !== null
        ? { id: row.engagementId, title: { en: row.engagementEn, zh: row.engagementZh }, startDate: String(row.engagementDate) }
        : null,
    organisation:
      row.organisationId !== null && row.organisationEn !== null
        ? { id: row.organisationId, name: { en: row.organisationEn, zh: row.organisationZh } }
        : null,
    createdBy: row.byId !== null && row.byName !== null ? { id: row.byId, name: row.byName } : null,
    createdAt: new Date(row.createdAt).toISOString(),
    completedAt: row.completedAt ? new Date(row.completedAt).toISOString() : null,
    editable: row.editable,
  };
}

async function loadTask(executor: Executor, scope: DataContext, taskId: number): Promise<TaskOutput> {
  const row = await taskRows(executor, scope).where("t.id", "=", taskId).executeTakeFirst();
  if (!row) throw notFound("task", taskId);
  return presentTask(row);
}

/** A task as the audit files it: under its unit, with its classification. */
const ownership = (t: TaskOutput) => ({ unitId: t.unit.id, classification: t.classification });

/**
 * The users who may be given a unit's tasks: those holding a role in the unit, or above it over
 * its sub-units, and the administrators; for restricted work, only the cleared.
 */
function usersReachingUnit(executor: Executor, unitId: number, restricted: boolean) {
  return sql<{ id: number; name: string }>`SELECT DISTINCT u.id, u.display_name AS name
    FROM users u JOIN user_roles r ON r.user_id = u.id
    WHERE NOT u.disabled AND (${restricted ? sql`u.clearance` : sql`true`}) AND ${grantReachesUnits([unitId])}
    ORDER BY name`.execute(executor);
}

async function assertOwner(executor: Executor, ownerId: number | null | undefined, unitId: number, restricted: boolean): Promise<void> {
  if (!ownerId) return;
  const users = await usersReachingUnit(executor, unitId, restricted);
  if (!users.rows.some((u) => u.id === ownerId))
    throw invalidField("ownerId", "The owner must hold a role in the task's unit (and clearance, for restricted work).");
}

/** Tells a task's new owner, unless they gave it to themselves. */
async function tellOwner(trx: Trx, actor: Actor, task: TaskOutput): Promise<void> {
  if (!task.owner || task.owner.id === actor.userId) return;
  const due = task.dueDate ? { en: `, due ${englishDate(task.dueDate)}`, zh: `，${chineseDate(task.dueDate)}前完成` } : { en: "", zh: "" };
  const about = task.engagement?.title ?? task.organisation?.name ?? null;
  await notifyUser(trx, task.owner.id, {
    kind: "task_assigned",
    engagementId: task.engagement?.id ?? null,
    taskId: task.id,
    en: `A task for you: ${task.title}${about ? ` (${about.en})` : ""}${due.en}.`,
    zh: `交办事项：${task.title}${about ? `（${about.zh ?? about.en}）` : ""}${due.zh}。`,
  });
}

/**
 * Records a follow-up task on an engagement (it belongs to the engagement's lead unit) or on a
 * partner (it belongs to the unit named, or the actor's first where they may write), with its
 * owner and due date; the owner is told.
 */
export async function createTask(actor: Actor, input: unknown): Promise<TaskOutput> {
  authorize(actor, "tasks.write");
  const data = parseInput(taskCreateInput, input);
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    let unitId: number;
    if (data.engagementId) {
      const engagement = await scope
        .engagements(trx)
        .select(["e.leadUnitId", "e.classification"])
        .where("e.id", "=", data.engagementId)
        .executeTakeFirst();
      if (!engagement) throw notFound("engagement", data.engagementId);
      unitId = engagement.leadUnitId;
    } else {
      const organisation = await trx
        .selectFrom("organisations")
        .select("id")
        .where("id", "=", data.organisationId as number)
        .executeTakeFirst();
      if (!organisation) throw notFound("organisation", data.organisationId as number);
      unitId = data.unitId ?? scope.defaultUnit("tasks.write");
    }
    await scope.assertUnitAllows(trx, "tasks.write", unitId, data.engagementId ? "engagementId" : "unitId");
    await assertOwner(trx, data.ownerId, unitId, data.classification === "restricted");
    const row = await trx
      .insertInto("tasks")
      .values({
        unitId,
        engagementId: data.engagementId ?? null,
        organisationId: data.engagementId ? null : (data.organisationId ?? null),
        title: cleanText(data.title) ?? data.title,
        note: cleanMultiline(data.note),
        ownerId: data.ownerId ?? null,
        dueDate: data.dueDate ?? null,
        classification: data.classification,
        createdBy: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const result = await loadTask(trx, scope, row.id);
    await tellOwner(trx, actor, result);
    return { result, audit: { entity: "task", entityId: row.id, action: "create", after: result, ...ownedBy(ownership(result)) } };
  });
}

/** Changes a task: its title, note, owner, due date, status (done or dropped) or classification. */
export async function updateTask(actor: Actor, taskId: number, input: unknown): Promise<TaskOutput> {
  authorize(actor, "tasks.write");
  const id = parseInput(idSchema, taskId);
  const data = parseInput(taskUpdateInput, input);
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    const current = await scope.lockTask(trx, id, "tasks.write");
    const before = await loadTask(trx, scope, id);
    const restricted = (data.classification ?? current.classification) === "restricted";
    if (data.ownerId !== undefined || data.classification !== undefined)
      await assertOwner(trx, data.ownerId === undefined ? current.ownerId : data.ownerId, current.unitId, restricted);
    const completing = data.status !== undefined && data.status !== "open" && current.status === "open";
    await scope
      .updateTasks(trx, "tasks.write")
      .set({
        ...(data.title !== undefined ? { title: cleanText(data.title) ?? data.title } : {}),
        ...(data.note !== undefined ? { note: cleanMultiline(data.note) } : {}),
        ...(data.ownerId !== undefined ? { ownerId: data.ownerId } : {}),
        // A new due date is a new chance to be reminded.
        ...(data.dueDate !== undefined ? { dueDate: data.dueDate, overdueNotifiedAt: null } : {}),
        ...(data.status !== undefined ? { status: data.status } : {}),
        ...(completing ? { completedAt: new Date() } : data.status === "open" ? { completedAt: null } : {}),
        ...(data.classification !== undefined ? { classification: data.classification } : {}),
        updatedAt: new Date(),
      })
      .where("x.id", "=", id)
      .execute();
    const after = await loadTask(trx, scope, id);
    if (data.ownerId !== undefined && data.ownerId !== current.ownerId) await tellOwner(trx, actor, after);
    return {
      result: after,
      audit: { entity: "task", entityId: id, action: "update", before, after, ...ownedBy(ownership(before), ownership(after)) },
    };
  });
}

/** Removes a task (a mistaken one: a task no longer needed is dropped, and stays on the record). */
export async function deleteTask(actor: Actor, taskId: number): Promise<void> {
  authorize(actor, "tasks.write");
  const id = parseInput(idSchema, taskId);
  const scope = forActor(actor);
  await mutate(actor, async (trx) => {
    await scope.lockTask(trx, id, "tasks.write");
    const before = await loadTask(trx, scope, id);
    await scope.deleteTasks(trx, "tasks.write").where("x.id", "=", id).execute();
    return { result: undefined, audit: { entity: "task", entityId: id, action: "delete", before, ...ownedBy(ownership(before)) } };
  });
}

/** Tasks the actor may read: their own, an engagement's, a partner's (with its engagements'), open by default, soonest due first. */
export async function listTasks(actor: Actor, input: unknown = {}): Promise<TaskOutput[]> {
  authorize(actor, "tasks.read");
  const query = parseInput(taskListQuery, input);
  const on = today();
  let rows = taskRows(db(), forActor(actor));
  if (query.mine === "true") rows = rows.where("t.ownerId", "=", actor.userId);
  if (query.engagementId) rows = rows.where("t.engagementId", "=", query.engagementId);
  if (query.organisationId) {
    const organisationId = query.organisationId;
    rows = rows.where((eb) =>
      eb.or([
        eb("t.organisationId", "=", organisationId),
        eb.exists(
          eb
            .selectFrom("engagementParticipants as p")
            .select("p.id")
            .whereRef("p.engagementId", "=", "t.engagementId")
            .where("p.organisationId", "=", organisationId),
        ),
      ]),
    );
  }
  if (query.status !== "all") rows = rows.where("t.status", "=", query.status);
  if (query.overdue === "true") rows = rows.where("t.status", "=", "open").where("t.dueDate", "<", on);
  const found = await rows
    .orderBy("t.dueDate", (order) => order.asc().nullsLast())
    .orderBy("t.id", "desc")
    .limit(query.limit)
    .execute();
  return found.map((row) => presentTask(row, on));
}

/** Who may be given a task of this engagement's (or unit's) own: for the owner picker. */
export async function listAssignees(actor: Actor, input: unknown): Promise<Array<{ id: number; name: string }>> {
  authorize(actor, "tasks.write");
  const query = parseInput(assigneeQuery, input);
  const scope = forActor(actor);
  let unitId = query.unitId ?? scope.defaultUnit("tasks.write");
  let restricted = false;
  if (query.engagementId) {
    const engagement = await scope
      .engagements(db())
      .select(["e.leadUnitId", "e.classification"])
      .where("e.id", "=", query.engagementId)
      .executeTakeFirst();
    if (!engagement) throw notFound("engagement", query.engagementId);
    unitId = engagement.leadUnitId;
    restricted = engagement.classification === "restricted";
  }
  await scope.assertUnitAllows(db(), "tasks.write", unitId, "unitId");
  return (await usersReachingUnit(db(), unitId, restricted)).rows;
}

/**
 * Tells each owner, once, of their open tasks that have passed their due date (run at start and
 * every hour by the server; a new due date allows one more reminder). Gives how many were told.
 */
export async function notifyOverdueTasks(database: Kysely<DB> = db(), on: string = today()): Promise<number> {
  return database.transaction().execute(async (trx) => {
    const due = await trx
      .updateTable("tasks")
      .set({ overdueNotifiedAt: new Date() })
      .where("status", "=", "open")
      .where("dueDate", "<", on)
      .where("overdueNotifiedAt", "is", null)
      .where("ownerId", "is not", null)
      .returning(["id", "ownerId", "engagementId", "title", "dueDate"])
      .execute();
    if (due.length === 0) return 0;
    const owners = await trx
      .selectFrom("users")
      .select("id")
      .where("id", "in", [...new Set(due.map((t) => t.ownerId as number))])
      .where("disabled", "=", false)
      .execute();
    const enabled = new Set(owners.map((o) => o.id));
    // Dated as every other message is (chineseDate, englishDate), not by the database's own wording.
    const told = due
      .filter((t) => enabled.has(t.ownerId as number))
      .map((t) => {
        const date = String(t.dueDate).slice(0, 10);
        return {
          userId: t.ownerId as number,
          kind: "task_overdue" as const,
          engagementId: t.engagementId,
          taskId: t.id,
          messageEn: `Overdue since ${englishDate(date)}: ${t.title}`,
          messageZh: `已逾期（${chineseDate(date)}到期）：${t.title}`,
        };
      });
    if (told.length > 0) await trx.insertInto("notifications").values(told).execute();
    return told.length;
  });
}
