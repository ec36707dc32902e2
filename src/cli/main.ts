import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.ts";
import { type Manifest, verifyArchive } from "../core/backup/archive.ts";
import { backupFileName } from "../core/backup/schedule.ts";
import { restoreBackup, restoreExport, writeBackupFile } from "../core/backup/service.ts";
import { removeDemo, seedDemo } from "../core/demo/service.ts";
import { countEngagements } from "../core/engagements/counts.ts";
import { rebuildEngagementRollups } from "../core/engagements/service.ts";
import { prepareFullExport } from "../core/export/service.ts";
import { discardStaged, stageUpload } from "../core/files/checks.ts";
import { type FileStore, LocalFileStore, S3FileStore } from "../core/files/storage.ts";
import { previewImport, runImport, undoImport } from "../core/imports/service.ts";
import { exportSuggestionsCsv, importReviewedNames, suggestNames } from "../core/names/service.ts";
import { importReference } from "../core/reference/service.ts";
import { AppError } from "../core/shared/errors.ts";
import { vocabulary } from "../core/shared/vocabulary.ts";
import { getStats } from "../core/stats/service.ts";
import { openDatabase } from "../db/connection.ts";
import { readControl } from "../server/control.ts";
import { openLiaison, startServer } from "../server/start.ts";
import { progressPrinter } from "./progress.ts";

/** Pads to a terminal width: Chinese characters take two columns. */
function padToWidth(text: string, width: number): string {
  const used = [...text].reduce(
    (sum, ch) => sum + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1),
    0,
  );
  return text + " ".repeat(Math.max(1, width - used));
}

const usage = `liaison <command> [options]

Commands / 命令:
  serve                    Start the server (default) / 启动服务
  migrate                  Apply database migrations / 执行数据库迁移
  import-reference [--force]
                           Load countries, regions and Party Facts parties (idempotent) / 导入参考数据
  export [--out FILE]      Write everything as JSON (stdout by default) / 导出全部数据 (JSON)
  backup [--out FILE]      A consistent backup of the whole installation (tables, audit log, attachments,
                           manifest with checksums), also while the server runs / 备份全部数据（服务运行时亦可）
  restore FILE [--from-export]
                           Restore a backup (or a JSON export) into an empty data directory or
                           database, after checking every checksum / 校验后将备份恢复到空的数据目录或数据库
  stats [--json]           Show what the registry holds / 显示统计
  counts [--by type|year|region|countryGroup|partnerKind|unit|programme|subtype|country|none]
         [--type T[,T]] [--subtype S] [--direction D] [--from DATE] [--to DATE] [--programme ID]
         [--unit ID] [--region M49] [--group KEY] [--kind KIND] [--json]
                           Count engagements, partners and countries / 统计交往次数、伙伴数和国家数
  seed-demo                Load (or reload) the demo data, 2012–2022 / 加载（或重新加载）演示数据
  demo remove              Take the demo data out / 删除演示数据
  rollups rebuild          Recompute the counts' rollups from the record / 重建统计汇总
  names suggest [--country CODE] [--apply-above CONFIDENCE]
                           Suggest Chinese names for partners without one (accepting those at or above
                           the confidence, when given) / 为无中文名的伙伴生成中文译名建议
  names export [--out FILE] [--country CODE]
                           The review queue as CSV (fill in reviewed_zh and decision) / 导出待审译名 (CSV)
  names import FILE        Read the reviewed CSV back (idempotent) / 导入审定的译名
  import FILE [--type organisations|people|engagements|members] [--mapping NAME] [--save-mapping NAME] [--sheet NAME]
         [--encoding utf-8|gb18030|big5|shift_jis|utf-16le|utf-16be] [--kind KIND] [--country CODE]
         [--engagement-kind TYPE:DIRECTION[:SUBTYPE]] [--mechanism ID] [--joined DATE] [--overwrite] [--dry-run] [--json]
                           Import a spreadsheet (CSV, TSV, XLSX): a partner list or a contact sheet into
                           the registry, a register of visits, talks, events and letters, or a mechanism's
                           members; columns mapped from the headers (or a saved mapping), rows matched,
                           written in batches; the same file again changes nothing
                           / 导入电子表格（伙伴名单、人物名单、来访出访会见函电登记表或机制成员名单）
  import undo ID           Undo an import / 撤销一次导入
  help                     This text / 帮助

Configuration (environment): PORT, HOST, LIAISON_DATA_DIR, DATABASE_URL (see README).`;

