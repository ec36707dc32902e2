import { sql } from "kysely";
import type { Action } from "../access/policy.ts";
import { matchKeys } from "../merge/keys.ts";
import { foldName } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import type { AuditEntry, Executor, Trx } from "../shared/mutation.ts";
import { type CountryLookup, type FieldDefinition, parseCell, type Reason } from "./fields.ts";
import type { ReadRow } from "./read.ts";
import type { ImportOptions, PreviewRow, RowStatus } from "./schema.ts";

/**
 * What one kind of import (organisations, engagements…) brings to the common machinery of
 * reading, previewing, batching, recording and undoing: its fields, how a row is parsed, how
 * a batch meets what is already recorded, how it is written, and how it is undone.
 */

/** An import's options, with the scope the office's own ids are read in: the importer's unit. */
export type RunOptions = ImportOptions & { scope: string };

/** A cell refused, with where it is and why. */
export interface CellError {
  column: number;
  header: string;
  field: string;
  reason: Reason;
}

/** A row read and parsed by its kind's fields, before it meets the record. */
export interface PreparedRow {
  line: number;
  /** What the row is called in a preview: its name, or its date and partners. */
  name: string;
  errors: CellError[];
  /** What the row is known by across imports: the office's own id, an external id, or its content. */
  rowKey: string;
  /** Its content: a row seen before with another hash has changed. */
  rowHash: string;
}

/** A row met with the record: what would be (or was) done with it. */
export interface ClassifiedRow extends PreparedRow {
  status: RowStatus;
  /** The organisation the row is (an organisation import). */
  organisationId: number | null;
  /** The engagement the row is (an engagement import). */
  engagementId?: number | null;
  candidates: PreviewRow["candidates"];
  /** A row that repeats an earlier row of the file: the earlier row's line. */
  sameAs?: number;
}

/** What one import run keeps across batches: the rows of the file already seen, by the keys they are known by. */
export interface RunState {
  seen: Map<string, { line: number; organisationId: number | null }>;
  /** The office's own ids given so far, with their rows: an id is one row's. */
  ids: Map<string, number>;
}

/** What undoing an import did: records removed and kept, and their audit rows. */
export interface UndoOutcome {
  undone: number;
  kept: number;
  audit: AuditEntry[];
}

/** One kind of import. Methods (not properties) so that each kind may narrow the row types it takes. */
export interface ImportEngine {
  /** What the importer needs: to write the registry, or to write engagements in their unit. */
  permission: Action;
  /** What undoing someone else's import needs. */
  undoPermission: Action;
  fields: FieldDefinition[];
  /** Refuses a mapping the kind cannot import (no name column; no date…), before anything is written. */
  checkColumns(columns: Array<string | null>, options: RunOptions): void;
  prepare(row: ReadRow, headers: string[], columns: Array<string | null>, countries: CountryLookup, options: RunOptions): PreparedRow;
  classify(trx: Trx, batch: PreparedRow[], options: RunOptions, state: RunState, actor: Actor): Promise<ClassifiedRow[]>;
  write(trx: Trx, actor: Actor, importId: number, rows: ClassifiedRow[], options: RunOptions): Promise<AuditEntry[]>;
  undo(trx: Trx, actor: Actor, importId: number): Promise<UndoOutcome>;
}

/** Why a row is refused for repeating an earlier row's own id (an id is one row's), or null. */
export function repeatedId(state: RunState, row: PreparedRow): Reason | null {
  const sameId = state.ids.get(row.rowKey);
  return row.rowKey.startsWith("id:") && sameId !== undefined && sameId !== row.line
    ? { en: `The row repeats the id of row ${sameId}.`, zh: `此行的编号与第${sameId}行重复。` }
    : null;
}

/**
 * Takes a row's own id for it (the id is this row's from now on in the file), or says why it
 * cannot: an earlier row has it.
 */
export function claimRowId(state: RunState, row: PreparedRow): Reason | null {
  const repeated = repeatedId(state, row);
  if (!repeated && row.rowKey.startsWith("id:")) state.ids.set(row.rowKey, row.line);
  return repeated;
}

