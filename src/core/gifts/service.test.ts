import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorIn, actorInFreshUnit, freshUnit } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { approveEngagement, submitEngagement } from "../engagements/approvals.ts";
import { createEngagement, deleteEngagement, getEngagement } from "../engagements/service.ts";
import type { Actor } from "../shared/actor.ts";
import { shareRecord } from "../sharing/service.ts";
import { createGift, deleteGift, listGifts, prepareGiftRegister, updateGift } from "./service.ts";

let database: Database;
let unitId: number;
let editor: Actor;
let viewer: Actor;
let coordinator: Actor;
let stranger: Actor;
let visitId: number;

const visit = (overrides: Record<string, unknown> = {}) => ({
  type: "visit",
  direction: "received",
  status: "planned",
  titleZh: "礼品党代表团来访",
  startDate: "2028-06-02",
  endDate: "2028-06-05",
  leadUnitId: unitId,
  ...overrides,
});

beforeAll(async () => {
  database = await openTestDatabase();
  unitId = await freshUnit("Gifts bureau");
  editor = await actorIn(unitId, "editor");
  viewer = await actorIn(unitId, "viewer");
  coordinator = await actorAtCentre("coordinator");
  stranger = await actorInFreshUnit("editor");
  visitId = (await createEngagement(editor, visit())).id;
});
afterAll(() => database.close());

const auditRows = (giftId: number) =>
  db()
    .selectFrom("auditLog")
    .select(["action", "unitId", "restricted", "actorId"])
    .where("entity", "=", "gift")
    .where("entityId", "=", String(giftId))
    .orderBy("id")
    .execute();