async function withDatabase<T>(config: Config, work: (admin: Awaited<ReturnType<typeof openLiaison>>["admin"]) => Promise<T>): Promise<T> {
  const { database, admin } = await openLiaison(config, (line) => console.error(line));
  try {
    return await work(admin);
  } finally {
    await database.close();
  }
}

/** The store of attachments the configuration names: the data directory's files/ folder, or the bucket. */
const storeOf = (config: Config): FileStore =>
  config.s3 ? new S3FileStore(config.s3) : new LocalFileStore(path.join(config.dataDir, "files"));

const describeContents = (c: { tableRows: Record<string, number>; files: number; migration: string }) => {
  const rows = Object.values(c.tableRows).reduce((n, t) => n + t, 0);
  return `${rows} rows in ${Object.keys(c.tableRows).length} tables, ${c.files} files, at ${c.migration}`;
};
const contentsOf = (m: Manifest) => ({
  tableRows: Object.fromEntries(Object.entries(m.tables).map(([t, v]) => [t, v.rows])),
  files: Object.keys(m.files).length,
  migration: m.migration,
});

/**
 * `liaison backup`: straight from the database when it is free; through the running server when
 * the server holds the embedded database (it answers the data directory's control secret).
 */
async function backup(config: Config, out: string | undefined) {
  const file = path.resolve(out ?? backupFileName());
  let manifest: Manifest;
  try {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      manifest = await writeBackupFile(database, storeOf(config), file, progressPrinter());
    } finally {
      await database.close();
    }
  } catch (error) {
    if (!(error instanceof AppError && error.code === "DATA_DIR_LOCKED")) throw error;
    const control = readControl(config.dataDir);
    if (!control) throw error;
    console.error(`The server (pid ${control.pid}) holds the database: asking it for the backup… / 正在通过运行中的服务备份…`);
    const response = await fetch(new URL("api/backup", control.url), { headers: { "x-liaison-control": control.secret } });
    if (!response.ok || !response.body) throw new AppError("INTERNAL", `The server refused the backup (HTTP ${response.status}).`);
    const partial = `${file}.partial`;
    try {
      await pipeline(
        Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
        fs.createWriteStream(partial, { mode: 0o600 }),
      );
      manifest = await verifyArchive(partial);
      fs.renameSync(partial, file);
    } catch (failure) {
      fs.rmSync(partial, { force: true });
      throw failure;
    }
  }
  console.error(`Backup written to ${file}: ${describeContents(contentsOf(manifest))}. / 备份已写入。`);
}

/**
 * `liaison restore FILE [--from-export]`: a backup (or a JSON export) into the configured data
 * directory or database, which must be empty.
 */
async function restore(config: Config, file: string, fromExport: boolean) {
  if (!fs.existsSync(file)) throw new AppError("NOT_FOUND", `No file ${file}. / 找不到文件 ${file}。`);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const summary = fromExport
      ? await restoreExport(database, path.resolve(file), progressPrinter())
      : await restoreBackup(database, storeOf(config), path.resolve(file), progressPrinter());
    console.error(`Restored ${describeContents(summary)}. / 已恢复。`);
    if (fromExport)
      console.error(
        "An export holds no passwords, sessions, tokens or file contents: set passwords again (the administrator's with LIAISON_ADMIN_PASSWORD at the next start). / 导出文件不含密码、会话、令牌和附件内容，请重新设置密码。",
      );
    if (summary.migrated.length) console.error(`Then migrated forward: ${summary.migrated.join(", ")}. / 已升级到当前版本。`);
  } finally {
    await database.close();
  }
}

