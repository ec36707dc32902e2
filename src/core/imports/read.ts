import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import ExcelJS from "exceljs";
import { readRange } from "../files/checks.ts";
import { AppError } from "../shared/errors.ts";

/** The encodings an office's spreadsheets come in. */
export const encodings = ["utf-8", "utf-16le", "utf-16be", "gb18030", "big5", "shift_jis"] as const;
export type Encoding = (typeof encodings)[number];

/** How a file is read: a text table (CSV, TSV) in an encoding, or a workbook. */
export type FileFormat = "csv" | "xlsx";

/** One row of a table as read: its number in the file (1-based, as a spreadsheet shows it) and its cells as text. */
export interface ReadRow {
  line: number;
  cells: string[];
}

const invalidFile = (message: string, path = "file") => new AppError("VALIDATION_FAILED", message, { fields: [{ path, message }] });

/** How many bytes of a file are read to tell its format and encoding. */
const sampleBytes = 256 * 1024;

/** Common characters of Chinese and Japanese text, simplified and traditional: a right decoding is full of them. */
const common = new Set(
  "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领持志世党議國會們為說這與來對時後見學動現開經發問關長點從進國際黨組織團體聯盟協會" +
    "のはをにがでとたしてますですこれそあいうえおかきくけこさすせそなにぬねの",
);

/** How well a decoding reads: replacement characters cost much, common characters earn a little. */
function readability(text: string): number {
  let score = 0;
  for (const ch of text) {
    if (ch === "\uFFFD") score -= 20;
    else if (common.has(ch)) score += 2;
    else if (/\p{Script=Han}/u.test(ch)) score -= 1;
    else if (/[\u0080-\u009F\uE000-\uF8FF]/u.test(ch)) score -= 5;
  }
  return score;
}

/**
 * The encoding of a text file: a byte-order mark says it; else UTF-8 when the bytes are valid
 * UTF-8; else the legacy encoding whose decoding reads best (GB18030 for mainland files, Big5
 * for Taiwan and Hong Kong, Shift-JIS for Japan), told apart by how many common characters
 * each decoding gives and how many bytes it cannot read.
 */
export function detectEncoding(sample: Buffer): Encoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return "utf-8";
  if (sample[0] === 0xff && sample[1] === 0xfe) return "utf-16le";
  if (sample[0] === 0xfe && sample[1] === 0xff) return "utf-16be";
  // UTF-16 without a mark: every other byte of ASCII text is zero.
  const pairs = Math.min(sample.length >> 1, 2000);
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) zeroEven++;
    if (sample[2 * i + 1] === 0) zeroOdd++;
  }
  if (pairs > 8 && zeroOdd > pairs * 0.3 && zeroEven < pairs * 0.05) return "utf-16le";
  if (pairs > 8 && zeroEven > pairs * 0.3 && zeroOdd < pairs * 0.05) return "utf-16be";
  try {
    // The sample may end inside a character: a streaming decoder leaves those bytes pending.
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: sample.length >= sampleBytes });
    return "utf-8";
  } catch {
    // Not UTF-8: one of the legacy encodings.
  }
  let best: Encoding = "gb18030";
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const encoding of ["gb18030", "big5", "shift_jis"] as const) {
    const score = readability(new TextDecoder(encoding).decode(sample));
    if (score > bestScore) {
      best = encoding;
      bestScore = score;
    }
  }
  return best;
}

/** Whether the bytes are a ZIP archive (an XLSX workbook is one). */
const isZip = (sample: Buffer) => sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04;

/** Bytes no text table holds: NUL outside UTF-16, and the control characters of binary files. */
function looksBinary(sample: Buffer, encoding: Encoding): boolean {
  if (encoding.startsWith("utf-16")) return false;
  let control = 0;
  for (const byte of sample.subarray(0, 8192)) {
    if (byte === 0) return true;
    if (byte < 9 || (byte > 13 && byte < 32)) control++;
  }
  return control > 8;
}

/** What a file is, as far as reading it goes. */
export interface FileShape {
  format: FileFormat;
  /** For text tables: the encoding found (or given). */
  encoding: Encoding | null;
  /** For text tables: the separator found. */
  delimiter: string | null;
  /** For workbooks: the sheets, by name, in order. */
  sheets: string[];
}

