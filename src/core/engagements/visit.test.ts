import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import {
  actorAtCentre,
  actorIn,
  actorInFreshUnit,
  administrator,
  freshUnit,
  registryParty,
  unique,
} from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { listNotifications } from "../notifications/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { updateUnit } from "../units/service.ts";
import { engagementClashes, previewClashes } from "./alerts.ts";
import { approvalQueue, approveEngagement, cancelEngagement, returnEngagement, submitEngagement } from "./approvals.ts";
import { createEngagement, deleteEngagement, getEngagement, updateEngagement } from "./service.ts";

let database: Database;
let editor: Actor;
let coordinator: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  await importGeography(await administrator());
  editor = await actorInFreshUnit("editor");
  coordinator = await actorAtCentre("coordinator");
});
afterAll(() => database.close());

const inboundVisit = (overrides: Record<string, unknown> = {}) => ({
  type: "visit",
  direction: "received",
  status: "planned",
  titleZh: "越南共产党代表团来访",
  startDate: "2029-05-11",
  endDate: "2029-05-14",
  leadUnitId: editor.unitId,
  ...overrides,
});

describe("a visit as the desk officer records it", () => {
  it("takes a Chinese title alone, which stands in for the English one until one is given", async () => {
    const visit = await createEngagement(editor, inboundVisit());
    expect(visit.title).toEqual({ en: "越南共产党代表团来访", zh: "越南共产党代表团来访" });
    // The stand-in follows the Chinese title; an English title of its own does not.
    const renamed = await updateEngagement(editor, visit.id, { titleZh: "越共中央代表团来访" });
    expect(renamed.title).toEqual({ en: "越共中央代表团来访", zh: "越共中央代表团来访" });
    const english = await updateEngagement(editor, visit.id, { titleEn: "Visit of the CPV delegation" });
    expect((await updateEngagement(editor, visit.id, { titleZh: "越共代表团来访" })).title).toEqual({
      en: "Visit of the CPV delegation",
      zh: "越共代表团来访",
    });
    expect(english.title.en).toBe("Visit of the CPV delegation");
    // An English title alone is enough too; no title at all is refused on the Chinese field.
    expect((await createEngagement(editor, inboundVisit({ titleZh: null, titleEn: "Visit" }))).title).toEqual({ en: "Visit", zh: null });
    for (const titles of [{ titleZh: null }, { titleZh: "  ", titleEn: "" }]) {
      await expect(createEngagement(editor, inboundVisit(titles))).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ path: "titleZh" })] },
      });
    }
    await expect(updateEngagement(editor, visit.id, { titleZh: null, titleEn: null })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("keeps the itinerary with times and places, the delegation's size and interpreters; gifts go to the register", async () => {
    const details = {
      itinerary: [
        { date: "2029-05-11", time: "15:00", city: "北京", place: "首都国际机场", description: "抵京，副部长迎接" },
        { date: "2029-05-12", time: "上午", city: "北京", place: "人民大会堂", description: "会谈" },
      ],
      delegationSize: 3,
      interpreters: "阮氏兰（越语）",
    };
    const visit = await createEngagement(editor, inboundVisit({ details }));
    expect(visit.details).toMatchObject(details);
    expect((await getEngagement(editor, visit.id)).details).toMatchObject(details);
    for (const bad of [
      { delegationSize: 0 },
      // Gifts are the register's rows (src/core/gifts), not a list in the details.
      { gifts: [{ description: "Vase", given: true }] },
      { itinerary: [{ date: "2029-05-32", description: "x" }] },
    ]) {
      await expect(createEngagement(editor, inboundVisit({ details: bad }))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });
});

describe("cancel, not delete", () => {
  it("cancels an approved plan with its reason, tells the coordinators, and refuses the editor's delete", async () => {
    const visit = await createEngagement(editor, inboundVisit());
    await submitEngagement(editor, visit.id);
    await approveEngagement(coordinator, visit.id);
    await expect(deleteEngagement(editor, visit.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(cancelEngagement(editor, visit.id, {})).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(cancelEngagement(await actorInFreshUnit("editor"), visit.id, { reason: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(cancelEngagement(await actorIn(editor.unitId, "viewer"), visit.id, { reason: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const cancelled = await cancelEngagement(editor, visit.id, { reason: "来访推迟至明年" });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.approvalSteps.at(-1)).toMatchObject({ step: "cancelled", note: "来访推迟至明年", by: { id: editor.userId } });
    const news = await listNotifications(coordinator);
    const told = news.items.find((n) => n.engagementId === visit.id && n.kind === "engagement_cancelled");
    expect(told?.message.zh).toContain("来访推迟至明年");
    expect(told?.message.zh).toContain("2029年5月11日");
    const audit = await db()
      .selectFrom("auditLog")
      .select("action")
      .where("entity", "=", "engagement")
      .where("entityId", "=", String(visit.id))
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit.action).toBe("cancel");
    await expect(cancelEngagement(editor, visit.id, { reason: "again" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await approvalQueue(coordinator, { state: "approved" })).items.map((i) => i.id)).not.toContain(visit.id);
    // Those who decide on approvals may still delete it; a draft is the editor's to delete.
    await deleteEngagement(coordinator, visit.id);
    const draft = await createEngagement(editor, inboundVisit());
    await deleteEngagement(editor, draft.id);
    const done = await createEngagement(editor, inboundVisit({ status: "done", startDate: "2019-01-01", endDate: null }));
    await expect(cancelEngagement(editor, done.id, { reason: "x" })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("coordination", () => {
  it("warns of another unit's engagement with the same partner before and after saving, and in the queue", async () => {
    const partner = await registryParty(unique("Communist Party "), `越南共产党${unique()}`, "VNM");
    const bystander = await registryParty(unique("Other Party "), `老挝人民革命党${unique()}`, "LAO");
    const otherUnit = await freshUnit("Asia bureau");
    const other = await actorIn(otherUnit, "editor");
    const theirs = await createEngagement(other, {
      type: "talks",
      direction: "sent",
      subtype: "in_person",
      titleEn: "Talks in Hanoi",
      startDate: "2029-04-20",
      leadUnitId: otherUnit,
      status: "planned",
      participants: [{ organisationId: partner, role: "host" }],
    });
    // The form asks before saving: the other unit and its date, the partner; never the record.
    const preview = await previewClashes(editor, {
      organisationIds: `${partner},${bystander}`,
      startDate: "2029-05-11",
      leadUnitId: editor.unitId,
    });
    expect(preview).toEqual([
      {
        partner: { id: partner, name: expect.objectContaining({ zh: expect.stringContaining("越南共产党") }) },
        other: expect.objectContaining({
          id: null,
          title: null,
          startDate: "2029-04-20",
          unit: expect.objectContaining({ id: otherUnit }),
        }),
      },
    ]);
    expect(await previewClashes(editor, { organisationIds: String(partner), startDate: "2029-09-11", leadUnitId: editor.unitId })).toEqual(
      [],
    );
    // Its own unit's work is no clash.
    expect(await previewClashes(other, { organisationIds: String(partner), startDate: "2029-05-11", leadUnitId: otherUnit })).toEqual([]);
    for (const bad of [
      {},
      { organisationIds: "x", startDate: "2029-05-11", leadUnitId: 1 },
      { organisationIds: "1", startDate: "soon", leadUnitId: 1 },
    ]) {
      await expect(previewClashes(editor, bad)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }

    const visit = await createEngagement(editor, inboundVisit({ participants: [{ organisationId: partner, role: "guest" }] }));
    expect(await engagementClashes(editor, visit.id)).toEqual([
      expect.objectContaining({ other: expect.objectContaining({ id: null, startDate: "2029-04-20" }) }),
    ]);
    // The other side opens its own record from its notification, which names the partner, the unit and the date.
    const news = (await listNotifications(other)).items.find((n) => n.kind === "coordination_alert" && n.engagementId === theirs.id);
    expect(news?.message.zh).toMatch(/测试局拟于2029年5月11日与越南共产党.*交往/);
    expect(news?.message.en).toContain("11 May 2029");
    expect(await engagementClashes(other, theirs.id)).toEqual([
      expect.objectContaining({ other: expect.objectContaining({ id: null, startDate: "2029-05-11" }) }),
    ]);
    await expect(engagementClashes(await actorInFreshUnit("editor"), visit.id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    // The queue gives the coordinator what a decision needs.
    await submitEngagement(editor, visit.id);
    const item = (await approvalQueue(coordinator, { pageSize: 100 })).items.find((i) => i.id === visit.id);
    expect(item).toMatchObject({
      partners: [expect.objectContaining({ id: partner, country: expect.objectContaining({ code: "VNM" }) })],
      partnerCount: 1,
      submittedBy: { id: editor.userId },
      clashes: 1,
    });
    expect(Date.parse(item?.submittedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    // A coordinator sees the other side's record, which they may open.
    expect(await engagementClashes(coordinator, visit.id)).toEqual([
      expect.objectContaining({ other: expect.objectContaining({ id: theirs.id, title: { en: "Talks in Hanoi", zh: null } }) }),
    ]);

    // Restricted work is never a clash to the uncleared.
    await expect(updateEngagement(other, theirs.id, { classification: "restricted" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const restricted = await actorIn(otherUnit, "editor", { clearance: true });
    await updateEngagement(restricted, theirs.id, { classification: "restricted" });
    expect(await engagementClashes(editor, visit.id)).toEqual([]);
  });
});

describe("two-level approval", () => {
  it("has a unit's own coordinator endorse its plans before a coordinator above approves them, when the unit asks for two levels", async () => {
    const admin = await administrator();
    const unitId = await freshUnit("Two-level bureau");
    await expect(updateUnit(admin, unitId, { approvalLevels: 3 })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await updateUnit(admin, unitId, { approvalLevels: 2 })).approvalLevels).toBe(2);
    const officer = await actorIn(unitId, "editor");
    const head = await actorIn(unitId, "coordinator");
    const above = await actorAtCentre("coordinator");
    const plan = await createEngagement(officer, inboundVisit({ leadUnitId: unitId }));
    await submitEngagement(officer, plan.id);
    // The coordinator above waits for the unit; the unit head endorses.
    await expect(approveEngagement(above, plan.id)).rejects.toMatchObject({ code: "CONFLICT" });
    const endorsed = await approveEngagement(head, plan.id, { note: "同意，报中心审批" });
    expect(endorsed.approval).toBe("endorsed");
    expect((await listNotifications(above)).items.find((n) => n.engagementId === plan.id)?.message.zh).toContain("已经单位初审，待批准");
    await expect(approveEngagement(head, plan.id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await approvalQueue(above, { state: "endorsed", pageSize: 100 })).items.map((i) => i.id)).toContain(plan.id);
    const approved = await approveEngagement(above, plan.id);
    expect(approved.approval).toBe("approved");
    expect(approved.approvalSteps.map((s) => [s.step, s.by?.id])).toEqual([
      ["created", officer.userId],
      ["submitted", officer.userId],
      ["endorsed", head.userId],
      ["approved", above.userId],
    ]);
    // An endorsed plan can still be returned; an editor cannot delete it.
    const other = await createEngagement(officer, inboundVisit({ leadUnitId: unitId }));
    await submitEngagement(officer, other.id);
    await approveEngagement(head, other.id);
    await expect(deleteEngagement(officer, other.id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await returnEngagement(above, other.id, { note: "日程再议" })).approval).toBe("returned");
    // A unit of one level: its own coordinator approves at once.
    await updateUnit(admin, unitId, { approvalLevels: 1 });
    const single = await createEngagement(officer, inboundVisit({ leadUnitId: unitId }));
    await submitEngagement(officer, single.id);
    expect((await approveEngagement(head, single.id)).approval).toBe("approved");
  });
});

describe("talks during a visit", () => {
  it("links talks to the visit they took place during, both ways, one level deep, within what the reader may see", async () => {
    const visit = await createEngagement(editor, inboundVisit({ status: "done", startDate: "2025-05-11", endDate: "2025-05-14" }));
    const talks = await createEngagement(editor, {
      type: "talks",
      direction: "received",
      subtype: "in_person",
      titleZh: "与越共代表团会谈",
      startDate: "2025-05-12",
      leadUnitId: editor.unitId,
      partOfId: visit.id,
    });
    expect(talks.partOf).toEqual({ id: visit.id, title: visit.title });
    expect((await getEngagement(editor, visit.id)).parts).toEqual([
      { id: talks.id, title: { en: "与越共代表团会谈", zh: "与越共代表团会谈" }, type: "talks", startDate: "2025-05-12" },
    ]);
    for (const [partOfId, why] of [
      [talks.id, "not a visit or an event"],
      [424242424, "No engagement"],
    ] as const) {
      await expect(createEngagement(editor, { ...inboundVisit(), type: "talks", direction: "received", partOfId })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ path: "partOfId", message: expect.stringContaining(why) })] },
      });
    }
    await expect(updateEngagement(editor, visit.id, { partOfId: visit.id })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    const forum = await createEngagement(editor, {
      ...inboundVisit(),
      type: "event",
      direction: "hosted",
      subtype: "forum",
      status: "done",
      startDate: "2025-05-01",
    });
    await expect(updateEngagement(editor, visit.id, { partOfId: forum.id })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    // Another unit may not hang its work on a visit it cannot see.
    const stranger = await actorInFreshUnit("editor");
    await expect(
      createEngagement(stranger, {
        ...inboundVisit({ leadUnitId: stranger.unitId }),
        type: "talks",
        direction: "received",
        partOfId: visit.id,
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await updateEngagement(editor, talks.id, { partOfId: null })).partOf).toBeNull();
  });
});
