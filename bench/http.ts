/**
 * `npm run bench -- http`: the hot read paths over HTTP, as an integration calls them. On each
 * engine the registry (the bundled parties) plus BENCH_ORGS synthetic organisations (100,000) and
 * BENCH_ENGAGEMENTS engagements (50,000) are loaded; the compiled server (`liaison serve`) is
 * started on them, and a load generator in another process calls it with an administrator's API
 * token (the normal authentication: a token lookup on every request):
 *
 * - GET one organisation (a random id), one connection in sequence and 10 connections;
 * - name search (`/api/organisations?q=…`, a word of a party's name), the same two ways.
 *
 * Beside each, the same SQL behind a bare `node:http` server on the same driver (no framework, no
 * authentication, no JSON sub-queries): the ceiling, and the ratio to it. Written to
 * bench/out/http.json.
 *
 * Environment: BENCH_ORGS, BENCH_ENGAGEMENTS, BENCH_ENGINES ("pglite,postgres"), BENCH_SECONDS (8),
 * BENCH_DATABASE_URL (a PostgreSQL server to use; otherwise a private cluster is started).
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { isFresh, serverSources } from "../scripts/build-freshness.mjs";
import { createApiToken } from "../src/core/auth/service.ts";
import { importReference } from "../src/core/reference/service.ts";
import { ensureBuiltinAdministrator } from "../src/core/units/service.ts";
import { openDatabase } from "../src/db/connection.ts";
import { useDatabase } from "../src/db/current.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { type ServerProcess, startProcess, startServerProcess } from "../test/support/server.ts";
import { createDatabase, withPostgresServer } from "./databases.ts";
import { generate, generateEngagements } from "./generate.ts";

const repo = path.resolve(import.meta.dirname, "..");
const orgCount = Number(process.env.BENCH_ORGS ?? 100_000);
const engagementCount = Number(process.env.BENCH_ENGAGEMENTS ?? 50_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim()) as Array<"pglite" | "postgres">;

/** What bench/load.mjs reports of one run. */
export interface LoadResult {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  non2xx: number;
  errors: number;
}

interface HttpFigure {
  engine: string;
  workload: string;
  connections: number;
  liaison: LoadResult;
  raw: LoadResult;
}

/** Runs bench/load.mjs against `base` in a child process. */
export async function load(spec: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repo, "bench/load.mjs"), JSON.stringify(spec)], {
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout) as LoadResult;
}

/** A benchmark database with its data, an administrator's token and the words to search for. */
export interface Prepared {
  env: Record<string, string>;
  token: string;
  lo: number;
  hi: number;
  words: string[];
  drop(): Promise<void>;
}