async function serve(config: Config) {
  const running = await startServer(config);
  console.log(
    `Liaison is running at ${running.url}  (${running.database.engine === "pglite" ? `embedded database in ${config.dataDir}` : "PostgreSQL"})`,
  );
  console.log(`API docs / 接口文档: ${running.url}api/docs`);
  const shutdown = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: "boolean" },
      out: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      by: { type: "string" },
      type: { type: "string" },
      subtype: { type: "string" },
      direction: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      programme: { type: "string" },
      unit: { type: "string" },
      region: { type: "string" },
      group: { type: "string" },
      kind: { type: "string" },
      country: { type: "string" },
      "apply-above": { type: "string" },
      mapping: { type: "string" },
      "save-mapping": { type: "string" },
      "engagement-kind": { type: "string" },
      mechanism: { type: "string" },
      joined: { type: "string" },
      sheet: { type: "string" },
      encoding: { type: "string" },
      overwrite: { type: "boolean" },
      "dry-run": { type: "boolean" },
      "from-export": { type: "boolean" },
    },
  });
  const command = positionals[0] ?? "serve";
  if (values.help || command === "help") {
    console.log(usage);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case "serve":
      await serve(config);
      return -1;
    case "migrate":
      await withDatabase(config, async () => console.error("The database is up to date. / 数据库已是最新版本。"));
      return 0;
    case "import-reference":
      await withDatabase(config, async (admin) => {
        const summary = await importReference(admin, { force: values.force ?? false, progress: progressPrinter() });
        if (summary.skippedBecauseUnchanged) {
          console.log("The reference data is already loaded and unchanged; nothing to do. / 参考数据已导入且无变化。");
        } else {
          const p = summary.parties;
          console.log(`Parties / 政党: ${p.inFile} in the file, ${p.added} added, ${p.updated} updated, ${p.unchanged} unchanged.`);
          console.log(`Countries added / 新增国家和地区: ${summary.countriesAdded}; regions added / 新增地区: ${summary.regionsAdded}.`);
          const r = summary.report;
          if (r) {
            console.log(
              `Skipped ${r.technicalSkipped} technical placeholder rows; ${r.duplicateNameGroups.length} groups of distinct parties share a name within a country (kept apart); ${r.wikidataIdsShared.length} Wikidata ids shared by several parties (kept on the first).`,
            );
          }
        }
      });
      return 0;
    case "export":
      await withDatabase(config, async (admin) => {
        const out = values.out ? fs.createWriteStream(values.out) : process.stdout;
        const run = await prepareFullExport(admin, progressPrinter());
        const counts = await run((chunk) =>
          out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once("drain", () => resolve())),
        );
        if (values.out)
          await new Promise<void>((resolve, reject) =>
            (out as fs.WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())),
          );
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        console.error(
          `Exported ${total} rows from ${Object.keys(counts).length} tables${values.out ? ` to ${values.out}` : ""}. / 已导出。`,
        );
      });
      return 0;
    case "stats":
      await withDatabase(config, async (admin) => {
        const stats = await getStats(admin);
        if (values.json) {
          console.log(JSON.stringify(stats, null, 2));
          return;
        }
        const line = (en: string, zh: string, value: number | string | null) =>
          console.log(`${padToWidth(`${en} / ${zh}`, 48)} ${value ?? "—"}`);
        line("Organisations", "组织", stats.organisations);
        for (const [kind, n] of Object.entries(stats.organisationsByKind)) {
          const label = vocabulary.organisationKinds[kind as keyof typeof vocabulary.organisationKinds];
          line(`  ${label?.en ?? kind}`, label?.zh ?? kind, n);
        }
        line("Countries with parties", "有政党的国家和地区", stats.countriesWithParties);
        line("People", "人物", stats.people);
        line("Positions", "职务", stats.positions);
        line("Countries and territories", "国家和地区", stats.countries);
        line("  historical", "历史上的", stats.historicalTerritories);
        line("Country groups", "国家组", stats.countryGroups);
        line("Units", "单位", stats.units);
        line("Users", "用户", stats.users);
        line("Engagements", "交往记录", stats.engagements);
        line("  of them demo data", "其中演示数据", stats.demoEngagements);
        line("Programmes", "专项工作", stats.programmes);
        line("Mechanisms and platforms", "机制和平台", stats.mechanisms);
        line("Audit entries", "审计记录", stats.auditEntries);
        line("Reference data loaded", "参考数据导入时间", stats.referenceImportedAt);
      });
      return 0;
    case "counts":
      await withDatabase(config, async (admin) => {
        const result = await countEngagements(admin, {
          by: values.by,
          type: values.type,
          subtype: values.subtype,
          direction: values.direction,
          from: values.from,
          to: values.to,
          programmeId: values.programme,
          unitId: values.unit,
          region: values.region,
          countryGroup: values.group,
          partnerKind: values.kind,
        });
        if (values.json) {
          console.log(JSON.stringify(result, null, 2));
          return;
        }
        console.log(
          `${padToWidth("", 50)}${["Engagements 次数", "Partners 伙伴", "Countries 国家", "Regions 地区"].map((h) => padToWidth(h, 18)).join("")}`,
        );
        const row = (label: string, m: { engagements: number; organisations: number; countries: number; regions: number }) =>
          console.log(
            `${padToWidth(label, 50)}${[m.engagements, m.organisations, m.countries, m.regions].map((n) => padToWidth(n.toLocaleString("en"), 18)).join("")}`,
          );
        for (const r of result.rows) row(`${r.label.en} / ${r.label.zh}`, r);
        row("Total (distinct) / 合计（去重）", result.total);
      });
      return 0;
    case "seed-demo":
      await withDatabase(config, async (admin) => {
        const summary = await seedDemo(admin);
        console.log(
          `Demo data loaded in ${(summary.ms / 1000).toFixed(1)} s: ${summary.engagements} engagements with ${summary.participants} participants, ${summary.programmes} programmes, ${summary.mechanisms} mechanisms. / 演示数据已加载。`,
        );
      });
      return 0;
    case "backup":
      await backup(config, values.out);
      return 0;
    case "restore": {
      const file = positionals[1];
      if (!file) {
        console.error("Usage: liaison restore FILE");
        return 2;
      }
      await restore(config, file, values["from-export"] ?? false);
      return 0;
    }
    case "demo":
      if (positionals[1] !== "remove") {
        console.error("Usage: liaison demo remove");
        return 2;
      }
      await withDatabase(config, async (admin) => {
        const removed = await removeDemo(admin);
        console.log(`Demo data removed: ${removed.engagements} engagements. / 演示数据已删除。`);
      });
      return 0;
    case "names":
      return namesCommand(config, positionals[1], positionals[2], values);
    case "import":
      return importCommand(config, positionals.slice(1), values);
    case "rollups":
      if (positionals[1] !== "rebuild") {
        console.error("Usage: liaison rollups rebuild");
        return 2;
      }
      await withDatabase(config, async (admin) => {
        console.error("Rebuilding the rollups from the record… / 正在重建统计汇总…");
        const rebuilt = await rebuildEngagementRollups(admin);
        console.log(`Rebuilt the rollups of ${rebuilt.engagements} done engagements in ${Math.round(rebuilt.ms)} ms. / 统计汇总已重建。`);
      });
      return 0;
    default:
      console.error(`Unknown command: ${command}\n\n${usage}`);
      return 2;
  }
}