/** The separator of a text table: the one of tab, comma, semicolon and vertical bar that the header line has most of. */
function detectDelimiter(firstLine: string): string {
  const counts = ["\t", ",", ";", "|"].map((d) => [d, firstLine.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0] && counts[0][1] > 0 ? counts[0][0] : ",";
}

/** Tells a file's format, encoding, separator and sheets. An empty or binary file is refused. */
export async function inspectShape(file: string, given: { encoding?: Encoding | undefined } = {}): Promise<FileShape> {
  const sample = await readRange(file, 0, sampleBytes);
  if (sample.length === 0) throw invalidFile("The file is empty.");
  if (isZip(sample)) return { format: "xlsx", encoding: null, delimiter: null, sheets: await workbookSheets(file) };
  const encoding = given.encoding ?? detectEncoding(sample);
  if (looksBinary(sample, encoding)) throw invalidFile("This is not a spreadsheet or a text table (CSV, TSV): it holds binary data.");
  const text = new TextDecoder(encoding).decode(sample).replace(/^\uFEFF/, "");
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return { format: "csv", encoding, delimiter: detectDelimiter(firstLine), sheets: [] };
}

async function workbookSheets(file: string): Promise<string[]> {
  const names: string[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
      worksheets: "emit",
      sharedStrings: "ignore",
      hyperlinks: "ignore",
      styles: "ignore",
    });
    for await (const sheet of reader) {
      const named = sheet as unknown as { name?: string; id?: number };
      names.push(named.name ?? `Sheet${names.length + 1}`);
      // Reading on would parse every sheet's rows; its name is all that is needed here.
      for await (const _row of sheet) break;
    }
  } catch {
    throw invalidFile("The workbook cannot be read: it may be damaged, or not an XLSX file.");
  }
  if (names.length === 0) throw invalidFile("The workbook has no sheets.");
  return names;
}

/** A cell of a workbook as text: formulas as their text (never evaluated), dates as YYYY-MM-DD, rich text joined. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString().slice(0, 10);
  if (typeof value === "object") {
    const v = value as unknown as Record<string, unknown>;
    // A formula is read as the value its program last showed (never evaluated here); without one, as its text.
    if ("formula" in v || "sharedFormula" in v) {
      const result = v.result as ExcelJS.CellValue | undefined;
      if (result !== undefined && result !== null && typeof result !== "object") return String(result);
      if (result instanceof Date) return cellText(result);
      return typeof v.formula === "string" && v.formula ? `=${v.formula}` : "";
    }
    if (Array.isArray(v.richText)) return (v.richText as Array<{ text: string }>).map((r) => r.text).join("");
    if (typeof v.text === "string") return v.text;
    if (v.error) return String(v.error);
    return "";
  }
  return String(value);
}

/**
 * The rows of a table, streamed: a text table decoded in chunks (a character split between
 * two reads is kept whole by the streaming decoder) and parsed as CSV, or one sheet of a
 * workbook read as a stream. Blank rows are left out; each row keeps its line number.
 */
export async function* readRows(file: string, shape: FileShape, sheet?: string | number): AsyncGenerator<ReadRow> {
  if (shape.format === "xlsx") {
    yield* workbookRows(file, shape, sheet);
    return;
  }
  const decoder = new TextDecoder(shape.encoding ?? "utf-8");
  const parser = parse({
    delimiter: shape.delimiter ?? ",",
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: true,
    info: true,
    // One record may be long (a 100,000-character cell is refused on its row, not by the reader), never endless.
    max_record_size: 8 * 1024 * 1024,
  });
  // The reader stops when the rows are no longer wanted (a preview of the first rows): the feed
  // then stops waiting for the parser and closes the file.
  let stopped = false;
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        parser.off("drain", done);
        parser.off("close", done);
        resolve();
      };
      parser.on("drain", done);
      parser.on("close", done);
    });
  const feed = (async () => {
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
        if (stopped) break;
        const text = decoder.decode(chunk as Buffer, { stream: true });
        if (text && !parser.write(text)) await drained();
      }
      if (stopped) return;
      const rest = decoder.decode();
      if (rest) parser.write(rest);
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const cells = record.record.map((c) => c.replace(/^\uFEFF/, ""));
      if (cells.every((c) => c.trim() === "")) continue;
      yield { line: record.info.lines, cells };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidFile(`The file cannot be read as a table: ${(error as Error).message}`);
  } finally {
    stopped = true;
    if (!parser.writableEnded) parser.destroy();
    await feed;
  }
}

async function* workbookRows(file: string, shape: FileShape, sheet: string | number | undefined): AsyncGenerator<ReadRow> {
  try {
    yield* sheetRows(file, shape, sheet);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidFile(`The workbook cannot be read: ${(error as Error).message.slice(0, 200)}`);
  }
}

async function* sheetRows(file: string, shape: FileShape, sheet: string | number | undefined): AsyncGenerator<ReadRow> {
  const wanted = typeof sheet === "number" ? shape.sheets[sheet] : (sheet ?? shape.sheets[0]);
  if (wanted === undefined || !shape.sheets.includes(wanted)) throw invalidFile(`The workbook has no sheet ${String(sheet)}.`, "sheet");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: "emit",
    sharedStrings: "cache",
    hyperlinks: "ignore",
    styles: "cache",
  });
  let index = 0;
  for await (const ws of reader) {
    const name = (ws as unknown as { name?: string }).name ?? shape.sheets[index];
    index++;
    if (name !== wanted) {
      for await (const _row of ws) {
        // Rows of other sheets are read past.
      }
      continue;
    }
    for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as ExcelJS.CellValue[];
      const cells = Array.from({ length: Math.max(0, values.length - 1) }, (_, i) => cellText(values[i + 1] ?? null));
      if (cells.every((c) => c.trim() === "")) continue;
      yield { line: row.number, cells };
    }
    return;
  }
}
