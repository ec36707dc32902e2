/**
 * npm run bench: scale data on both engines, then each figure measured through Liaison
 * (service or HTTP) and as the same query in raw SQL, with the ratio between them.
 *
 * `npm run bench -- load` runs the load test of bench/load.ts instead; `npm run bench -- http` the
 * hot read paths over HTTP of bench/http.ts; `npm run bench -- peers` Liaison beside Directus and
 * NocoDB, of bench/peers.ts.
 *
 * Environment: BENCH_SKIP_IMPORTS ("1" leaves the imports out), BENCH_IMPORT_ROWS (100000), BENCH_ORGS (100000), BENCH_PEOPLE (300000), BENCH_ENGAGEMENTS (1000000), BENCH_ENGINES ("pglite,postgres"),
 * BENCH_DATABASE_URL (a PostgreSQL server to use; otherwise a private cluster is started).
 */
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type Kysely, sql } from "kysely";
import { actorForUser } from "../src/core/auth/service.ts";
import { restoreBackup, writeBackupFile } from "../src/core/backup/service.ts";
import { countEngagements } from "../src/core/engagements/counts.ts";
import { listEngagements, organisationTimeline } from "../src/core/engagements/service.ts";
import { rankPartners } from "../src/core/engagements/top-partners.ts";
import { LocalFileStore } from "../src/core/files/storage.ts";
import { countOrganisations, getOrganisation, listOrganisations } from "../src/core/organisations/service.ts";
import { listPeople } from "../src/core/people/service.ts";
import { importGeography } from "../src/core/reference/service.ts";
import { buildOverview } from "../src/core/reports/service.ts";
import { buildSearchQuery, latinSearchQuery } from "../src/core/search/text.ts";
import type { Actor, Role } from "../src/core/shared/actor.ts";
import { random } from "../src/core/shared/random.ts";
import { ensureBuiltinAdministrator } from "../src/core/units/service.ts";
import { type Database, openDatabase } from "../src/db/connection.ts";
import { useDatabase } from "../src/db/current.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import type { DB } from "../src/db/types.ts";
import { buildApp } from "../src/server/app.ts";
import { createDatabase, withPostgresServer } from "./databases.ts";
import { generate, generateEngagements } from "./generate.ts";
import { benchImports } from "./imports.ts";

const repo = path.resolve(import.meta.dirname, "..");
const orgCount = Number(process.env.BENCH_ORGS ?? 100_000);
const peopleCount = Number(process.env.BENCH_PEOPLE ?? 300_000);
const engagementCount = Number(process.env.BENCH_ENGAGEMENTS ?? 1_000_000);
const importCount = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim()) as Array<"pglite" | "postgres">;

