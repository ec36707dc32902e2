import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, administrator, freshUnit, registryParty, unique } from "../../../test/support/factories.ts";
import { rollupSnapshot } from "../../../test/support/rollups.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement, deleteEngagement, getEngagement, rebuildEngagementRollups, updateEngagement } from "../engagements/service.ts";
import { type StagedFile, stageUpload } from "../files/checks.ts";
import { matchKeys } from "../merge/keys.ts";
import { createPerson } from "../people/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { shareRecord } from "../sharing/service.ts";
import { parseDate } from "./fields.ts";
import { inspectImportFile, listImports, previewImport, runImport, undoImport } from "./service.ts";

/**
 * Registers of engagements as offices keep them: a register of congratulatory messages, a
 * table of delegations received, in Chinese with Chinese headers, in GB18030. Each partner
 * must be in the registry; rows are written through the form's own path.
 */

let database: Database;
let admin: Actor;
let editor: Actor;
let tag: string;
const partners: Record<string, number> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  editor = await actorInFreshUnit("editor");
  tag = unique("x").replace(/[^a-z0-9]/gi, "");
  // The registry: two parties, and two of one name in two countries (the register must say which).
  partners.jia = await registryParty(`Party Jia ${tag}`, `测试${tag}甲党`, "VNM");
  partners.yi = await registryParty(`Party Yi ${tag}`, `测试${tag}乙党`, "LAO");
  partners.twinA = await registryParty(`Twin Party ${tag}`, `测试${tag}同名党`, "CUB");
  partners.twinB = await registryParty(`Twin Party ${tag} B`, `测试${tag}同名党`, "NIC");
}, 120_000);
afterAll(() => database.close());

const stage = (text: string, encoding = "utf8"): Promise<StagedFile> =>
  stageUpload(encoding === "utf8" ? Buffer.from(text, "utf8") : iconv.encode(text, encoding));

/** A register as a desk officer keeps it, line by line (the header is line 1). */
const register = () =>
  [
    "日期,类型,外方,国家,内容摘要,事由",
    `2022年10月25日,收到贺电,测试${tag}甲党,越南,祝贺党的二十大胜利召开,党代会`, // 2
    `2023/3/5,接待来访,测试${tag}乙党,老挝,代表团来访交流治党经验,`, // 3
    `2023-04-01,会见,测试${tag}甲党、测试${tag}乙党,越南,,`, // 4: talks, but received or sent?
    `2021-02-30,收到贺电,测试${tag}甲党,越南,,`, // 5: no such day
    `2022-10-26,收到贺电,测试${tag}丙党,越南,,`, // 6: no such partner
    `2022-10-27,收到贺电,测试${tag}同名党,,,`, // 7: two parties of that name
    `2022年10月25日,收到贺电,测试${tag}甲党,越南,祝贺党的二十大胜利召开,党代会`, // 8: line 2 again
    `01/11/2022,发出贺电,Party Yi ${tag},老挝,,选举`, // 9: day first; English name; sent
  ].join("\r\n");

const options = { kind: "engagements", fileName: "贺电登记.csv" } as const;

