import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import ExcelJS from "exceljs";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { csvLine } from "../shared/csv.ts";
import { writeAudit } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { type Overview, overviewQuery } from "./schema.ts";

/** The places a report's figure reached, named ("170多个国家和地区"); a snapshot frozen before regions were counted apart names countries. */
function places(stated: { countries: { zh: string; en: string }; places?: { zh: string; en: string } | undefined }) {
  return stated.places ?? { zh: `${stated.countries.zh}个国家`, en: `${stated.countries.en} countries` };
}

/** A partner's Chinese name as a document states it: a suggestion not yet confirmed is marked so. */
function chineseNameAsStated(o: { name: { zh: string | null }; nameZhSuggested?: boolean }): string {
  if (!o.name.zh) return "";
  return o.nameZhSuggested ? `${o.name.zh}（暂译）` : o.name.zh;
}

import { buildOverview } from "./service.ts";

export const reportFormats = ["docx", "xlsx", "csv"] as const;
const exportQuery = overviewQuery.and(z.object({ format: z.enum(reportFormats) }));

/** One table of the report, with both languages' headings. */
interface ReportTable {
  key: string;
  title: { en: string; zh: string };
  columns: Array<{ en: string; zh: string }>;
  rows: Array<Array<string | number>>;
}

const measureColumns = [
  { en: "Engagements", zh: "次数" },
  { en: "Partners", zh: "伙伴" },
  { en: "Countries", zh: "国家" },
];
const previousColumns = [
  { en: "Engagements, previous period", zh: "上期次数" },
  { en: "Partners, previous period", zh: "上期伙伴" },
  { en: "Countries, previous period", zh: "上期国家" },
];

/** The report's tables, the same for every format. */
export function reportTables(report: Overview): ReportTable[] {
  const withPrevious = report.previousPeriod !== null;
  const grouped = (key: string, title: { en: string; zh: string }, rows: Overview["byType"]): ReportTable => ({
    key,
    title,
    columns: [
      { en: "Group", zh: "类别" },
      { en: "Group (Chinese)", zh: "类别（中文）" },
      ...measureColumns,
      ...(withPrevious ? previousColumns : []),
    ],
    rows: rows.map((r) => [
      r.label.en,
      r.label.zh,
      r.engagements,
      r.organisations,
      r.countries,
      ...(withPrevious && r.previous ? [r.previous.engagements, r.previous.organisations, r.previous.countries] : []),
    ]),
  });
  return [
    {
      key: "narrative",
      title: { en: "Summary", zh: "综述" },
      columns: [{ en: "Chinese", zh: "中文" }, { en: "English", zh: "英文" }, ...measureColumns],
      rows: report.narrative.map((n) => [n.zh, n.en, n.figures.engagements.value, n.figures.partners.value, n.figures.countries.value]),
    },
    {
      key: "in_government",
      title: { en: "Partners in government when we met them", zh: "交往时执政的伙伴" },
      columns: [...measureColumns, ...(withPrevious ? previousColumns : [])],
      rows: [
        [
          report.inGovernment.engagements,
          report.inGovernment.organisations,
          report.inGovernment.countries,
          ...(withPrevious && report.inGovernment.previous
            ? [report.inGovernment.previous.engagements, report.inGovernment.previous.organisations, report.inGovernment.previous.countries]
            : []),
        ],
      ],
    },
    grouped("by_type", { en: "Engagements by type", zh: "按类型" }, report.byType),
    grouped("by_partner_kind", { en: "Partners by kind", zh: "按伙伴类别" }, report.byPartnerKind),
    grouped("by_region", { en: "By region", zh: "按地区" }, report.byRegion),
    grouped("top_countries", { en: "Top countries", zh: "主要国家" }, report.topCountries),
    {
      key: "top_partners",
      title: { en: "Top partners", zh: "主要伙伴" },
      columns: [
        { en: "Partner", zh: "伙伴" },
        { en: "Partner (Chinese)", zh: "伙伴（中文）" },
        { en: "Country", zh: "国家" },
        measureColumns[0] as { en: string; zh: string },
      ],
      rows: report.topPartners.map((p) => [
        p.organisation.name.en,
        chineseNameAsStated(p.organisation),
        p.organisation.country ?? "",
        p.engagements,
      ]),
    },
  ];
}

function csv(report: Overview): Buffer {
  let text = "\uFEFF";
  for (const table of reportTables(report)) {
    text += csvLine([`${table.title.en} / ${table.title.zh}`]);
    text += csvLine(table.columns.map((c) => `${c.en} / ${c.zh}`));
    for (const row of table.rows) text += csvLine(row);
    text += "\r\n";
  }
  return Buffer.from(text, "utf8");
}