/** An error on no cell in particular: the row's. */
export const rowError = (reason: Reason): CellError => ({ column: 0, header: "", field: "", reason });

/** Refuses a row with a reason of its own. */
export const refuseRow = <T extends ClassifiedRow>(row: T, reason: Reason): T => ({
  ...row,
  status: "invalid",
  errors: [rowError(reason)],
});

/** A mapped row's cells, field by field, each parsed by its type: its value, or the cell's error. */
export function mappedCells(
  row: ReadRow,
  headers: string[],
  columns: Array<string | null>,
  fields: FieldDefinition[],
  parse: (field: FieldDefinition, raw: string) => { value: unknown } | { error: Reason },
): { values: Array<{ field: string; value: unknown; column: number }>; errors: CellError[] } {
  const errors: CellError[] = [];
  const values: Array<{ field: string; value: unknown; column: number }> = [];
  if (row.cells.length > headers.length && row.cells.slice(headers.length).some((c) => c.trim() !== "")) {
    errors.push({
      column: headers.length + 1,
      header: "",
      field: "",
      reason: {
        en: `The row has ${row.cells.length} cells; the header has ${headers.length}: a cell may have slipped.`,
        zh: `此行有${row.cells.length}个单元格，表头只有${headers.length}列，可能有单元格错位。`,
      },
    });
  }
  for (const [column, key] of columns.entries()) {
    if (!key) continue;
    const definition = fields.find((f) => f.key === key);
    if (!definition) continue;
    const parsed = parse(definition, row.cells[column] ?? "");
    if ("error" in parsed) errors.push({ column: column + 1, header: headers[column] ?? "", field: key, reason: parsed.error });
    else if (parsed.value !== null) values.push({ field: key, value: parsed.value, column });
  }
  return { values, errors };
}

/**
 * A row's mapped cells as its kind's values, each parsed by its field's type: the country as its
 * code, and the office's own id apart (it keys the row); with the cells' errors, and `fail` to
 * refuse a field on its column.
 */
export function rowValues<V>(
  row: ReadRow,
  headers: string[],
  columns: Array<string | null>,
  fields: FieldDefinition[],
  countries: CountryLookup,
): { values: V; sourceId: string | null; errors: CellError[]; fail: (field: string, reason: Reason) => void } {
  const { values: cells, errors } = mappedCells(row, headers, columns, fields, (field, raw) => parseCell(field.type, raw, countries));
  const values: Record<string, unknown> = {};
  let sourceId: string | null = null;
  for (const { field, value } of cells) {
    if (field === "country") values.countryCode = value;
    else if (field === "sourceId") sourceId = value as string;
    else values[field] = value;
  }
  const fail = (field: string, reason: Reason) => {
    const column = columns.indexOf(field);
    errors.push({ column: column + 1, header: headers[column] ?? "", field, reason });
  };
  return { values: values as V, sourceId, errors, fail };
}

/** A registry record a row's name may be, with every key it is known by. */
export interface RegistryCandidate {
  id: number;
  nameEn: string;
  nameZh: string | null;
  countryCode: string | null;
  wikidataId: string | null;
  partyfactsId: number | null;
  matchKeys: string[];
}

/**
 * The registry records these keys or Chinese names may be. The keys are every name a record
 * holds, folded; but the Chinese name most of the bundled registry shows is a suggestion (暂译)
 * not yet among its names, and an office's spreadsheets are written in Chinese: so records are
 * also found by the Chinese name they show and by a pending suggestion or its short form (越共),
 * and those names join the keys they are matched by.
 */
