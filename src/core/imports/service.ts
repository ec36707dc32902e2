import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { insertMany } from "../../db/bulk.ts";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { withPartnerMove } from "../engagements/rollup.ts";
import type { StagedFile } from "../files/checks.ts";
import { referencingColumns } from "../merge/references.ts";
import { refreshSuggestions } from "../names/service.ts";
import { displayColumns, type NormalisedName, normaliseNames } from "../organisations/names.ts";
import { foldName } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, notFound, refused } from "../shared/errors.ts";
import { type AuditEntry, type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanText } from "../shared/text.ts";
import { engagementImport, leadUnit } from "./engagements.ts";
import {
  type CellError,
  type ClassifiedRow,
  type ImportEngine,
  mappedCells,
  type PreparedRow,
  type RunOptions,
  type RunState,
  registryCandidates,
  repeatedId,
  rowError,
  type UndoOutcome,
} from "./engine.ts";
import { type CountryLookup, foldHeader, organisationFields, parseCell, type Reason, suggestMapping } from "./fields.ts";
import { memberImport } from "./members.ts";
import { peopleImport } from "./people.ts";
import { type FileShape, inspectShape, type ReadRow, readRows } from "./read.ts";
import {
  type FileInspection,
  type ImportCounts,
  type ImportKind,
  type ImportOptions,
  type ImportOutput,
  importOptions,
  inspectOptions,
  type MappingOutput,
  mappingInput,
  type PreviewOutput,
  type PreviewRow,
  type RowStatus,
} from "./schema.ts";
import { keepUpload, keptUpload } from "./uploads.ts";

/** Rows written in one transaction. */
const batchSize = 1000;
/** Imports of one kind take turns, batch by batch, so that two at once never create one record twice. */
const importLock = 74100002;
/** Errors kept on an import's record and shown in a preview. */
const errorLimit = 1000;
const previewLimit = 1000;

/**
 * The unit an import is the business of: the one an engagement register goes to, the one where the
 * importer keeps mechanisms for a member list (a user may edit in one unit and coordinate in
 * another), else the importer's. Its office's own ids are read in it, and it sees the import.
 */
const importUnit = (actor: Actor, kind: ImportKind): number =>
  kind === "engagements" ? leadUnit(actor) : kind === "members" ? forActor(actor).defaultUnit("programmes.write") : actor.unitId;

/** An import's options, with the scope its office's own ids are read in: its unit's. */
const runOptions = (actor: Actor, options: ImportOptions): RunOptions => ({
  ...options,
  scope: `u${importUnit(actor, options.kind)}`,
});

/** The import's options, once the actor is found to hold what its kind needs. */
function authorizedOptions(actor: Actor, input: unknown): RunOptions {
  const options = parseInput(importOptions, input);
  authorize(actor, engineOf(options.kind).permission);
  return runOptions(actor, options);
}

/** An organisation's fields as one row gives them. */
interface RowValues {
  kind?: string;
  countryCode?: string;
  foundedYear?: number;
  dissolvedYear?: number;
  website?: string;
  wikidataId?: string;
  partyfactsId?: number;
  tags?: string[];
  relationshipLevel?: string;
}

/** An organisation row read and parsed, before it meets the registry. */
interface Prepared extends PreparedRow {
  values: RowValues;
  names: NormalisedName[];
  /** The record's display and search columns from its names, made while the batch before is written. */
  display: ReturnType<typeof displayColumns>;
  /** Its folded names and abbreviations (see matchKeys), with its country: what finds it in the registry. */
  keys: string[];
}

/** An organisation row met with the registry: what would be (or was) done with it. */
interface Classified extends Prepared, ClassifiedRow {}

/** The countries a cell may name: by code, ISO alpha-2, and folded English, official and Chinese names. */
async function countryLookup(executor: Executor): Promise<CountryLookup> {
  const rows = await executor.selectFrom("countries").select(["code", "iso2", "nameEn", "nameZh", "officialNameEn"]).execute();
  const lookup = new Map<string, string>();
  for (const c of rows) {
    for (const key of [c.nameEn, c.nameZh, c.officialNameEn]) if (key) lookup.set(foldName(key), c.code);
    // 中国台湾 is also written 台湾; names in the reference user's usage keep their short forms.
    if (c.nameZh?.startsWith("中国") && c.nameZh.length > 2) lookup.set(foldName(c.nameZh.slice(2)), c.code);
  }
  for (const c of rows) {
    lookup.set(c.code, c.code);
    if (c.iso2) lookup.set(c.iso2, c.code);
  }
  return lookup;
}

/**
 * The header row and the rows after it. The header is the first row that is not blank, unless
 * that row is a title or a merged group heading over the real headers (it has under half as
 * many cells): then the next. A header cell left empty by a merge takes the name before it.
 */
async function* tableOf(file: string, shape: FileShape, sheet: string | undefined) {
  const rows = readRows(file, shape, sheet);
  const first = await rows.next();
  if (first.done) throw refused({ zh: "文件中没有数据行。", en: "The file has no rows." });
  let header: ReadRow = first.value;
  const second = await rows.next();
  const filled = (r: ReadRow) => r.cells.filter((c) => c.trim() !== "").length;
  let pending: ReadRow | null = second.done ? null : second.value;
  if (pending && filled(header) * 2 < filled(pending)) {
    header = pending;
    pending = null;
  }
  const headers: string[] = [];
  for (const [i, cell] of header.cells.entries()) {
    const text = cleanText(cell) ?? "";
    headers.push(text || (i > 0 ? `${headers[i - 1]} (${i + 1})` : `(${i + 1})`));
  }
  // Trailing columns with no header at all are left out (a header of its own in brackets is kept).
  while (headers.length > 0 && !(cleanText(header.cells[headers.length - 1]) ?? "")) headers.pop();
  if (headers.length === 0) throw refused({ zh: "文件中找不到表头行。", en: "The file has no header row." });
  yield { headers, headerLine: header.line };
  if (pending) yield pending;
  for await (const row of rows) yield row;
}

/** A table opened for reading: its header, its rows, and `close` (the file is let go of whatever the rows' state). */
type Table = { headers: string[]; headerLine: number; rows: AsyncGenerator<ReadRow>; close: () => Promise<void> };

async function openTable(file: string, shape: FileShape, sheet: string | undefined): Promise<Table> {
  const all = tableOf(file, shape, sheet);
  const head = (await all.next()).value as { headers: string[]; headerLine: number };
  const rows = (async function* () {
    for await (const row of all) yield row as ReadRow;
  })();
  // Closing the rows alone would not reach the reader beneath when they were never started.
  const close = async () => {
    await rows.return(undefined);
    await all.return(undefined);
  };
  return { ...head, rows, close };
}

/** The mapping to use: given columns, a saved mapping, or the one suggested from the headers and values. */
async function columnsFor(
  options: Pick<ImportOptions, "columns" | "mapping" | "kind">,
  headers: string[],
  sample: string[][],
  countries: CountryLookup,
) {
  if (options.columns) return options.columns;
  if (options.mapping) {
    const saved = await db().selectFrom("importMappings").select("columns").where("name", "=", options.mapping).executeTakeFirst();
    if (!saved) throw notFound("mapping", options.mapping);
    return saved.columns as Array<string | null>;
  }
  return suggestMapping(headers, sample, countries, engineOf(options.kind).fields);
}

