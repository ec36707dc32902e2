import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { type Kysely, sql } from "kysely";
import { stageUpload } from "../src/core/files/checks.ts";
import { runImport } from "../src/core/imports/service.ts";
import type { Actor } from "../src/core/shared/actor.ts";
import type { DB } from "../src/db/types.ts";

/** One import figure: rows per second, beside a raw bulk insert of the same rows, and the memory it took. */
export interface ImportFigure {
  name: string;
  rowsPerSecond: number;
  rawRowsPerSecond: number;
  peakMb: number;
}

const countries = ["VNM", "LAO", "CUB", "KEN", "ZAF", "BRA", "IND", "RUS", "DEU", "FRA"];

/** The rows of a partner list: a Chinese name, an English name and an abbreviation, a country and a year. */
function* partnerRows(count: number, tag: string): Generator<string[]> {
  for (let i = 1; i <= count; i++)
    yield [
      `基准${tag}党${i}`,
      `Bench ${tag} Party ${i}`,
      `B${tag}P${i}`,
      countries[i % countries.length] as string,
      String(1900 + (i % 120)),
    ];
}
const header = ["中文名称", "英文名称", "缩写", "国家", "成立年份"];

async function writeCsv(file: string, count: number, tag: string) {
  const out = fs.createWriteStream(file);
  out.write(`${header.join(",")}\n`);
  for (const row of partnerRows(count, tag))
    if (!out.write(`${row.join(",")}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  await new Promise<void>((resolve) => out.end(resolve));
}

async function writeXlsx(file: string, count: number, tag: string) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
  const sheet = workbook.addWorksheet("伙伴名单");
  sheet.addRow(header).commit();
  for (const row of partnerRows(count, tag)) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}

/** Imports a file while sampling the process's memory: rows per second and the peak above the start. */
async function measure(
  admin: Actor,
  file: string,
  count: number,
  kind: "organisations" | "engagements" = "organisations",
): Promise<{ rowsPerSecond: number; peakMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const t0 = performance.now();
  const staged = await stageUpload(fs.createReadStream(file), Number.MAX_SAFE_INTEGER);
  const result = await runImport(admin, staged, { kind, fileName: path.basename(file) });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await fs.promises.rm(staged.path, { force: true });
  // Every row read and none refused; a generated name may happen to match one already in the registry (then it is ambiguous, not new).
  // (An engagement register naming that partner then has a row refused: a partner it names is not in the registry.)
  if (result.counts.rows !== count || (result.counts.new ?? 0) < count * 0.99)
    throw new Error(`Imported ${result.counts.new} of ${count}: ${JSON.stringify(result.counts)}`);
  return { rowsPerSecond: count / seconds, peakMb: (peak - start) / 1024 / 1024 };
}

/** The same rows written by one bulk INSERT per 10,000 (unnest of arrays): the floor an import is measured against. */
async function rawInsert(db: Kysely<DB>, count: number, tag: string): Promise<number> {
  await sql`CREATE TEMP TABLE IF NOT EXISTS bench_raw (name_zh text, name_en text, abbreviation text, country text, founded int)`.execute(
    db,
  );
  const rows = [...partnerRows(count, tag)];
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 10_000) {
    const part = rows.slice(i, i + 10_000);
    const column = (k: number) => part.map((r) => r[k] as string);
    await sql`INSERT INTO bench_raw SELECT * FROM unnest(${column(0)}::text[], ${column(1)}::text[], ${column(2)}::text[], ${column(3)}::text[], ${column(4)}::int[])`.execute(
      db,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await sql`DROP TABLE bench_raw`.execute(db);
  return count / seconds;
}

/** A register of engagements naming the partners of the CSV list: letters received, delegations sent, talks. */
async function writeRegister(file: string, rows: number, partners: number) {
  const kinds = ["收到贺电", "派团出访", "视频会见", "接待来访"];
  const out = fs.createWriteStream(file);
  out.write("编号,日期,类型,外方,内容摘要\n");
  for (let i = 1; i <= rows; i++) {
    const day = new Date(Date.UTC(2013, 0, 1) + (i % 3650) * 86_400_000).toISOString().slice(0, 10);
    const line = `R${i},${day},${kinds[i % kinds.length]},基准C党${(i % partners) + 1},第${i}条\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

/**
 * Imports `count` organisations with three names each from CSV and from XLSX, then a register of
 * `engagements` engagements naming them (each row written through the form's own path).
 */
export async function benchImports(
  db: Kysely<DB>,
  admin: Actor,
  count: number,
  engagements = Math.min(count, 10_000),
): Promise<ImportFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-import-"));
  try {
    const csv = path.join(dir, "partners.csv");
    const xlsx = path.join(dir, "partners.xlsx");
    await writeCsv(csv, count, "C");
    await writeXlsx(xlsx, count, "X");
    const raw = await rawInsert(db, count, "R");
    const fromCsv = await measure(admin, csv, count);
    const fromXlsx = await measure(admin, xlsx, count);
    const register = path.join(dir, "register.csv");
    await writeRegister(register, engagements, count);
    const fromRegister = await measure(admin, register, engagements, "engagements");
    return [
      { name: `import ${count.toLocaleString("en")} organisations, CSV`, ...fromCsv, rawRowsPerSecond: raw },
      { name: `import ${count.toLocaleString("en")} organisations, XLSX`, ...fromXlsx, rawRowsPerSecond: raw },
      { name: `import ${engagements.toLocaleString("en")} engagements, CSV register`, ...fromRegister, rawRowsPerSecond: raw },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
