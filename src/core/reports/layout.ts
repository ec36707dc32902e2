import {
  AlignmentType,
  Footer,
  Header,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from "docx";

/**
 * The official layout of Liaison's documents (the overview report, briefing papers): faces,
 * sizes, page and margins after GB/T 9704, the classification mark, the page number, and tables
 * whose columns never break a word.
 */

/** A column of a report table: its heading in both languages, and the language it is in, if it is one language's. */
export interface Column {
  en: string;
  zh: string;
  lang?: "en" | "zh";
  /** Share of the table's width in the document (numbers are narrow, names and sentences wide). */
  width?: number;
}

/** One table of the report, with both languages' headings. */
export interface ReportTable {
  key: string;
  title: { en: string; zh: string };
  columns: Column[];
  rows: Array<Array<string | number>>;
}

/** How wide a text is in a spreadsheet's columns: a Chinese character takes two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2E80-\uFFEF]/u.test(ch) ? 2 : 1;
  return width;
}

/**
 * The document's faces, after GB/T 9704 as far as fonts on a fresh machine allow: the title in
 * a 小标宋-style face (方正小标宋简体 where installed, as in Word and WPS offices; Noto Serif CJK,
 * bundled with Linux's CJK fonts, otherwise), headings of the first level in 黑体, of the second
 * in 楷体, the body in 仿宋 at 三号 (16 pt); Latin text in Times New Roman. A face missing on a
 * machine falls back to its CJK serif or sans.
 */
export const faces = {
  title: { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "方正小标宋简体" },
  heading1: { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "黑体" },
  heading2: { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "楷体" },
  body: { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "仿宋" },
  table: { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "宋体" },
};
export type Face = keyof typeof faces;
/** Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小五 9 pt (tables, so that a heading of four characters fits its column). */
export const sizes = { title: 44, body: 32, footer: 28, table: 18 };

export const run = (text: string, face: Face, size: number, bold = false) => new TextRun({ text, font: faces[face], size, bold });

export const line = (
  text: string,
  options: {
    face?: Face;
    size?: number;
    bold?: boolean;
    align?: (typeof AlignmentType)[keyof typeof AlignmentType];
    indent?: boolean;
  } = {},
) =>
  new Paragraph({
    children: [run(text, options.face ?? "body", options.size ?? sizes.body, options.bold)],
    alignment: options.align ?? AlignmentType.JUSTIFIED,
    // 正文首行缩进两字, 行距固定值 28 磅 (GB/T 9704: 每页22行).
    ...(options.indent ? { indent: { firstLine: 640 } } : {}),
    spacing: { line: 560, lineRule: "exact" },
  });

/** The page's text width on A4 within the margins below, in twips. */
const textWidth = 11906 - 1587 - 1474;

/** The widest run a line may not break: a Latin word (a run of Chinese may break between characters). */
function unbreakable(text: string, wholeWords: boolean): number {
  const words = wholeWords ? text.split(/\s+/) : text.split(/[\s\u2E80-\uFFEF]+/u);
  return Math.max(0, ...words.map(displayWidth));
}

/**
 * Column widths (twips) that never break a word: each column at least as wide as its widest
 * heading word, figure or Latin word at 小五, and the room left to the name and sentence columns.
 * `columns` carry the heading of the document's language in `en`.
 */
function columnWidths(columns: Column[], cells: string[][]): number[] {
  // A half-em of 9 pt bold is about 95 twips; a cell's margins take about 250.
  const least = columns.map(
    (c, j) => 250 + 95 * Math.max(unbreakable(c.en, true), ...cells.map((row) => unbreakable(row[j] ?? "", c.width === undefined))),
  );
  const spare = textWidth - least.reduce((n, w) => n + w, 0);
  const wide = columns.reduce((n, c) => n + (c.width ?? 0), 0);
  return least.map((w, j) => {
    const c = columns[j] as Column;
    if (spare < 0) return Math.floor((w * textWidth) / (textWidth - spare));
    return Math.floor(w + (wide > 0 ? (spare * (c.width ?? 0)) / wide : spare / columns.length));
  });
}

export function docxTable(table: ReportTable, lang: "en" | "zh"): Table {
  const columns = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => !c.lang || c.lang === lang);
  const number = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en");
  const cells = table.rows.map((row) =>
    columns.map(({ i }) => {
      const v = row[i] ?? "";
      return typeof v === "number" ? number.format(v) : v;
    }),
  );
  const widths = columnWidths(
    columns.map(({ c }) => ({ ...c, en: c[lang], zh: c[lang] })),
    cells,
  );
  const cell = (text: string, c: Column, j: number, bold = false) =>
    new TableCell({
      width: { size: widths[j] as number, type: WidthType.DXA },
      children: [
        new Paragraph({
          children: [run(text, "table", sizes.table, bold)],
          alignment: c.width === undefined ? AlignmentType.RIGHT : AlignmentType.LEFT,
        }),
      ],
    });
  return new Table({
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    rows: [
      new TableRow({ tableHeader: true, children: columns.map(({ c }, j) => cell(c[lang], c, j, true)) }),
      ...cells.map(
        (row) =>
          new TableRow({
            cantSplit: true,
            children: columns.map(({ c }, j) => cell(row[j] ?? "", c, j)),
          }),
      ),
    ],
  });
}

/** How the classification mark reads at the top right: 内部 / INTERNAL, 限制 / RESTRICTED; none for public work. */
export const classificationMarks = {
  public: null,
  internal: { zh: "内部", en: "INTERNAL" },
  restricted: { zh: "限制", en: "RESTRICTED" },
} as const;
export type Classification = keyof typeof classificationMarks;

/** The foot of every page: — 1 —, centred, in 四号. */
export const pageFooter = () =>
  new Footer({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: ["— ", PageNumber.CURRENT, " —"], font: faces.table, size: sizes.footer })],
      }),
    ],
  });

/** A4 with the margins of GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (in twips). */
export const page = { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1587, right: 1474, footer: 1134 } };

/** 一、二、三… for headings of the first level. */
export const chineseOrdinals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/**
 * One language's part of an official document: A4 with GB/T 9704's margins, the classification
 * mark at the top right (none for public work), the page number at the foot, and its paragraphs.
 */
export function officialSection(lang: "zh" | "en", classification: Classification, children: Array<Paragraph | Table>) {
  const mark = classificationMarks[classification];
  return {
    properties: { page },
    headers: {
      default: new Header({
        children: mark
          ? [line(lang === "zh" ? mark.zh : mark.en, { face: "heading1", bold: true, align: AlignmentType.RIGHT })]
          : [new Paragraph({ children: [] })],
      }),
    },
    footers: { default: pageFooter() },
    children,
  };
}
