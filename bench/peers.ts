/**
 * `npm run bench -- peers`: Liaison beside the no-code tools an office would otherwise keep its
 * registry in, Directus and NocoDB, on one PostgreSQL server, the same data and the same load
 * generator (bench/load.mjs in its own process):
 *
 * - GET one organisation (a random id), one connection in sequence and 10 connections;
 * - name search (a word of a party's name, the twenty most common; a page of 20 with its total),
 *   and the same page without its total where a system can leave it out (Liaison's `withTotal=false`,
 *   Directus without `meta`; NocoDB's list always counts);
 * - count of organisations per country.
 *
 * Liaison runs compiled, on its own database (the bundled parties, BENCH_ORGS synthetic
 * organisations and BENCH_ENGAGEMENTS engagements, as `npm run bench -- http`), with an
 * administrator's API token. Each peer gets a database of its own holding the same organisations
 * (their ids, kinds, countries, names in English and Chinese, abbreviations, years, family and
 * reference ids) as one table with its primary key and an index on the country,
 * and is called with an administrator's static token, as an integration would.
 *
 * The peers are not dependencies of Liaison: `bash bench/peers-install.sh DIR` installs them
 * (with Node 22 from the npm registry's Node binary package; both need Node 22 or later) and
 * BENCH_PEERS_DIR names that folder (default /tmp/liaison-peers). A peer that is not installed
 * there is left out, and said so. Written to bench/out/peers.json.
 *
 * Environment: BENCH_PEERS_DIR, BENCH_ORGS, BENCH_ENGAGEMENTS, BENCH_SECONDS (8), BENCH_DATABASE_URL.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { isFresh, serverSources } from "../scripts/build-freshness.mjs";
import { spawnProcess, startServerProcess } from "../test/support/server.ts";
import { createDatabase, freePort, withPostgresServer } from "./databases.ts";
import { type LoadResult, load, type Prepared, prepare } from "./http.ts";

const repo = path.resolve(import.meta.dirname, "..");
const peersDir = process.env.BENCH_PEERS_DIR ?? "/tmp/liaison-peers";
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const nodeOfPeers = path.join(peersDir, "node/node_modules", `node-linux-${process.arch}`, "bin/node");

/** The routes of one system for the three workloads, and how to call it. */
interface Routes {
  base: string;
  headers: Record<string, string>;
  one: Record<string, unknown>;
  search: Record<string, unknown>;
  /** The same search without asking for the total, where the system can leave it out. */
  searchPageOnly: Record<string, unknown>;
  countries: Record<string, unknown>;
}

/** A running system under test. */
interface Running extends Routes {
  stop(): Promise<void>;
}

/** A peer: its name, whether it is installed, and how to start it on a database holding the organisations. */
interface Peer {
  name: string;
  installed(): boolean;
  /** Starts it on `databaseUrl`, which holds the organisations; `serverUrl` is the server's, for any database of its own. */
  start(databaseUrl: string, data: Prepared, serverUrl: string): Promise<Running>;
}

const workloads = ["one", "search", "searchPageOnly", "countries"] as const;
const workloadNames: Record<(typeof workloads)[number], string> = {
  one: "GET one organisation",
  search: "name search, page of 20 with its total",
  searchPageOnly: "name search, page of 20 without its total",
  countries: "count of organisations per country",
};

/** Waits until `url` answers 200, or throws with the process's output after `timeoutMs`. */
async function untilHealthy(url: string, spawned: ReturnType<typeof spawnProcess>, timeoutMs = 180_000): Promise<void> {
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !exited) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const why = exited ? "exited before it answered" : `did not answer in ${timeoutMs} ms`;
  throw new Error(`${url} ${why}:\n${spawned.output().slice(-4000)}`);
}

/** Runs a command of a peer with Node 22 and waits for it to end, failing with its output. */
function runPeerCommand(args: string[], cwd: string, env: Record<string, string>): void {
  execFileSync(nodeOfPeers, args, { cwd, env: { ...process.env, ...env }, stdio: "pipe", timeout: 300_000 });
}