async function xlsx(report: Overview): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "Liaison";
  for (const table of reportTables(report)) {
    const sheet = book.addWorksheet(table.title.en.slice(0, 31));
    sheet.addRow([`${table.title.zh} ${table.title.en}`]).font = { bold: true, size: 13 };
    sheet.addRow([`${report.period.from} – ${report.period.to}`]);
    const header = sheet.addRow(table.columns.map((c) => `${c.zh} ${c.en}`));
    header.font = { bold: true };
    for (const row of table.rows) sheet.addRow(row);
    sheet.columns.forEach((column, i) => {
      column.width = i < 2 ? 48 : 16;
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

const serif = { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "SimSun" };
const run = (text: string, options: { bold?: boolean; size?: number } = {}) => new TextRun({ text, font: serif, ...options });
const paragraph = (
  text: string,
  options: { bold?: boolean; size?: number; heading?: (typeof HeadingLevel)[keyof typeof HeadingLevel]; center?: boolean } = {},
) =>
  new Paragraph({
    children: [run(text, { ...(options.bold ? { bold: true } : {}), ...(options.size ? { size: options.size } : {}) })],
    ...(options.heading ? { heading: options.heading } : {}),
    ...(options.center ? { alignment: AlignmentType.CENTER } : {}),
    spacing: { after: 120 },
  });

function docxTable(table: ReportTable): Table {
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [run(text, { bold, size: 18 })] })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: table.columns.map((c) => cell(`${c.zh}\n${c.en}`, true)) }),
      ...table.rows.map(
        (row) => new TableRow({ children: row.map((v) => cell(typeof v === "number" ? new Intl.NumberFormat("en").format(v) : v)) }),
      ),
    ],
  });
}

async function docx(report: Overview, scope: string): Promise<Buffer> {
  const tables = reportTables(report);
  const [summary, ...rest] = tables;
  const sentencesZh = report.narrative.map((n) => `${n.zh}。`).join("");
  const sentencesEn = report.narrative.map((n) => `${n.en.charAt(0).toUpperCase()}${n.en.slice(1)}.`).join(" ");
  const totals = report.totals.stated;
  const governing = report.inGovernment.stated;
  const document = new Document({
    creator: "Liaison",
    title: "Overview of external work",
    styles: { default: { document: { run: { font: serif, size: 22 } } } },
    sections: [
      {
        children: [
          paragraph("对外工作情况综述", { bold: true, size: 36, center: true }),
          paragraph("Overview of External Work", { bold: true, size: 28, center: true }),
          paragraph(`${report.period.from} – ${report.period.to} · ${scope}`, { center: true }),
          paragraph(`编制日期 Date of issue: ${new Date().toISOString().slice(0, 10)}`, { center: true }),
          paragraph("一、总体情况", { heading: HeadingLevel.HEADING_1 }),
          paragraph(
            `本期共开展对外交往${totals.engagements.zh}次，涉及${places(totals).zh}的${totals.organisations.zh}个伙伴，其中交往时处于执政地位的${places(governing).zh}的${governing.organisations.zh}个政党。`,
          ),
          paragraph(`I. Overview`, { heading: HeadingLevel.HEADING_1 }),
          paragraph(
            `In the period, ${totals.engagements.en} engagements reached ${totals.organisations.en} partners in ${places(totals).en}, of which ${governing.organisations.en} were in government in ${places(governing).en} when we met them.`,
          ),
          paragraph("二、各领域工作", { heading: HeadingLevel.HEADING_1 }),
          paragraph(sentencesZh || "—"),
          paragraph("II. Areas of work", { heading: HeadingLevel.HEADING_1 }),
          paragraph(sentencesEn || "—"),
          paragraph("三、统计表 III. Tables", { heading: HeadingLevel.HEADING_1 }),
          ...rest.flatMap((t) => [paragraph(`${t.title.zh} ${t.title.en}`, { heading: HeadingLevel.HEADING_2 }), docxTable(t)]),
          ...(summary ? [paragraph("")] : []),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

/**
 * The overview as a file, checked before it is built: a bilingual DOCX report in an
 * official layout (title block, sections by area of work, tables), an XLSX with one sheet per
 * table, or a CSV. Only what the actor may see; the export is audited.
 */
export async function prepareOverviewExport(
  actor: Actor,
  input: unknown,
): Promise<{ contentType: string; fileName: string; body: Buffer }> {
  authorize(actor, "engagements.export");
  const { format, ...params } = parseInput(exportQuery, input);
  const report = await buildOverview(actor, params);
  const unit = actor.unitId
    ? await db()
        .selectFrom("units")
        .select(["nameEn", "nameZh"])
        .where("id", "=", params.unitId ?? actor.unitId)
        .executeTakeFirst()
    : undefined;
  const scope = unit ? `${unit.nameZh} ${unit.nameEn}` : "";
  const name = `liaison-overview-${params.from}-${params.to}`;
  const file =
    format === "csv"
      ? { contentType: "text/csv; charset=utf-8", fileName: `${name}.csv`, body: csv(report) }
      : format === "xlsx"
        ? {
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fileName: `${name}.xlsx`,
            body: await xlsx(report),
          }
        : {
            contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            fileName: `${name}.docx`,
            body: await docx(report, scope),
          };
  await writeAudit(db(), actor, { entity: "export", entityId: null, action: `export_overview_${format}`, after: { params } });
  return file;
}