describe("importing a register of engagements", () => {
  it("reads dates as registers write them, and refuses days that do not exist", () => {
    expect(["2021-07-01", "2021/7/1", "2021.7.1", "2021年7月1日", "20210701", "01/07/2021", "1.7.2021"].map(parseDate)).toEqual(
      Array(7).fill("2021-07-01"),
    );
    expect(["2021-02-30", "2021-13-01", "31/04/2021", "2021年7月", "July 1", "1921"].map(parseDate)).toEqual(Array(6).fill(null));
  });

  it("maps Chinese headers, previews every row with its reason, and writes nothing", async () => {
    const file = await stage(register(), "gb18030");
    const inspected = await inspectImportFile(editor, file, options);
    expect(inspected.encoding).toBe("gb18030");
    expect(inspected.columns).toEqual(["date", "kind", "partners", "country", "summaryZh", "occasion"]);
    expect(inspected.fields.map((f) => f.key)).toContain("partners");
    const before = await db()
      .selectFrom("engagements")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const preview = await previewImport(editor, file, options);
    expect(preview.counts).toMatchObject({ rows: 8, new: 3, unchanged: 1, ambiguous: 1, invalid: 3 });
    const at = (line: number) => preview.rows.find((r) => r.line === line);
    expect(at(4)?.errors[0]?.reason.zh).toContain("来往方向");
    expect(at(5)?.errors[0]).toMatchObject({ field: "date", column: 1 });
    expect(at(6)?.errors[0]?.reason.zh).toContain(`测试${tag}丙党`);
    expect(
      at(7)
        ?.candidates.map((c) => c.id)
        .sort(),
    ).toEqual([partners.twinA, partners.twinB].sort());
    const after = await db()
      .selectFrom("engagements")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("writes each engagement through the form's path: in the importer's unit, titled as an official would, rollups exact", async () => {
    const file = await stage(register(), "gb18030");
    const done = await runImport(editor, file, { ...options, choices: { "7": partners.twinB as number } });
    expect(done.counts).toMatchObject({ rows: 8, new: 4, unchanged: 1, invalid: 3 });
    const rows = await db()
      .selectFrom("importRows")
      .select(["entityId"])
      .where("importId", "=", done.id)
      .where("kind", "=", "engagements")
      .execute();
    expect(rows).toHaveLength(4);
    const written = await Promise.all(rows.map((r) => getEngagement(editor, r.entityId)));
    const letter = written.find((e) => e.startDate === "2022-10-25");
    expect(letter).toMatchObject({
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      title: { zh: `测试${tag}甲党发来贺电`, en: `Congratulatory message from Party Jia ${tag}` },
      summary: { zh: "祝贺党的二十大胜利召开" },
      place: { country: { code: "VNM" } },
      leadUnit: { id: editor.unitId },
      details: { occasion: "party_congress" },
    });
    expect(letter?.participants.map((p) => [p.organisation?.id, p.role])).toEqual([[partners.jia, "sender"]]);
    const visit = written.find((e) => e.type === "visit");
    expect(visit).toMatchObject({ direction: "received", title: { zh: `接待测试${tag}乙党代表团` }, startDate: "2023-03-05" });
    const sent = written.find((e) => e.startDate === "2022-11-01");
    expect(sent).toMatchObject({ direction: "sent", title: { zh: `致测试${tag}乙党贺电` }, details: { occasion: "election_victory" } });
    expect(written.find((e) => e.startDate === "2022-10-27")?.participants[0]?.organisation?.id).toBe(partners.twinB);
    // The rollups the import kept are those a rebuild gives.
    const kept = await rollupSnapshot();
    await rebuildEngagementRollups(admin);
    expect(await rollupSnapshot()).toEqual(kept);

    // The same register again changes nothing.
    const again = await runImport(editor, await stage(register(), "gb18030"), { ...options, choices: { "7": partners.twinB as number } });
    expect(again.counts).toMatchObject({ new: 0, unchanged: 5 });
  });

  it("takes a row the office recorded by hand as that record, and updates a row whose own id comes again changed", async () => {
    const unitEditor = await actorInFreshUnit("editor");
    const byHand = await createEngagement(unitEditor, {
      type: "visit",
      direction: "sent",
      titleEn: "Delegation to Laos",
      titleZh: "派团访问老挝",
      startDate: "2024-05-06",
      leadUnitId: unitEditor.unitId,
      participants: [{ organisationId: partners.yi, role: "host" }],
    });
    const first = [
      "编号,日期,类型,外方,中文标题",
      `A-1,2024-05-06,派团出访,测试${tag}乙党,`,
      `A-2,2024-06-01,视频会见,测试${tag}甲党,与越方视频会见`,
    ].join("\n");
    const done = await runImport(unitEditor, await stage(first), options);
    expect(done.counts).toMatchObject({ matched: 1, new: 1 });
    const count = await db().selectFrom("engagements").select("id").where("leadUnitId", "=", unitEditor.unitId).execute();
    expect(count).toHaveLength(2);
    const changed = first.replace("与越方视频会见", "与越方视频会见（改）");
    const again = await runImport(unitEditor, await stage(changed), options);
    expect(again.counts).toMatchObject({ updated: 1, unchanged: 1 });
    const talk = await db()
      .selectFrom("engagements")
      .select(["id", "titleZh", "direction", "subtype"])
      .where("leadUnitId", "=", unitEditor.unitId)
      .where("type", "=", "talks")
      .executeTakeFirstOrThrow();
    expect(talk).toMatchObject({ titleZh: "与越方视频会见（改）", direction: "none", subtype: "video" });
    // Someone edits the record; the file changes again: the file does not overwrite the edit, unless asked.
    await updateEngagement(unitEditor, talk.id, { summaryZh: "会后补记" });
    const third = changed.replace("（改）", "（再改）");
    const refused = await runImport(unitEditor, await stage(third), options);
    expect(refused.counts).toMatchObject({ updated: 0, invalid: 1, unchanged: 1 });
    expect(refused.errors[0]?.reason.zh).toContain("已有人修改");
    const forced = await runImport(unitEditor, await stage(third), { ...options, overwrite: true });
    expect(forced.counts).toMatchObject({ updated: 1 });
    const after = await getEngagement(unitEditor, talk.id);
    expect(after.title.zh).toBe("与越方视频会见（再改）");
    expect(byHand.id).toBeGreaterThan(0);
  });

  it("is undone as a whole by its unit, keeping what someone changed since; never by another unit, and viewers import nothing", async () => {
    const owner = await actorInFreshUnit("editor");
    const text = ["日期,外方,标题", `2020-01-02,测试${tag}甲党,甲`, `2020-01-03,测试${tag}乙党,乙`, `2020-01-04,测试${tag}甲党,丙`].join(
      "\n",
    );
    const kindOptions = { ...options, defaults: { engagementKind: "correspondence:sent:letter" } };
    const done = await runImport(owner, await stage(text), kindOptions);
    expect(done.counts).toMatchObject({ new: 3 });
    const ids = (await db().selectFrom("engagements").select("id").where("importId", "=", done.id).orderBy("id").execute()).map(
      (r) => r.id,
    );
    await updateEngagement(owner, ids[0] as number, { summaryZh: "后来补记" });
    const snapshot = await rollupSnapshot();

    const stranger = await actorInFreshUnit("editor");
    await expect(undoImport(stranger, done.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listImports(stranger)).map((i) => i.id)).not.toContain(done.id);
    expect((await listImports(owner)).map((i) => i.id)).toContain(done.id);
    expect(await db().selectFrom("engagements").select("id").where("importId", "=", done.id).execute()).toHaveLength(3);

    const undone = await undoImport(owner, done.id);
    expect(undone).toMatchObject({ status: "undone", counts: { undone: 2, kept: 1 } });
    expect((await db().selectFrom("engagements").select("id").where("importId", "=", done.id).execute()).map((r) => r.id)).toEqual([
      ids[0],
    ]);
    expect(await rollupSnapshot()).not.toEqual(snapshot);
    const kept = await rollupSnapshot();
    await rebuildEngagementRollups(admin);
    expect(await rollupSnapshot()).toEqual(kept);

    const viewer = await actorIn(owner.unitId, "viewer");
    await expect(previewImport(viewer, await stage(text), kindOptions)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("finds a party by the Chinese name the registry only suggests, or its short form, in a register and in a partner list", async () => {
    // As most of the bundled registry: English and native names only, and a pending suggestion (暂译), shown or not.
    const suggested = await db()
      .insertInto("organisations")
      .values({
        kind: "political_party",
        nameEn: `Suggested Party ${tag}`,
        countryCode: "VNM",
        matchKeys: matchKeys([{ kind: "official", value: `Suggested Party ${tag}` }]),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db()
      .insertInto("nameSuggestions")
      .values({
        organisationId: suggested.id,
        zh: `暂译${tag}党`,
        short: `暂${tag}`,
        confidence: 0.9,
        method: "known",
        transliterated: false,
        steps: JSON.stringify([]),
        basis: "test",
      })
      .execute();
    const unitEditor = await actorInFreshUnit("editor");
    const text = ["日期,类型,外方", `2021-07-01,收到贺电,暂译${tag}党`, `2021-07-02,收到贺电,暂${tag}`].join("\n");
    const preview = await previewImport(unitEditor, await stage(text), options);
    expect(preview.counts).toMatchObject({ new: 2, invalid: 0, ambiguous: 0 });
    // A partner list naming it in Chinese matches it rather than creating it twice.
    const list = await previewImport(unitEditor, await stage(`中文名称,国家\n暂译${tag}党,越南\n`), {
      kind: "organisations",
      fileName: "名单.csv",
    });
    expect(list.rows[0]).toMatchObject({ status: "matched", organisationId: suggested.id });
  });

  it("imports statements; never rewrites a hand-made record it matched; a record deleted since is imported again, and undo still works", async () => {
    const unitEditor = await actorInFreshUnit("editor");
    const byHand = await createEngagement(unitEditor, {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      titleEn: "Message from Jia",
      titleZh: "甲党贺电（手工录入）",
      startDate: "2019-05-01",
      leadUnitId: unitEditor.unitId,
      participants: [{ organisationId: partners.jia, role: "sender" }],
    });
    const file = (summary: string) =>
      [
        "编号,日期,类型,外方,中文标题,内容摘要",
        `S-1,2019-05-01,收到贺电,测试${tag}甲党,,${summary}`,
        `S-2,2019-06-01,表态,测试${tag}乙党,支持一个中国原则,`,
        `S-3,2019-07-01,来函,测试${tag}甲党,,`,
      ].join("\n");
    const first = await runImport(unitEditor, await stage(file("祝贺")), options);
    expect(first.counts).toMatchObject({ matched: 1, new: 2, invalid: 0 });
    const statement = await db()
      .selectFrom("engagements")
      .select(["id", "details"])
      .where("importId", "=", first.id)
      .where("type", "=", "statement")
      .executeTakeFirstOrThrow();
    expect(statement.details).toMatchObject({ issueZh: "支持一个中国原则" });
    // The file's row for the hand-made record changes: the record is left as the office wrote it.
    const second = await runImport(unitEditor, await stage(file("祝贺（改）")), options);
    expect(second.counts).toMatchObject({ invalid: 1, unchanged: 2 });
    expect(second.errors[0]?.reason.zh).toContain("手工录入");
    expect((await getEngagement(unitEditor, byHand.id)).title.zh).toBe("甲党贺电（手工录入）");
    // Someone deletes an imported letter: the file brings it back, and the first import can still be undone.
    const letter = await db()
      .selectFrom("engagements")
      .select("id")
      .where("importId", "=", first.id)
      .where("type", "=", "correspondence")
      .executeTakeFirstOrThrow();
    await deleteEngagement(unitEditor, letter.id);
    const third = await runImport(unitEditor, await stage(file("祝贺（改）")), { ...options, overwrite: true });
    expect(third.counts).toMatchObject({ new: 1, updated: 1, unchanged: 1 });
    expect(await undoImport(unitEditor, first.id)).toMatchObject({ status: "undone", counts: { undone: 1 } });
  });

  it("keeps, on undo, an imported engagement someone has shared with another unit since", async () => {
    const owner = await actorInFreshUnit("editor");
    const head = await actorIn(owner.unitId, "coordinator");
    const text = ["日期,类型,外方", `2018-03-01,收到贺电,测试${tag}甲党`, `2018-03-02,收到贺电,测试${tag}乙党`].join("\n");
    const done = await runImport(owner, await stage(text), options);
    expect(done.counts).toMatchObject({ new: 2 });
    const [first] = await db().selectFrom("engagements").select("id").where("importId", "=", done.id).orderBy("startDate").execute();
    await shareRecord(head, "engagement", first?.id as number, { unitId: await freshUnit() });
    expect(await undoImport(owner, done.id)).toMatchObject({ counts: { undone: 1, kept: 1 } });
    expect((await db().selectFrom("engagements").select("id").where("importId", "=", done.id).execute()).map((r) => r.id)).toEqual([
      first?.id,
    ]);
  });

  it("records the people a register names: a delegation in protocol order, found by any of their names", async () => {
    const leader = await createPerson(admin, { nameEn: `Thongloun ${tag}`, nameZh: `通伦${tag}`, countryCode: "LAO" });
    const member = await createPerson(admin, { nameEn: `Saleumxay ${tag}`, nameZh: `沙伦赛${tag}`, countryCode: "LAO" });
    // Two people of one name in two countries: the row's country tells them apart.
    const cuban = await createPerson(admin, { nameEn: `Garcia ${tag}`, countryCode: "CUB" });
    await createPerson(admin, { nameEn: `Garcia ${tag}`, countryCode: "NIC" });
    const text = [
      "日期,类型,外方,外方人员,国家",
      `2019-05-06,接待来访,测试${tag}乙党,通伦${tag}、Saleumxay ${tag},老挝`, // 2: the leader first, by his Chinese name
      `2019-05-07,收到贺电,测试${tag}同名党,Garcia ${tag},古巴`, // 3
      `2019-05-08,收到贺电,测试${tag}乙党,无名氏${tag},老挝`, // 4: no such person
      `2019-05-09,收到贺电,测试${tag}乙党,Garcia ${tag},`, // 5: two people of that name
    ].join("\n");
    const unitEditor = await actorInFreshUnit("editor");
    const done = await runImport(unitEditor, await stage(text), options);
    expect(done.counts).toMatchObject({ new: 2, invalid: 2 });
    expect(done.errors.find((e) => e.line === 4)?.reason.zh).toContain(`无名氏${tag}`);
    expect(done.errors.find((e) => e.line === 5)?.reason.zh).toContain("2人");
    const created = await db()
      .selectFrom("engagements")
      .select(["id", "type"])
      .where("importId", "=", done.id)
      .orderBy("startDate")
      .execute();
    const visit = await getEngagement(unitEditor, created[0]?.id as number);
    const people = visit.participants.filter((p) => p.person).map((p) => [p.person?.id, p.role, p.precedence]);
    expect(people).toEqual([
      [leader.id, "delegation_leader", 1],
      [member.id, "member", 2],
    ]);
    const letter = await getEngagement(unitEditor, created[1]?.id as number);
    expect(letter.participants.filter((p) => p.person).map((p) => [p.person?.id, p.role])).toEqual([[cuban.id, "sender"]]);
    expect((await runImport(unitEditor, await stage(text), options)).counts).toMatchObject({ new: 0, unchanged: 2 });
  });

  it("refuses, in both languages, a register with no date column or no kind", async () => {
    const noDate = await stage(`外方,类型\n测试${tag}甲党,贺电\n`);
    await expect(previewImport(editor, noDate, options)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { reason: { zh: expect.stringContaining("日期") } },
    });
    const noKind = await stage(`日期,外方\n2022-01-01,测试${tag}甲党\n`);
    await expect(previewImport(editor, noKind, options)).rejects.toMatchObject({
      details: { reason: { zh: expect.stringContaining("类型") } },
    });
  });
});