/** Ends a process group: SIGTERM, then SIGKILL after 20 s; a group already gone is fine. */
async function endGroup(spawned: ReturnType<typeof spawnProcess>): Promise<void> {
  const pid = spawned.child.pid;
  if (pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // The group has gone.
    }
  };
  signal("SIGTERM");
  const ended = await Promise.race([spawned.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
  // Children that outlive the leader, or a leader that ignored SIGTERM.
  signal("SIGKILL");
  if (!ended) await spawned.exited;
}

/** Starts a peer's server process (a process group of its own) and returns how to stop it and its children. */
async function startPeerProcess(args: string[], cwd: string, env: Record<string, string>, healthUrl: string) {
  const spawned = spawnProcess(nodeOfPeers, args, { cwd, env: { ...process.env, ...env }, group: true });
  try {
    await untilHealthy(healthUrl, spawned);
  } catch (error) {
    await endGroup(spawned);
    throw error;
  }
  return () => endGroup(spawned);
}

const directus: Peer = {
  name: "Directus 12.4",
  installed: () => fs.existsSync(path.join(peersDir, "directus/node_modules/directus/cli.js")) && fs.existsSync(nodeOfPeers),
  async start(databaseUrl, data) {
    const cwd = path.join(peersDir, "directus");
    const port = await freePort();
    const token = "bench-directus-admin-token";
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-bench-directus-"));
    const removeStorage = () => fs.rmSync(storage, { recursive: true, force: true });
    const env = {
      DB_CLIENT: "pg",
      DB_CONNECTION_STRING: databaseUrl,
      KEY: "bench-key",
      SECRET: "bench-secret-of-at-least-thirty-two-characters",
      ADMIN_EMAIL: "admin@example.com",
      ADMIN_PASSWORD: "bench-password",
      ADMIN_TOKEN: token,
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
      TELEMETRY: "false",
      STORAGE_LOCAL_ROOT: storage,
    };
    const base = `http://127.0.0.1:${port}`;
    let stopProcess: () => Promise<void>;
    try {
      runPeerCommand(["node_modules/directus/cli.js", "bootstrap"], cwd, env);
      stopProcess = await startPeerProcess(["node_modules/directus/cli.js", "start"], cwd, env, `${base}/server/ping`);
    } catch (error) {
      removeStorage();
      throw error;
    }
    const stop = async () => {
      await stopProcess();
      removeStorage();
    };
    return {
      base,
      headers: { authorization: `Bearer ${token}` },
      one: { idRange: { prefix: "/items/organisations/", lo: data.lo, hi: data.hi } },
      // Directus's `search` is a case-insensitive substring match over the text columns; the total
      // is `meta=filter_count`.
      search: { paths: data.words.map((w) => `/items/organisations?search=${encodeURIComponent(w)}&limit=20&meta=filter_count`) },
      searchPageOnly: { paths: data.words.map((w) => `/items/organisations?search=${encodeURIComponent(w)}&limit=20`) },
      countries: { paths: ["/items/organisations?aggregate[count]=*&groupBy[]=country_code&limit=-1"] },
      stop,
    };
  },
};

/** Sends JSON to a peer's API and returns its JSON answer, failing on an error status. */
async function callJson(url: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(answer).slice(0, 500)}`);
  return answer;
}

const nocodb: Peer = {
  name: "NocoDB 0.301",
  installed: () => fs.existsSync(path.join(peersDir, "nocodb/node_modules/nocodb/package.json")) && fs.existsSync(nodeOfPeers),
  async start(databaseUrl, data, serverUrl) {
    // NocoDB keeps its own metadata in a database of its own, and reads the organisations'
    // database as an external source, as an office connecting its existing data would.
    const meta = await createDatabase(serverUrl, "liaison_bench_nocometa");
    const metaUrl = new URL(meta.url);
    const port = await freePort();
    const env = {
      NC_DB: `pg://${metaUrl.hostname}:${metaUrl.port}?u=${metaUrl.username}&p=${metaUrl.password || "x"}&d=${metaUrl.pathname.slice(1)}`,
      NC_AUTH_JWT_SECRET: "bench-jwt-secret",
      NC_DISABLE_TELE: "true",
      PORT: String(port),
    };
    const serve = `(async () => {
      const app = require("express")();
      const server = app.listen(${port}, "127.0.0.1");
      app.use(await require("nocodb").Noco.init({}, server, app));
    })().catch((e) => { console.error(e); process.exit(1); });`;
    const base = `http://127.0.0.1:${port}`;
    let stopProcess: () => Promise<void> = async () => {};
    const stop = async () => {
      try {
        await stopProcess();
      } finally {
        await meta.drop();
      }
    };
    try {
      stopProcess = await startPeerProcess(["-e", serve], path.join(peersDir, "nocodb"), env, `${base}/api/v1/health`);
      const signedUp = await callJson(`${base}/api/v1/auth/user/signup`, { email: "admin@example.com", password: "Bench-password-1" }, {});
      const auth = { "xc-auth": String(signedUp.token) };
      const source = new URL(databaseUrl);
      const created = await callJson(
        `${base}/api/v2/meta/bases`,
        {
          title: "registry",
          external: true,
          sources: [
            {
              type: "pg",
              config: {
                client: "pg",
                connection: {
                  host: source.hostname,
                  port: Number(source.port),
                  user: source.username,
                  password: source.password,
                  database: source.pathname.slice(1),
                },
                searchPath: ["public"],
              },
              inflection_column: "none",
              inflection_table: "none",
            },
          ],
        },
        auth,
      );
      const baseId = String(created.id);
      let tableId = "";
      for (let i = 0; i < 120 && !tableId; i++) {
        const tables = (await callJson(`${base}/api/v2/meta/bases/${baseId}/tables`, undefined, auth)).list as Array<{
          id: string;
          table_name: string;
        }>;
        tableId = tables.find((t) => t.table_name === "organisations")?.id ?? "";
        if (!tableId) await new Promise((r) => setTimeout(r, 500));
      }
      if (!tableId) throw new Error("NocoDB did not list the organisations table");
      const token = String((await callJson(`${base}/api/v1/tokens`, { description: "bench" }, auth)).token);
      // A name search as NocoDB offers it: a filter of substring matches on the name columns, whose
      // page carries its total (pageInfo.totalRows).
      const where = (w: string) => `(name_en,like,%${w}%)~or(name_zh,like,%${w}%)~or(abbreviation,like,%${w}%)`;
      return {
        base,
        headers: { "xc-token": token },
        one: { idRange: { prefix: `/api/v2/tables/${tableId}/records/`, lo: data.lo, hi: data.hi } },
        search: { paths: data.words.map((w) => `/api/v2/tables/${tableId}/records?where=${encodeURIComponent(where(w))}&limit=20`) },
        // NocoDB's list always carries its total.
        searchPageOnly: {
          paths: data.words.map((w) => `/api/v2/tables/${tableId}/records?where=${encodeURIComponent(where(w))}&limit=20`),
        },
        countries: { paths: [`/api/v1/db/data/noco/${baseId}/${tableId}/groupby?column_name=country_code&limit=1000`] },
        stop,
      };
    } catch (error) {
      // The startup's error is the one to see, not a failure to clean up after it.
      await stop().catch(() => {});
      throw error;
    }
  },
};