/** `liaison import FILE` and `liaison import undo ID`: an office's spreadsheet into the registry. */
async function importCommand(config: Config, args: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const text = (key: string) => (typeof values[key] === "string" ? (values[key] as string) : undefined);
  if (args[0] === "undo") {
    const id = Number(args[1]);
    if (!Number.isInteger(id) || id <= 0) {
      console.error("Usage: liaison import undo ID / 用法：liaison import undo 编号");
      return 2;
    }
    await withDatabase(config, async (admin) => {
      const undone = await undoImport(admin, id);
      console.log(
        `Import ${id} undone: ${undone.counts.undone ?? 0} records removed, ${undone.counts.kept ?? 0} kept (other records point at them). / 已撤销导入 ${id}：删除 ${undone.counts.undone ?? 0} 条，保留 ${undone.counts.kept ?? 0} 条（有其他记录引用）。`,
      );
    });
    return 0;
  }
  const file = args[0];
  if (!file || !fs.existsSync(file)) {
    console.error(`${file ? `No file ${file}. ` : ""}Usage: liaison import FILE [--type organisations] … / 用法：liaison import 文件`);
    return 2;
  }
  const kind = text("type") ?? "organisations";
  if (kind !== "organisations" && kind !== "engagements" && kind !== "people" && kind !== "members") {
    console.error(
      "--type is organisations, people, engagements or members. / --type 只能是 organisations（组织）、people（人物）、engagements（交往记录）或 members（机制成员）。",
    );
    return 2;
  }
  const options = {
    kind,
    fileName: path.basename(file),
    ...(text("mapping") ? { mapping: text("mapping") } : {}),
    ...(text("save-mapping") ? { saveMappingAs: text("save-mapping") } : {}),
    ...(text("sheet") ? { sheet: text("sheet") } : {}),
    ...(text("encoding") ? { encoding: text("encoding") } : {}),
    defaults: {
      ...(text("kind") ? { kind: text("kind") } : {}),
      ...(text("country") ? { countryCode: text("country")?.toUpperCase() } : {}),
      ...(text("engagement-kind") ? { engagementKind: text("engagement-kind") } : {}),
      ...(text("mechanism") ? { mechanismId: text("mechanism") } : {}),
      ...(text("joined") ? { joinedOn: text("joined") } : {}),
    },
    overwrite: values.overwrite === true,
  };
  await withDatabase(config, async (admin) => {
    const staged = await stageUpload(fs.createReadStream(file), Number.MAX_SAFE_INTEGER);
    try {
      // A line per batch written (one updating line on a terminal): the rows so far.
      const progress = (rows: number) => process.stderr.write(process.stderr.isTTY ? `\rrows / 行: ${rows}\x1b[K` : `rows / 行: ${rows}\n`);
      const outcome = values["dry-run"] ? await previewImport(admin, staged, options) : await runImport(admin, staged, options, progress);
      if (process.stderr.isTTY && !values["dry-run"]) process.stderr.write("\n");
      const counts = "inspection" in outcome ? outcome.counts : outcome.counts;
      const errors = "inspection" in outcome ? outcome.rows.flatMap((r) => r.errors.map((e) => ({ line: r.line, ...e }))) : outcome.errors;
      if (values.json) {
        console.log(JSON.stringify(outcome, null, 2));
        return;
      }
      const header = "inspection" in outcome ? outcome.inspection : outcome;
      console.log(
        `${values["dry-run"] ? "Dry run, nothing written / 试运行，未写入" : `Import ${"id" in outcome ? outcome.id : ""} / 导入`}: ${file} (${header.format}${header.encoding ? `, ${header.encoding}` : ""})`,
      );
      console.log(
        `Columns / 列: ${("inspection" in outcome ? outcome.inspection.columns : outcome.columns).map((c, i) => `${i + 1}→${c ?? "-"}`).join("  ")}`,
      );
      console.log(
        `Rows ${counts.rows ?? 0}: new ${counts.new ?? 0}, matched ${counts.matched ?? 0}, updated ${counts.updated ?? 0}, unchanged ${counts.unchanged ?? 0}, ambiguous ${counts.ambiguous ?? 0}, invalid ${counts.invalid ?? 0}`,
      );
      console.log(
        `共 ${counts.rows ?? 0} 行：新增 ${counts.new ?? 0}，匹配 ${counts.matched ?? 0}，更新 ${counts.updated ?? 0}，未变 ${counts.unchanged ?? 0}，待确认 ${counts.ambiguous ?? 0}，有误 ${counts.invalid ?? 0}`,
      );
      for (const e of errors.slice(0, 50)) console.log(`  line ${e.line}, column ${e.column} ${e.header}: ${e.reason.zh} ${e.reason.en}`);
      if (errors.length > 50) console.log(`  … ${errors.length - 50} more / 另有 ${errors.length - 50} 条`);
    } finally {
      await discardStaged(staged);
    }
  });
  return 0;
}