/** What was read: the file's name, format, encoding, sheets, header row and headers. */
function describeFile(options: { fileName: string; sheet?: string | undefined }, shape: FileShape, table: Table) {
  return {
    fileName: options.fileName,
    format: shape.format,
    encoding: shape.encoding,
    delimiter: shape.delimiter,
    sheets: shape.sheets,
    sheet: shape.format === "xlsx" ? (options.sheet ?? shape.sheets[0] ?? null) : null,
    headerLine: table.headerLine,
    headers: table.headers,
  };
}

/** What a file holds and how its columns would be mapped: the first step of an import. */
export async function inspectImportFile(actor: Actor, file: StagedFile, input: unknown): Promise<FileInspection> {
  const options = parseInput(inspectOptions, input);
  const engine = engineOf(options.kind);
  authorize(actor, engine.permission);
  const shape = await inspectShape(file.path, { encoding: options.encoding });
  const table = await openTable(file.path, shape, options.sheet);
  const sample: string[][] = [];
  try {
    for await (const row of table.rows) {
      sample.push(row.cells);
      if (sample.length >= 20) break;
    }
  } finally {
    await table.close();
  }
  const countries = await countryLookup(db());
  const mappings = await db().selectFrom("importMappings").select("name").where("kind", "=", options.kind).orderBy("name").execute();
  return {
    ...describeFile(options, shape, table),
    sample: sample.map((cells) => table.headers.map((_, i) => cells[i] ?? "")),
    columns: await columnsFor(options, table.headers, sample, countries),
    fields: engine.fields.map((f) => ({ key: f.key, label: f.label })),
    mappings: mappings.map((m) => m.name),
  };
}

/** Parses one row by the mapping: its values, its names, its errors, and the keys it is known by. */
function prepare(row: ReadRow, headers: string[], columns: Array<string | null>, countries: CountryLookup, options: RunOptions): Prepared {
  const values: RowValues = {};
  const names: Array<{ kind: NormalisedName["kind"]; lang: string; value: string }> = [];
  let sourceId: string | null = null;
  const { values: cells, errors } = mappedCells(row, headers, columns, organisationFields, (field, raw) =>
    parseCell(field.type, raw, countries),
  );
  for (const { field, value } of cells) {
    switch (field) {
      case "nameZh":
        names.push({ kind: "official", lang: "zh", value: value as string });
        break;
      case "nameEn":
        names.push({ kind: "official", lang: "en", value: value as string });
        break;
      case "nameNative":
        names.push({ kind: "official", lang: "und", value: value as string });
        break;
      case "abbreviation":
      case "former":
      case "alias":
        for (const v of value as string[])
          names.push({ kind: field, lang: /\p{Script=Han}/u.test(v) ? "zh" : field === "abbreviation" ? "en" : "und", value: v });
        break;
      case "sourceId":
        sourceId = value as string;
        break;
      case "country":
        values.countryCode = value as string;
        break;
      default:
        (values as Record<string, unknown>)[field] = value;
    }
  }
  // The defaults fill a new record's empty fields; they are not the file's values, so they never
  // overwrite a record's own (the default country still places the row for matching).
  const country = values.countryCode ?? options.defaults.countryCode ?? "";
  if (values.foundedYear && values.dissolvedYear && values.dissolvedYear < values.foundedYear) {
    const column = columns.indexOf("dissolvedYear");
    errors.push({
      column: column + 1,
      header: headers[column] ?? "",
      field: "dissolvedYear",
      reason: { en: "Dissolved before it was founded.", zh: "解散年份早于成立年份。" },
    });
  }
  const normalised = normaliseNames(names);
  if (!normalised.some((n) => n.kind !== "abbreviation") && errors.length === 0) {
    errors.push({ column: 0, header: "", field: "nameEn", reason: { en: "The row gives no name.", zh: "此行没有名称。" } });
  }
  const name = normalised.find((n) => n.lang === "zh")?.value ?? normalised[0]?.value ?? "";
  const display = displayColumns(normalised);
  const content = JSON.stringify({ names: normalised.map((n) => [n.kind, n.lang, n.value]), values });
  const rowHash = createHash("sha256").update(content).digest("hex").slice(0, 32);
  // Keyed on the office's own id, else the external ids, else the row's content (so the same row again is the same row).
  // The office's own ids are its own: another unit's id 1 is another row.
  const rowKey = sourceId
    ? `id:${options.scope}:${sourceId}`
    : values.wikidataId
      ? `wd:${values.wikidataId}`
      : values.partyfactsId
        ? `pf:${values.partyfactsId}`
        : `row:${rowHash}`;
  return {
    line: row.line,
    name,
    values,
    names: normalised,
    display,
    errors,
    rowKey,
    rowHash,
    // Its names within its country, and its external ids: a later row of the file with either is this row.
    keys: [
      ...display.matchKeys.map((k) => `${country}#${k}`),
      ...(values.wikidataId ? [`#wd|${values.wikidataId}`] : []),
      ...(values.partyfactsId ? [`#pf|${values.partyfactsId}`] : []),
    ],
  };
}

