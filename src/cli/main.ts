import fs from "node:fs";
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.ts";
import { exportAll } from "../core/export/service.ts";
import { importReference } from "../core/reference/service.ts";
import { AppError } from "../core/shared/errors.ts";
import { vocabulary } from "../core/shared/vocabulary.ts";
import { getStats } from "../core/stats/service.ts";
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
  stats [--json]           Show what the registry holds / 显示统计
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
    options: { force: { type: "boolean" }, out: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
        const counts = await exportAll(
          admin,
          (chunk) => (out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once("drain", () => resolve()))),
          progressPrinter(),
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
        line("Audit entries", "审计记录", stats.auditEntries);
        line("Reference data loaded", "参考数据导入时间", stats.referenceImportedAt);
      });
      return 0;
    default:
      console.error(`Unknown command: ${command}\n\n${usage}`);
      return 2;
  }
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