export async function registryCandidates(executor: Executor, keys: string[], chineseNames: string[]): Promise<RegistryCandidate[]> {
  const columns = ["o.id", "o.nameEn", "o.nameZh", "o.countryCode", "o.wikidataId", "o.partyfactsId", "o.matchKeys"] as const;
  const names = [...new Set(chineseNames.flatMap((n) => [n, foldName(n)]))];
  const byKeys = keys.length
    ? await executor.selectFrom("organisations as o").select(columns).where(sql<boolean>`o.match_keys && ${keys}::text[]`).execute()
    : [];
  const byShown = names.length
    ? await executor.selectFrom("organisations as o").select(columns).where(sql<boolean>`o.name_zh = ANY(${names}::text[])`).execute()
    : [];
  const bySuggestion = names.length
    ? await executor
        .selectFrom("nameSuggestions as s")
        .innerJoin("organisations as o", "o.id", "s.organisationId")
        .select([...columns, "s.zh as suggestedZh", "s.short as suggestedShort"])
        .where("s.status", "=", "pending")
        .where(sql<boolean>`(s.zh = ANY(${names}::text[]) OR s.short = ANY(${names}::text[]))`)
        .execute()
    : [];
  const found = new Map<number, RegistryCandidate>();
  const add = (o: RegistryCandidate, more: Array<{ kind: string; value: string | null }>) => {
    const known = found.get(o.id) ?? { ...o, matchKeys: [...o.matchKeys] };
    const extra = matchKeys(more.filter((m): m is { kind: string; value: string } => Boolean(m.value)));
    known.matchKeys = [...new Set([...known.matchKeys, ...extra])];
    found.set(o.id, known);
  };
  for (const o of byKeys) add(o, [{ kind: "official", value: o.nameZh }]);
  for (const o of byShown) add(o, [{ kind: "official", value: o.nameZh }]);
  for (const o of bySuggestion)
    add(o, [
      { kind: "official", value: o.suggestedZh },
      { kind: "abbreviation", value: o.suggestedShort },
    ]);
  return [...found.values()];
}

/** Of several records a name fits, those of the row's country, where some are; else all of them. */
function ofCountry<T extends { countryCode: string | null }>(matches: T[], countryCode: string | null | undefined): T[] {
  const local = matches.length > 1 && countryCode ? matches.filter((m) => m.countryCode === countryCode) : [];
  return local.length ? local : matches;
}

/**
 * Finds the registry records a row names (a partner, a position's organisation): by any of its
 * names first, else by its abbreviation, folded, in any script (see registryCandidates); where
 * several fit and some are of the row's country, those.
 */
export async function registryFinder(executor: Executor, names: string[]) {
  const keysOf = (name: string) => [
    ...matchKeys([{ kind: "official", value: name }]),
    ...matchKeys([{ kind: "abbreviation", value: name }]),
  ];
  const found = await registryCandidates(
    executor,
    [...new Set(names.flatMap(keysOf))],
    names.filter((n) => /\p{Script=Han}/u.test(n)),
  );
  return (name: string, countryCode?: string | null): RegistryCandidate[] => {
    const wanted = keysOf(name);
    const byName = found.filter((o) => wanted.some((k) => k.startsWith("n|") && o.matchKeys.includes(k)));
    return ofCountry(byName.length ? byName : found.filter((o) => wanted.some((k) => o.matchKeys.includes(k))), countryCode);
  };
}

/**
 * Finds the people a row names (a register's delegation, a letter's signatory): by any of their
 * names, folded, in any script — Chinese, English, their own, an alias; where several fit and
 * some are of the row's country, those.
 */
export async function peopleFinder(executor: Executor, names: string[]) {
  const keysOf = (name: string) => matchKeys([{ kind: "official", value: name }]);
  const keys = [...new Set(names.flatMap(keysOf))];
  const found = keys.length
    ? await executor
        .selectFrom("people")
        .select(["id", "nameEn", "nameZh", "countryCode", "matchKeys"])
        .where(sql<boolean>`match_keys && ${keys}::text[]`)
        .execute()
    : [];
  return (name: string, countryCode?: string | null) => {
    const wanted = keysOf(name);
    return ofCountry(
      found.filter((p) => wanted.some((k) => p.matchKeys.includes(k))),
      countryCode,
    );
  };
}