/** Meets a batch of rows with the registry: new, matched, updated, unchanged, ambiguous or invalid. */
async function classify(executor: Trx, batch: Prepared[], options: ImportOptions, state: RunState): Promise<Classified[]> {
  // By the indexes, always: tables growing batch by batch have statistics (or none, on the
  // embedded engine) that would have them scanned whole for every batch.
  await sql`SET LOCAL enable_seqscan = off`.execute(executor);
  const valid = batch.filter((r) => r.errors.length === 0);
  const known = valid.length
    ? await executor
        .selectFrom("importRows")
        .select(["rowKey", "entityId", "rowHash"])
        // One array, not a thousand parameters: a prepared statement's generic plan then keeps to the key's index.
        .where(sql<boolean>`kind = 'organisations' AND row_key = ANY(${valid.map((r) => r.rowKey)}::text[])
          AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = import_rows.entity_id)`)
        .execute()
    : [];
  const byRowKey = new Map(known.map((k) => [k.rowKey, k]));
  const tags = new Set(
    valid.some((r) => r.values.tags?.length) ? (await executor.selectFrom("tags").select("key").execute()).map((t) => t.key) : [],
  );
  const wikidata = valid.flatMap((r) => (r.values.wikidataId ? [r.values.wikidataId] : []));
  const partyfacts = valid.flatMap((r) => (r.values.partyfactsId ? [r.values.partyfactsId] : []));
  const nameKeys = [
    ...new Set(
      valid.flatMap((r) => r.keys.map((k) => k.slice(k.indexOf("#") + 1)).filter((k) => k.startsWith("n|") || k.startsWith("a|"))),
    ),
  ];
  // Look-ups each by its own index: the external ids, the folded names (GIN on match_keys), and the Chinese names shown or suggested.
  const byIds =
    wikidata.length || partyfacts.length
      ? await executor
          .selectFrom("organisations")
          .select(["id", "nameEn", "nameZh", "countryCode", "wikidataId", "partyfactsId", "matchKeys"])
          .where(sql<boolean>`wikidata_id = ANY(${wikidata}::text[]) OR partyfacts_id = ANY(${partyfacts}::int[])`)
          .execute()
      : [];
  const byKeys = await registryCandidates(
    executor,
    nameKeys,
    valid.flatMap((r) => r.names.filter((n) => n.lang === "zh" && n.kind !== "former").map((n) => n.value)),
  );
  await sql`SET LOCAL enable_seqscan = on`.execute(executor);
  // A record found both ways keeps the keys its Chinese names gave it.
  const found = [...new Map([...byIds, ...byKeys].map((o) => [o.id, o])).values()];
  const chosen = Object.entries(options.choices)
    .filter(([, v]) => v !== "new")
    .map(([, v]) => v as number);
  const chosenExisting = new Set(
    chosen.length ? (await executor.selectFrom("organisations").select("id").where("id", "in", chosen).execute()).map((r) => r.id) : [],
  );
  const present = (o: (typeof found)[number]) => ({ id: o.id, name: { en: o.nameEn, zh: o.nameZh }, country: o.countryCode });
  // Each row is remembered as soon as it is classified: a later row of the same batch repeating it is that one.
  return batch.map((row) => {
    const classified = classifyRow(row);
    remember(state, [classified]);
    return classified;
  });
  function classifyRow(row: Prepared): Classified {
    const base = { ...row, organisationId: null, candidates: [] };
    if (row.errors.length > 0) return { ...base, status: "invalid" };
    const refuse = (reason: Reason): Classified => ({ ...base, status: "invalid", errors: [{ column: 0, header: "", field: "", reason }] });
    const repeated = repeatedId(state, row);
    if (repeated) return refuse(repeated);
    const unknownTag = row.values.tags?.find((t) => !tags.has(t));
    if (unknownTag) return refuse({ en: `No tag ${unknownTag}; create it first.`, zh: `没有标签${unknownTag}，请先创建。` });
    const previous = byRowKey.get(row.rowKey);
    if (previous) return { ...base, status: previous.rowHash === row.rowHash ? "unchanged" : "updated", organisationId: previous.entityId };
    const choice = options.choices[String(row.line)];
    const byId = found.find(
      (o) =>
        (row.values.wikidataId && o.wikidataId === row.values.wikidataId) ||
        (row.values.partyfactsId && o.partyfactsId === row.values.partyfactsId),
    );
    if (choice === "new" && byId)
      return refuse({
        en: `Its Wikidata or Party Facts id is organisation ${byId.id}'s: it cannot be a new one.`,
        zh: `其Wikidata或Party Facts编号属于组织${byId.id}，不能新建。`,
      });
    if (choice === "new") return { ...base, status: "new" };
    if (typeof choice === "number") {
      if (!chosenExisting.has(choice))
        return {
          ...base,
          status: "invalid",
          errors: [
            {
              column: 0,
              header: "",
              field: "",
              reason: { en: `No organisation ${choice} to match the row to.`, zh: `没有编号为${choice}的组织。` },
            },
          ],
        };
      return { ...base, status: "matched", organisationId: choice };
    }
    if (byId) return { ...base, status: "matched", organisationId: byId.id };
    // A row the file gave before: the same partner, once.
    const earlier = row.keys.map((k) => state.seen.get(k)).find((s) => s !== undefined);
    if (earlier) return { ...base, status: "matched", organisationId: earlier.organisationId, sameAs: earlier.line };
    const country = row.values.countryCode ?? options.defaults.countryCode ?? null;
    const sameCountry = (o: (typeof found)[number]) => !country || !o.countryCode || o.countryCode === country;
    const sharing = (kind: "n" | "a") =>
      found.filter(
        (o) =>
          sameCountry(o) &&
          row.keys.some((k) => {
            const key = k.slice(k.indexOf("#") + 1);
            return key.startsWith(`${kind}|`) && o.matchKeys.includes(key);
          }),
      );
    const byName = sharing("n");
    if (byName.length === 1) return { ...base, status: "matched", organisationId: (byName[0] as (typeof found)[number]).id };
    // Several of one name, or only an abbreviation in common: the user picks.
    const candidates = byName.length > 1 ? byName : sharing("a");
    if (candidates.length > 0) return { ...base, status: "ambiguous", candidates: candidates.slice(0, 10).map(present) };
    return { ...base, status: "new" };
  }
}

/** Remembers a batch's rows by their keys, so that a later row of the file repeating one is that one. */
function remember(state: RunState, rows: Classified[]) {
  for (const row of rows) {
    if (row.status === "invalid" || row.status === "ambiguous") continue;
    if (row.rowKey.startsWith("id:") && !state.ids.has(row.rowKey)) state.ids.set(row.rowKey, row.line);
    // Names and external ids say who a row is; an abbreviation alone does not (two parties may share one).
    for (const key of row.keys)
      if (!key.includes("#a|") && !state.seen.has(key)) state.seen.set(key, { line: row.line, organisationId: row.organisationId });
  }
}

/** The counts so far with a batch's added (for the record's progress while it runs). */
const addCounts = (so: ImportCounts, more: ImportCounts): ImportCounts =>
  Object.fromEntries(Object.entries(so).map(([k, v]) => [k, v + more[k as keyof ImportCounts]])) as ImportCounts;

const emptyCounts = (): ImportCounts => ({ rows: 0, new: 0, matched: 0, updated: 0, unchanged: 0, ambiguous: 0, invalid: 0 });

/**
 * Reads the file, maps, parses and meets each row with the registry, batch by batch, calling
 * `each` with every batch. Memory stays flat in the file's size: only the keys of rows seen
 * are kept between batches.
 */
async function eachBatch(
  file: StagedFile,
  options: RunOptions,
  each: (batch: PreparedRow[], state: RunState) => Promise<ClassifiedRow[]>,
  only: { firstBatchOnly?: boolean; shape?: FileShape } = {},
): Promise<{ inspection: Omit<FileInspection, "sample" | "fields" | "mappings">; counts: ImportCounts; rows: ClassifiedRow[] }> {
  // The file's shape, once: callers that have read it already pass it on.
  const shape = only.shape ?? (await inspectShape(file.path, { encoding: options.encoding }));
  const table = await openTable(file.path, shape, options.sheet);
  try {
    return await batchesOf(table, shape, options, each, only);
  } finally {
    await table.close();
  }
}