/** A database of the engine with the registry, the synthetic organisations and engagements, and an administrator's token. */
export async function prepare(engine: "pglite" | "postgres", serverUrl: string | undefined): Promise<Prepared> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-http-"));
  const server = engine === "postgres" ? await createDatabase(serverUrl as string, "liaison_bench_http") : undefined;
  const database = await openDatabase({ databaseUrl: server?.url, dataDir });
  useDatabase(database);
  await migrateToLatest(database.db);
  const admin = await ensureBuiltinAdministrator();
  const t0 = performance.now();
  await importReference(admin);
  await generate(database.db, { organisations: orgCount, people: 0 });
  if (engagementCount > 0) await generateEngagements(database.db, { count: engagementCount });
  console.log(`  data loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const root = await database.db.selectFrom("units").select("id").where("parentId", "is", null).executeTakeFirstOrThrow();
  const { token } = await createApiToken(admin, { name: "bench", unitId: root.id, role: "administrator" });
  const bounds = (await sql<{ lo: number; hi: number }>`SELECT min(id) AS lo, max(id) AS hi FROM organisations`.execute(database.db))
    .rows[0] as { lo: number; hi: number };
  // Words office staff type: the first word of real parties' English names, most common first.
  const words = (
    await sql<{ word: string }>`SELECT lower(split_part(name_en, ' ', 1)) AS word FROM organisations
      WHERE source LIKE 'partyfacts%' AND length(split_part(name_en, ' ', 1)) >= 5 GROUP BY 1 ORDER BY count(*) DESC LIMIT 20`.execute(
      database.db,
    )
  ).rows.map((r) => r.word);
  if (words.length === 0) throw new Error("No party names to search for: the registry did not load.");
  await sql`ANALYZE`.execute(database.db);
  await database.close();
  useDatabase(undefined);
  return {
    env: engine === "pglite" ? { LIAISON_DATA_DIR: dataDir, DATABASE_URL: "" } : { DATABASE_URL: server?.url as string },
    token,
    lo: bounds.lo,
    hi: bounds.hi,
    words,
    drop: async () => {
      await server?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bare server of bench/raw-server.ts on the same database. */
function startRawServer(env: Record<string, string>): Promise<ServerProcess> {
  return startProcess(process.execPath, ["--import", "tsx", path.join(repo, "bench/raw-server.ts")], {
    cwd: repo,
    env: { ...process.env, PORT: "0", ...env },
  });
}

async function benchEngine(engine: "pglite" | "postgres", serverUrl: string | undefined): Promise<HttpFigure[]> {
  console.log(
    `\n== ${engine}: the registry + ${orgCount.toLocaleString("en")} organisations, ${engagementCount.toLocaleString("en")} engagements`,
  );
  const data = await prepare(engine, serverUrl);
  const workloads = [
    { workload: "GET one organisation", route: { idRange: { prefix: "/api/organisations/", lo: data.lo, hi: data.hi } } },
    {
      workload: "name search",
      route: { paths: data.words.map((w) => `/api/organisations?q=${encodeURIComponent(w)}&pageSize=20`) },
    },
  ];
  const measured: Record<string, LoadResult> = {};
  const run = async (who: "liaison" | "raw", start: () => Promise<ServerProcess>, headers: Record<string, string>) => {
    const server = await start();
    try {
      for (const w of workloads) {
        for (const connections of [1, 10]) {
          measured[`${who} ${w.workload} ${connections}`] = await load({ base: server.url, ...w.route, connections, seconds, headers });
        }
      }
    } finally {
      await server.stop();
    }
  };
  // The embedded engine's data directory takes one process at a time: Liaison, then the bare server.
  await run("liaison", () => startServerProcess({ ...data.env, LIAISON_SKIP_REFERENCE: "1" }), {
    authorization: `Bearer ${data.token}`,
  });
  await run("raw", () => startRawServer(data.env), {});
  await data.drop();
  const figures: HttpFigure[] = [];
  for (const w of workloads) {
    for (const connections of [1, 10]) {
      const liaison = measured[`liaison ${w.workload} ${connections}`] as LoadResult;
      const raw = measured[`raw ${w.workload} ${connections}`] as LoadResult;
      figures.push({ engine, workload: w.workload, connections, liaison, raw });
      const shown =
        connections === 1
          ? `p50 ${liaison.latencyP50.toFixed(2)} ms, p99 ${liaison.latencyP99.toFixed(2)} ms (raw p50 ${raw.latencyP50.toFixed(2)} ms, ×${(liaison.latencyP50 / raw.latencyP50).toFixed(2)})`
          : `${Math.round(liaison.requestsPerSecond).toLocaleString("en")} req/s, p99 ${liaison.latencyP99} ms (raw ${Math.round(raw.requestsPerSecond).toLocaleString("en")} req/s, ${Math.round((100 * liaison.requestsPerSecond) / raw.requestsPerSecond)}%)`;
      const bad = liaison.non2xx + liaison.errors;
      console.log(
        `  ${`${w.workload}, ${connections === 1 ? "sequential" : "10 connections"}`.padEnd(38)} ${shown}${bad ? `  ${bad} FAILED` : ""}`,
      );
    }
  }
  return figures;
}

/** Runs the HTTP benchmark on each engine and writes bench/out/http.json. */
export async function runHttpBench(): Promise<void> {
  // The compiled server is what is measured: build it when the sources are newer.
  if (!isFresh("dist/server/liaison.js", serverSources())) execFileSync("npm", ["run", "build"], { cwd: repo, stdio: "inherit" });
  const figures = await withPostgresServer(engines, async (serverUrl) => {
    const measured: HttpFigure[] = [];
    for (const engine of engines) measured.push(...(await benchEngine(engine, serverUrl)));
    return measured;
  });
  if (engines.length === 2) {
    console.log("\n== Embedded engine relative to PostgreSQL (target: within 2×)");
    for (const f of figures.filter((x) => x.engine === "pglite")) {
      const other = figures.find((x) => x.engine === "postgres" && x.workload === f.workload && x.connections === f.connections);
      if (!other) continue;
      const slower =
        f.connections === 1
          ? f.liaison.latencyP50 / other.liaison.latencyP50
          : other.liaison.requestsPerSecond / f.liaison.requestsPerSecond;
      console.log(`  ${`${f.workload}, ${f.connections === 1 ? "sequential" : "10 connections"}`.padEnd(38)} ×${slower.toFixed(2)}`);
    }
  }
  fs.mkdirSync(path.join(repo, "bench/out"), { recursive: true });
  fs.writeFileSync(
    path.join(repo, "bench/out/http.json"),
    `${JSON.stringify({ at: new Date().toISOString(), orgCount, figures }, null, 2)}\n`,
  );
  console.log("\nResults written to bench/out/http.json");
}