/** `liaison names suggest|export|import`: the Chinese-name suggestions from the command line. */
async function namesCommand(
  config: Config,
  action: string | undefined,
  file: string | undefined,
  values: { out?: string | undefined; country?: string | undefined; "apply-above"?: string | undefined },
): Promise<number> {
  if (action === "suggest") {
    const applyAbove = values["apply-above"] === undefined ? undefined : Number(values["apply-above"]);
    if (applyAbove !== undefined && !(applyAbove >= 0 && applyAbove <= 1)) {
      console.error("--apply-above takes a confidence between 0 and 1, e.g. 0.95 / 置信度取 0 到 1 之间的值");
      return 2;
    }
    await withDatabase(config, async (admin) => {
      const result = await suggestNames(admin, { country: values.country?.toUpperCase(), applyAbove });
      console.log(
        `Looked at ${result.considered} partners without a Chinese name; ${result.made} new suggestions; ${result.applied} accepted. / 已检查 ${result.considered} 个无中文名的伙伴，新建议 ${result.made} 条，采纳 ${result.applied} 条。`,
      );
    });
    return 0;
  }
  if (action === "export") {
    await withDatabase(config, async (admin) => {
      const csv = await exportSuggestionsCsv(admin, values.country ? { country: values.country.toUpperCase() } : {});
      if (values.out) fs.writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      console.error(`Exported ${csv.split("\r\n").length - 2} suggestions${values.out ? ` to ${values.out}` : ""}. / 已导出。`);
    });
    return 0;
  }
  if (action === "import" && file) {
    const text = fs.readFileSync(file, "utf8");
    await withDatabase(config, async (admin) => {
      const result = await importReviewedNames(admin, text);
      console.log(
        `Accepted ${result.accepted}, rejected ${result.rejected}, already so ${result.unchanged}. / 采纳 ${result.accepted}，不采纳 ${result.rejected}，未变 ${result.unchanged}。`,
      );
      for (const p of result.problems) console.error(`  line ${p.line}: ${p.message}`);
    });
    return 0;
  }
  console.error("Usage: liaison names suggest [--country CODE] [--apply-above CONFIDENCE] | names export [--out FILE] | names import FILE");
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof AppError) console.error(`Error / 错误: ${error.message}`);
    else console.error(`Unexpected error / 意外错误: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LIAISON_DEBUG && error instanceof Error) console.error(error.stack);
    process.exit(1);
  },
);
