import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { readRange } from "../files/checks.ts";
import { AppError, refused } from "../shared/errors.ts";
import { readSheetNames, readSheetRows, WorkbookError } from "./xlsx.ts";

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

/** Whether the bytes are an OLE compound file: an Excel 97–2003 workbook, or an encrypted XLSX (which Office stores as one). */
const isOldWorkbook = (sample: Buffer) =>
  sample.length >= 8 && sample.readUInt32BE(0) === 0xd0cf11e0 && sample.readUInt32BE(4) === 0xa1b11ae1;

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
  if (sample.length === 0) throw refused({ zh: "文件是空的。", en: "The file is empty." });
  if (isOldWorkbook(sample))
    throw refused({
      zh: "这是旧版Excel工作簿（.xls）或设有密码的工作簿：请在Excel或WPS中另存为“Excel工作簿（*.xlsx）”，再上传。",
      en: "This is an old Excel workbook (.xls) or a password-protected one: save it as an Excel Workbook (*.xlsx) and upload it again.",
    });
  if (isZip(sample)) return { format: "xlsx", encoding: null, delimiter: null, sheets: await workbookSheets(file) };
  const encoding = given.encoding ?? detectEncoding(sample);
  if (looksBinary(sample, encoding))
    throw refused({
      zh: "这不是电子表格或文本表格（CSV、TSV）：文件含有二进制数据。",
      en: "This is not a spreadsheet or a text table (CSV, TSV): it holds binary data.",
    });
  const text = new TextDecoder(encoding).decode(sample).replace(/^\uFEFF/, "");
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return { format: "csv", encoding, delimiter: detectDelimiter(firstLine), sheets: [] };
}

async function workbookSheets(file: string): Promise<string[]> {
  const names = await readSheetNames(file).catch((error: unknown) => {
    throw unreadableWorkbook(error);
  });
  if (names.length === 0) throw refused({ zh: "工作簿中没有工作表。", en: "The workbook has no sheets." });
  return names;
}

/** A workbook reader's refusal in words for the user; anything else as a damaged file. */
function unreadableWorkbook(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof WorkbookError) return refused(error.reason);
  return refused({
    zh: "工作簿无法读取：文件可能已损坏，或不是XLSX格式。",
    en: "The workbook cannot be read: it may be damaged, or not an XLSX file.",
  });
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
    const detail = (error as Error).message.slice(0, 200);
    throw refused({ zh: `文件无法按表格读取：${detail}`, en: `The file cannot be read as a table: ${detail}` });
  } finally {
    stopped = true;
    if (!parser.writableEnded) parser.destroy();
    await feed;
  }
}

async function* workbookRows(file: string, shape: FileShape, sheet: string | number | undefined): AsyncGenerator<ReadRow> {
  const wanted = typeof sheet === "number" ? shape.sheets[sheet] : (sheet ?? shape.sheets[0]);
  if (wanted === undefined || !shape.sheets.includes(wanted))
    throw refused({ zh: `工作簿中没有工作表“${String(sheet)}”。`, en: `The workbook has no sheet “${String(sheet)}”.` }, "sheet");
  try {
    for await (const row of readSheetRows(file, wanted)) {
      if (row.cells.every((c) => c.trim() === "")) continue;
      yield row;
    }
  } catch (error) {
    throw unreadableWorkbook(error);
  }
}
