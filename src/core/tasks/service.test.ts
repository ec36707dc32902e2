import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, freshUnit } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement } from "../engagements/service.ts";
import { listNotifications } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { createTask, deleteTask, listAssignees, listTasks, notifyOverdueTasks, updateTask } from "./service.ts";

let database: Database;
let unitId: number;
let editor: Actor;
let colleague: Actor;
let viewer: Actor;
let stranger: Actor;
let partner: number;
let visitId: number;

beforeAll(async () => {
  database = await openTestDatabase();
  unitId = await freshUnit("Asia bureau");
  editor = await actorIn(unitId, "editor");
  colleague = await actorIn(unitId, "editor");
  viewer = await actorIn(unitId, "viewer");
  stranger = await actorInFreshUnit("editor");
  partner = (
    await db()
      .insertInto("organisations")
      .values({ kind: "political_party", nameEn: "Task Party", nameZh: "任务党" })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  visitId = (
    await createEngagement(editor, {
      type: "visit",
      direction: "received",
      titleZh: "任务党代表团来访",
      startDate: "2026-03-02",
      leadUnitId: unitId,
      participants: [{ organisationId: partner, role: "delegation_leader" }],
    })
  ).id;
});
afterAll(() => database.close());

describe("follow-up tasks", () => {
  it("gives a visit's task to a colleague, who is told and finds it among theirs; other units never see it", async () => {
    const task = await createTask(editor, { engagementId: visitId, title: "发送感谢信", ownerId: colleague.userId, dueDate: "2026-03-09" });
    expect(task).toMatchObject({
      title: "发送感谢信",
      status: "open",
      unit: { id: unitId },
      owner: { id: colleague.userId },
      engagement: { id: visitId, title: { zh: "任务党代表团来访" } },
      editable: true,
    });
    const told = (await listNotifications(colleague)).items.find((n) => n.taskId === task.id);
    expect(told).toMatchObject({ kind: "task_assigned", engagementId: visitId });
    expect(told?.message.zh).toBe("交办事项：发送感谢信（任务党代表团来访），2026年3月9日前完成。");
    expect((await listTasks(colleague, { mine: "true" })).map((t) => t.id)).toContain(task.id);
    expect((await listTasks(editor, { mine: "true" })).map((t) => t.id)).not.toContain(task.id);
    expect((await listTasks(viewer, { engagementId: visitId })).map((t) => ({ id: t.id, editable: t.editable }))).toEqual([
      { id: task.id, editable: false },
    ]);
    // Another unit: nothing to see, nothing to touch; a viewer reads but does not change.
    expect(await listTasks(stranger, { engagementId: visitId })).toEqual([]);
    await expect(createTask(stranger, { engagementId: visitId, title: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(updateTask(stranger, task.id, { status: "done" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(updateTask(viewer, task.id, { status: "done" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createTask(viewer, { engagementId: visitId, title: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // The owner must be someone of the unit.
    await expect(createTask(editor, { engagementId: visitId, title: "x", ownerId: stranger.userId })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [expect.objectContaining({ path: "ownerId" })] },
    });
    expect((await listAssignees(editor, { engagementId: visitId })).map((u) => u.id)).toEqual(
      expect.arrayContaining([editor.userId, colleague.userId, viewer.userId]),
    );
    expect((await listAssignees(editor, { engagementId: visitId })).map((u) => u.id)).not.toContain(stranger.userId);
    await expect(listAssignees(stranger, { engagementId: visitId })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const done = await updateTask(colleague, task.id, { status: "done" });
    expect(done.status).toBe("done");
    expect(done.completedAt).not.toBeNull();
    expect((await listTasks(colleague, { mine: "true" })).map((t) => t.id)).not.toContain(task.id);
    expect((await listTasks(colleague, { mine: "true", status: "all" })).map((t) => t.id)).toContain(task.id);
    const audit = await db()
      .selectFrom("auditLog")
      .select("action")
      .where("entity", "=", "task")
      .where("entityId", "=", String(task.id))
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "update"]);
  });

  it("keeps a partner's tasks with those of its engagements, and refuses a task on nothing or on both", async () => {
    const onPartner = await createTask(editor, { organisationId: partner, title: "准备背景材料" });
    expect(onPartner.unit.id).toBe(unitId);
    const onVisit = await createTask(editor, { engagementId: visitId, title: "整理会谈纪要" });
    const ids = (await listTasks(editor, { organisationId: partner })).map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining([onPartner.id, onVisit.id]));
    expect(await listTasks(stranger, { organisationId: partner })).toEqual([]);
    for (const bad of [
      { title: "x" },
      { title: "x", engagementId: visitId, organisationId: partner },
      { engagementId: visitId, title: "" },
    ]) {
      await expect(createTask(editor, bad)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    await expect(createTask(editor, { organisationId: 424242424, title: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await deleteTask(editor, onPartner.id);
    await expect(updateTask(editor, onPartner.id, { title: "y" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("tells the owner once when a task falls overdue, and again after a new due date passes", async () => {
    const task = await createTask(editor, {
      engagementId: visitId,
      title: "报送出访总结",
      ownerId: colleague.userId,
      dueDate: "2026-04-01",
    });
    const overdue = (n: { taskId: number | null; kind: string }) => n.taskId === task.id && n.kind === "task_overdue";
    expect(await notifyOverdueTasks(db(), "2026-04-01")).toBe(0);
    expect(await notifyOverdueTasks(db(), "2026-04-02")).toBeGreaterThanOrEqual(1);
    expect(await notifyOverdueTasks(db(), "2026-04-03")).toBe(0);
    const first = (await listNotifications(colleague)).items.filter(overdue);
    expect(first).toHaveLength(1);
    expect(first[0]?.message.zh).toBe("已逾期（2026年4月1日到期）：报送出访总结");
    expect(first[0]?.message.en).toBe("Overdue since 1 April 2026: 报送出访总结");
    await updateTask(editor, task.id, { dueDate: "2026-05-01" });
    expect(await notifyOverdueTasks(db(), "2026-04-20")).toBe(0);
    await notifyOverdueTasks(db(), "2026-05-02");
    expect((await listNotifications(colleague)).items.filter(overdue)).toHaveLength(2);
    // A task done before its day is never overdue.
    const early = await createTask(editor, { engagementId: visitId, title: "x", ownerId: colleague.userId, dueDate: "2026-06-01" });
    await updateTask(colleague, early.id, { status: "done" });
    await notifyOverdueTasks(db(), "2026-07-01");
    expect((await listNotifications(colleague)).items.filter((n) => n.taskId === early.id && n.kind === "task_overdue")).toEqual([]);
  });

  it("hides the tasks of restricted work from the uncleared, and gives restricted tasks only to the cleared", async () => {
    const cleared = await actorIn(unitId, "editor", { clearance: true });
    const secret = await createEngagement(cleared, {
      type: "talks",
      direction: "none",
      titleEn: "Closed talks",
      startDate: "2026-05-05",
      leadUnitId: unitId,
      classification: "restricted",
    });
    const task = await createTask(cleared, { engagementId: secret.id, title: "Brief the leadership", ownerId: cleared.userId });
    expect(await listTasks(editor, { engagementId: secret.id })).toEqual([]);
    expect((await listTasks(cleared, { engagementId: secret.id })).map((t) => t.id)).toEqual([task.id]);
    await expect(updateTask(editor, task.id, { status: "done" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      createTask(cleared, { organisationId: partner, title: "Restricted", classification: "restricted", ownerId: editor.userId }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(createTask(editor, { organisationId: partner, title: "Restricted", classification: "restricted" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
