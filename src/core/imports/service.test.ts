import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import { rollupSnapshot } from "../../../test/support/rollups.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { countEngagements } from "../engagements/counts.ts";
import { rebuildRollups } from "../engagements/rollup.ts";
import { createEngagement } from "../engagements/service.ts";
import { type StagedFile, stageUpload } from "../files/checks.ts";
import { createNote } from "../notes/service.ts";
import { listOrganisations, updateOrganisation } from "../organisations/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { detectEncoding } from "./read.ts";
import {
  getImport,
  inspectImportFile,
  listMappings,
  onUpload,
  previewImport,
  previewSpreadsheet,
  runImport,
  startImport,
  undoImport,
  uploadImportFile,
} from "./service.ts";

let database: Database;
let admin: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
}, 120_000);
afterAll(() => database.close());

const stage = (bytes: Buffer | string): Promise<StagedFile> => stageUpload(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8"));

/** A partner list as an office keeps it: Chinese headers, Chinese and English names, the country in Chinese. */
const partnerList = (suffix: string, rows = 3) =>
  [
    "中文名称,英文名称,国家,类型,成立年份,网址",
    ...Array.from(
      { length: rows },
      (_, i) => `测试${suffix}党${i + 1},Test ${suffix} Party ${i + 1},越南,政党,19${50 + i},https://party${i}.${suffix}.example.org`,
    ),
  ].join("\r\n");

describe("reading an office's files", () => {
  it("tells each encoding from its bytes, and reads Chinese, traditional and Japanese names byte-exact", async () => {
    const cases: Array<[string, string, string]> = [
      [
        "gb18030",
        "中文名称,英文名称\n越南共产党,Communist Party of Vietnam\n老挝人民革命党,Lao People's Revolutionary Party\n",
        "越南共产党",
      ],
      [
        "big5",
        "中文名稱,英文名稱\n中國國民黨,Kuomintang\n民主進步黨,Democratic Progressive Party\n臺灣團結聯盟,Taiwan Solidarity Union\n",
        "中國國民黨",
      ],
      [
        "shift_jis",
        "名前,英語名\n自由民主党,Liberal Democratic Party\n日本共産党,Japanese Communist Party\nこれはテストです,Test\n",
        "日本共産党",
      ],
    ];
    for (const [encoding, text, name] of cases) {
      const bytes = iconv.encode(text, encoding);
      expect(detectEncoding(bytes), encoding).toBe(encoding);
      const inspected = await inspectImportFile(admin, await stage(bytes), { fileName: `${encoding}.csv` });
      expect(inspected.encoding).toBe(encoding);
      expect(inspected.sample.map((r) => r[0])).toContain(name);
    }
    for (const [encoding, bom] of [
      ["utf-16le", Buffer.from([0xff, 0xfe])],
      ["utf-16be", Buffer.from([0xfe, 0xff])],
      ["utf-8", Buffer.from([0xef, 0xbb, 0xbf])],
    ] as const) {
      const bytes = Buffer.concat([bom, iconv.encode("名称\tname\n统一俄罗斯党\tUnited Russia\n", encoding)]);
      const inspected = await inspectImportFile(admin, await stage(bytes), { fileName: "x.tsv" });
      expect(inspected.encoding).toBe(encoding);
      expect(inspected.delimiter).toBe("\t");
      expect(inspected.headers).toEqual(["名称", "name"]);
      expect(inspected.sample[0]).toEqual(["统一俄罗斯党", "United Russia"]);
    }
  });

  it("keeps a three-byte character that straddles every 64 KiB read whole", async () => {
    // Rows of one ASCII filler and one Chinese name, sized so that a 党 (three bytes in UTF-8) crosses each boundary.
    const lines = ["中文名称,英文名称"];
    let size = Buffer.byteLength(`${lines[0]}\n`);
    const expected: string[] = [];
    for (let boundary = 65_536; boundary < 65_536 * 12; boundary += 65_536) {
      // Fill up to two bytes before the boundary, then a line whose first character is 党.
      const gap = boundary - size - 2;
      const filler = `x${"a".repeat(Math.max(0, gap - 4))},f\n`;
      lines.push(filler.trimEnd());
      size += Buffer.byteLength(filler);
      const name = `党${boundary}`;
      expected.push(name);
      const line = `${name},Party ${boundary}\n`;
      lines.push(line.trimEnd());
      size += Buffer.byteLength(line);
    }
    const text = `${lines.join("\n")}\n`;
    const bytes = Buffer.from(text, "utf8");
    for (let b = 65_536; b < 65_536 * 12; b += 65_536) expect(bytes.subarray(b - 2, b + 1).toString("utf8")).toBe("党");
    const preview = await previewImport(admin, await stage(bytes), { fileName: "boundaries.csv", columns: ["nameZh", "nameEn"] });
    const names = preview.rows.map((r) => r.name).filter((n) => n.startsWith("党"));
    expect(names.sort()).toEqual(expected.sort());
  });

  it("reads the chosen sheet of a workbook written by another program: a title row, merged headers, formulas as text", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("说明").addRow(["本表为伙伴名单"]);
    const sheet = workbook.addWorksheet("伙伴名单");
    sheet.addRow(["2024年伙伴名单"]);
    sheet.mergeCells("A1:D1");
    sheet.addRow(["中文名称", "英文名称", "国家", "网址"]);
    sheet.addRow(["工作簿测试党", "Workbook Test Party", "VNM", { formula: 'HYPERLINK("https://evil.example","x")', result: "x" }]);
    sheet.addRow([]);
    sheet.addRow(["第二个测试党", "Second Workbook Party", "Viet Nam", "www.second.example.org"]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const file = await stage(bytes);
    const inspected = await inspectImportFile(admin, file, { fileName: "list.xlsx", sheet: "伙伴名单" });
    expect(inspected).toMatchObject({ format: "xlsx", sheets: ["说明", "伙伴名单"], sheet: "伙伴名单", headerLine: 2 });
    expect(inspected.headers).toEqual(["中文名称", "英文名称", "国家", "网址"]);
    expect(inspected.columns).toEqual(["nameZh", "nameEn", "country", "website"]);
    const preview = await previewImport(admin, file, { fileName: "list.xlsx", sheet: "伙伴名单" });
    // A formula is read as the value it last showed, never evaluated: "x" is not a web address, so
    // the row is refused on its cell; the rest imports.
    const formula = preview.rows.find((r) => r.line === 3);
    expect(formula?.status).toBe("invalid");
    expect(formula?.errors[0]).toMatchObject({ column: 4, field: "website" });
    expect(formula?.errors[0]?.reason.zh).toBe("“x”不是网址。");
    expect(preview.rows.find((r) => r.line === 5)).toMatchObject({ status: "new", name: "第二个测试党" });
    await expect(inspectImportFile(admin, file, { fileName: "list.xlsx", sheet: "没有" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });
});

describe("importing organisations", () => {
  it("previews without writing, imports with a record of it, and finds the new parties by their Chinese names", async () => {
    const file = await stage(`\uFEFF${partnerList("甲")}`);
    const before = await db().selectFrom("organisations").select(db().fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const preview = await previewImport(admin, file, { fileName: "伙伴.csv" });
    expect(preview.inspection.columns).toEqual(["nameZh", "nameEn", "country", "kind", "foundedYear", "website"]);
    expect(preview.counts).toMatchObject({ rows: 3, new: 3, invalid: 0 });
    const after = await db().selectFrom("organisations").select(db().fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const done = await runImport(admin, file, { fileName: "伙伴.csv", saveMappingAs: "伙伴名单" });
    expect(done).toMatchObject({ status: "done", counts: { rows: 3, new: 3 }, fileName: "伙伴.csv", fileHash: file.sha256 });
    const found = await listOrganisations(admin, { q: "测试甲党2" });
    expect(found.items.map((o) => o.name.zh)).toContain("测试甲党2");
    const created = await db().selectFrom("organisations").selectAll().where("importId", "=", done.id).execute();
    expect(created).toHaveLength(3);
    expect(created.find((o) => o.nameZh === "测试甲党1")).toMatchObject({ countryCode: "VNM", kind: "political_party", foundedYear: 1950 });
    expect((await listMappings(admin)).map((m) => m.name)).toContain("伙伴名单");
    const audit = await db()
      .selectFrom("auditLog")
      .select("entityId")
      .where("entity", "=", "organisation")
      .where("action", "=", "create")
      .execute();
    for (const o of created) expect(audit.map((a) => a.entityId)).toContain(String(o.id));
  });

  it("changes nothing when the same file comes again, and updates only what changed, never a field a user edited", async () => {
    const text = partnerList("乙");
    const first = await runImport(admin, await stage(text), { fileName: "b.csv" });
    expect(first.counts).toMatchObject({ new: 3 });
    const again = await runImport(admin, await stage(text), { fileName: "b-renamed.csv" });
    expect(again.counts).toMatchObject({ rows: 3, new: 0, unchanged: 3 });
    // With the office's own ids, a changed row is the same row: its new founding year is taken,
    // but the website a user corrected since stays.
    const withIds = (year: number, site: string) =>
      `编号,中文名称,英文名称,国家,成立年份,网址\nP-1,编号测试党,Numbered Test Party,越南,${year},${site}\n`;
    const one = await runImport(admin, await stage(withIds(1960, "https://one.example.org")), { fileName: "c.csv" });
    const [party] = await db().selectFrom("organisations").select(["id"]).where("importId", "=", one.id).execute();
    await updateOrganisation(admin, party?.id as number, { website: "https://corrected.example.org" });
    const two = await runImport(admin, await stage(withIds(1961, "https://two.example.org")), { fileName: "c.csv" });
    expect(two.counts).toMatchObject({ rows: 1, updated: 1, new: 0 });
    const now = await db()
      .selectFrom("organisations")
      .select(["foundedYear", "website"])
      .where("id", "=", party?.id as number)
      .executeTakeFirstOrThrow();
    expect(now).toEqual({ foundedYear: 1961, website: "https://corrected.example.org" });
    await runImport(admin, await stage(withIds(1962, "https://three.example.org")), { fileName: "c.csv", overwrite: true });
    const forced = await db()
      .selectFrom("organisations")
      .select(["foundedYear", "website"])
      .where("id", "=", party?.id as number)
      .executeTakeFirstOrThrow();
    expect(forced).toEqual({ foundedYear: 1962, website: "https://three.example.org/" });
  });

  it("reports every bad row with its reason and line, and imports the rest", async () => {
    const long = "长".repeat(100_000);
    const text = [
      "中文名称,英文名称,国家,成立年份",
      "好的测试党,Good Test Party,越南,1990",
      `太长的名字,${long},越南,1990`,
      "未知国家党,Unknown Country Party,亚特兰蒂斯,1990",
      "年份不对党,Bad Year Party,越南,1990年13月",
      "多一列党,Extra Column Party,越南,1990,多余",
      ",,越南,1990",
      '=HYPERLINK("https://evil.example"),Formula Party,越南,1991',
    ].join("\n");
    const result = await runImport(admin, await stage(text), { fileName: "bad.csv" });
    expect(result.counts).toMatchObject({ rows: 7, new: 2, invalid: 5 });
    const byLine = new Map(result.errors.map((e) => [e.line, e]));
    expect(byLine.get(3)).toMatchObject({ field: "nameEn", column: 2 });
    expect(byLine.get(4)?.reason.zh).toContain("亚特兰蒂斯");
    expect(byLine.get(5)).toMatchObject({ field: "foundedYear" });
    expect(byLine.get(6)?.reason.en).toMatch(/5 cells; the header has 4/);
    expect(byLine.get(7)?.reason).toEqual({ en: "The row gives no name.", zh: "此行没有名称。" });
    // The formula is kept as the text it is.
    const formula = await db().selectFrom("organisations").select("nameZh").where("nameEn", "=", "Formula Party").executeTakeFirstOrThrow();
    expect(formula.nameZh).toBe('=HYPERLINK("https://evil.example")');
    for (const bad of [Buffer.alloc(0), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]), "\n\n\n"]) {
      await expect(previewImport(admin, await stage(bad), { fileName: "bad" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    await expect(previewImport(admin, await stage("国家,成立年份\n越南,1990\n"), { fileName: "no-names.csv" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "columns" }] },
    });
  });

  it("gives the preview as a spreadsheet with a status and a reason for each row, formulas kept as text", async () => {
    const text = [
      "中文名称,英文名称,国家",
      "表格测试党,Sheet Test Party,越南",
      "火星表格党,Mars Sheet Party,火星",
      '"=1+1",Formula Sheet Party,越南',
    ].join("\n");
    const bytes = await previewSpreadsheet(admin, await stage(text), { fileName: "sheet.csv" });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getRow(1).values).toEqual([undefined, "状态 Status", "原因 Reason", "行 Line", "中文名称", "英文名称", "国家"]);
    expect(sheet?.getRow(2).getCell(1).value).toBe("新增 new");
    expect(sheet?.getRow(3).getCell(1).value).toBe("有误 invalid");
    expect(String(sheet?.getRow(3).getCell(2).value)).toContain("火星");
    expect(sheet?.getRow(4).getCell(4).value).toBe("=1+1");
    expect(sheet?.getRow(4).getCell(4).formula).toBeUndefined();
  });

  it("matches a row to the registry by its name in any script, and asks when a name fits several", async () => {
    const parties = await db()
      .selectFrom("organisations")
      .select(["id", "nameEn"])
      .where("importId", "is not", null)
      .where("nameEn", "like", "Test 甲 Party%")
      .execute();
    expect(parties).toHaveLength(3);
    // The same party, written otherwise: matched, and its new alias added.
    const file = await stage("英文名称,别名,国家\nTEST 甲 party 1,甲一,VNM\n");
    const result = await runImport(admin, file, { fileName: "again.csv" });
    expect(result.counts).toMatchObject({ matched: 1, new: 0 });
    const names = await db()
      .selectFrom("organisationNames")
      .select("value")
      .where("organisationId", "=", parties.find((p) => p.nameEn === "Test 甲 Party 1")?.id as number)
      .execute();
    expect(names.map((n) => n.value)).toContain("甲一");
    // Forty parties of one name in one country: ambiguous, with candidates; the user's choice decides.
    await db()
      .insertInto("organisations")
      .values(
        Array.from({ length: 40 }, () => ({
          kind: "political_party",
          countryCode: "VNM",
          nameEn: "Popular Front",
          matchKeys: ["n|popularfront"],
        })),
      )
      .execute();
    const ambiguous = await previewImport(admin, await stage("英文名称,国家\nPopular Front,VNM\n"), { fileName: "pf.csv" });
    expect(ambiguous.counts).toMatchObject({ ambiguous: 1 });
    expect(ambiguous.rows[0]?.candidates).toHaveLength(10);
    const pick = ambiguous.rows[0]?.candidates[3]?.id as number;
    const chosen = await previewImport(admin, await stage("英文名称,国家\nPopular Front,VNM\n"), {
      fileName: "pf.csv",
      choices: { "2": pick },
    });
    expect(chosen.rows[0]).toMatchObject({ status: "matched", organisationId: pick });
  });

  it("creates a party its file names twice once, the second row adding to the first", async () => {
    const text = [
      "中文名称,英文名称,国家,网址",
      "重复测试党,Twice Test Party,越南,",
      "重复测试党,Twice Test Party,越南,https://twice.example.org",
    ].join("\n");
    const result = await runImport(admin, await stage(text), { fileName: "twice.csv" });
    expect(result.counts).toMatchObject({ rows: 2, new: 1, matched: 1 });
    const rows = await db().selectFrom("organisations").select(["id", "website"]).where("nameEn", "=", "Twice Test Party").execute();
    expect(rows).toEqual([{ id: expect.any(Number), website: "https://twice.example.org/" }]);
  });

  it("is undone as a whole, keeping a record something points at, and giving a matched record back its fields", async () => {
    const target = await db()
      .insertInto("organisations")
      .values({ kind: "political_party", countryCode: "VNM", nameEn: "Undo Target Party", matchKeys: ["n|undotargetparty"] })
      .returning("id")
      .executeTakeFirstOrThrow();
    const text = `${partnerList("丙", 4)}\r\n撤销目标党,Undo Target Party,越南,政党,,https://target.example.org`;
    const result = await runImport(admin, await stage(text), { fileName: "d.csv" });
    expect(result.counts).toMatchObject({ new: 4, matched: 1 });
    const filled = await db()
      .selectFrom("organisations")
      .select(["website", "nameZh"])
      .where("id", "=", target.id)
      .executeTakeFirstOrThrow();
    expect(filled).toEqual({ website: "https://target.example.org/", nameZh: "撤销目标党" });
    const created = await db().selectFrom("organisations").select(["id"]).where("importId", "=", result.id).orderBy("id").execute();
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Talks",
      startDate: "2024-03-01",
      status: "done",
      leadUnitId: admin.unitId,
      participants: [{ organisationId: created[0]?.id as number, role: "participant" }],
    });
    const editor = await actorInFreshUnit("editor");
    await expect(undoImport(editor, result.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const undone = await undoImport(admin, result.id);
    expect(undone).toMatchObject({ status: "undone", counts: { undone: 3, kept: 1 } });
    const left = await db().selectFrom("organisations").select("id").where("importId", "=", result.id).execute();
    expect(left.map((o) => o.id)).toEqual([created[0]?.id]);
    // The matched record has its empty website and its name back as they were.
    const restored = await db()
      .selectFrom("organisations")
      .select(["website", "nameZh"])
      .where("id", "=", target.id)
      .executeTakeFirstOrThrow();
    expect(restored).toEqual({ website: null, nameZh: null });
    await expect(undoImport(admin, result.id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await getImport(admin, result.id)).status).toBe("undone");
  });

  it("creates each party once when two imports of one file run at once", async () => {
    const text = partnerList("丁", 30);
    const [a, b] = await Promise.all([
      runImport(admin, await stage(text), { fileName: "e1.csv" }),
      runImport(admin, await stage(text), { fileName: "e2.csv" }),
    ]);
    expect((a.counts.new ?? 0) + (b.counts.new ?? 0)).toBe(30);
    const rows = await db().selectFrom("organisations").select("id").where("nameEn", "like", "Test 丁 Party %").execute();
    expect(rows).toHaveLength(30);
  });

  it("lets editors import into the registry, and viewers not at all", async () => {
    const viewer = await actorInFreshUnit("viewer");
    await expect(previewImport(viewer, await stage(partnerList("戊")), { fileName: "f.csv" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const editor = await actorInFreshUnit("editor");
    const result = await runImport(editor, await stage(partnerList("戊")), { fileName: "f.csv" });
    expect(result.counts).toMatchObject({ new: 3 });
    // The editor may undo their own import.
    expect((await undoImport(editor, result.id)).counts).toMatchObject({ undone: 3 });
  });
});

describe("importing safely, whoever imports what", () => {
  it("keeps each unit's own ids apart, refuses an id given twice, and takes a repeated Wikidata id as the same party", async () => {
    const a = await actorInFreshUnit("editor");
    const b = await actorInFreshUnit("editor");
    const first = await runImport(a, await stage("编号,中文名称,英文名称\n1,甲单位党,Unit A Party\n"), { fileName: "a.csv" });
    expect(first.counts).toMatchObject({ new: 1 });
    // Unit B's id 1 is another row: a new party, and unit A's untouched.
    const second = await runImport(b, await stage("编号,中文名称,英文名称\n1,乙单位党,Unit B Party\n"), { fileName: "b.csv" });
    expect(second.counts).toMatchObject({ new: 1, updated: 0 });
    expect(
      (await db().selectFrom("organisations").select("nameZh").where("nameEn", "=", "Unit A Party").executeTakeFirstOrThrow()).nameZh,
    ).toBe("甲单位党");
    const twice = await runImport(a, await stage("编号,中文名称,英文名称\n7,七号党,Seven Party\n7,另一个七号党,Other Seven Party\n"), {
      fileName: "c.csv",
    });
    expect(twice.counts).toMatchObject({ new: 1, invalid: 1 });
    expect(twice.errors[0]?.reason.zh).toBe("此行的编号与第2行重复。");
    const wikidata = await runImport(a, await stage("英文名称,Wikidata\nQid Party,Q999000111\nQid Party (again),Q999000111\n"), {
      fileName: "d.csv",
    });
    expect(wikidata.counts).toMatchObject({ new: 1, matched: 1, invalid: 0 });
    expect(wikidata.status).toBe("done");
  });

  it("never lets the defaults overwrite a matched record's own kind, and refuses an unknown default country", async () => {
    const tank = await db()
      .insertInto("organisations")
      .values({ kind: "think_tank", countryCode: "LAO", nameEn: "Default Test Institute", matchKeys: ["n|defaulttestinstitute"] })
      .returning("id")
      .executeTakeFirstOrThrow();
    const result = await runImport(admin, await stage("英文名称,国家\nDefault Test Institute,LAO\n"), {
      fileName: "e.csv",
      overwrite: true,
    });
    expect(result.counts).toMatchObject({ matched: 1 });
    expect((await db().selectFrom("organisations").select("kind").where("id", "=", tank.id).executeTakeFirstOrThrow()).kind).toBe(
      "think_tank",
    );
    await expect(
      previewImport(admin, await stage("英文名称\nX Party\n"), { fileName: "f.csv", defaults: { countryCode: "ZZZ" } }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", details: { fields: [{ path: "defaults.countryCode" }] } });
  });

  it("moves a partner between the counts' breakdowns when an import gives it a country, and back when undone", async () => {
    const party = await db()
      .insertInto("organisations")
      .values({ kind: "political_party", countryCode: null, nameEn: "Countryless Test Party", matchKeys: ["n|countrylesstestparty"] })
      .returning("id")
      .executeTakeFirstOrThrow();
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Talks with a party of no country yet",
      status: "done",
      startDate: "2021-03-03",
      leadUnitId: admin.unitId as number,
      participants: [{ organisationId: party.id, role: "guest" }],
    });
    const asTheRecord = async () => {
      const kept = await rollupSnapshot();
      await database.db.transaction().execute((trx) => rebuildRollups(trx));
      expect(await rollupSnapshot()).toEqual(kept);
      const query = { by: "region", from: "2021-01-01", to: "2021-12-31" };
      const fast = await countEngagements(admin, query);
      expect(fast.source).toBe("rollup");
      expect(fast.rows).toEqual((await countEngagements(admin, query, { fromRecord: true })).rows);
      return fast.rows.find((r) => r.key === "002")?.engagements ?? 0;
    };
    const africaBefore = await asTheRecord();
    const result = await runImport(admin, await stage("英文名称,国家\nCountryless Test Party,KEN\n"), { fileName: "k.csv" });
    expect(result.counts).toMatchObject({ matched: 1 });
    expect(
      (await db().selectFrom("organisations").select("countryCode").where("id", "=", party.id).executeTakeFirstOrThrow()).countryCode,
    ).toBe("KEN");
    expect(await asTheRecord()).toBe(africaBefore + 1);
    await undoImport(admin, result.id);
    expect(await asTheRecord()).toBe(africaBefore);
  });

  it("keeps, on undo, an imported party another unit wrote a note on, and audits each party it removes", async () => {
    const result = await runImport(admin, await stage("中文名称,英文名称\n注记甲党,Noted A Party\n注记乙党,Noted B Party\n"), {
      fileName: "g.csv",
    });
    const [noted, plain] = await db()
      .selectFrom("organisations")
      .select(["id", "nameEn"])
      .where("importId", "=", result.id)
      .orderBy("nameEn")
      .execute();
    const other = await actorInFreshUnit("editor");
    await createNote(other, { kind: "organisation", id: noted?.id as number }, { body: "Met their secretary-general." });
    const undone = await undoImport(admin, result.id);
    expect(undone.counts).toMatchObject({ undone: 1, kept: 1 });
    expect(
      await db()
        .selectFrom("organisations")
        .select("id")
        .where("id", "=", noted?.id as number)
        .executeTakeFirst(),
    ).toBeDefined();
    const audit = await db()
      .selectFrom("auditLog")
      .select(["action"])
      .where("entity", "=", "organisation")
      .where("entityId", "=", String(plain?.id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["create", "delete"]));
  });

  it("gives an uploaded file to the one who uploaded it only", async () => {
    const editor = await actorInFreshUnit("editor");
    const other = await actorInFreshUnit("editor");
    const uploaded = await uploadImportFile(editor, Buffer.from("英文名称\nUpload Party\n"), { fileName: "mine.csv" });
    expect((await onUpload.preview(editor, { fileId: uploaded.fileId, fileName: "mine.csv" })).counts).toMatchObject({ rows: 1 });
    await expect(onUpload.preview(other, { fileId: uploaded.fileId, fileName: "mine.csv" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(onUpload.spreadsheet(other, { fileId: uploaded.fileId, fileName: "mine.csv" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("says on the record exactly what was written when the file breaks after a batch was read", async () => {
    const lines = ["中文名称,英文名称,国家"];
    for (let i = 0; i < 1500; i++) lines.push(`断裂${i}党,Broken File Party ${i},越南`);
    // An unclosed quote: the reader fails here, while the first thousand rows are being written.
    lines.push(`"未闭合,Unclosed,越南`, "后面,After,越南");
    const started = await startImport(admin, await stage(lines.join("\n")), { fileName: "断裂.csv" });
    await expect(started.finished).rejects.toThrow();
    const record = await db().selectFrom("imports").select(["status", "counts"]).where("id", "=", started.id).executeTakeFirstOrThrow();
    const written = await db()
      .selectFrom("organisations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("importId", "=", started.id)
      .executeTakeFirstOrThrow();
    expect(record.status).toBe("interrupted");
    expect(Number(written.n)).toBe(1000);
    expect(record.counts).toMatchObject({ rows: 1000, new: 1000 });
  });
});