describe("the gifts register", () => {
  it("goes with a deleted engagement, each gift's removal audited under the lead unit", async () => {
    const draft = await createEngagement(editor, visit({ titleZh: "误录来访" }));
    const gift = await createGift(editor, { engagementId: draft.id, given: true, description: "误录礼品" });
    await deleteEngagement(editor, draft.id);
    expect(await listGifts(editor, { engagementId: draft.id })).toEqual([]);
    expect((await auditRows(gift.id)).map((r) => [r.action, r.unitId])).toEqual([
      ["create", unitId],
      ["delete", unitId],
    ]);
  });

  it("records gifts given and received on an approved visit without reopening it, each change audited under the lead unit", async () => {
    await submitEngagement(editor, visitId);
    await approveEngagement(coordinator, visitId);
    const vase = await createGift(editor, {
      engagementId: visitId,
      given: true,
      description: " 景泰蓝花瓶\u200b ",
      valueBand: "modest",
      giver: "部长",
      recipient: "代表团团长",
    });
    expect(vase).toMatchObject({
      given: true,
      description: "景泰蓝花瓶",
      valueBand: "modest",
      recipient: "代表团团长",
      giftDate: "2028-06-02",
      engagement: { id: visitId, title: { zh: "礼品党代表团来访" } },
      unit: { id: unitId },
      createdBy: { id: editor.userId },
      editable: true,
    });
    const painting = await createGift(editor, {
      engagementId: visitId,
      given: false,
      description: "Lacquer painting",
      valueBand: "substantial",
      giftDate: "2028-06-04",
    });
    const handled = await updateGift(editor, painting.id, { handling: "handed_in", recipient: "副部长" });
    expect(handled).toMatchObject({ handling: "handed_in", recipient: "副部长", giftDate: "2028-06-04" });
    // The plan stays approved: a gift is a record of what happened, not a change of plan.
    expect((await getEngagement(editor, visitId)).approval).toBe("approved");
    expect((await listGifts(editor, { engagementId: visitId })).map((g) => g.description)).toEqual(["Lacquer painting", "景泰蓝花瓶"]);
    await deleteGift(editor, vase.id);
    expect((await listGifts(editor, { engagementId: visitId })).map((g) => g.id)).toEqual([painting.id]);
    expect(await auditRows(vase.id)).toEqual([
      { action: "create", unitId, restricted: false, actorId: editor.userId },
      { action: "delete", unitId, restricted: false, actorId: editor.userId },
    ]);
    expect((await auditRows(painting.id)).map((r) => r.action)).toEqual(["create", "update"]);
    // A coordinator above the unit keeps the register too.
    expect((await listGifts(coordinator, { engagementId: visitId })).map((g) => g.editable)).toEqual([true]);
  });

  it("is the lead unit's: a viewer, another unit, and a unit the visit is shared with neither read nor change it", async () => {
    const gift = await createGift(editor, { engagementId: visitId, given: true, description: "茶叶" });
    await expect(listGifts(viewer, { engagementId: visitId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createGift(viewer, { engagementId: visitId, given: true, description: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await listGifts(stranger, { engagementId: visitId })).toEqual([]);
    await expect(createGift(stranger, { engagementId: visitId, given: true, description: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(updateGift(stranger, gift.id, { note: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(deleteGift(stranger, gift.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Shared, the visit is readable in the other unit; its gifts register is not.
    await shareRecord(editor, "engagement", visitId, { unitId: stranger.unitId });
    expect((await getEngagement(stranger, visitId)).id).toBe(visitId);
    expect(await listGifts(stranger, { engagementId: visitId })).toEqual([]);
    await expect(createGift(stranger, { engagementId: visitId, given: true, description: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(updateGift(stranger, gift.id, { note: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps a restricted visit's gifts from the uncleared, and its audit rows say restricted", async () => {
    const cleared = await actorIn(unitId, "editor", { clearance: true });
    const secret = await createEngagement(cleared, visit({ titleZh: "限制来访", classification: "restricted" }));
    const gift = await createGift(cleared, { engagementId: secret.id, given: false, description: "机密礼品" });
    expect(await listGifts(editor, { engagementId: secret.id })).toEqual([]);
    await expect(updateGift(editor, gift.id, { note: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createGift(editor, { engagementId: secret.id, given: true, description: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await listGifts(editor, { unitId })).map((g) => g.id)).not.toContain(gift.id);
    expect(await auditRows(gift.id)).toEqual([{ action: "create", unitId, restricted: true, actorId: cleared.userId }]);
  });

  it("refuses bad entries with the field at fault", async () => {
    for (const [input, path] of [
      [{ engagementId: visitId, given: true, description: "" }, "description"],
      [{ engagementId: visitId, given: true, description: "x", valueBand: "priceless" }, "valueBand"],
      [{ engagementId: visitId, given: "yes", description: "x" }, "given"],
      [{ engagementId: visitId, given: true, description: "x", giftDate: "2028-02-30" }, "giftDate"],
      [{ engagementId: visitId, given: true, description: "x", handling: "sold" }, "handling"],
      [{ engagementId: visitId, given: true, description: "x".repeat(501) }, "description"],
      [{ engagementId: visitId, given: true, description: "\u200b\u200b" }, "description"],
    ] as const) {
      await expect(createGift(editor, input)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ path })] },
      });
    }
    const gift = await createGift(editor, { engagementId: visitId, given: true, description: "瓷盘" });
    await expect(updateGift(editor, gift.id, {})).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(createGift(editor, { engagementId: 2_000_000_000, given: true, description: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("lists a unit's register over a period and exports it as a sheet in Chinese or English", async () => {
    const unit = await freshUnit("Register bureau");
    const officer = await actorIn(unit, "editor");
    const early = await createEngagement(officer, visit({ leadUnitId: unit, titleZh: "春季来访", startDate: "2027-03-01", endDate: null }));
    const late = await createEngagement(
      officer,
      visit({ leadUnitId: unit, titleZh: "秋季出访", direction: "sent", startDate: "2027-10-01", endDate: null }),
    );
    await createGift(officer, { engagementId: early.id, given: false, description: "木雕", valueBand: "token", handling: "displayed" });
    await createGift(officer, { engagementId: late.id, given: true, description: "丝绸围巾", valueBand: "modest", recipient: "对方主席" });
    await createGift(officer, { engagementId: late.id, given: false, description: "画册", giftDate: "2028-01-02" });
    expect((await listGifts(officer, { unitId: unit })).map((g) => g.description)).toEqual(["画册", "丝绸围巾", "木雕"]);
    expect((await listGifts(officer, { unitId: unit, from: "2027-01-01", to: "2027-12-31" })).map((g) => g.description)).toEqual([
      "丝绸围巾",
      "木雕",
    ]);
    expect((await listGifts(officer, { unitId: unit, given: "false" })).map((g) => g.description)).toEqual(["画册", "木雕"]);

    const sheetOf = async (locale: string) => {
      const file = await prepareGiftRegister(officer, { unitId: unit, from: "2027-01-01", to: "2027-12-31", locale });
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(file.body as unknown as ArrayBuffer);
      const sheet = book.worksheets[0];
      const rows: string[][] = [];
      sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ""))));
      return { file, name: sheet?.name, rows };
    };
    const zh = await sheetOf("zh-CN");
    expect(zh.file.fileName).toBe("liaison-gifts-2027-01-01-2027-12-31.xlsx");
    expect(zh.name).toBe("礼品登记");
    expect(zh.rows[0]?.slice(0, 4)).toEqual(["日期", "赠送/收受", "礼品", "价值"]);
    expect(zh.rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[6], r[7]])).toEqual([
      ["2027-03-01", "收受", "木雕", "纪念品", "陈列", "春季来访"],
      ["2027-10-01", "赠送", "丝绸围巾", "一般", "", "秋季出访"],
    ]);
    const en = await sheetOf("en");
    expect(en.rows[1]?.slice(1, 4)).toEqual(["Received", "木雕", "Token"]);
    // Another unit's editor exports nothing of this unit's register.
    const elsewhere = await prepareGiftRegister(stranger, { unitId: unit });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(elsewhere.body as unknown as ArrayBuffer);
    expect(book.worksheets[0]?.rowCount).toBe(1);
    const exports = await db()
      .selectFrom("auditLog")
      .select("after")
      .where("action", "=", "export_gift_register")
      .where("actorId", "=", officer.userId)
      .execute();
    expect(exports.map((r) => (r.after as { rows: number }).rows)).toEqual([2, 2]);
  });
});
