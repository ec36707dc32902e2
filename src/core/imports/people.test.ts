import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, administrator, registryParty, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { stageUpload } from "../files/checks.ts";
import { createPerson, getPerson } from "../people/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { previewImport, runImport, undoImport } from "./service.ts";

/** Contact sheets of party leaders as offices keep them: Chinese headers, names in both scripts, the position held. */

let database: Database;
let admin: Actor;
let editor: Actor;
let tag: string;
let party: number;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  editor = await actorInFreshUnit("editor");
  tag = unique("p").replace(/[^a-z0-9]/gi, "");
  party = await registryParty(`Person Party ${tag}`, `人物${tag}党`, "VNM");
}, 120_000);
afterAll(() => database.close());

const options = { kind: "people", fileName: "领导人名单.csv" } as const;
const stage = (text: string) => stageUpload(Buffer.from(text, "utf8"));

describe("importing a contact sheet of people", () => {
  it("matches a person already in the registry by their names in any order, adds the positions, and refuses rows it cannot place", async () => {
    const known = await createPerson(admin, { nameEn: `Nguyen Van ${tag}`, nameZh: `阮文${tag}`, countryCode: "VNM" });
    const sheet = [
      "中文姓名,英文姓名,所在组织,职务,国家,任职时间,性别",
      `阮文${tag},Nguyen Van ${tag},人物${tag}党,总书记,越南,2021年1月31日,男`, // 2: the person we know
      `本刚${tag},Ben Gang ${tag},人物${tag}党,中央委员,越南,,女`, // 3: new
      `无名${tag},,人物${tag}党,委员,,,`, // 4: no Latin name
      `某人${tag},Some One ${tag},不存在${tag}党,主席,,,`, // 5: no such party
      `,Gang Ben ${tag},人物${tag}党,中央委员,越南,,`, // 6: row 3 again, names in the other order
    ].join("\n");
    const preview = await previewImport(editor, await stage(sheet), options);
    expect(preview.inspection.columns).toEqual(["nameZh", "nameEn", "organisation", "titleZh", "country", "startDate", "gender"]);
    expect(preview.counts).toMatchObject({ rows: 5, matched: 2, new: 1, invalid: 2 });
    expect(preview.rows.find((r) => r.line === 4)?.errors[0]?.reason.zh).toContain("英文名");
    expect(preview.rows.find((r) => r.line === 5)?.errors[0]?.reason.zh).toContain(`不存在${tag}党`);

    const done = await runImport(editor, await stage(sheet), options);
    expect(done.counts).toMatchObject({ matched: 2, new: 1, invalid: 2 });
    const after = await getPerson(editor, known.id);
    expect(after.positions.map((p) => [p.organisation.id, p.title.zh, p.startDate])).toEqual([[party, "总书记", "2021-01-31"]]);
    const created = await db().selectFrom("people").select(["id", "gender", "nameZh"]).where("importId", "=", done.id).execute();
    expect(created).toEqual([expect.objectContaining({ gender: "female", nameZh: `本刚${tag}` })]);
    // One position, not two: row 6 was row 3.
    const positions = await db()
      .selectFrom("positions")
      .select("id")
      .where("personId", "=", created[0]?.id as number)
      .execute();
    expect(positions).toHaveLength(1);

    const again = await runImport(editor, await stage(sheet), options);
    expect(again.counts).toMatchObject({ new: 0 });
    expect(await db().selectFrom("positions").select("id").where("personId", "=", known.id).execute()).toHaveLength(1);

    const undone = await undoImport(editor, done.id);
    expect(undone.counts).toMatchObject({ undone: 1 });
    expect((await getPerson(editor, known.id)).positions).toHaveLength(0);
    expect(await db().selectFrom("people").select("id").where("importId", "=", done.id).execute()).toHaveLength(0);
  });

  it("keeps namesakes of two countries apart, never matches on an alias or a transliteration alone, and undoes a later sheet's positions", async () => {
    const other = await registryParty(`Other Party ${tag}`, `别国${tag}党`, "SGP");
    const aliased = await createPerson(admin, {
      nameEn: `Luiz Inacio ${tag}`,
      aliases: [`Lula ${tag}`],
      nameZh: `卢拉${tag}`,
      countryCode: "BRA",
    });
    const sheet = [
      "英文姓名,中文姓名,所在组织,职务,国家,性别",
      `Wang Wei ${tag},王伟${tag},人物${tag}党,委员,越南,男性`,
      `Wang Wei ${tag},王伟${tag},别国${tag}党,委员,新加坡,男性`,
      `Lula ${tag},,人物${tag}党,顾问,,`, // an alias of someone: not them
      `Somebody ${tag},卢拉${tag},人物${tag}党,顾问,,`, // a Chinese name of someone: not them
    ].join("\n");
    const done = await runImport(editor, await stage(sheet), options);
    expect(done.counts).toMatchObject({ new: 4, matched: 0, invalid: 0 });
    const wangs = await db()
      .selectFrom("people")
      .select(["id", "countryCode", "gender"])
      .where("importId", "=", done.id)
      .where("nameEn", "=", `Wang Wei ${tag}`)
      .execute();
    expect(wangs.map((w) => w.countryCode).sort()).toEqual(["SGP", "VNM"]);
    expect(wangs.every((w) => w.gender === "male")).toBe(true);
    expect((await getPerson(admin, aliased.id)).positions).toHaveLength(0);
    // A later sheet adds a position to one of them; its undo takes that position away, and only that.
    const later = await runImport(editor, await stage(`英文姓名,所在组织,职务,国家\nWang Wei ${tag},别国${tag}党,主席,新加坡\n`), options);
    expect(later.counts).toMatchObject({ matched: 1 });
    const singapore = wangs.find((w) => w.countryCode === "SGP")?.id as number;
    expect((await getPerson(admin, singapore)).positions.map((p) => p.title.zh ?? p.title.en).sort()).toEqual(["主席", "委员"]);
    await undoImport(editor, later.id);
    expect((await getPerson(admin, singapore)).positions.map((p) => p.organisation.id)).toEqual([other]);
  });

  it("lets viewers import no one, and refuses a sheet with no Latin name column", async () => {
    const viewer = await actorIn(editor.unitId, "viewer");
    const sheet = `英文姓名\nSomebody ${tag}\n`;
    await expect(previewImport(viewer, await stage(sheet), options)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(previewImport(editor, await stage(`中文姓名\n某某\n`), options)).rejects.toMatchObject({
      details: { reason: { zh: expect.stringContaining("英文名") } },
    });
  });
});