const peers: Peer[] = [directus, nocodb];

/** The columns an office would keep of an organisation in a peer: the registry's own, without Liaison's search columns. */
const peerColumns = [
  "id int PRIMARY KEY",
  "kind text",
  "country_code text",
  "name_en text",
  "name_zh text",
  "abbreviation text",
  "founded_year int",
  "dissolved_year int",
  "website text",
  "description text",
  "family text",
  "wikidata_id text",
  "partyfacts_id int",
];

/** Copies Liaison's organisations (the peer columns) into a new database for a peer, 5,000 at a time. */
async function peerDatabase(serverUrl: string, liaisonUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const created = await createDatabase(serverUrl, "liaison_bench_peer");
  const from = new pg.Client({ connectionString: liaisonUrl });
  const to = new pg.Client({ connectionString: created.url });
  try {
    await from.connect();
    await to.connect();
    await to.query(`CREATE TABLE organisations (${peerColumns.join(", ")})`);
    await to.query("CREATE INDEX organisations_country_code ON organisations (country_code)");
    const names = peerColumns.map((c) => c.split(" ")[0]).join(", ");
    let after = 0;
    for (;;) {
      const batch = await from.query(`SELECT ${names} FROM organisations WHERE id > $1 ORDER BY id LIMIT 5000`, [after]);
      if (batch.rows.length === 0) break;
      await to.query("INSERT INTO organisations SELECT * FROM json_populate_recordset(null::organisations, $1)", [
        JSON.stringify(batch.rows),
      ]);
      after = batch.rows[batch.rows.length - 1].id;
    }
    await to.query("ANALYZE organisations");
  } catch (error) {
    await Promise.allSettled([from.end(), to.end()]);
    await created.drop().catch(() => {});
    throw error;
  }
  await Promise.allSettled([from.end(), to.end()]);
  return created;
}