/** eachBatch's work on an opened table. */
async function batchesOf(
  table: Table,
  shape: FileShape,
  options: RunOptions,
  each: (batch: PreparedRow[], state: RunState) => Promise<ClassifiedRow[]>,
  only: { firstBatchOnly?: boolean },
): Promise<{ inspection: Omit<FileInspection, "sample" | "fields" | "mappings">; counts: ImportCounts; rows: ClassifiedRow[] }> {
  const engine = engineOf(options.kind);
  const countries = await countryLookup(db());
  const buffered: ReadRow[] = [];
  // The mapping may be suggested from the first rows' values: read them first.
  // (next(), not for…of with break: leaving a for…of would close the rows for good.)
  while (buffered.length < 20) {
    const next = await table.rows.next();
    if (next.done) break;
    buffered.push(next.value);
  }
  const columns = await columnsFor(
    options,
    table.headers,
    buffered.map((r) => r.cells),
    countries,
  );
  if (options.defaults.countryCode && !countries.has(options.defaults.countryCode))
    throw refused(
      { zh: `没有代码为${options.defaults.countryCode}的国家或地区。`, en: `No country or region ${options.defaults.countryCode}.` },
      "defaults.countryCode",
    );
  if (table.headers.length > 500)
    throw refused({
      zh: `表头有${table.headers.length}列；一次导入最多500列。`,
      en: `The header has ${table.headers.length} columns; an import takes at most 500.`,
    });
  if (columns.includes("country") && countries.size === 0)
    throw refused(
      {
        zh: "尚未载入国家和地区资料，无法识别“国家”列：请先载入地理资料（liaison import-reference）。",
        en: "No countries are loaded to read the country column by: load the geography first (liaison import-reference).",
      },
      "columns",
    );
  engine.checkColumns(columns, options);
  const counts = emptyCounts();
  const kept: ClassifiedRow[] = [];
  const state: RunState = { seen: new Map(), ids: new Map() };
  let batch: PreparedRow[] = [];
  // One batch is met with the record (and written) while the next is read and parsed: the
  // database and the parsing take turns on two cores instead of waiting for each other. A batch
  // is only classified once the one before it is done, so it sees what that one wrote.
  let inFlight: Promise<void> = Promise.resolve();
  const settle = (classified: ClassifiedRow[]) => {
    for (const row of classified) {
      counts.rows++;
      counts[row.status]++;
      kept.push(row);
    }
    // Only what a preview shows is kept: the rows that need a look first, then the others.
    if (kept.length > previewLimit * 2) {
      kept.sort((a, b) => weight(a) - weight(b) || a.line - b.line);
      kept.length = previewLimit;
    }
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const next = batch;
    batch = [];
    await inFlight;
    inFlight = each(next, state).then(settle);
    // Handled here and rethrown by the next await: a failure surfaces once, where the file is read.
    inFlight.catch(() => {});
  };
  const take = async (row: ReadRow) => {
    batch.push(engine.prepare(row, table.headers, columns, countries, options));
    if (batch.length >= batchSize) await flush();
  };
  try {
    for (const row of buffered) await take(row);
    if (only.firstBatchOnly) await table.rows.return(undefined);
    else for await (const row of table.rows) await take(row);
    await flush();
  } catch (error) {
    // The file failed (cut short, a broken quote) while a batch was being written: that batch
    // ends first, so that what the import's record says is what was written.
    await inFlight.catch(() => {});
    throw error;
  }
  await inFlight;
  kept.sort((a, b) => weight(a) - weight(b) || a.line - b.line);
  return {
    inspection: { ...describeFile(options, shape, table), columns },
    counts,
    rows: kept,
  };
}

/** The rows a user must look at come first: invalid, ambiguous, then matched and updated, then new and unchanged. */
const weight = (row: ClassifiedRow) => ({ invalid: 0, ambiguous: 1, matched: 2, updated: 3, new: 4, unchanged: 5 })[row.status];

const presentRow = (row: ClassifiedRow): PreviewRow => ({
  line: row.line,
  status: row.status,
  name: row.name,
  organisationId: row.organisationId,
  engagementId: row.engagementId ?? null,
  candidates: row.candidates,
  errors: row.errors,
});

/** Every row read, mapped and met with the registry (each batch in a transaction of its own), nothing written. */
function dryRun(
  actor: Actor,
  file: StagedFile,
  options: RunOptions,
  also: { shape?: FileShape; onRows?: (rows: ClassifiedRow[]) => void } = {},
) {
  const engine = engineOf(options.kind);
  return eachBatch(
    file,
    options,
    async (batch, state) => {
      const rows = await db()
        .transaction()
        .execute((trx) => engine.classify(trx, batch, options, state, actor));
      also.onRows?.(rows);
      return rows;
    },
    also.shape ? { shape: also.shape } : {},
  );
}

/** The dry run: every row read, mapped and met with the registry, with the counts an import would give. Nothing is written. */
export async function previewImport(actor: Actor, file: StagedFile, input: unknown): Promise<PreviewOutput> {
  const options = authorizedOptions(actor, input);
  const result = await dryRun(actor, file, options);
  const shown = result.rows.slice(0, previewLimit);
  return {
    inspection: {
      ...result.inspection,
      sample: [],
      fields: engineOf(options.kind).fields.map((f) => ({ key: f.key, label: f.label })),
      mappings: [],
    },
    counts: result.counts,
    rows: shown.map(presentRow),
    truncated: result.counts.rows > shown.length,
  };
}

/**
 * The dry run as a spreadsheet: the file's rows as they were read, each with its status and the
 * reasons a row is refused (in Chinese and English), to be corrected and uploaded again.
 */
