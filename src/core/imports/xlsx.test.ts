import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipArchive as zip } from "../../../test/support/zip.ts";
import { inspectShape, readRows } from "./read.ts";

/**
 * Workbooks as other programs write them, built part by part so that the order of the parts,
 * the XML prefixes and the cell encodings are the test's to choose: an office's file may come
 * from Excel, WPS, LibreOffice, a government system on the OpenXML SDK, or a script.
 */

const mainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const relNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const pkgRel = "http://schemas.openxmlformats.org/package/2006/relationships";

/** The parts of a two-sheet workbook, each XML element written with prefix `p` ("" for none). */
function parts(p: string, options: { date1904?: boolean } = {}): Record<string, string> {
  const x = p ? `${p}:` : "";
  const xmlns = p ? `xmlns:${p}="${mainNs}"` : `xmlns="${mainNs}"`;
  return {
    "[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
    "_rels/.rels": `<?xml version="1.0"?><Relationships xmlns="${pkgRel}"><Relationship Id="rId1" Type="${relNs}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    "xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><${x}workbook ${xmlns} xmlns:r="${relNs}"><${x}workbookPr date1904="${options.date1904 ? 1 : 0}"/><${x}sheets><${x}sheet name="说明" sheetId="1" r:id="rId2"/><${x}sheet name="伙伴名单" sheetId="2" r:id="rId1"/></${x}sheets></${x}workbook>`,
    // The sheets' files are numbered against their order in the workbook: the relationships say which is which.
    "xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="${pkgRel}"><Relationship Id="rId1" Type="${relNs}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${relNs}/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="${relNs}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="${relNs}/styles" Target="styles.xml"/></Relationships>`,
    "xl/sharedStrings.xml": `<?xml version="1.0"?><${x}sst ${xmlns} count="5" uniqueCount="5"><${x}si><${x}t>中文名称</${x}t></${x}si><${x}si><${x}t>英文名称</${x}t></${x}si><${x}si><${x}r><${x}t>越南</${x}t></${x}r><${x}r><${x}rPr><${x}b/></${x}rPr><${x}t>共产党</${x}t></${x}r><${x}rPh sb="0" eb="2"><${x}t>yuènán</${x}t></${x}rPh></${x}si><${x}si><${x}t xml:space="preserve">Communist Party_x000D_
of Vietnam </${x}t></${x}si><${x}si><${x}t>成立日期</${x}t></${x}si></${x}sst>`,
    // Style 1: the Chinese built-in date format 31 (yyyy年m月d日); 2: a custom one; 3: two decimals, not a date.
    "xl/styles.xml": `<?xml version="1.0"?><${x}styleSheet ${xmlns}><${x}numFmts count="2"><${x}numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/><${x}numFmt numFmtId="177" formatCode="0.00_);[Red]\\(0.00\\)"/></${x}numFmts><${x}cellStyleXfs count="1"><${x}xf numFmtId="14"/></${x}cellStyleXfs><${x}cellXfs count="4"><${x}xf numFmtId="0"/><${x}xf numFmtId="31"/><${x}xf numFmtId="176"/><${x}xf numFmtId="177"/></${x}cellXfs></${x}styleSheet>`,
    "xl/worksheets/sheet1.xml": `<?xml version="1.0"?><${x}worksheet ${xmlns}><${x}sheetData>
<${x}row r="1"><${x}c r="A1" t="s"><${x}v>0</${x}v></${x}c><${x}c r="B1" t="s"><${x}v>1</${x}v></${x}c><${x}c r="D1" t="s"><${x}v>4</${x}v></${x}c></${x}row>
<${x}row r="2"/>
<${x}row r="3"><${x}c r="A3" t="s"><${x}v>2</${x}v></${x}c><${x}c r="B3" t="s"><${x}v>3</${x}v></${x}c><${x}c r="C3" t="b"><${x}v>1</${x}v></${x}c><${x}c r="D3" s="1"><${x}v>${options.date1904 ? 9530 : 10992}</${x}v></${x}c><${x}c r="E3" s="3"><${x}v>0.1</${x}v></${x}c></${x}row>
<${x}row><${x}c t="inlineStr"><${x}is><${x}t>老挝人民革命党</${x}t></${x}is></${x}c><${x}c t="str"><${x}f>B2&amp;"x"</${x}f><${x}v>Lao &lt;LPRP&gt;</${x}v></${x}c><${x}c t="e"><${x}f>1/0</${x}f><${x}v>#DIV/0!</${x}v></${x}c><${x}c s="2"><${x}v>20170</${x}v></${x}c><${x}c><${x}f>HYPERLINK("https://evil.example","x")</${x}f></${x}c></${x}row>
<${x}row r="7"><${x}c r="A7" t="inlineStr"><${x}is><${x}t><![CDATA[古巴共产党 & 朋友]]></${x}t></${x}is></${x}c><${x}c r="F7" t="d"><${x}v>1965-10-03T00:00:00Z</${x}v></${x}c></${x}row>
</${x}sheetData><${x}mergeCells count="1"><${x}mergeCell ref="A2:D2"/></${x}mergeCells></${x}worksheet>`,
    "xl/worksheets/sheet2.xml": `<?xml version="1.0"?><${x}worksheet ${xmlns}><${x}sheetData><${x}row r="1"><${x}c r="A1" t="inlineStr"><${x}is><${x}t>本表为伙伴名单</${x}t></${x}is></${x}c></${x}row></${x}sheetData></${x}worksheet>`,
  };
}

