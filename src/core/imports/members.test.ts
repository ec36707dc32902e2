import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, administrator, freshUnit, registryParty, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { actorForUser } from "../auth/service.ts";
import { stageUpload } from "../files/checks.ts";
import { addMember, createMechanism, getMechanism, membersOn, updateMember } from "../mechanisms/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { parsePeriodDate } from "./fields.ts";
import { getImport, listImports, previewImport, runImport, undoImport } from "./service.ts";

/** Lists of a mechanism's members as offices keep them: Chinese headers, dates to the day, the month or the year. */

let database: Database;
let admin: Actor;
let coordinator: Actor;
let tag: string;
const parties: Record<string, number> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  coordinator = await actorInFreshUnit("coordinator");
  tag = unique("m").replace(/[^a-z0-9]/gi, "");
  parties.vn = await registryParty(`Member Party VN ${tag}`, `成员${tag}越党`, "VNM");
  parties.la = await registryParty(`Member Party LA ${tag}`, `成员${tag}老党`, "LAO");
  parties.kh = await registryParty(`Member Party KH ${tag}`, `成员${tag}柬党`, "KHM");
  // Two parties of one name in two countries: only the country column tells them apart.
  parties.twinVn = await registryParty(`Twin Party ${tag}`, `同名${tag}党`, "VNM");
  parties.twinLa = await registryParty(`Twin Party ${tag}`, `同名${tag}党`, "LAO");
}, 120_000);
afterAll(() => database.close());

const options = { kind: "members", fileName: "机制成员名单.csv" } as const;
const stage = (text: string) => stageUpload(Buffer.from(text, "utf8"));

async function mechanism(actor: Actor, name: string) {
  return createMechanism(actor, {
    kind: "consultation_mechanism",
    nameEn: `${name} ${tag}`,
    nameZh: `${name}${tag}机制`,
    leadUnitId: actor.unitId,
    foundedOn: "2012-01-01",
  });
}

describe("reading a period's dates", () => {
  it("reads a whole date, a month or a year as the first day a period begins and the last day it ends", () => {
    expect(parsePeriodDate("2017年10月18日", "start")).toBe("2017-10-18");
    expect(parsePeriodDate("2017年10月", "start")).toBe("2017-10-01");
    expect(parsePeriodDate("2017-02", "end")).toBe("2017-02-28");
    expect(parsePeriodDate("2016年2月", "end")).toBe("2016-02-29");
    expect(parsePeriodDate("2019", "start")).toBe("2019-01-01");
    expect(parsePeriodDate("2019年", "end")).toBe("2019-12-31");
    for (const bad of ["2017年13月", "2021-02-30", "17年", "去年", "1899"]) expect(parsePeriodDate(bad, "start")).toBeNull();
  });
});