export async function previewSpreadsheet(actor: Actor, file: StagedFile, input: unknown): Promise<Buffer> {
  const options = authorizedOptions(actor, input);
  const shape = await inspectShape(file.path, { encoding: options.encoding });
  const outcome = new Map<number, { status: RowStatus; reasons: string }>();
  // Every row's outcome (the dry run keeps only those a preview shows).
  await dryRun(actor, file, options, {
    shape,
    onRows: (rows) => {
      for (const row of rows)
        outcome.set(row.line, {
          status: row.status,
          reasons: row.errors.map((e) => `${e.header ? `${e.header}: ` : ""}${e.reason.zh} ${e.reason.en}`).join("\n"),
        });
    },
  });
  const table = await openTable(file.path, shape, options.sheet);
  // Written as a stream to a file: rows are not held as a workbook in memory.
  const target = path.join(os.tmpdir(), `liaison-preview-${randomUUID()}.xlsx`);
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: target, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet("预览 Preview", { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = ["状态 Status", "原因 Reason", "行 Line", ...table.headers].map((header, i) => ({
      header,
      width: i === 1 ? 50 : i === 2 ? 8 : 20,
    }));
    sheet.getRow(1).font = { bold: true };
    const words: Record<RowStatus, string> = {
      new: "新增 new",
      matched: "匹配 matched",
      updated: "更新 updated",
      unchanged: "未变 unchanged",
      ambiguous: "待确认 ambiguous",
      invalid: "有误 invalid",
    };
    for await (const row of table.rows) {
      const o = outcome.get(row.line);
      // Cells are strings: a formula in the file is written as the text it was, never as a formula.
      // The header's columns only (a row's cells past them are no field's).
      sheet.addRow([o ? words[o.status] : "", o?.reasons ?? "", row.line, ...row.cells.slice(0, table.headers.length)]).commit();
    }
    sheet.commit();
    await workbook.commit();
    return await fs.readFile(target);
  } finally {
    await table.close();
    await fs.rm(target, { force: true });
  }
}

/** The columns a field is written to, and how its current value is read for comparison. */
const scalarFields = ["kind", "countryCode", "foundedYear", "dissolvedYear", "website", "wikidataId", "partyfactsId"] as const;
type ScalarField = (typeof scalarFields)[number];

/** Writes a batch: new organisations created, matched and updated ones given the row's fields as the rules allow. */
async function writeBatch(trx: Trx, actor: Actor, importId: number, rows: Classified[], options: ImportOptions): Promise<AuditEntry[]> {
  const audit: AuditEntry[] = [];
  const tags = new Map((await trx.selectFrom("tags").select(["id", "key"]).execute()).map((t) => [t.key, t.id] as const));
  // Unknown tags are refused on their row, as everywhere in the registry.
  for (const row of rows) {
    const missing = row.values.tags?.find((t) => !tags.has(t));
    if (missing && (row.status === "new" || row.status === "matched" || row.status === "updated")) {
      const column = -1;
      row.errors.push({
        column,
        header: "",
        field: "tags",
        reason: { en: `No tag ${missing}; create it first.`, zh: `没有标签${missing}，请先创建。` },
      });
      row.status = "invalid";
    }
  }
  const created = rows.filter((r) => r.status === "new");
  if (created.length > 0) {
    const ids = await insertMany<{ id: number }>(
      trx,
      "organisations",
      {
        kind: "text",
        countryCode: "text",
        foundedYear: "int",
        dissolvedYear: "int",
        website: "text",
        wikidataId: "text",
        partyfactsId: "int",
        importId: "int",
        nameEn: "text",
        nameZh: "text",
        nameZhStatus: "text",
        abbreviation: "text",
        searchText: "text",
        searchLatin: "text",
        matchKeys: "text[]",
      },
      created.map((r) => ({
        ...r.values,
        kind: r.values.kind ?? options.defaults.kind ?? "political_party",
        countryCode: r.values.countryCode ?? options.defaults.countryCode,
        importId,
        ...r.display,
      })),
      { returning: ["id"] },
    );
    for (const [i, row] of created.entries()) row.organisationId = ids[i]?.id ?? null;
    await insertMany(
      trx,
      "organisationNames",
      { organisationId: "int", kind: "text", lang: "text", script: "text", value: "text", validTo: "int", position: "int", source: "text" },
      created.flatMap((r) => r.names.map((n, position) => ({ organisationId: r.organisationId, ...n, position, source: "import" }))),
    );
    const tagRows = created.flatMap((r) =>
      [...new Set(r.values.tags ?? [])].map((t) => ({ organisationId: r.organisationId as number, tagId: tags.get(t) as number })),
    );
    if (tagRows.length) await trx.insertInto("organisationTags").values(tagRows).execute();
    const levels = created.filter((r) => r.values.relationshipLevel);
    if (levels.length)
      await trx
        .insertInto("relationships")
        .values(
          levels.map((r) => ({
            organisationId: r.organisationId as number,
            level: r.values.relationshipLevel as "contact",
            leadUnitId: actor.unitId || null,
          })),
        )
        .execute();
    // Only a record without a Chinese name of its own is given a suggestion.
    const withoutChinese = created.filter((r) => r.display.nameZhStatus !== "confirmed").map((r) => r.organisationId as number);
    if (withoutChinese.length) await refreshSuggestions(trx, { organisationIds: withoutChinese });
    await insertMany(
      trx,
      "importRows",
      { kind: "text", rowKey: "text", importId: "int", entityId: "int", created: "bool", rowHash: "text", written: "jsonb" },
      created.map((r) => ({
        kind: "organisations",
        rowKey: r.rowKey,
        importId,
        entityId: r.organisationId,
        created: true,
        rowHash: r.rowHash,
        written: writtenOf(r),
      })),
      // A key whose record is gone (deleted, merged away) is this row's now.
      {
        onConflict: sql`ON CONFLICT (kind, row_key) DO UPDATE SET entity_id = excluded.entity_id, import_id = excluded.import_id,
          created = excluded.created, row_hash = excluded.row_hash, written = excluded.written, before = NULL`,
      },
    );
    for (const r of created)
      audit.push({
        entity: "organisation",
        entityId: r.organisationId as number,
        action: "create",
        after: { importId, line: r.line, ...writtenOf(r) },
      });
  }
  // A row repeating an earlier row of this batch is the record that row created.
  const createdAt = new Map(created.map((r) => [r.line, r.organisationId]));
  for (const row of rows)
    if (row.status === "matched" && row.organisationId === null && row.sameAs) row.organisationId = createdAt.get(row.sameAs) ?? null;
  for (const row of rows.filter((r) => (r.status === "matched" || r.status === "updated") && r.organisationId !== null)) {
    const change = await applyToExisting(trx, row, importId, options, tags);
    if (change)
      audit.push({
        entity: "organisation",
        entityId: row.organisationId as number,
        action: "update",
        before: change.before,
        after: { importId, line: row.line, ...change.after },
      });
  }
  return audit;
}

/**
 * The display columns of a record whose names changed. A Chinese name among them is the record's,
 * confirmed; without one, the record keeps the Chinese name it shows (a suggestion to review).
 */
function namesColumns(names: NormalisedName[]) {
  const { nameZh, nameZhStatus, ...rest } = displayColumns(names);
  if (nameZh) return { ...rest, nameZh, nameZhStatus };
  return {
    ...rest,
    nameZh: sql<string | null>`CASE WHEN name_zh_status = 'suggested' THEN name_zh END`,
    nameZhStatus: sql<"suggested" | null>`CASE WHEN name_zh_status = 'suggested' THEN 'suggested' END`,
  };
}

/** What a row writes, by field: its scalar fields and its names (as kind|lang|value). */
function writtenOf(row: Prepared): Record<string, unknown> {
  return { ...row.values, names: row.names.map((n) => `${n.kind}|${n.lang}|${n.value}`) };
}

/**
 * Gives an existing organisation a row's fields. A matched record (not created by an import)
 * has its empty fields filled and the row's names added; a record an earlier import wrote has
 * each field the file changed updated, unless a user changed that field since (the value is
 * no longer what the import wrote) — `overwrite` writes over both.
 */
async function applyToExisting(
  trx: Trx,
  row: Classified,
  importId: number,
  options: ImportOptions,
  tags: ReadonlyMap<string, number>,
): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> } | null> {
  const organisationId = row.organisationId as number;
  const current = await trx
    .selectFrom("organisations")
    .select([...scalarFields, "id"])
    .where("id", "=", organisationId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return null;
  const previous = await trx
    .selectFrom("importRows")
    .select(["written"])
    .where("kind", "=", "organisations")
    .where("rowKey", "=", row.rowKey)
    .executeTakeFirst();
  const written = (previous?.written ?? {}) as Record<string, unknown>;
  const set: Partial<Record<ScalarField, unknown>> = {};
  const before: Record<string, unknown> = {};
  for (const field of scalarFields) {
    const value = row.values[field];
    if (value === undefined || value === current[field]) continue;
    const untouched = previous
      ? written[field] === current[field] || (written[field] === undefined && current[field] === null)
      : current[field] === null;
    if (!untouched && !options.overwrite) continue;
    if (field === "kind" && !previous && !options.overwrite) continue;
    set[field] = value;
    before[field] = current[field];
  }
  const existingNames = await trx
    .selectFrom("organisationNames")
    .select(["kind", "lang", "value", "position"])
    .where("organisationId", "=", organisationId)
    .execute();
  const has = new Set(existingNames.map((n) => `${n.kind}|${n.lang}|${n.value}`));
  const addedNames = row.names.filter((n) => !has.has(`${n.kind}|${n.lang}|${n.value}`));
  if (Object.keys(set).length === 0 && addedNames.length === 0) {
    await recordRow(trx, row, importId, false, {}, written);
    return null;
  }
  if (addedNames.length > 0) {
    const start = Math.max(-1, ...existingNames.map((n) => n.position)) + 1;
    await trx
      .insertInto("organisationNames")
      .values(addedNames.map((n, i) => ({ organisationId, ...n, position: start + i, source: "import" })))
      .execute();
  }
  const all = await trx
    .selectFrom("organisationNames")
    .select(["kind", "lang", "script", "value", "validTo"])
    .where("organisationId", "=", organisationId)
    .orderBy("position")
    .execute();
  const update = () =>
    trx
      .updateTable("organisations")
      .set({ ...(set as Record<string, never>), ...namesColumns(all as NormalisedName[]), updatedAt: new Date() })
      .where("id", "=", organisationId)
      .execute();
  await withPartnerMove(trx, organisationId, set, update);
  const newTags = [...new Set(row.values.tags ?? [])].filter((t) => tags.has(t));
  if (newTags.length)
    await trx
      .insertInto("organisationTags")
      .values(newTags.map((t) => ({ organisationId, tagId: tags.get(t) as number })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  const after = { ...set, names: addedNames.map((n) => `${n.kind}|${n.lang}|${n.value}`) };
  await recordRow(trx, row, importId, false, { before, addedNames: after.names }, written);
  return { before, after };
}

/** Keeps what an import wrote to a record that existed before it: for the next import's comparison, and for undo. */
async function recordRow(
  trx: Trx,
  row: Classified,
  importId: number,
  created: boolean,
  undo: Record<string, unknown>,
  earlier: Record<string, unknown>,
) {
  const written = JSON.stringify({ ...earlier, ...writtenOf(row) });
  await trx
    .insertInto("importRows")
    .values({
      kind: "organisations",
      rowKey: row.rowKey,
      importId,
      entityId: row.organisationId as number,
      created,
      rowHash: row.rowHash,
      written,
      before: Object.keys(undo).length ? JSON.stringify(undo) : null,
    })
    .onConflict((oc) =>
      oc
        .columns(["kind", "rowKey"])
        .doUpdateSet({ entityId: row.organisationId as number, rowHash: row.rowHash, written, importedAt: new Date() }),
    )
    .execute();
}

/**
 * Imports a file: reads, maps and matches every row, and writes them in batches of a thousand,
 * each batch one transaction with its audit rows, taking turns with any other import of the
 * same kind. The import is a record (who, when, the file's name and hash, the mapping, the
 * counts); the rows it created carry its id. The same file again changes nothing; a run cut
 * short leaves whole batches, and running it again completes it.
 */
export async function runImport(
  actor: Actor,
  file: StagedFile,
  input: unknown,
  progress: (rows: number) => void = () => {},
): Promise<ImportOutput> {
  const started = await startImport(actor, file, input, progress);
  await started.finished;
  return getImport(actor, started.id);
}

/**
 * Starts an import and answers at once with its id (the web app follows its progress); the
 * promise says when the last batch is written, or why it stopped.
 */
export async function startImport(
  actor: Actor,
  file: StagedFile,
  input: unknown,
  progress: (rows: number) => void = () => {},
): Promise<{ id: number; finished: Promise<void> }> {
  const options = authorizedOptions(actor, input);
  const engine = engineOf(options.kind);
  const shape = await inspectShape(file.path, { encoding: options.encoding });
  // The mapping is checked before anything is recorded: a file with no name column is refused whole.
  await eachBatch(file, options, async () => [], { firstBatchOnly: true, shape });
  const record = await mutate(actor, async (trx) => {
    const row = await trx
      .insertInto("imports")
      .values({
        kind: options.kind,
        fileName: options.fileName,
        fileHash: file.sha256,
        fileSize: file.size,
        format: shape.format,
        encoding: shape.encoding,
        sheet: shape.format === "xlsx" ? (options.sheet ?? shape.sheets[0] ?? null) : null,
        mapping: JSON.stringify({ columns: options.columns ?? null, mapping: options.mapping ?? null }),
        options: JSON.stringify({ defaults: options.defaults, overwrite: options.overwrite }),
        status: "running",
        unitId: importUnit(actor, options.kind) || null,
        createdBy: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      result: row.id,
      audit: {
        entity: "import",
        entityId: row.id,
        action: "create",
        after: { fileName: options.fileName, fileHash: file.sha256, kind: options.kind },
      },
    };
  });
  const finished = (async () => {
    const errors: Array<CellError & { line: number }> = [];
    const running = emptyCounts();
    let done = 0;
    /** Writes rows in one transaction; refuses to go on once the import was undone meanwhile. */
    const writeRows = (batch: PreparedRow[], state: RunState) =>
      mutate(actor, async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${importLock})`.execute(trx);
        const current = await trx.selectFrom("imports").select("status").where("id", "=", record).executeTakeFirst();
        if (current?.status !== "running")
          throw new AppError("CONFLICT", "The import was undone while it ran; it stops here.", { importStopped: true });
        const rows = await engine.classify(trx, batch, options, state, actor);
        const audit = await engine.write(trx, actor, record, rows, options);
        const counted = emptyCounts();
        for (const row of rows) {
          counted.rows++;
          counted[row.status]++;
        }
        await trx
          .updateTable("imports")
          .set({ heartbeatAt: new Date(), counts: JSON.stringify(addCounts(running, counted)) })
          .where("id", "=", record)
          .execute();
        return { result: rows, audit };
      });
    try {
      const result = await eachBatch(
        file,
        options,
        async (batch, state) => {
          const before = new Map(state.seen);
          let written: ClassifiedRow[];
          try {
            written = await writeRows(batch, state);
          } catch (error) {
            if (stopsImport(error)) throw error;
            // A row the checks let through and the database or the record's own rules refuse (a
            // constraint, a type's rule, a unit the importer may not write in): the batch is written
            // row by row, and the rows refused are reported with the reason.
            state.seen = before;
            written = [];
            for (const one of batch) {
              const mark = new Map(state.seen);
              try {
                written.push(...(await writeRows([one], state)));
              } catch (refusal) {
                if (stopsImport(refusal)) throw refusal;
                state.seen = mark;
                const reason = (refusal as Error).message.slice(0, 300);
                written.push({
                  ...one,
                  status: "invalid",
                  organisationId: null,
                  candidates: [],
                  errors: [rowError({ en: `Not written: ${reason}`, zh: `未能写入：${reason}` })],
                });
              }
            }
          }
          for (const row of written) {
            running.rows++;
            running[row.status]++;
            for (const e of row.errors) if (errors.length < errorLimit) errors.push({ line: row.line, ...e });
          }
          done += batch.length;
          // Written rows are found in the registry from now on: the file's earlier rows need not be kept in memory.
          state.seen.clear();
          // Said once the batch is committed: what is reported is there.
          progress(done);
          return written;
        },
        { shape },
      );
      await mutate(actor, async (trx) => {
        const finishedRows = await trx
          .updateTable("imports")
          .set({
            status: "done",
            counts: JSON.stringify(result.counts),
            errors: JSON.stringify(errors),
            mapping: JSON.stringify({ columns: result.inspection.columns, mapping: options.mapping ?? null }),
            finishedAt: new Date(),
          })
          .where("id", "=", record)
          .where("status", "=", "running")
          .executeTakeFirst();
        const audit: AuditEntry[] = [{ entity: "import", entityId: record, action: "finish", after: result.counts }];
        if (options.saveMappingAs && Number(finishedRows.numUpdatedRows) > 0) {
          await saveMapping(options.saveMappingAs, options.kind, result.inspection.columns, trx, actor.userId);
          audit.push({
            entity: "import_mapping",
            entityId: options.saveMappingAs,
            action: "update",
            after: { columns: result.inspection.columns },
          });
        }
        return { result: null, audit };
      });
    } catch (error) {
      // Batches written stay (each is whole); the record says the import stopped, and why.
      const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
      errors.push({
        line: 0,
        column: 0,
        header: "",
        field: "",
        reason: { en: `The import stopped: ${reason}`, zh: `导入中止：${reason}` },
      });
      await db()
        .updateTable("imports")
        .set({ status: "interrupted", counts: JSON.stringify(running), errors: JSON.stringify(errors), finishedAt: new Date() })
        .where("id", "=", record)
        .where("status", "=", "running")
        .execute()
        .catch(() => {});
      throw error;
    }
  })();
  return { id: record, finished };
}

/** What ends an import rather than one row: the import undone meanwhile, or the database or the disk gone. */
function stopsImport(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  return (
    error.details.importStopped === true ||
    ["DATABASE_UNAVAILABLE", "STORAGE_FULL", "FILE_STORE_UNAVAILABLE", "DATA_DIR_LOCKED", "INTERNAL"].includes(error.code)
  );
}

/** Keeps a mapping by name, for the next file of the same shape. */
async function saveMapping(
  name: string,
  kind: ImportKind,
  columns: Array<string | null>,
  executor: Executor = db(),
  userId: number | null = null,
) {
  await executor
    .insertInto("importMappings")
    .values({ name, kind, columns: JSON.stringify(columns), updatedBy: userId })
    .onConflict((oc) => oc.column("name").doUpdateSet({ kind, columns: JSON.stringify(columns), updatedAt: new Date(), updatedBy: userId }))
    .execute();
}

/** Saves a named mapping (columns to fields) for reuse. */
export async function putMapping(actor: Actor, name: string, input: unknown): Promise<MappingOutput> {
  const data = parseInput(mappingInput, input);
  authorize(actor, engineOf(data.kind).permission);
  const clean = cleanText(name);
  if (!clean || clean.length > 100)
    throw new AppError("VALIDATION_FAILED", "Give the mapping a name of 1 to 100 characters.", {
      fields: [{ path: "name", message: "1 to 100 characters." }],
    });
  return mutate(actor, async (trx) => {
    await saveMapping(clean, data.kind, data.columns, trx, actor.userId);
    return {
      result: { name: clean, kind: data.kind, columns: data.columns, updatedAt: new Date().toISOString() },
      audit: { entity: "import_mapping", entityId: clean, action: "update", after: data },
    };
  });
}

/** The saved mappings. */
export async function listMappings(actor: Actor): Promise<MappingOutput[]> {
  authorize(actor, "registry.write");
  const rows = await db().selectFrom("importMappings").selectAll().orderBy("name").execute();
  return rows.map((r) => ({
    name: r.name,
    kind: r.kind as ImportKind,
    columns: r.columns as Array<string | null>,
    updatedAt: new Date(r.updatedAt).toISOString(),
  }));
}

/** A running import not heard from for this long was cut short (its process ended). */
const silentFor = 2 * 60_000;

function importRows() {
  return db()
    .selectFrom("imports as i")
    .leftJoin("users as u", "u.id", "i.createdBy")
    .select([
      "i.id",
      "i.kind",
      "i.fileName",
      "i.fileHash",
      "i.fileSize",
      "i.format",
      "i.encoding",
      "i.sheet",
      "i.mapping",
      "i.status",
      "i.counts",
      "i.errors",
      "i.createdAt",
      "i.heartbeatAt",
      "i.finishedAt",
      "i.unitId",
      "u.id as userId",
      "u.displayName",
    ]);
}
type ImportRow = Awaited<ReturnType<ReturnType<typeof importRows>["executeTakeFirstOrThrow"]>>;

function presentImport(r: ImportRow): ImportOutput {
  const interrupted = r.status === "running" && Date.now() - new Date(r.heartbeatAt).getTime() > silentFor;
  return {
    id: r.id,
    kind: r.kind as ImportOutput["kind"],
    fileName: r.fileName,
    fileHash: r.fileHash,
    fileSize: r.fileSize,
    format: r.format,
    encoding: r.encoding,
    sheet: r.sheet,
    columns: ((r.mapping as { columns?: Array<string | null> | null }).columns ?? []) as Array<string | null>,
    status: interrupted ? "interrupted" : r.status,
    counts: r.counts,
    errors: r.errors as ImportOutput["errors"],
    createdAt: new Date(r.createdAt).toISOString(),
    finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
    createdBy: r.userId !== null && r.displayName !== null ? { id: r.userId, displayName: r.displayName } : null,
  };
}

/** Imports, newest first: registry imports are the registry's business, read by those who may write it. */
export async function listImports(actor: Actor): Promise<ImportOutput[]> {
  authorize(actor, "registry.write");
  return (await visibleImports(actor).orderBy("i.id", "desc").limit(200).execute()).map(presentImport);
}

/**
 * The imports an actor sees: every registry import (partners and people: the registry is shared), the engagement
 * imports of units where they write engagements (another unit's register, even its file's name
 * and errors, is that unit's), and the member lists of units where they keep mechanisms.
 */
function visibleImports(actor: Actor) {
  const scope = forActor(actor);
  return importRows().where((eb) =>
    eb.or([
      eb("i.kind", "in", ["organisations", "people"]),
      eb.and([eb("i.kind", "=", "engagements"), scope.unitAllows("engagements.write", sql.ref("i.unit_id"))]),
      eb.and([eb("i.kind", "=", "members"), scope.unitAllows("programmes.write", sql.ref("i.unit_id"))]),
    ]),
  );
}

/** One import: its file, mapping, counts and the errors of its rows. */
export async function getImport(actor: Actor, importId: number): Promise<ImportOutput> {
  authorize(actor, "registry.write");
  const id = parseInput(idSchema, importId);
  const row = await visibleImports(actor).where("i.id", "=", id).executeTakeFirst();
  if (!row) throw notFound("import", id);
  return presentImport(row);
}

/**
 * Undoes an import as a whole: what it created is removed where nothing else depends on it,
 * and what it changed gets back its fields where nobody changed them since (each kind says how).
 */
export async function undoImport(actor: Actor, importId: number): Promise<ImportOutput> {
  authorize(actor, "registry.read");
  const id = parseInput(idSchema, importId);
  // An import the actor does not see (another unit's register) is not found.
  await getImport(actor, id);
  await mutate(actor, async (trx) => {
    // The import lock first, then the record: the order a running import's batches take them in.
    await sql`SELECT pg_advisory_xact_lock(${importLock})`.execute(trx);
    const record = await trx
      .selectFrom("imports")
      .select(["id", "kind", "status", "counts", "createdBy"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!record) throw notFound("import", id);
    const engine = engineOf(record.kind as ImportKind);
    authorize(actor, engine.permission);
    // Undo removes records: one's own import, or anyone's for those who may delete them.
    if (record.createdBy !== actor.userId) authorize(actor, engine.undoPermission);
    if (record.status === "undone") throw new AppError("CONFLICT", "This import was undone already.");
    if (record.status === "running" && (await isAlive(trx, id))) throw new AppError("CONFLICT", "This import is still running.");
    const outcome = await engine.undo(trx, actor, id);
    const counts = { ...(record.counts as Record<string, number>), undone: outcome.undone, kept: outcome.kept };
    await trx
      .updateTable("imports")
      .set({ status: "undone", counts: JSON.stringify(counts), finishedAt: new Date() })
      .where("id", "=", id)
      .execute();
    return { result: null, audit: [...outcome.audit, { entity: "import", entityId: id, action: "undo", after: counts }] };
  });
  return getImport(actor, id);
}

/**
 * Undoes an organisation import: the organisations it created are removed while nothing else
 * points at them (an engagement, a position, a note…: those are kept, and counted), and the
 * records it matched get back the fields and names it gave them where nobody changed them since.
 */
async function undoOrganisations(trx: Trx, id: number): Promise<UndoOutcome> {
  // What points at an organisation and keeps it (its names and tags go with it).
  // Anything that points at an organisation keeps it — a note, a position, a status, a merge —
  // except the parts the import itself wrote with it: its names, tags, relationship level and
  // the suggestion of a Chinese name.
  const ownParts = new Set(["organisation_names", "organisation_tags", "relationships", "name_suggestions"]);
  const blockers = (await referencingColumns(trx, "organisations")).filter((c) => !ownParts.has(c.table));
  const free = sql.join(
    blockers.map((b) => sql`NOT EXISTS (SELECT 1 FROM ${sql.table(b.table)} x WHERE x.${sql.ref(b.column)} = o.id)`),
    sql` AND `,
  );
  const deleted = await sql<{ id: number; nameEn: string; nameZh: string | null; countryCode: string | null }>`
    DELETE FROM organisations o WHERE o.import_id = ${id}
    AND o.id IN (SELECT entity_id FROM import_rows WHERE import_id = ${id} AND created AND kind = 'organisations')
    ${blockers.length ? sql`AND ${free}` : sql``}
    RETURNING o.id, o.name_en AS "nameEn", o.name_zh AS "nameZh", o.country_code AS "countryCode"`.execute(trx);
  const removed = new Set(deleted.rows.map((r) => r.id));
  const created = await trx.selectFrom("importRows").select(["entityId"]).where("importId", "=", id).where("created", "=", true).execute();
  // Records it matched: their fields and names back, where still as the import left them.
  const matched = await trx
    .selectFrom("importRows")
    .select(["rowKey", "entityId", "before", "written"])
    .where("importId", "=", id)
    .where("created", "=", false)
    .execute();
  for (const m of matched) {
    const undo = (m.before ?? {}) as { before?: Record<string, unknown>; addedNames?: string[] };
    const written = m.written as Record<string, unknown>;
    const current = await trx
      .selectFrom("organisations")
      .select([...scalarFields])
      .where("id", "=", m.entityId)
      .executeTakeFirst();
    if (!current) continue;
    const restore: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(undo.before ?? {}))
      if ((scalarFields as readonly string[]).includes(field) && current[field as ScalarField] === written[field]) restore[field] = value;
    for (const name of undo.addedNames ?? []) {
      const [kind, lang, ...rest] = name.split("|");
      await trx
        .deleteFrom("organisationNames")
        .where("organisationId", "=", m.entityId)
        .where("kind", "=", kind as "alias")
        .where("lang", "=", lang as string)
        .where("value", "=", rest.join("|"))
        .where("source", "=", "import")
        .execute();
    }
    const names = await trx
      .selectFrom("organisationNames")
      .select(["kind", "lang", "script", "value", "validTo"])
      .where("organisationId", "=", m.entityId)
      .orderBy("position")
      .execute();
    const update = () =>
      trx
        .updateTable("organisations")
        .set({ ...(restore as Record<string, never>), ...namesColumns(names as NormalisedName[]), updatedAt: new Date() })
        .where("id", "=", m.entityId)
        .execute();
    await withPartnerMove(trx, m.entityId, restore, update);
  }
  await trx
    .deleteFrom("importRows")
    .where("importId", "=", id)
    .where((eb) => eb.or([eb("created", "=", false), eb("entityId", "in", removed.size ? [...removed] : [-1])]))
    .execute();
  const audit: AuditEntry[] = deleted.rows.map((o) => ({
    entity: "organisation",
    entityId: o.id,
    action: "delete",
    before: { nameEn: o.nameEn, nameZh: o.nameZh, countryCode: o.countryCode, importId: id },
  }));
  return { undone: removed.size, kept: created.length - removed.size, audit };
}

/** The organisation import: its fields, and how its rows are read, met with the registry, written and undone. */
const organisationImport: ImportEngine = {
  permission: "registry.write",
  undoPermission: "registry.delete",
  fields: organisationFields,
  checkColumns(columns) {
    if (!columns.some((c) => c === "nameEn" || c === "nameZh" || c === "nameNative" || c === "alias"))
      throw refused(
        { zh: "请至少把一列对应为名称（中文、英文或原文）。", en: "Map at least one column to a name (Chinese, English or native)." },
        "columns",
      );
  },
  prepare,
  classify(trx, batch, options, state) {
    return classify(trx, batch as Prepared[], options, state);
  },
  write(trx, actor, importId, rows, options) {
    return writeBatch(trx, actor, importId, rows as Classified[], options);
  },
  undo(trx, _actor, importId) {
    return undoOrganisations(trx, importId);
  },
};

/** Each kind of import's engine. */
function engineOf(kind: ImportKind): ImportEngine {
  return { organisations: organisationImport, engagements: engagementImport, people: peopleImport, members: memberImport }[kind];
}

async function isAlive(executor: Executor, importId: number): Promise<boolean> {
  const row = await executor.selectFrom("imports").select("heartbeatAt").where("id", "=", importId).executeTakeFirst();
  return row ? Date.now() - new Date(row.heartbeatAt).getTime() <= silentFor : false;
}

export { foldHeader };

/** The id of a kept upload, beside an import's options. */
/**
 * Runs a step on the caller's kept upload named by `fileId` beside the step's own options: the
 * access check first, then the upload (its uploader's alone), then the step.
 */
async function onKeptUpload<T>(
  actor: Actor,
  input: unknown,
  step: (file: StagedFile, rest: Record<string, unknown>, fileId: string) => Promise<T>,
) {
  authorize(actor, "registry.write");
  const { fileId, ...rest } = (input ?? {}) as Record<string, unknown>;
  const id = typeof fileId === "string" ? fileId : "";
  return step(await keptUpload(id, actor.userId), rest, id);
}

/** Takes an uploaded file for an import (kept for the wizard's next steps) and says what it holds. */
export async function uploadImportFile(
  actor: Actor,
  data: Readable | Buffer,
  input: unknown,
): Promise<FileInspection & { fileId: string }> {
  authorize(actor, engineOf(parseInput(inspectOptions, input).kind).permission);
  const file = await keepUpload(data, actor.userId);
  return { fileId: file.sha256, ...(await inspectImportFile(actor, file, input)) };
}

/** The wizard's steps on a kept upload: inspect again (another sheet, encoding or mapping), preview, the preview as a spreadsheet, import. */
export const onUpload = {
  inspect: (actor: Actor, input: unknown) =>
    onKeptUpload(actor, input, async (file, rest, fileId) => ({ fileId, ...(await inspectImportFile(actor, file, rest)) })),
  preview: (actor: Actor, input: unknown) => onKeptUpload(actor, input, (file, rest) => previewImport(actor, file, rest)),
  spreadsheet: (actor: Actor, input: unknown) => onKeptUpload(actor, input, (file, rest) => previewSpreadsheet(actor, file, rest)),
  start: (actor: Actor, input: unknown) =>
    onKeptUpload(actor, input, async (file, rest) => {
      const started = await startImport(actor, file, rest);
      // The import goes on after the answer; how it ends is on its record.
      started.finished.catch(() => {});
      return getImport(actor, started.id);
    }),
};