interface Figure {
  engine: string;
  name: string;
  p50: number;
  p95: number;
  unit: string;
  rawP50?: number;
  target?: string;
}
const figures: Figure[] = [];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function time(n: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const warmups = Math.min(20, Math.ceil(n / 3));
  const first = performance.now();
  await work(0);
  // A figure that takes seconds is measured twice and not warmed further: the run stays within the hour.
  const slow = performance.now() - first > 5000;
  if (slow) console.log(`  (${Math.round(performance.now() - first)} ms for one run: measured twice)`);
  for (let i = 1; i < (slow ? 0 : warmups); i++) await work(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < (slow ? Math.min(n, 2) : n); i++) {
    const t0 = performance.now();
    await work(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** A ratio as ×1.23, or as 1/850 when our figure is a small fraction of the raw SQL's. */
function ratio(r: number): string {
  return r < 0.05 ? `1/${Math.round(1 / r)}` : `×${r.toFixed(2)}`;
}

/** A user holding `role` in one unit (no clearance unless said), as the server resolves them. */
async function benchUser(db: Kysely<DB>, unitId: number, role: Role, clearance: boolean): Promise<Actor> {
  const user = await db
    .insertInto("users")
    .values({ username: `bench.${role}.${unitId}.${Date.now()}`, displayName: `Bench ${role}`, clearance })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.insertInto("userRoles").values({ userId: user.id, unitId, role }).execute();
  return (await actorForUser(user.id)) as Actor;
}

/**
 * Periods other than whole years, as leaders and the home page ask them (`who` prefixes the
 * figures' names): the part-years of "1 March 2014 to 30 June 2021" by type, by region and by
 * programme and by subtype, a quarter of each year in turn (over every partner, with a country
 * group's, by programme and by partner kind, and an overview line's subtype), the home page's chart (one type's counts by month over a year),
 * the top partners of a quarter and of part-years, and the overview of a quarter.
 */
async function askPeriods(engine: string, who: string, actor: Actor, naive: () => Promise<unknown>): Promise<void> {
  const year = (i: number) => 2013 + (i % 10);
  const questions: Array<[string, (i: number) => Record<string, unknown>]> = [
    ["counts by type, 1 Mar 2014 to 30 Jun 2021", () => ({ by: "type", from: "2014-03-01", to: "2021-06-30" })],
    ["counts by type, a quarter", (i) => ({ by: "type", from: `${year(i)}-04-01`, to: `${year(i)}-06-30` })],
    ["counts by region, 1 Mar 2014 to 30 Jun 2021", () => ({ by: "region", from: "2014-03-01", to: "2021-06-30" })],
    [
      "counts by type, a group's quarter",
      (i) => ({
        by: "type",
        countryGroup: i % 2 ? "bench-brics" : "bench-africa",
        from: `${year(i)}-07-01`,
        to: `${year(i)}-09-30`,
      }),
    ],
    ["counts by programme, 1 Mar 2014 to 30 Jun 2021", () => ({ by: "programme", from: "2014-03-01", to: "2021-06-30" })],
    ["counts by programme, a quarter", (i) => ({ by: "programme", from: `${year(i)}-10-01`, to: `${year(i)}-12-31` })],
    ["counts by partner kind, a quarter", (i) => ({ by: "partnerKind", from: `${year(i)}-01-01`, to: `${year(i)}-03-31` })],
    ["counts by subtype, 1 Mar 2014 to 30 Jun 2021", () => ({ by: "subtype", from: "2014-03-01", to: "2021-06-30" })],
    [
      "congratulatory messages received, a quarter",
      (i) => ({
        by: "none",
        type: ["correspondence"],
        direction: "received",
        subtype: "congratulatory_message",
        from: `${year(i)}-04-01`,
        to: `${year(i)}-06-30`,
      }),
    ],
    [
      "home: one type by month, a year",
      (i) => ({
        by: "month",
        type: [["visit", "talks", "event", "correspondence"][i % 4] as string],
        from: `${year(i)}-01-01`,
        to: `${year(i)}-12-31`,
      }),
    ],
  ];
  for (const [name, question] of questions) {
    await compare(engine, `${who}${name}`, 10, (i) => countEngagements(actor, question(i)), naive, "≤100 ms", 3);
  }
  // The partners met most often over a quarter and over part-years with part-months (the overview's ranking).
  const rankings: Array<[string, (i: number) => { from: string; to: string }]> = [
    ["top partners, a quarter", (i) => ({ from: `${year(i)}-07-01`, to: `${year(i)}-09-30` })],
    ["top partners, 15 Nov 2014 to 10 Feb 2021", () => ({ from: "2014-11-15", to: "2021-02-10" })],
  ];
  for (const [name, period] of rankings) {
    await compare(engine, `${who}${name}`, 10, (i) => rankPartners(actor, period(i), 10), naive, "≤100 ms", 3);
  }
  await compare(
    engine,
    `${who}overview report, a quarter, with comparison`,
    5,
    (i) => buildOverview(actor, { from: `${year(i)}-04-01`, to: `${year(i)}-06-30` }),
    naive,
    "≤150 ms (PostgreSQL)",
    3,
  );
}

/** The counts by type over ten years with a country group's partners, the generator's two groups (bench/generate.ts) in turn. */
const withGroupsPartners = (actor: Actor) => (i: number) =>
  countEngagements(actor, { by: "type", countryGroup: i % 2 ? "bench-brics" : "bench-africa", from: "2013-01-01", to: "2022-12-31" });

async function compare(
  engine: string,
  name: string,
  n: number,
  ours: (i: number) => Promise<unknown>,
  raw: (i: number) => Promise<unknown>,
  target?: string,
  rawN = n,
) {
  const a = await time(n, ours);
  const b = await time(rawN, raw);
  const figure: Figure = {
    engine,
    name,
    p50: percentile(a, 50),
    p95: percentile(a, 95),
    unit: "ms",
    rawP50: percentile(b, 50),
    ...(target ? { target } : {}),
  };
  figures.push(figure);
  console.log(
    `  ${name.padEnd(38)} p50 ${figure.p50.toFixed(2).padStart(7)} ms  p95 ${figure.p95.toFixed(2).padStart(7)} ms   raw SQL p50 ${figure.rawP50?.toFixed(2).padStart(6)} ms   ${ratio(figure.p50 / (figure.rawP50 ?? 1))}${target ? `   target ${target}` : ""}`,
  );
}

async function waitForHealth(url: string, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}health`)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Starts `liaison serve` on an existing database; measures start-to-healthy and idle RSS. */
async function measureServerProcess(engine: string, env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repo, "bin/liaison.js"), "serve"], {
    env: { ...process.env, PORT: "0", LIAISON_SKIP_REFERENCE: "1", ...env },
    cwd: repo,
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const match = out.match(/running at (http:\/\/\S+\/)/);
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", () => reject(new Error(`server exited: ${out}`)));
  });
  await waitForHealth(url, 30_000);
  const startMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 5000));
  const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rssMb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  const mode = engine === "pglite" ? "embedded" : "server mode";
  figures.push({ engine, name: "start to healthy (existing data)", p50: startMs, p95: startMs, unit: "ms", target: "≤3000 ms" });
  figures.push({
    engine,
    name: `idle RSS (${mode})`,
    p50: rssMb,
    p95: rssMb,
    unit: "MB",
    target: engine === "pglite" ? "≤400 MB" : "≤150 MB",
  });
  console.log(`  start to healthy                       ${startMs.toFixed(0)} ms   target ≤3000 ms`);
  console.log(
    `  idle RSS (${mode})${" ".repeat(27 - mode.length)}${rssMb.toFixed(0)} MB   target ${engine === "pglite" ? "≤400" : "≤150"} MB`,
  );
}

async function benchEngine(engine: "pglite" | "postgres", serverUrl: string | undefined) {
  console.log(`\n== ${engine}: ${orgCount.toLocaleString("en")} organisations, ${peopleCount.toLocaleString("en")} people`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-"));
  const server = engine === "postgres" ? await createDatabase(serverUrl as string, "liaison_bench") : undefined;
  const databaseUrl = server?.url;
  const database: Database = await openDatabase({ databaseUrl, dataDir });
  useDatabase(database);
  await migrateToLatest(database.db);
  const admin = await ensureBuiltinAdministrator();
  await importGeography(admin);
  let lastPrint = 0;
  const generated = await generate(database.db, {
    organisations: orgCount,
    people: peopleCount,
    progress: (done, total) => {
      if (Date.now() - lastPrint > 5000) {
        lastPrint = Date.now();
        console.log(`  generating… ${done.toLocaleString("en")}/${total.toLocaleString("en")}`);
      }
    },
  });
  const rows = generated.organisations + generated.names + generated.people + generated.positions;
  const rowsPerSecond = rows / (generated.ms / 1000);
  figures.push({ engine, name: "bulk insert", p50: rowsPerSecond, p95: rowsPerSecond, unit: "rows/s" });
  console.log(
    `  bulk insert                            ${rows.toLocaleString("en")} rows in ${(generated.ms / 1000).toFixed(1)} s = ${Math.round(rowsPerSecond).toLocaleString("en")} rows/s (with search text computed in TypeScript)`,
  );

  const db: Kysely<DB> = database.db;
  const bounds = (
    await sql<{ lo: number; hi: number }>`SELECT min(id) AS lo, max(id) AS hi FROM organisations WHERE source = 'bench'`.execute(db)
  ).rows[0] as { lo: number; hi: number };
  const rand = random(7);
  const ids = Array.from({ length: 2000 }, () => bounds.lo + Math.floor(rand() * (bounds.hi - bounds.lo + 1)));
  const countries = (
    await sql<{
      code: string;
    }>`SELECT country_code AS code FROM organisations WHERE source = 'bench' AND country_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 40`.execute(
      db,
    )
  ).rows.map((r) => r.code);
  // What desk officers type: a name, part of a name, an abbreviation, Chinese or pinyin.
  const sampleNames = (
    await sql<{ nameEn: string; nameZh: string; abbreviation: string }>`SELECT name_en, name_zh, abbreviation FROM organisations
      WHERE source = 'bench' AND id % 997 = 0 LIMIT 40`.execute(db)
  ).rows;
  // (Raw results come through the same camel-casing plugin as everything else.)
  const words = sampleNames.flatMap((n) => [
    n.nameEn.split(" ").slice(0, 3).join(" "),
    n.nameZh,
    n.abbreviation,
    n.nameEn.split(" ").slice(1, 3).join(" "),
  ]);

  await compare(
    engine,
    "organisation by id (service)",
    500,
    (i) => getOrganisation(admin, ids[i % ids.length] as number),
    (i) => sql`SELECT * FROM organisations WHERE id = ${ids[i % ids.length]}`.execute(db),
  );
  await compare(
    engine,
    "filtered page of 50 with total",
    300,
    (i) => listOrganisations(admin, { country: countries[i % countries.length], kind: "political_party", pageSize: 50 }),
    (i) =>
      sql`SELECT id, name_en, count(*) OVER () FROM organisations WHERE country_code = ${countries[i % countries.length]} AND kind = 'political_party' ORDER BY name_en, id LIMIT 50`.execute(
        db,
      ),
    "p50 ≤3 ms",
  );
  await compare(
    engine,
    "name query q, names people type",
    300,
    (i) => listOrganisations(admin, { q: words[i % words.length], pageSize: 50 }),
    (i) =>
      sql`SELECT id, name_en, count(*) OVER () FROM organisations WHERE search_vector @@ to_tsquery('simple', ${buildSearchQuery(words[i % words.length] as string)}) ORDER BY name_en LIMIT 50`.execute(
        db,
      ),
    "p50 ≤3 ms",
  );
  // The typeahead: what the participant picker asks as a desk officer types — organisations that
  // exist today and people, by the start of a name, Chinese, pinyin, an abbreviation, or misspelt.
  const misspell = (w: string) => (w.length > 5 ? `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}` : `${w}e`);
  const typed = sampleNames.flatMap((n) => {
    const [first = "", second = ""] = n.nameEn.split(" ");
    return [
      first.slice(0, 3),
      `${first} ${second.slice(0, 2)}`,
      n.nameZh.slice(0, 2),
      n.nameZh,
      n.abbreviation,
      `${misspell(first)} ${misspell(second)}`,
    ];
  });
  const peopleTyped = (
    await sql<{ nameEn: string; nameZh: string }>`SELECT name_en, name_zh FROM people WHERE id % 7919 = 0 LIMIT 40`.execute(db)
  ).rows.flatMap((p) => [p.nameEn.split(" ").slice(0, 2).join(" "), p.nameZh, (p.nameEn.split(" ")[0] ?? "").slice(0, 4)]);
  await compare(
    engine,
    "typeahead: organisations (8, existing, fuzzy included)",
    300,
    (i) => listOrganisations(admin, { q: typed[i % typed.length], pageSize: 8, active: "true" }),
    (i) =>
      sql`SELECT id, name_en FROM organisations WHERE search_vector @@ to_tsquery('simple', ${buildSearchQuery(typed[i % typed.length] as string) ?? "x"}) LIMIT 8`.execute(
        db,
      ),
    engine === "pglite" ? "p95 ≤30 ms" : "p95 ≤15 ms",
  );
  await compare(
    engine,
    "typeahead: misspelt names only (fuzzy)",
    200,
    (i) => listOrganisations(admin, { q: typed[(i * 6 + 5) % typed.length], pageSize: 8, active: "true" }),
    (i) =>
      sql`SELECT id FROM organisations WHERE ${latinSearchQuery(typed[(i * 6 + 5) % typed.length] as string) ?? "x"} <% search_latin LIMIT 8`.execute(
        db,
      ),
    engine === "pglite" ? "p95 ≤30 ms" : "p95 ≤15 ms",
  );
  await compare(
    engine,
    "typeahead: people (5)",
    300,
    (i) => listPeople(admin, { q: peopleTyped[i % peopleTyped.length], pageSize: 5 }),
    (i) =>
      sql`SELECT id, name_en FROM people WHERE search_vector @@ to_tsquery('simple', ${buildSearchQuery(peopleTyped[i % peopleTyped.length] as string) ?? "x"}) LIMIT 5`.execute(
        db,
      ),
    engine === "pglite" ? "p95 ≤30 ms" : "p95 ≤15 ms",
  );
  await compare(
    engine,
    "name query q, one common word",
    50,
    () => listOrganisations(admin, { q: "democratic", pageSize: 50 }),
    () =>
      sql`SELECT id, name_en FROM organisations WHERE search_vector @@ to_tsquery('simple', 'democratic:*') ORDER BY name_en LIMIT 50`.execute(
        db,
      ),
  );
  await compare(
    engine,
    "count of organisations per country",
    200,
    () => countOrganisations(admin, { by: "country" }),
    () => sql`SELECT country_code, count(*) FROM organisations GROUP BY 1`.execute(db),
    "p50 ≤3 ms",
  );
  await compare(
    engine,
    "parties in government on a date",
    100,
    (i) => listOrganisations(admin, { inGovernmentOn: `20${16 + (i % 6)}-06-01`, pageSize: 50 }),
    (i) =>
      sql`SELECT o.id FROM organisations o WHERE EXISTS (SELECT 1 FROM organisation_statuses s WHERE s.organisation_id = o.id AND s.status = 'in_government' AND s.valid_from <= ${`20${16 + (i % 6)}-06-01`}::date AND (s.valid_to IS NULL OR s.valid_to >= ${`20${16 + (i % 6)}-06-01`}::date)) ORDER BY o.name_en LIMIT 50`.execute(
        db,
      ),
  );

  if (engagementCount > 0) await benchEngagements(engine, db, admin);

  // HTTP: the real server in this process, a load generator in a child process.
  const app = await buildApp({ resolveActor: () => admin });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  // The load generator runs in a child process, asynchronously: the server under test
  // runs in this very process.
  const runLoad = async (connections: number, seconds: number) => {
    const spec = { base, idRange: { prefix: "/api/organisations/", lo: bounds.lo, hi: bounds.hi }, connections, seconds };
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repo, "bench/load.mjs"), JSON.stringify(spec)]);
    return JSON.parse(stdout) as { requestsPerSecond: number; latencyP50: number; latencyP99: number; non2xx: number; errors: number };
  };
  const single = await runLoad(1, 5);
  figures.push({
    engine,
    name: "HTTP GET one organisation, 1 connection",
    p50: single.latencyP50,
    p95: single.latencyP99,
    unit: "ms",
    target: "p50 ≤1 ms",
  });
  console.log(
    `  HTTP GET one organisation, sequential  p50 ${single.latencyP50} ms  p99 ${single.latencyP99} ms (${Math.round(single.requestsPerSecond)} req/s, non-2xx ${single.non2xx})   target p50 ≤1 ms`,
  );
  const load = await runLoad(10, 8);
  figures.push({
    engine,
    name: "HTTP GET one organisation, 10 connections",
    p50: load.requestsPerSecond,
    p95: load.requestsPerSecond,
    unit: "req/s",
    target: "≥5000 req/s",
  });
  console.log(
    `  HTTP GET one organisation, 10 conns    ${Math.round(load.requestsPerSecond).toLocaleString("en")} req/s (latency p50 ${load.latencyP50} ms, p99 ${load.latencyP99} ms, non-2xx ${load.non2xx}, errors ${load.errors})   target ≥5000 req/s`,
  );
  await app.close();
  // The import of an office's own spreadsheet, into the registry as it now is (BENCH_SKIP_IMPORTS=1 leaves it out).
  for (const f of process.env.BENCH_SKIP_IMPORTS === "1" ? [] : await benchImports(database.db, admin, importCount)) {
    // The issue's targets are for partner lists; an engagement register has none yet (each row is the form's write).
    const target = f.name.includes("engagements") ? "no target set" : engine === "postgres" ? "≥20000 rows/s" : "≥10000 rows/s";
    figures.push({
      engine,
      name: f.name,
      p50: f.rowsPerSecond,
      p95: f.rowsPerSecond,
      unit: "rows/s",
      rawP50: f.rawRowsPerSecond,
      target,
    });
    figures.push({ engine, name: `${f.name}, peak memory`, p50: f.peakMb, p95: f.peakMb, unit: "MB" });
    console.log(
      `  ${f.name.padEnd(38)} ${Math.round(f.rowsPerSecond).toLocaleString("en").padStart(7)} rows/s   raw bulk INSERT ${Math.round(f.rawRowsPerSecond).toLocaleString("en")} rows/s   ${ratio(f.rowsPerSecond / f.rawRowsPerSecond)}   peak memory +${f.peakMb.toFixed(0)} MB   target ${target}`,
    );
  }
  await benchBackup(engine, database, serverUrl, dataDir);
  await database.close();
  useDatabase(undefined);

  await measureServerProcess(
    engine,
    engine === "pglite" ? { LIAISON_DATA_DIR: dataDir, DATABASE_URL: "" } : { DATABASE_URL: databaseUrl as string },
  );
  await server?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Backup and restore of everything the bench built: the archive's time and size, then a restore
 * into a fresh database of the same engine, with the rows per second of each.
 */
async function benchBackup(engine: "pglite" | "postgres", database: Database, serverUrl: string | undefined, dataDir: string) {
  const store = new LocalFileStore(path.join(dataDir, "files"));
  const file = path.join(os.tmpdir(), `liaison-bench-backup-${engine}-${Date.now()}.tar.gz`);
  const t0 = performance.now();
  const manifest = await writeBackupFile(database, store, file);
  const backupMs = performance.now() - t0;
  const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
  const megabytes = fs.statSync(file).size / 1024 / 1024;
  // The same rows read as the backup reads them (a cursor, 5,000 rows at a time), with nothing
  // written: what the archive costs on top. Read whole, the rollups of 1M engagements (gigabytes
  // as text) ran the benchmark out of memory.
  const r0 = performance.now();
  await database.db.transaction().execute(async (trx) => {
    for (const table of Object.keys(manifest.tables)) {
      await sql`DECLARE raw_rows NO SCROLL CURSOR FOR SELECT to_jsonb(t)::text FROM ${sql.table(table)} t`.execute(trx);
      for (let read = 1; read > 0; ) read = (await sql`FETCH 5000 FROM raw_rows`.execute(trx)).rows.length;
      await sql`CLOSE raw_rows`.execute(trx);
    }
  });
  const rawMs = performance.now() - r0;
  const targetDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-restore-"));
  const restored = engine === "postgres" ? await createDatabase(serverUrl as string, "liaison_restore") : undefined;
  const target = await openDatabase(restored ? { databaseUrl: restored.url } : { dataDir: targetDir });
  const t1 = performance.now();
  await restoreBackup(target, new LocalFileStore(path.join(targetDir, "files")), file);
  const restoreMs = performance.now() - t1;
  await target.close();
  await restored?.drop();
  fs.rmSync(targetDir, { recursive: true, force: true });
  fs.rmSync(file, { force: true });
  figures.push({ engine, name: "backup", p50: backupMs, p95: backupMs, unit: "ms", rawP50: rawMs });
  figures.push({ engine, name: "backup size", p50: megabytes, p95: megabytes, unit: "MB" });
  figures.push({ engine, name: "restore", p50: restoreMs, p95: restoreMs, unit: "ms" });
  console.log(
    `  backup                                 ${rows.toLocaleString("en")} rows in ${(backupMs / 1000).toFixed(1)} s (${Math.round(rows / (backupMs / 1000)).toLocaleString("en")} rows/s), ${megabytes.toFixed(0)} MB; reading the same rows raw ${(rawMs / 1000).toFixed(1)} s   ${ratio(rawMs / backupMs)}`,
  );
  console.log(
    `  restore into a fresh ${engine.padEnd(8)}          ${(restoreMs / 1000).toFixed(1)} s (${Math.round(rows / (restoreMs / 1000)).toLocaleString("en")} rows/s)`,
  );
}

/** The engagement record: bulk insert, a partner's timeline, a filtered list, the counts query. */
async function benchEngagements(engine: string, db: Kysely<DB>, admin: Awaited<ReturnType<typeof ensureBuiltinAdministrator>>) {
  console.log(`  -- ${engagementCount.toLocaleString("en")} engagements`);
  let lastPrint = 0;
  const generated = await generateEngagements(db, {
    count: engagementCount,
    progress: (done, total) => {
      if (Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        console.log(`  generating engagements… ${done.toLocaleString("en")}/${total.toLocaleString("en")}`);
      }
    },
  });
  const rows = generated.engagements + generated.participants;
  const rowsPerSecond = rows / (generated.insertMs / 1000);
  figures.push({ engine, name: "engagement insert", p50: rowsPerSecond, p95: rowsPerSecond, unit: "rows/s" });
  figures.push({ engine, name: "rollup rebuild", p50: generated.rollupMs, p95: generated.rollupMs, unit: "ms" });
  console.log(
    `  engagement insert                      ${rows.toLocaleString("en")} rows (${generated.engagements.toLocaleString("en")} engagements, ${generated.participants.toLocaleString("en")} participants) in ${(generated.insertMs / 1000).toFixed(1)} s = ${Math.round(rowsPerSecond).toLocaleString("en")} rows/s; rollups rebuilt in ${(generated.rollupMs / 1000).toFixed(1)} s`,
  );
  // Partners from the busiest (thousands of engagements) to the quiet ones.
  const partners = (
    await sql<{ organisationId: number }>`SELECT organisation_id FROM (SELECT organisation_id, count(*) AS n FROM engagement_participants
      GROUP BY 1) x ORDER BY n DESC, organisation_id LIMIT 400`.execute(db)
  ).rows.map((r) => r.organisationId);
  await compare(
    engine,
    "organisation timeline page of 50",
    300,
    (i) => organisationTimeline(admin, partners[i % partners.length] as number, { pageSize: 50 }),
    (i) =>
      sql`SELECT e.id, e.type, e.title_en, e.start_date FROM engagement_participants p JOIN engagements e ON e.id = p.engagement_id
        WHERE p.organisation_id = ${partners[i % partners.length]} ORDER BY p.start_date DESC, p.engagement_id DESC LIMIT 50`.execute(db),
    "p50 ≤3 ms",
  );
  const types = ["visit", "correspondence", "event", "talks"];
  const units = (await sql<{ id: number }>`SELECT id FROM units ORDER BY id`.execute(db)).rows.map((r) => r.id);
  await compare(
    engine,
    "engagement list, type + year, with total",
    300,
    (i) =>
      listEngagements(admin, {
        type: types[i % types.length],
        from: `${2013 + (i % 10)}-01-01`,
        to: `${2013 + (i % 10)}-12-31`,
        pageSize: 50,
      }),
    (i) =>
      sql`SELECT id, title_en, start_date, count(*) OVER () FROM engagements WHERE type = ${types[i % types.length]}
        AND start_date BETWEEN ${`${2013 + (i % 10)}-01-01`}::date AND ${`${2013 + (i % 10)}-12-31`}::date
        ORDER BY start_date DESC, id DESC LIMIT 50`.execute(db),
    "p50 ≤5 ms",
  );
  await compare(
    engine,
    "engagement list, unit + year, with total",
    200,
    (i) => listEngagements(admin, { unitId: units[i % units.length], from: `${2013 + (i % 10)}-01-01`, to: `${2013 + (i % 10)}-12-31` }),
    (i) =>
      sql`SELECT id, title_en, start_date, count(*) OVER () FROM engagements WHERE lead_unit_id = ${units[i % units.length]}
        AND start_date BETWEEN ${`${2013 + (i % 10)}-01-01`}::date AND ${`${2013 + (i % 10)}-12-31`}::date
        ORDER BY start_date DESC, id DESC LIMIT 50`.execute(db),
    "p50 ≤5 ms",
  );
  // The naive GROUP BY the rollups replace: engagements, distinct partners and countries by type.
  const naive = () =>
    sql`SELECT e.type, e.direction, count(DISTINCT e.id), count(DISTINCT p.organisation_id), count(DISTINCT o.country_code)
      FROM engagements e LEFT JOIN engagement_participants p ON p.engagement_id = e.id LEFT JOIN organisations o ON o.id = p.organisation_id
      WHERE e.status = 'done' AND e.start_date BETWEEN '2013-01-01' AND '2022-12-31' GROUP BY 1, 2`.execute(db);
  await compare(
    engine,
    "counts by type over ten years",
    30,
    () => countEngagements(admin, { by: "type", from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤100 ms",
    3,
  );
  await compare(
    engine,
    "counts by region over ten years",
    30,
    () => countEngagements(admin, { by: "region", from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤100 ms",
    3,
  );
  await compare(
    engine,
    "counts by year, one programme",
    30,
    (i) => countEngagements(admin, { by: "year", programmeId: 1 + (i % 8) }),
    naive,
    undefined,
    3,
  );
  await compare(
    engine,
    "counts by unit over ten years",
    30,
    () => countEngagements(admin, { by: "unit", from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤100 ms",
    3,
  );
  // Insight: the overview report, the map's figures per country and the trends per year and type.
  await compare(
    engine,
    "overview report, ten years, with comparison",
    5,
    () => buildOverview(admin, { from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤500 ms (PostgreSQL)",
    3,
  );
  await compare(
    engine,
    "coverage map: counts per country, ten years",
    10,
    () => countEngagements(admin, { by: "country", from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤300 ms",
    3,
  );
  await compare(
    engine,
    "counts by country group, ten years",
    30,
    () => countEngagements(admin, { by: "countryGroup", from: "2013-01-01", to: "2022-12-31" }),
    naive,
    "≤100 ms",
    3,
  );
  await compare(engine, "counts by type with a country group's partners, ten years", 30, withGroupsPartners(admin), naive, "≤100 ms", 3);
  await compare(
    engine,
    "trends: per year, one type",
    30,
    (i) =>
      countEngagements(admin, {
        by: "year",
        type: ["visit", "talks", "event", "correspondence"][i % 4],
        from: "2013-01-01",
        to: "2022-12-31",
      }),
    naive,
    "≤300 ms",
    3,
  );
  await askPeriods(engine, "", admin, naive);
  // The same questions for a bureau's editor and a viewer: their answers come from their unit's
  // slices of the rollups (plus what they read beyond them), so they should be as fast.
  const bureau = units.find((id) => id !== admin.unitId) as number;
  const roles: Array<[string, Actor]> = [
    ["bureau editor", await benchUser(db, bureau, "editor", false)],
    ["bureau viewer", await benchUser(db, bureau, "viewer", false)],
  ];
  for (const [who, actor] of roles) {
    await compare(
      engine,
      `${who}: counts by type over ten years`,
      30,
      () => countEngagements(actor, { by: "type", from: "2013-01-01", to: "2022-12-31" }),
      naive,
      "≤100 ms",
      3,
    );
    await compare(
      engine,
      `${who}: counts by region since 15 Nov 2012`,
      30,
      () => countEngagements(actor, { by: "region", from: "2012-11-15" }),
      naive,
      "≤100 ms",
      3,
    );
    await askPeriods(engine, `${who}: `, actor, naive);
    await compare(
      engine,
      `${who}: counts by type with a country group's partners, ten years`,
      30,
      withGroupsPartners(actor),
      naive,
      "≤100 ms",
      3,
    );
    await compare(
      engine,
      `${who}: overview report, ten years`,
      5,
      () => buildOverview(actor, { from: "2013-01-01", to: "2022-12-31" }),
      naive,
      "≤150 ms (PostgreSQL)",
      3,
    );
    await compare(
      engine,
      `${who}: coverage map, ten years`,
      10,
      () => countEngagements(actor, { by: "country", from: "2013-01-01", to: "2022-12-31" }),
      naive,
      "≤100 ms",
      3,
    );
  }
}