async function measure(routes: Routes): Promise<Record<string, LoadResult>> {
  const measured: Record<string, LoadResult> = {};
  for (const w of workloads) {
    for (const connections of [1, 10]) {
      measured[`${w} ${connections}`] = await load({ base: routes.base, ...routes[w], connections, seconds, headers: routes.headers });
    }
  }
  return measured;
}

/** Runs Liaison and each installed peer on one PostgreSQL server and prints them side by side. */
export async function runPeersBench(): Promise<void> {
  if (!isFresh("dist/server/liaison.js", serverSources())) execFileSync("npm", ["run", "build"], { cwd: repo, stdio: "inherit" });
  const present = peers.filter((p) => p.installed());
  for (const p of peers.filter((x) => !present.includes(x))) {
    console.log(`${p.name} is not installed in ${peersDir} (bash bench/peers-install.sh ${peersDir}): left out.`);
  }
  const results = await withPostgresServer(["postgres"], async (serverUrl) => {
    const data = await prepare("postgres", serverUrl);
    const byName: Record<string, Record<string, LoadResult>> = {};
    try {
      const liaison = await startServerProcess({ ...data.env, LIAISON_SKIP_REFERENCE: "1" });
      try {
        const base = liaison.url.replace(/\/$/, "");
        byName.Liaison = await measure({
          base,
          headers: { authorization: `Bearer ${data.token}` },
          one: { idRange: { prefix: "/api/organisations/", lo: data.lo, hi: data.hi } },
          search: { paths: data.words.map((w) => `/api/organisations?q=${encodeURIComponent(w)}&pageSize=20`) },
          searchPageOnly: { paths: data.words.map((w) => `/api/organisations?q=${encodeURIComponent(w)}&pageSize=20&withTotal=false`) },
          countries: { paths: ["/api/organisations/counts?by=country"] },
        });
      } finally {
        await liaison.stop();
      }
      for (const peer of present) {
        const database = await peerDatabase(serverUrl as string, data.env.DATABASE_URL as string);
        try {
          const running = await peer.start(database.url, data, serverUrl as string);
          try {
            byName[peer.name] = await measure(running);
          } finally {
            await running.stop();
          }
        } finally {
          await database.drop();
        }
      }
    } finally {
      await data.drop();
    }
    return byName;
  });
  const names = Object.keys(results);
  console.log(`\n== Side by side on PostgreSQL (${names.join(", ")}); sequential: p50, 10 connections: req/s`);
  for (const w of workloads) {
    for (const connections of [1, 10]) {
      const cells = names.map((n) => {
        const r = results[n]?.[`${w} ${connections}`] as LoadResult;
        const bad = r.non2xx + r.errors > 0 ? ` (${r.non2xx + r.errors} failed)` : "";
        return `${n} ${connections === 1 ? `${r.latencyP50.toFixed(2)} ms` : `${Math.round(r.requestsPerSecond).toLocaleString("en")} req/s`}${bad}`;
      });
      const ours = results.Liaison?.[`${w} ${connections}`] as LoadResult;
      const peersOnly = names.filter((n) => n !== "Liaison").map((n) => results[n]?.[`${w} ${connections}`] as LoadResult);
      const best = peersOnly.length
        ? connections === 1
          ? Math.min(...peersOnly.map((r) => r.latencyP50)) / ours.latencyP50
          : ours.requestsPerSecond / Math.max(...peersOnly.map((r) => r.requestsPerSecond))
        : null;
      console.log(
        `  ${`${workloadNames[w]}, ${connections === 1 ? "sequential" : "10 connections"}`.padEnd(56)} ${cells.join("; ")}${best ? `  (Liaison ×${best.toFixed(2)} the best peer)` : ""}`,
      );
    }
  }
  fs.mkdirSync(path.join(repo, "bench/out"), { recursive: true });
  fs.writeFileSync(path.join(repo, "bench/out/peers.json"), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
  console.log("\nResults written to bench/out/peers.json");
}