describe("importing a list of a mechanism's members", () => {
  it("records dated memberships, answers who were members on a date, changes nothing the second time, and fills a later departure", async () => {
    const m = await mechanism(coordinator, "Seminar");
    const list = [
      "机制,成员,国家,加入时间,退出时间,备注",
      `Seminar${tag}机制,成员${tag}越党,越南,2015年3月,,创始成员`,
      `Seminar ${tag},Member Party LA ${tag},老挝,2016,2019年,`,
      `Seminar${tag}机制,同名${tag}党,老挝,2018-06-01,,`,
      `Seminar${tag}机制,成员${tag}越党,越南,2015年3月,,创始成员`, // the first row again
      `Seminar${tag}机制,不存在${tag}党,,2018,,`, // no such party
      `Seminar${tag}机制,成员${tag}柬党,柬埔寨,2020,2018,`, // left before it joined
      `没有${tag}机制,成员${tag}柬党,柬埔寨,2020,,`, // no such mechanism
      `Seminar${tag}机制,同名${tag}党,,2018-06-01,,`, // two parties of this name
    ].join("\n");
    const preview = await previewImport(coordinator, await stage(list), options);
    expect(preview.inspection.columns).toEqual(["mechanism", "organisation", "country", "joinedOn", "leftOn", "note"]);
    expect(preview.counts).toMatchObject({ rows: 8, new: 3, unchanged: 1, invalid: 3, ambiguous: 1 });
    const reasons = Object.fromEntries(preview.rows.map((r) => [r.line, r.errors[0]?.reason.zh ?? ""]));
    expect(reasons[6]).toContain(`不存在${tag}党`);
    expect(reasons[7]).toContain("退出时间早于加入时间");
    expect(reasons[8]).toContain(`没有${tag}机制`);
    expect(
      preview.rows
        .find((r) => r.line === 9)
        ?.candidates.map((c) => c.id)
        .sort(),
    ).toEqual([parties.twinVn, parties.twinLa].sort());

    const done = await runImport(coordinator, await stage(list), { ...options, choices: { "9": parties.twinVn } });
    expect(done.counts).toMatchObject({ new: 4, invalid: 3 });
    const on = async (date: string) => (await membersOn(coordinator, m.id, { on: date })).members.map((x) => x.organisation.id).sort();
    expect(await on("2015-03-01")).toEqual([parties.vn]);
    expect(await on("2019-12-31")).toEqual([parties.vn, parties.la, parties.twinLa, parties.twinVn].sort());
    expect(await on("2020-01-01")).toEqual([parties.vn, parties.twinLa, parties.twinVn].sort());
    const detail = await getMechanism(coordinator, m.id);
    expect(detail.members.find((x) => x.organisation.id === parties.vn)).toMatchObject({ joinedOn: "2015-03-01", note: "创始成员" });

    const again = await runImport(coordinator, await stage(list), { ...options, choices: { "9": parties.twinVn } });
    expect(again.counts).toMatchObject({ new: 0, updated: 0 });
    expect((await getMechanism(coordinator, m.id)).members).toHaveLength(4);

    // A later list says the Vietnamese party left in 2021, and gives the Lao party another note;
    // a user had corrected that membership's note by hand since: the correction stays.
    const lao = detail.members.find((x) => x.organisation.id === parties.la);
    await updateMember(coordinator, m.id, lao?.id as number, { note: "观察员" });
    const later = [
      "机制,成员,国家,加入时间,退出时间,备注",
      `Seminar${tag}机制,成员${tag}越党,越南,2015年3月,2021年6月,创始成员`,
      `Seminar ${tag},Member Party LA ${tag},老挝,2016,2019年,正式成员`,
    ].join("\n");
    const update = await runImport(coordinator, await stage(later), options);
    expect(update.counts).toMatchObject({ updated: 2 });
    const changed = await getMechanism(coordinator, m.id);
    expect(changed.members.find((x) => x.organisation.id === parties.vn)?.leftOn).toBe("2021-06-30");
    expect(changed.members.find((x) => x.organisation.id === parties.la)?.note).toBe("观察员");

    // Undo of the later list gives the departure back; undo of the first removes what it created.
    await undoImport(coordinator, update.id);
    expect((await getMechanism(coordinator, m.id)).members.find((x) => x.organisation.id === parties.vn)?.leftOn).toBeNull();
    const undone = await undoImport(coordinator, done.id);
    // The Lao membership was edited by hand since: it stays.
    expect(undone.counts).toMatchObject({ undone: 3, kept: 1 });
    expect((await getMechanism(coordinator, m.id)).members.map((x) => x.organisation.id)).toEqual([parties.la]);
    const audit = await db()
      .selectFrom("auditLog")
      .select("action")
      .where("entity", "=", "mechanism_member")
      .where("unitId", "=", coordinator.unitId)
      .execute();
    expect(audit.filter((a) => a.action === "create")).toHaveLength(4);
    expect(audit.filter((a) => a.action === "delete")).toHaveLength(3);
  });

  it("takes the mechanism and the date joined for the whole file when the list has neither, and never records a member twice at once", async () => {
    const m = await mechanism(coordinator, "Forum");
    const list = ["成员,国家", `成员${tag}越党,越南`, `成员${tag}老党,老挝`].join("\n");
    await expect(previewImport(coordinator, await stage(list), options)).rejects.toMatchObject({
      details: { reason: { zh: expect.stringContaining("所属的机制") } },
    });
    await expect(previewImport(coordinator, await stage(list), { ...options, defaults: { mechanismId: m.id } })).rejects.toMatchObject({
      details: { reason: { zh: expect.stringContaining("加入时间") } },
    });
    const whole = { ...options, defaults: { mechanismId: m.id, joinedOn: "2022-10-16" } };
    expect((await runImport(coordinator, await stage(list), whole)).counts).toMatchObject({ new: 2 });
    // The same member with another, overlapping period is the membership already recorded, whose
    // dates stay as they were entered; a member new to the mechanism is added.
    const overlapping = ["成员,加入时间", `成员${tag}越党,2023`, `成员${tag}老党,2021`, `成员${tag}柬党,2021`].join("\n");
    const second = await runImport(coordinator, await stage(overlapping), { ...options, defaults: { mechanismId: m.id } });
    expect(second.counts).toMatchObject({ new: 1, matched: 2 });
    const members = (await getMechanism(coordinator, m.id)).members;
    expect(members.filter((x) => x.organisation.id === parties.vn).map((x) => x.joinedOn)).toEqual(["2022-10-16"]);
    expect(members.filter((x) => x.organisation.id === parties.la).map((x) => x.joinedOn)).toEqual(["2022-10-16"]);
    expect(members.filter((x) => x.organisation.id === parties.kh).map((x) => x.joinedOn)).toEqual(["2021-01-01"]);
    // Two rows of one file giving one member overlapping periods make one membership.
    const twice = ["成员,加入时间,退出时间", `Twin Party ${tag},2019,2020`, `Twin Party ${tag},2020年6月,`].join("\n");
    const third = await runImport(coordinator, await stage(twice), {
      ...options,
      defaults: { mechanismId: m.id },
      choices: { "2": parties.twinVn, "3": parties.twinVn },
    });
    expect(third.counts).toMatchObject({ new: 1, matched: 1 });
    expect((await getMechanism(coordinator, m.id)).members.filter((x) => x.organisation.id === parties.twinVn)).toHaveLength(1);
  });

  it("lets only coordinators of the lead unit record members; others' lists are not theirs to see", async () => {
    const m = await mechanism(coordinator, "Network");
    const list = ["机制,成员,国家,加入时间", `Network${tag}机制,成员${tag}越党,越南,2019`].join("\n");
    const editor = await actorIn(coordinator.unitId, "editor");
    await expect(previewImport(editor, await stage(list), options)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const elsewhere = await actorInFreshUnit("coordinator");
    const refused = await runImport(elsewhere, await stage(list), options);
    expect(refused.counts).toMatchObject({ invalid: 1, new: 0 });
    expect(refused.errors[0]?.reason.zh).toContain("牵头单位");
    expect((await getMechanism(admin, m.id)).members).toHaveLength(0);
    // The other unit's import is its own: the mechanism's coordinator does not see it.
    await expect(getImport(coordinator, refused.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listImports(elsewhere)).map((i) => i.id)).toContain(refused.id);
  });

  it("never lets a row's own id move its membership to another mechanism or member", async () => {
    const m1 = await mechanism(coordinator, "IdOne");
    const m2 = await mechanism(coordinator, "IdTwo");
    await runImport(coordinator, await stage(["编号,机制,成员,加入时间", `1,IdOne${tag}机制,成员${tag}越党,2015`].join("\n")), options);
    const again = await runImport(
      coordinator,
      await stage(["编号,机制,成员,加入时间,退出时间", `1,IdTwo${tag}机制,成员${tag}老党,2016,2019`].join("\n")),
      options,
    );
    expect(again.counts).toMatchObject({ invalid: 1, updated: 0 });
    expect(again.errors[0]?.reason.zh).toContain("编号先前已用于另一机制");
    expect((await getMechanism(coordinator, m1.id)).members.map((x) => [x.organisation.id, x.joinedOn, x.leftOn])).toEqual([
      [parties.vn, "2015-01-01", null],
    ]);
    expect((await getMechanism(coordinator, m2.id)).members).toHaveLength(0);
  });

  it("keeps a user who edits in one unit and coordinates another to the unit they coordinate; another unit's coordinator cannot undo it", async () => {
    const unitA = await freshUnit("Bureau A");
    const unitB = await freshUnit("Bureau B");
    const editorInA = await actorIn(unitA, "editor");
    await db().insertInto("userRoles").values({ userId: editorInA.userId, unitId: unitB, role: "coordinator" }).execute();
    const both = (await actorForUser(editorInA.userId)) as Actor;
    const coordinatorB = await actorIn(unitB, "coordinator");
    const coordinatorA = await actorIn(unitA, "coordinator");
    const m = await mechanism(coordinatorB, "Bee");
    const done = await runImport(both, await stage(["编号,机制,成员,加入时间", `7,Bee${tag}机制,成员${tag}越党,2015`].join("\n")), options);
    expect(done.counts).toMatchObject({ new: 1 });
    // The import is unit B's: B's coordinators see it, A's do not.
    expect((await getImport(coordinatorB, done.id)).id).toBe(done.id);
    await expect(getImport(coordinatorA, done.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(undoImport(coordinatorA, done.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A's own list with the same id is A's own row, and cannot reach B's membership.
    const mA = await mechanism(coordinatorA, "Ay");
    const own = await runImport(
      coordinatorA,
      await stage(["编号,机制,成员,加入时间,退出时间,备注", `7,Ay${tag}机制,成员${tag}越党,2015,2016,改写`].join("\n")),
      { ...options, overwrite: true },
    );
    expect(own.counts).toMatchObject({ new: 1 });
    expect((await getMechanism(admin, m.id)).members.map((x) => [x.leftOn, x.note])).toEqual([[null, null]]);
    expect((await getMechanism(admin, mA.id)).members).toHaveLength(1);
    // Once the mechanism has gone to another unit, the import's undo is that unit's coordinators' business.
    await db().updateTable("mechanisms").set({ leadUnitId: unitA }).where("id", "=", m.id).execute();
    await expect(undoImport(coordinatorB, done.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await getMechanism(admin, m.id)).members).toHaveLength(1);
  });

  it("never makes a member belong twice at once through a changed row or an undo, and an undo gives back every change of a batch", async () => {
    const m = await mechanism(coordinator, "Overlap");
    const header = "机制,成员,加入时间,退出时间";
    await runImport(coordinator, await stage([header, `Overlap${tag}机制,成员${tag}越党,2010,2012`].join("\n")), options);
    await addMember(coordinator, m.id, { organisationId: parties.vn, joinedOn: "2014-01-01" });
    const longer = await runImport(coordinator, await stage([header, `Overlap${tag}机制,成员${tag}越党,2010,2016`].join("\n")), options);
    expect(longer.errors[0]?.reason.zh).toContain("重叠");
    expect((await getMechanism(coordinator, m.id)).members.map((x) => [x.joinedOn, x.leftOn])).toEqual([
      ["2010-01-01", "2012-12-31"],
      ["2014-01-01", null],
    ]);
    // An undo that would reopen a membership now followed by another leaves it closed.
    const open = await mechanism(coordinator, "Reopen");
    await runImport(coordinator, await stage(["机制,成员,加入时间", `Reopen${tag}机制,成员${tag}老党,2010`].join("\n")), options);
    const closing = await runImport(coordinator, await stage([header, `Reopen${tag}机制,成员${tag}老党,2011,2012`].join("\n")), options);
    expect(closing.counts).toMatchObject({ matched: 1 });
    await addMember(coordinator, open.id, { organisationId: parties.la, joinedOn: "2015-01-01" });
    await undoImport(coordinator, closing.id);
    expect((await getMechanism(coordinator, open.id)).members.map((x) => [x.joinedOn, x.leftOn])).toEqual([
      ["2010-01-01", "2012-12-31"],
      ["2015-01-01", null],
    ]);
    // Six rows of one file overwrite one membership's note in turn; the undo gives back the first.
    const many = await mechanism(coordinator, "Many");
    await addMember(coordinator, many.id, { organisationId: parties.kh, joinedOn: "2010-01-01", note: "原始" });
    const rows = ["机制,成员,加入时间,备注", ...[0, 1, 2, 3, 4, 5].map((i) => `Many${tag}机制,成员${tag}柬党,201${i},备注${i}`)];
    const overwriting = await runImport(coordinator, await stage(rows.join("\n")), { ...options, overwrite: true });
    expect((await getMechanism(coordinator, many.id)).members).toHaveLength(1);
    await undoImport(coordinator, overwriting.id);
    expect((await getMechanism(coordinator, many.id)).members.map((x) => [x.joinedOn, x.note])).toEqual([["2010-01-01", "原始"]]);
  });

  it("keeps, on undo, a membership a later list changed", async () => {
    const m = await mechanism(coordinator, "Later");
    const first = await runImport(
      coordinator,
      await stage(["机制,成员,加入时间", `Later${tag}机制,成员${tag}越党,2012`].join("\n")),
      options,
    );
    await runImport(
      coordinator,
      await stage(["机制,成员,加入时间,退出时间", `Later${tag}机制,成员${tag}越党,2012,2020`].join("\n")),
      options,
    );
    expect((await undoImport(coordinator, first.id)).counts).toMatchObject({ undone: 0, kept: 1 });
    expect((await getMechanism(coordinator, m.id)).members.map((x) => x.leftOn)).toEqual(["2020-12-31"]);
  });
});