async function main() {
  // `npm run bench -- load`: the load test alone (bench/load.ts).
  if (process.argv[2] === "load") {
    const { runLoadTest } = await import("./load.ts");
    await runLoadTest();
    return;
  }
  // `npm run bench -- http`: the hot read paths over HTTP (bench/http.ts).
  if (process.argv[2] === "http") {
    const { runHttpBench } = await import("./http.ts");
    await runHttpBench();
    return;
  }
  // `npm run bench -- peers`: Liaison beside Directus and NocoDB (bench/peers.ts).
  if (process.argv[2] === "peers") {
    const { runPeersBench } = await import("./peers.ts");
    await runPeersBench();
    return;
  }
  await withPostgresServer(engines, async (serverUrl) => {
    for (const engine of engines) await benchEngine(engine, serverUrl);
  });
  // The embedded engine against PostgreSQL, figure by figure.
  if (engines.length === 2) {
    console.log("\n== Embedded engine relative to PostgreSQL (target: within 2×)");
    for (const f of figures.filter((x) => x.engine === "pglite")) {
      const other = figures.find((x) => x.engine === "postgres" && x.name === f.name);
      if (!other || f.unit === "MB") continue;
      const slower = f.unit === "rows/s" || f.unit === "req/s" ? other.p50 / f.p50 : f.p50 / other.p50;
      console.log(`  ${f.name.padEnd(42)} ×${slower.toFixed(2)}`);
    }
  }
  fs.mkdirSync(path.join(repo, "bench/out"), { recursive: true });
  fs.writeFileSync(
    path.join(repo, "bench/out/results.json"),
    `${JSON.stringify({ at: new Date().toISOString(), orgCount, peopleCount, figures }, null, 2)}\n`,
  );
  console.log("\nResults written to bench/out/results.json");
}

await main();
