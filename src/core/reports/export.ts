import { AlignmentType, Document, Packer } from "docx";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { csvLine } from "../shared/csv.ts";
import { today } from "../shared/dates.ts";
import { writeAudit } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { chineseDate, englishDate } from "../shared/text.ts";
import {
  type Classification,
  type Column,
  chineseOrdinals,
  displayWidth,
  docxTable,
  faces,
  line,
  officialSection,
  type ReportTable,
  sizes,
} from "./layout.ts";
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

const measureColumns: Column[] = [
  { en: "Engagements", zh: "次数" },
  { en: "Partners", zh: "伙伴" },
  { en: "Countries", zh: "国家" },
];
const previousColumns: Column[] = [
  { en: "Engagements, previous period", zh: "上期次数" },
  { en: "Partners, previous period", zh: "上期伙伴" },
  { en: "Countries, previous period", zh: "上期国家" },
];

/** An English sentence of the narrative as a table or a paragraph states it: capitalised. */
const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** Country names by code, for the tables that name a partner's country. */
export type CountryNames = Map<string, { en: string; zh: string }>;

/** The report's tables, the same for every format; columns of one language are marked so. */
export function reportTables(report: Overview, countryNames: CountryNames = new Map()): ReportTable[] {
  const withPrevious = report.previousPeriod !== null;
  const grouped = (key: string, title: { en: string; zh: string }, rows: Overview["byType"]): ReportTable => ({
    key,
    title,
    columns: [
      { en: "Group", zh: "类别（英文）", lang: "en", width: 2 },
      { en: "Group (Chinese)", zh: "类别", lang: "zh", width: 2 },
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
  const country = (code: string | null, lang: "en" | "zh") => (code ? (countryNames.get(code)?.[lang] ?? code) : "");
  return [
    {
      key: "narrative",
      title: { en: "Summary", zh: "综述" },
      columns: [
        { en: "Chinese", zh: "中文", lang: "zh", width: 6 },
        { en: "English", zh: "英文", lang: "en", width: 6 },
        ...measureColumns,
      ],
      rows: report.narrative.map((n) => [
        n.zh,
        capitalised(n.en),
        n.figures.engagements.value,
        n.figures.partners.value,
        n.figures.countries.value,
      ]),
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
    grouped("by_region", { en: "By region", zh: "按区域" }, report.byRegion),
    grouped("top_countries", { en: "Top countries", zh: "主要国家" }, report.topCountries),
    {
      key: "top_partners",
      title: { en: "Top partners", zh: "主要伙伴" },
      columns: [
        { en: "Partner", zh: "伙伴（英文）", lang: "en", width: 5 },
        { en: "Partner (Chinese)", zh: "伙伴", lang: "zh", width: 5 },
        { en: "Country", zh: "国家（英文）", lang: "en", width: 2 },
        { en: "Country (Chinese)", zh: "国家", lang: "zh", width: 2 },
        measureColumns[0] as Column,
      ],
      rows: report.topPartners.map((p) => [
        p.organisation.name.en,
        chineseNameAsStated(p.organisation) || p.organisation.name.en,
        country(p.organisation.country, "en"),
        country(p.organisation.country, "zh"),
        p.engagements,
      ]),
    },
  ];
}

function csv(report: Overview, countryNames: CountryNames): Buffer {
  let text = "\uFEFF";
  for (const table of reportTables(report, countryNames)) {
    text += csvLine([`${table.title.en} / ${table.title.zh}`]);
    text += csvLine(table.columns.map((c) => `${c.en} / ${c.zh}`));
    for (const row of table.rows) text += csvLine(row);
    text += "\r\n";
  }
  return Buffer.from(text, "utf8");
}

/** Excel's limit on a sheet's name. */
const sheetNameLimit = 31;

/** A sheet's name in both languages, within Excel's 31 characters: "按类型 By type". */
export function sheetName(title: { en: string; zh: string }): string {
  const both = `${title.zh} ${title.en}`;
  return both.length <= sheetNameLimit ? both : both.slice(0, sheetNameLimit).trimEnd();
}

async function xlsx(report: Overview, countryNames: CountryNames): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "Liaison";
  for (const table of reportTables(report, countryNames)) {
    // Frozen above the two header rows, so the headings stay while the rows scroll.
    const sheet = book.addWorksheet(sheetName(table.title), { views: [{ state: "frozen", ySplit: 4 }] });
    sheet.addRow([`${table.title.zh} ${table.title.en}`]).font = { bold: true, size: 13 };
    sheet.addRow([
      `${chineseDate(report.period.from)}至${chineseDate(report.period.to)} · ${englishDate(report.period.from)} – ${englishDate(report.period.to)}`,
    ]);
    sheet.addRow(table.columns.map((c) => c.zh)).font = { bold: true };
    sheet.addRow(table.columns.map((c) => c.en)).font = { bold: true, italic: true };
    for (const row of table.rows) sheet.addRow(row);
    table.columns.forEach((column, i) => {
      const longest = Math.max(column.en.length, column.zh.length * 2, ...table.rows.map((r) => displayWidth(String(r[i] ?? ""))));
      const sheetColumn = sheet.getColumn(i + 1);
      sheetColumn.width = Math.min(80, Math.max(10, longest + 2));
      if (column.width && column.width >= 5) sheetColumn.alignment = { wrapText: true, vertical: "top" };
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface Issuer {
  unit: { en: string; zh: string } | null;
  issuedOn: string;
  classification: Classification;
}

async function docx(report: Overview, countryNames: CountryNames, issuer: Issuer): Promise<Buffer> {
  const [, ...tables] = reportTables(report, countryNames);
  const totals = report.totals.stated;
  const section = (lang: "zh" | "en") => {
    const zh = lang === "zh";
    const heading1 = (text: string) => line(text, { face: zh ? "heading1" : "body", bold: !zh, indent: zh });
    const heading2 = (text: string) => line(text, { face: zh ? "heading2" : "body", bold: !zh, indent: zh });
    const unitName = issuer.unit ? issuer.unit[lang] : "";
    const period = zh
      ? `（${chineseDate(report.period.from)}至${chineseDate(report.period.to)}）`
      : `(${englishDate(report.period.from)} – ${englishDate(report.period.to)})`;
    const overview = report.summary
      ? report.summary[lang]
      : zh
        ? `本期共开展对外交往${totals.engagements.zh}次，涉及${places(totals).zh}的${totals.organisations.zh}个伙伴。`
        : `In the period, ${totals.engagements.en} engagements reached ${totals.organisations.en} partners in ${places(totals).en}.`;
    const sentences = zh
      ? report.narrative.map((n) => `${n.zh}。`).join("")
      : report.narrative.map((n) => `${capitalised(n.en)}.`).join(" ");
    return officialSection(lang, issuer.classification, [
      line(zh ? "对外工作情况综述" : "Overview of External Work", { face: "title", size: sizes.title, align: AlignmentType.CENTER }),
      line(period, { align: AlignmentType.CENTER, face: zh ? "heading2" : "body" }),
      heading1(zh ? "一、总体情况" : "I. Overview"),
      line(overview, { indent: zh }),
      heading1(zh ? "二、各领域工作" : "II. Areas of work"),
      line(sentences || "—", { indent: zh }),
      heading1(zh ? "三、统计表" : "III. Tables"),
      ...tables.flatMap((t, i) => [
        heading2(zh ? `（${chineseOrdinals[i] ?? i + 1}）${t.title.zh}` : `${i + 1}. ${t.title.en}`),
        docxTable(t, lang),
      ]),
      line(""),
      line(unitName, { align: AlignmentType.RIGHT }),
      line(zh ? chineseDate(issuer.issuedOn) : englishDate(issuer.issuedOn), { align: AlignmentType.RIGHT }),
    ]);
  };
  const document = new Document({
    creator: "Liaison",
    title: "对外工作情况综述 Overview of External Work",
    styles: { default: { document: { run: { font: faces.body, size: sizes.body } } } },
    // The Chinese document, then the English one on a page of its own: never interleaved.
    sections: [section("zh"), section("en")],
  });
  return Packer.toBuffer(document);
}

/** The highest classification among the engagements the report may count (at least internal: a report is not public). */
async function highestClassification(actor: Actor, period: { from: string; to: string }): Promise<Classification> {
  const row = await sql<{ restricted: boolean }>`SELECT EXISTS (SELECT 1 FROM ${forActor(actor).engagementsSql} e
      WHERE e.classification = 'restricted' AND e.start_date BETWEEN ${period.from}::date AND ${period.to}::date) AS restricted`.execute(
    db(),
  );
  return row.rows[0]?.restricted ? "restricted" : "internal";
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
  const codes = [...new Set(report.topPartners.flatMap((p) => (p.organisation.country ? [p.organisation.country] : [])))];
  const countryNames: CountryNames = new Map(
    (codes.length ? await db().selectFrom("countries").select(["code", "nameEn", "nameZh"]).where("code", "in", codes).execute() : []).map(
      (c) => [c.code, { en: c.nameEn, zh: c.nameZh }],
    ),
  );
  const name = `liaison-overview-${params.from}-${params.to}`;
  const file =
    format === "csv"
      ? { contentType: "text/csv; charset=utf-8", fileName: `${name}.csv`, body: csv(report, countryNames) }
      : format === "xlsx"
        ? {
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fileName: `${name}.xlsx`,
            body: await xlsx(report, countryNames),
          }
        : {
            contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            fileName: `${name}.docx`,
            body: await docx(report, countryNames, {
              unit: unit ? { en: unit.nameEn, zh: unit.nameZh } : null,
              issuedOn: today(),
              classification: await highestClassification(actor, params),
            }),
          };
  await writeAudit(db(), actor, { entity: "export", entityId: null, action: `export_overview_${format}`, after: { params } });
  return file;
}
