import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorInFreshUnit } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { listNotifications, markNotificationsRead } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { listCoordinationAlerts } from "./alerts.ts";
import { approvalQueue, approveEngagement, reportEngagement, returnEngagement, submitEngagement } from "./approvals.ts";
import { createEngagement, getEngagement, updateEngagement } from "./service.ts";

let database: Database;
let editor: Actor;
let coordinator: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  editor = await actorInFreshUnit("editor");
  coordinator = await actorAtCentre("coordinator");
});
afterAll(() => database.close());

const plannedVisit = (overrides: Record<string, unknown> = {}) => ({
  type: "visit",
  direction: "sent",
  status: "planned",
  titleEn: "Delegation to the region",
  startDate: "2027-03-01",
  leadUnitId: editor.unitId,
  ...overrides,
});

describe("approvals", () => {
  it("takes a planned visit from draft through submission, return, approval and done to reported", async () => {
    const visit = await createEngagement(editor, plannedVisit());
    expect(visit.approval).toBe("draft");
    await expect(updateEngagement(editor, visit.id, { status: "done" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(reportEngagement(editor, visit.id, { note: "x" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(approveEngagement(coordinator, visit.id)).rejects.toMatchObject({ code: "CONFLICT" });

    expect((await submitEngagement(editor, visit.id, { note: "Please approve" })).approval).toBe("submitted");
    await expect(approveEngagement(editor, visit.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const queue = await approvalQueue(coordinator);
    expect(queue.items.map((i) => i.id)).toContain(visit.id);
    await expect(approvalQueue(editor)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(returnEngagement(coordinator, visit.id, {})).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await returnEngagement(coordinator, visit.id, { note: "Add the itinerary" })).approval).toBe("returned");
    await expect(updateEngagement(editor, visit.id, { status: "done" })).rejects.toMatchObject({ code: "CONFLICT" });
    await submitEngagement(editor, visit.id);
    expect((await approveEngagement(coordinator, visit.id)).approval).toBe("approved");
    await expect(reportEngagement(editor, visit.id, { note: "Report" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await updateEngagement(editor, visit.id, { status: "done" })).status).toBe("done");
    const reported = await reportEngagement(editor, visit.id, { note: "Three meetings; an exchange programme agreed." });
    expect(reported.approval).toBe("reported");
    expect(reported.approvalSteps.map((s) => [s.step, s.by?.id])).toEqual([
      ["created", editor.userId],
      ["submitted", editor.userId],
      ["returned", coordinator.userId],
      ["submitted", editor.userId],
      ["approved", coordinator.userId],
      ["done", editor.userId],
      ["reported", editor.userId],
    ]);
    expect(reported.approvalSteps[2]?.note).toBe("Add the itinerary");
    const audit = await db()
      .selectFrom("auditLog")
      .select("action")
      .where("entity", "=", "engagement")
      .where("entityId", "=", String(visit.id))
      .orderBy("id")
      .execute();
    // The coordinator heard of both submissions, the unit's editor of the return and the approval.
    const coordinatorNews = await listNotifications(coordinator);
    expect(coordinatorNews.items.filter((n) => n.engagementId === visit.id).map((n) => n.kind)).toEqual([
      "approval_submitted",
      "approval_submitted",
    ]);
    const colleague = await actorInFreshUnit("editor");
    await db().insertInto("userRoles").values({ userId: colleague.userId, unitId: editor.unitId, role: "editor" }).execute();
    expect((await listNotifications(colleague)).items).toEqual([]);
    const editorNews = await listNotifications(editor);
    expect(editorNews.items.filter((n) => n.engagementId === visit.id).map((n) => n.kind)).toEqual([
      "approval_approved",
      "approval_returned",
    ]);
    expect(editorNews.items.find((n) => n.kind === "approval_returned")?.message.zh).toContain("Add the itinerary");
    expect(editorNews.unread).toBeGreaterThanOrEqual(2);
    await markNotificationsRead(editor, editorNews.items[0]?.id);
    expect((await listNotifications(editor)).unread).toBe(editorNews.unread - 1);
    await markNotificationsRead(editor);
    expect((await listNotifications(editor)).unread).toBe(0);
    await expect(markNotificationsRead(coordinator, editorNews.items[0]?.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // One audit row per committed step; the refused ones left none.
    expect(audit.map((a) => a.action)).toEqual(["create", "submitted", "returned", "submitted", "approved", "update", "reported"]);
  });

  it("leaves out what needs no approval: records of past work, talks, events attended", async () => {
    const past = await createEngagement(editor, plannedVisit({ status: "done", startDate: "2019-03-01" }));
    expect(past.approval).toBeNull();
    await expect(submitEngagement(editor, past.id)).rejects.toMatchObject({ code: "CONFLICT" });
    const talks = await createEngagement(editor, plannedVisit({ type: "talks", direction: "none" }));
    expect(talks.approval).toBeNull();
    expect((await updateEngagement(editor, talks.id, { status: "done" })).status).toBe("done");
    const attended = await createEngagement(editor, plannedVisit({ type: "event", direction: "attended", subtype: "forum" }));
    expect(attended.approval).toBeNull();
    const hosted = await createEngagement(editor, plannedVisit({ type: "event", direction: "hosted", subtype: "seminar" }));
    expect(hosted.approval).toBe("draft");
  });

  it("lets only the lead unit submit and report, and shows others nothing", async () => {
    const visit = await createEngagement(editor, plannedVisit());
    const stranger = await actorInFreshUnit("editor");
    await expect(submitEngagement(stranger, visit.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const viewer = await actorInFreshUnit("viewer");
    await expect(submitEngagement(viewer, visit.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await getEngagement(editor, visit.id)).approval).toBe("draft");
  });

  it("alerts both units when they engage one partner close together, showing each only what it may open", async () => {
    const partner = (
      await db()
        .insertInto("organisations")
        .values({ kind: "political_party", nameEn: "Shared partner" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const other = await actorInFreshUnit("editor");
    const planned = await createEngagement(
      editor,
      plannedVisit({ startDate: "2028-03-01", participants: [{ organisationId: partner, role: "host" }] }),
    );
    const theirs = await createEngagement(other, {
      type: "talks",
      direction: "received",
      subtype: "in_person",
      titleEn: "Talks",
      startDate: "2028-01-15",
      leadUnitId: other.unitId,
      participants: [{ organisationId: partner, role: "guest" }],
    });
    const mine = (await listCoordinationAlerts(editor)).filter((a) => a.partner.id === partner);
    expect(mine).toEqual([
      expect.objectContaining({
        planned: expect.objectContaining({ id: planned.id }),
        other: expect.objectContaining({ id: null, unit: expect.objectContaining({ id: other.unitId }) }),
      }),
    ]);
    const yours = (await listCoordinationAlerts(other)).filter((a) => a.partner.id === partner);
    expect(yours).toEqual([
      expect.objectContaining({ planned: expect.objectContaining({ id: null }), other: expect.objectContaining({ id: theirs.id }) }),
    ]);
    expect((await listCoordinationAlerts(await actorInFreshUnit("editor"))).filter((a) => a.partner.id === partner)).toEqual([]);
    expect((await listCoordinationAlerts(editor, { windowDays: 30 })).filter((a) => a.partner.id === partner)).toEqual([]);
    // A second plan by the first unit tells the other unit at once, pointing at the other
    // unit's own engagement: a notification never carries a record its reader cannot open.
    await createEngagement(editor, plannedVisit({ startDate: "2028-02-01", participants: [{ organisationId: partner, role: "host" }] }));
    const told = await listNotifications(other);
    expect(told.items.map((n) => [n.kind, n.engagementId])).toContainEqual(["coordination_alert", theirs.id]);
    for (const n of told.items) if (n.engagementId !== null) await getEngagement(other, n.engagementId);
    await updateEngagement(other, theirs.id, { status: "cancelled" });
    expect((await listCoordinationAlerts(editor)).filter((a) => a.partner.id === partner)).toEqual([]);
    await expect(listCoordinationAlerts(editor, { windowDays: 0 })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
