import { posix } from "node:path";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { readZipDirectory, type ZipEntry, ZipError, zipEntryBytes } from "../files/zip.ts";
import { isoDay } from "../shared/dates.ts";
import type { BilingualReason } from "../shared/errors.ts";

/**
 * A streaming reader of XLSX workbooks, for import.
 *
 * Why not a general spreadsheet library: a streaming reader that walks the ZIP archive in file
 * order depends on the order its parts were written in (a workbook whose sheet list comes after
 * its sheets lost its sheet names, now and then, under load), writes sheets to temporary files
 * while it waits, and does not read the prefixed XML (`<x:row>`) that some office suites and
 * government systems write. This reader opens the archive by its central directory, reads the
 * small parts (sheet list, relationships, shared strings, number formats) first, and then streams
 * the one sheet wanted, by local XML names, row by row: memory holds the shared strings and one
 * chunk of the sheet.
 */

/** A workbook that cannot be read: why, in words for the user, in both languages. */
export class WorkbookError extends Error {
  constructor(readonly reason: BilingualReason) {
    super(reason.en);
  }
}

/** The archive's parts by name (lower-cased: names are compared without case, as Office does). */
type Directory = Map<string, ZipEntry>;

const damaged = () =>
  new WorkbookError({
    zh: "工作簿无法读取：文件可能已损坏，或不是XLSX格式。",
    en: "The workbook cannot be read: it may be damaged, or not an XLSX file.",
  });

/** A ZIP archive's refusal as the workbook's, in words for the user. */
function workbookErrorOf(error: unknown): unknown {
  if (!(error instanceof ZipError)) return error;
  if (error.kind === "encrypted")
    return new WorkbookError({
      zh: "工作簿设有密码，无法读取：请取消密码后另存，再上传。",
      en: "The workbook is password-protected: save it without a password and upload it again.",
    });
  if (error.kind === "too-large")
    return new WorkbookError({
      zh: "工作簿中有部分内容过大，无法读取。",
      en: "The workbook cannot be read: one of its parts is too large.",
    });
  return damaged();
}