/** What every variant of the workbook reads as: the rows of 伙伴名单 (empty rows left out). */
const expected = [
  { line: 1, cells: ["中文名称", "英文名称", "", "成立日期"] },
  { line: 3, cells: ["越南共产党", "Communist Party\r\nof Vietnam ", "TRUE", "1930-02-03", "0.1"] },
  { line: 4, cells: ["老挝人民革命党", "Lao <LPRP>", "#DIV/0!", "1955-03-22", '=HYPERLINK("https://evil.example","x")'] },
  { line: 7, cells: ["古巴共产党 & 朋友", "", "", "", "", "1965-10-03"] },
];

describe("reading workbooks as other programs write them", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liaison-xlsx-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function read(bytes: Buffer, sheet = "伙伴名单") {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.xlsx`);
    await writeFile(file, bytes);
    const shape = await inspectShape(file);
    const rows = [];
    for await (const row of readRows(file, shape, sheet)) rows.push(row);
    return { shape, rows };
  }

  const orders: Array<[string, string[]]> = [
    [
      "the sheet list last, sheets before the shared strings (as one library writes)",
      [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
      ],
    ],
    [
      "the sheet list first, shared strings before the sheets (as Excel writes)",
      [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet1.xml",
      ],
    ],
    [
      "shared strings and relationships after everything",
      [
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet2.xml",
        "[Content_Types].xml",
        "xl/sharedStrings.xml",
        "xl/_rels/workbook.xml.rels",
        "_rels/.rels",
      ],
    ],
  ];
  it.each(orders)("reads every cell whatever the order of the parts: %s", async (_, order) => {
    const all = parts("");
    const { shape, rows } = await read(zip(order.map((name) => [name, all[name] as string])));
    expect(shape.sheets).toEqual(["说明", "伙伴名单"]);
    expect(rows).toEqual(expected);
  });

  it("reads the prefixed XML of the OpenXML SDK (<x:row>) and stored parts alike", async () => {
    for (const stored of [false, true]) {
      const { shape, rows } = await read(zip(Object.entries(parts("x")), { stored }));
      expect(shape.sheets).toEqual(["说明", "伙伴名单"]);
      expect(rows).toEqual(expected);
    }
  });

  it("reads dates of a workbook counted from 1904, and the other sheet by its name", async () => {
    const { rows } = await read(zip(Object.entries(parts("", { date1904: true }))));
    expect(rows[1]?.cells[3]).toBe("1930-02-03");
    const other = await read(zip(Object.entries(parts(""))), "说明");
    expect(other.rows).toEqual([{ line: 1, cells: ["本表为伙伴名单"] }]);
  });

  it("stops at a part that inflates past its limit, reads no cell past the 1,024th column, and keeps long numbers as written", async () => {
    const all = parts("");
    // Five megabytes of relationships, deflated to a few kilobytes.
    const padding = `<Relationship Id="rX" Type="x" Target="${"a".repeat(200)}"/>`.repeat(25_000);
    const bomb = {
      ...all,
      "xl/_rels/workbook.xml.rels": all["xl/_rels/workbook.xml.rels"]?.replace("</Relationships>", `${padding}</Relationships>`) as string,
    };
    const error = await read(zip(Object.entries(bomb))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", details: { reason: { zh: expect.stringContaining("过大") } } });
    const wide = {
      ...all,
      "xl/worksheets/sheet1.xml": `<?xml version="1.0"?><worksheet xmlns="${mainNs}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row><row r="2"><c r="A2"><v>12345678901234567890</v></c><c r="B2" t="inlineStr"><is><t>a_x0000_b</t></is></c></row></sheetData></worksheet>`,
    };
    const { rows } = await read(zip(Object.entries(wide)));
    expect(rows[0]?.cells).toEqual(["编号"]);
    expect(rows[1]?.cells[0]).toBe("12345678901234567890");
  });

  it("refuses, in both languages, a damaged, an old, a locked or a sheetless workbook", async () => {
    const whole = zip(Object.entries(parts("")));
    const cases: Array<[string, Buffer, string]> = [
      ["cut short", whole.subarray(0, whole.length - 40), "损坏"],
      ["an Excel 97–2003 file", Buffer.concat([Buffer.from("d0cf11e0a1b11ae1", "hex"), Buffer.alloc(4096, 1)]), ".xls"],
      ["encrypted parts", zip(Object.entries(parts("")), { encrypted: true }), "密码"],
      ["no sheet list", zip(Object.entries(parts("")).filter(([name]) => name !== "xl/workbook.xml")), "损坏"],
      ["a sheet part that is not XML", zip(Object.entries({ ...parts(""), "xl/worksheets/sheet1.xml": "<x><unclosed" })), "损坏"],
    ];
    for (const [what, bytes, zh] of cases) {
      const error = await read(bytes).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, what).toMatchObject({ code: "VALIDATION_FAILED", details: { reason: { zh: expect.stringContaining(zh) } } });
      expect((error as { details: { reason: { en: string } } }).details.reason.en, what).toMatch(/^[A-Z]/);
    }
  });
});