async function readDirectory(file: string): Promise<Directory> {
  const entries = await readZipDirectory(file).catch((error: unknown) => {
    throw workbookErrorOf(error);
  });
  return new Map(entries.map((e) => [e.name.replace(/\\/g, "/").replace(/^\//, "").toLowerCase(), e]));
}

/** An element's name without its namespace prefix: `x:row` and `row` are the same element. */
const local = (name: string) => name.slice(name.indexOf(":") + 1);

/** An attribute by its local name (`r:id`, `ns2:id`…), and only a prefixed one where `prefixed`. */
function attribute(tag: SaxesTagPlain, name: string, prefixed = false): string | undefined {
  for (const [key, value] of Object.entries(tag.attributes)) {
    if (local(key) === name && (!prefixed || key.includes(":"))) return value;
  }
  return undefined;
}

/** What a part's reader does on each opening tag, closing tag (self-closing ones too) and piece of text. */
interface Handlers {
  open?: (tag: SaxesTagPlain) => void;
  close?: (tag: SaxesTagPlain) => void;
  text?: (text: string) => void;
}

/** Feeds a part to an XML parser (several readers may listen), yielding after each chunk whatever `take` gives. */
async function* parsePart<T>(file: string, entry: ZipEntry, handlers: Handlers[], take: () => T[], limit?: number): AsyncGenerator<T> {
  const parser = new SaxesParser<{ position: false; xmlns: false }>({ position: false, xmlns: false });
  parser.on("opentag", (tag) => {
    for (const h of handlers) h.open?.(tag);
  });
  parser.on("closetag", (tag) => {
    for (const h of handlers) h.close?.(tag);
  });
  const text = (t: string) => {
    for (const h of handlers) h.text?.(t);
  };
  parser.on("text", text);
  parser.on("cdata", text);
  const decoder = new TextDecoder("utf-8");
  try {
    for await (const chunk of zipEntryBytes(file, entry, limit)) {
      parser.write(decoder.decode(chunk, { stream: true }));
      yield* take();
    }
    parser.write(decoder.decode());
    parser.close();
  } catch (error) {
    const known = workbookErrorOf(error);
    throw known instanceof WorkbookError ? known : damaged();
  }
  yield* take();
}

/**
 * The most each part may inflate to. A workbook's own parts are small; the shared strings of a
 * 100,000-row list are a few tens of megabytes; a sheet is streamed, but not without end: a
 * small upload that inflates a thousandfold stops at these, with a reason, not with the server.
 */
const partLimits = {
  relationships: 4 * 1024 * 1024,
  workbook: 16 * 1024 * 1024,
  styles: 32 * 1024 * 1024,
  sharedStrings: 256 * 1024 * 1024,
  sheet: 4 * 1024 * 1024 * 1024,
};

/** Cells past this column are no field's (an import takes at most 500 columns): they are not read. */
const maxColumn = 1024;

/** Reads a small part whole through its handlers. */
async function readPart(file: string, entry: ZipEntry, handlers: Handlers, limit?: number): Promise<void> {
  for await (const _ of parsePart(file, entry, [handlers], () => [], limit)) {
    // Handlers gather what is needed.
  }
}

/** A part's relationships: id → target part's name (resolved against the part's folder). */
async function relationships(file: string, directory: Directory, part: string): Promise<Map<string, { type: string; target: string }>> {
  const folder = posix.dirname(part);
  const entry = directory.get(
    posix
      .join(folder, "_rels", `${posix.basename(part)}.rels`)
      .replace(/^\.\//, "")
      .toLowerCase(),
  );
  const found = new Map<string, { type: string; target: string }>();
  if (!entry) return found;
  await readPart(
    file,
    entry,
    {
      open(tag) {
        if (local(tag.name) !== "Relationship") return;
        const id = attribute(tag, "Id");
        const target = attribute(tag, "Target");
        if (!id || !target || attribute(tag, "TargetMode") === "External") return;
        const path = target.startsWith("/") ? target.slice(1) : posix.normalize(posix.join(folder === "." ? "" : folder, target));
        found.set(id, { type: attribute(tag, "Type") ?? "", target: path });
      },
    },
    partLimits.relationships,
  );
  return found;
}

/** OOXML writes characters XML cannot hold as `_xHHHH_` (a control character so written is dropped when the cell is cleaned). */
const unescapeText = (text: string) =>
  text.includes("_x") ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : text;

/**
 * Gathers the text of rich or plain string items (`<si>`, `<is>`): the runs' `<t>` joined, the
 * phonetic guides (`<rPh>`, furigana and pinyin) left out.
 */
function stringItems(item: string, done: (text: string) => void): Handlers {
  let inItem = false;
  let inText = false;
  let inPhonetic = 0;
  let text = "";
  return {
    open(tag) {
      const name = local(tag.name);
      if (name === item) {
        inItem = true;
        text = "";
      } else if (inItem && name === "rPh") inPhonetic++;
      else if (inItem && name === "t" && inPhonetic === 0) inText = true;
    },
    text(t) {
      if (inText) text += t;
    },
    close(tag) {
      const name = local(tag.name);
      if (name === "t") inText = false;
      else if (name === "rPh") inPhonetic--;
      else if (name === item && inItem) {
        inItem = false;
        done(unescapeText(text));
      }
    },
  };
}

/** Built-in number formats that show a date: the general ones and those of Chinese, Japanese and Korean locales. */
const dateFormatIds = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** Whether a number format's code shows a date: a y, m, d or h outside quotes, escapes and brackets. */
function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[[^\]]*\]/g, "")
    .split(";")[0];
  return /[ymdh]/i.test(bare ?? "") && !/^general$/i.test((bare ?? "").trim());
}

/** The workbook's sheets and where they are, and the parts every sheet needs. */
interface Workbook {
  directory: Directory;
  sheets: Array<{ name: string; part: string | undefined }>;
  sharedStringsPart: string | undefined;
  stylesPart: string | undefined;
  date1904: boolean;
}

async function openWorkbook(file: string): Promise<Workbook> {
  const directory = await readDirectory(file);
  const root = await relationships(file, directory, "");
  const office = [...root.values()].find((r) => r.type.endsWith("/officeDocument"));
  const workbookPart = office?.target ?? "xl/workbook.xml";
  const entry = directory.get(workbookPart.toLowerCase());
  if (!entry) throw damaged();
  const listed: Array<{ name: string; id: string | undefined }> = [];
  let date1904 = false;
  await readPart(
    file,
    entry,
    {
      open(tag) {
        const name = local(tag.name);
        if (name === "sheet") listed.push({ name: attribute(tag, "name") ?? `Sheet${listed.length + 1}`, id: attribute(tag, "id", true) });
        else if (name === "workbookPr") date1904 = ["1", "true"].includes(attribute(tag, "date1904") ?? "");
      },
    },
    partLimits.workbook,
  );
  const rels = await relationships(file, directory, workbookPart);
  const ofType = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  return {
    directory,
    sheets: listed.map((s) => ({ name: s.name, part: s.id === undefined ? undefined : rels.get(s.id)?.target })),
    sharedStringsPart: ofType("/sharedStrings"),
    stylesPart: ofType("/styles"),
    date1904,
  };
}

/** The names of a workbook's sheets, in the workbook's order. */
export async function readSheetNames(file: string): Promise<string[]> {
  return (await openWorkbook(file)).sheets.map((s) => s.name);
}

async function sharedStrings(file: string, book: Workbook): Promise<string[]> {
  const entry = book.sharedStringsPart ? book.directory.get(book.sharedStringsPart.toLowerCase()) : undefined;
  const strings: string[] = [];
  if (!entry) return strings;
  await readPart(
    file,
    entry,
    stringItems("si", (text) => strings.push(text)),
    partLimits.sharedStrings,
  );
  return strings;
}

/** For each cell style (its index), whether it shows a date. */
async function dateStyles(file: string, book: Workbook): Promise<boolean[]> {
  const entry = book.stylesPart ? book.directory.get(book.stylesPart.toLowerCase()) : undefined;
  const styles: boolean[] = [];
  if (!entry) return styles;
  const custom = new Map<number, string>();
  let inCellXfs = false;
  await readPart(
    file,
    entry,
    {
      open(tag) {
        const name = local(tag.name);
        if (name === "numFmt") custom.set(Number(attribute(tag, "numFmtId")), attribute(tag, "formatCode") ?? "");
        else if (name === "cellXfs") inCellXfs = true;
        else if (name === "xf" && inCellXfs) {
          const id = Number(attribute(tag, "numFmtId") ?? 0);
          const code = custom.get(id);
          styles.push(code === undefined ? dateFormatIds.has(id) : isDateFormat(code));
        }
      },
      close(tag) {
        if (local(tag.name) === "cellXfs") inCellXfs = false;
      },
    },
    partLimits.styles,
  );
  return styles;
}

/** A cell reference's column, 1-based (`AB12` → 28). */
function columnOf(reference: string): number {
  let column = 0;
  for (const ch of reference) {
    const code = ch.charCodeAt(0);
    if (code >= 65 && code <= 90) column = column * 26 + code - 64;
    else if (code >= 97 && code <= 122) column = column * 26 + code - 96;
    else break;
  }
  return column;
}

/** An Excel date serial as YYYY-MM-DD. */
function serialDate(serial: number, date1904: boolean): string {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const date = new Date(epoch + Math.round(serial * 86_400) * 1000);
  return Number.isNaN(date.getTime()) ? String(serial) : isoDay(date);
}

/** One row of a sheet: its number as the sheet shows it, and its cells as text. */
export interface SheetRow {
  line: number;
  cells: string[];
}

/**
 * The rows of one sheet, streamed, each cell as the text its program last showed: a formula as
 * its last value (never evaluated; its text where it has none), a date as YYYY-MM-DD, rich text
 * joined, a number as written. Empty rows are given too (the caller skips them).
 */
export async function* readSheetRows(file: string, sheet: string): AsyncGenerator<SheetRow> {
  const book = await openWorkbook(file);
  const found = book.sheets.find((s) => s.name === sheet);
  const entry = found?.part ? book.directory.get(found.part.toLowerCase()) : undefined;
  if (!entry) throw new WorkbookError({ zh: `工作簿中没有工作表“${sheet}”。`, en: `The workbook has no sheet “${sheet}”.` });
  const strings = await sharedStrings(file, book);
  const dates = await dateStyles(file, book);
  const ready: SheetRow[] = [];
  let line = 0;
  let cells: string[] = [];
  let column = 0;
  let type = "n";
  let style = 0;
  let value: string | null = null;
  let formula = "";
  let inline: string | null = null;
  let reading: "v" | "f" | null = null;
  let inRow = false;
  const cellsOfRows: Handlers = {
    open(tag) {
      switch (local(tag.name)) {
        case "row": {
          const r = Number(attribute(tag, "r"));
          line = Number.isInteger(r) && r > line ? r : line + 1;
          cells = [];
          column = 0;
          inRow = true;
          break;
        }
        case "c": {
          const reference = attribute(tag, "r");
          const at = reference ? columnOf(reference) : 0;
          column = at > 0 ? at : column + 1;
          type = attribute(tag, "t") ?? "n";
          style = Number(attribute(tag, "s") ?? 0);
          value = null;
          formula = "";
          inline = null;
          break;
        }
        case "v":
          if (inRow) {
            reading = "v";
            value = "";
          }
          break;
        case "f":
          if (inRow) reading = "f";
          break;
      }
    },
    text(t) {
      if (reading === "v") value = (value ?? "") + t;
      else if (reading === "f") formula += t;
    },
    close(tag) {
      switch (local(tag.name)) {
        case "v":
        case "f":
          reading = null;
          break;
        case "c":
          if (inRow && column > 0 && column <= maxColumn) {
            const text = cellText(type, value, inline, formula, dates[style] === true, book.date1904, strings);
            while (cells.length < column - 1) cells.push("");
            cells[column - 1] = text;
          }
          break;
        case "row":
          if (inRow) ready.push({ line, cells });
          inRow = false;
          break;
      }
    },
  };
  const inlineStrings = stringItems("is", (text) => {
    inline = text;
  });
  yield* parsePart(file, entry, [cellsOfRows, inlineStrings], () => ready.splice(0), partLimits.sheet);
}

function cellText(
  type: string,
  value: string | null,
  inline: string | null,
  formula: string,
  isDate: boolean,
  date1904: boolean,
  strings: string[],
): string {
  if (type === "inlineStr") return inline ?? value ?? "";
  if (value === null) return formula ? `=${formula}` : "";
  switch (type) {
    case "s":
      return strings[Number(value)] ?? "";
    case "str":
    case "e":
      return unescapeText(value);
    case "b":
      return value === "1" || value === "true" ? "TRUE" : "FALSE";
    case "d":
      return value.slice(0, 10);
    default: {
      const number = Number(value);
      // A long number (an id of sixteen digits or more) is kept as written: a double would round it.
      if (value.trim() === "" || !Number.isFinite(number) || /^-?\d{16,}$/.test(value.trim())) return value.trim();
      return isDate ? serialDate(number, date1904) : String(number);
    }
  }
}
