/**
 * `npm run bench -- load`: a bounded load test of Liaison as an office uses it. On each engine a
 * server is started on the demo data (its first start loads the reference registry and the demo);
 * LOAD_USERS simulated users (200) each sign in as one of the demo accounts (a real session of
 * that role) and then work through a mixed workload: the engagement list, name search, partners'
 * pages, the counts, the overview, the session check, a preference saved now and then (a write)
 * and, now and then, a new sign-in (scrypt). They work for LOAD_SECONDS (30) pausing between
 * steps as people do, then as long again without pause (see loadPhases). Each phase's steps, with
 * their count, errors and p50/p99, are printed and written to bench/out/load.json.
 *
 * Environment: LOAD_USERS, LOAD_SECONDS, LOAD_THINK_MS ("1000-5000"), BENCH_ENGINES ("pglite,postgres").
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoPassword, demoUsers } from "../src/core/demo/service.ts";
import { startServerProcess } from "../test/support/server.ts";
import { createDatabase, withPostgresServer } from "./databases.ts";

const repo = path.resolve(import.meta.dirname, "..");
const users = Number(process.env.LOAD_USERS ?? 200);
const seconds = Number(process.env.LOAD_SECONDS ?? 30);
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim());
const adminPassword = "a long passphrase for the load test";

interface Step {
  name: string;
  weight: number;
  read: boolean;
  run(session: Session): Promise<Response>;
}

interface Session {
  base: string;
  cookie: string;
  csrf: string;
  role: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function signIn(base: string, username: string, password: string): Promise<{ session: Session; ms: number; ok: boolean }> {
  const t0 = performance.now();
  const response = await fetch(`${base}api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const ms = performance.now() - t0;
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const body = (await response.json().catch(() => ({}))) as { csrfToken?: string };
  return { session: { base, cookie, csrf: body.csrfToken ?? "", role: username }, ms, ok: response.status === 200 };
}

/**
 * How the users work. "paced": each pauses between steps as people do, reading what came back
 * (LOAD_THINK_MS, a range: 1–5 s, about 65 requests a second from 200 users); the target holds
 * here. "saturated": no pause at all, every user's next request sent the moment the last returned,
 * which finds the server's capacity (its latencies are then its queue: 200 requests in flight).
 */
const thinkRange = (process.env.LOAD_THINK_MS ?? "1000-5000").split("-").map(Number) as [number, number];
const loadPhases: Array<{ name: "paced" | "saturated"; think: [number, number] }> = [
  { name: "paced", think: [thinkRange[0], thinkRange[1] ?? thinkRange[0]] },
  { name: "saturated", think: [0, 0] },
];

/** One phase of the workload for LOAD_SECONDS: each step's count, errors and p50/p99, printed and returned. */
async function runPhase(phase: (typeof loadPhases)[number], sessions: Session[], steps: Step[], choose: () => Step) {
  const samples = new Map<string, number[]>(steps.map((s) => [s.name, []]));
  const errors = new Map<string, number>(steps.map((s) => [s.name, 0]));
  const statuses = new Map<string, number>();
  const [least, most] = phase.think;
  const pause = () => new Promise((resolve) => setTimeout(resolve, least + Math.random() * (most - least)));
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    sessions.map(async (session) => {
      // Paced users start spread over one pause, not all in the same instant.
      if (most > 0) await pause();
      while (Date.now() < end) {
        const step = choose();
        const started = performance.now();
        try {
          const response = await step.run(session);
          await response.arrayBuffer();
          // A viewer's write refused (403) would be an error too: every step is one each role may take.
          if (!response.ok) {
            errors.set(step.name, (errors.get(step.name) ?? 0) + 1);
            statuses.set(`${step.name} ${response.status}`, (statuses.get(`${step.name} ${response.status}`) ?? 0) + 1);
          }
        } catch {
          errors.set(step.name, (errors.get(step.name) ?? 0) + 1);
        }
        samples.get(step.name)?.push(performance.now() - started);
        if (most > 0) await pause();
      }
    }),
  );
  const rows = steps.map((step) => {
    const sorted = (samples.get(step.name) ?? []).sort((a, b) => a - b);
    return {
      step: step.name,
      read: step.read,
      requests: sorted.length,
      errors: errors.get(step.name) ?? 0,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  });
  const reads = rows
    .filter((r) => r.read)
    .flatMap((r) => samples.get(r.step) ?? [])
    .sort((a, b) => a - b);
  const all = rows.reduce((n, r) => n + r.requests, 0);
  const how = most > 0 ? `pausing ${least / 1000}–${most / 1000} s between steps` : "without pause";
  console.log(
    `  ${phase.name}: ${sessions.length} users ${how} for ${seconds} s: ${all.toLocaleString("en")} requests (${Math.round(all / seconds)} req/s)`,
  );
  for (const r of rows) {
    console.log(
      `    ${r.step.padEnd(28)} ${String(r.requests).padStart(6)} requests  errors ${String(r.errors).padStart(3)}  p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms`,
    );
  }
  const target =
    phase.name === "paced" ? "   target p99 ≤300 ms (PostgreSQL), 0 errors" : "   (the server's capacity: latency is its queue)";
  console.log(
    `    every read                   p50 ${percentile(reads, 50).toFixed(1)} ms  p99 ${percentile(reads, 99).toFixed(1)} ms${target}`,
  );
  if (statuses.size > 0) console.log(`    refusals: ${[...statuses].map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  return {
    phase: phase.name,
    think: phase.think,
    steps: rows,
    reads: { p50: percentile(reads, 50), p99: percentile(reads, 99) },
    requestsPerSecond: all / seconds,
  };
}

async function loadEngine(engine: string, serverUrl: string | undefined) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-load-"));
  const database = engine === "postgres" ? await createDatabase(serverUrl as string, "liaison_load") : undefined;
  console.log(`\n== ${engine}: starting a server on the demo data…`);
  // Its first start loads the reference registry and the demo.
  const server = await startServerProcess(
    {
      LIAISON_DATA_DIR: work,
      DATABASE_URL: database?.url ?? "",
      LIAISON_DEMO: "1",
      LIAISON_ADMIN_PASSWORD: adminPassword,
      LIAISON_WRITE_RATE_LIMIT: "10000000",
      LIAISON_LOG_LEVEL: "warn",
    },
    600_000,
  );
  const base = server.url;
  try {
    const accounts = [
      { username: "admin", password: adminPassword },
      ...demoUsers.map((u) => ({ username: u.username, password: demoPassword })),
    ];
    // A few ids and words to ask for, as the screens would.
    const first = await signIn(base, "admin", adminPassword);
    const get = (url: string) => fetch(`${base}${url}`, { headers: { cookie: first.session.cookie } });
    const organisations = (
      (await (await get("api/organisations?pageSize=100&kind=political_party")).json()) as { items: Array<{ id: number }> }
    ).items.map((o) => o.id);
    const words = [
      "party",
      "communist",
      "socialist",
      "democratic",
      "people",
      "national",
      "workers",
      "union",
      "front",
      "越南",
      "共产党",
      "人民",
    ];

    // Every user signs in at once, from one address (an office behind one NAT): each a real session
    // of a demo role. Thirty passwords are checked at a time; the others wait their turn.
    const t0 = performance.now();
    const signIns = await Promise.all(
      Array.from({ length: users }, (_, i) => accounts[i % accounts.length] ?? accounts[0]).map((a) =>
        signIn(base, a?.username ?? "admin", a?.password ?? ""),
      ),
    );
    const signInMs = signIns.map((s) => s.ms).sort((a, b) => a - b);
    console.log(
      `  ${users} sign-ins at once: ${Math.round(performance.now() - t0)} ms in all, p50 ${Math.round(percentile(signInMs, 50))} ms, p99 ${Math.round(percentile(signInMs, 99))} ms, refused ${signIns.filter((s) => !s.ok).length}`,
    );
    const sessions = signIns.filter((s) => s.ok).map((s) => s.session);

    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)] as T;
    const read = (s: Session, url: string) => fetch(`${s.base}${url}`, { headers: { cookie: s.cookie } });
    const steps: Step[] = [
      { name: "engagement list", weight: 20, read: true, run: (s) => read(s, "api/engagements?pageSize=50&sort=date") },
      {
        name: "name search",
        weight: 20,
        read: true,
        run: (s) => read(s, `api/organisations?q=${encodeURIComponent(pick(words))}&pageSize=20`),
      },
      { name: "partner page", weight: 20, read: true, run: (s) => read(s, `api/organisations/${pick(organisations)}`) },
      {
        name: "partner's engagements",
        weight: 8,
        read: true,
        run: (s) => read(s, `api/organisations/${pick(organisations)}/engagements?pageSize=20`),
      },
      {
        name: "counts by type, a year",
        weight: 10,
        read: true,
        run: (s) => read(s, "api/engagements/counts?by=type&from=2021-01-01&to=2021-12-31"),
      },
      { name: "overview, a year", weight: 3, read: true, run: (s) => read(s, "api/reports/overview?from=2021-01-01&to=2021-12-31") },
      { name: "session check", weight: 10, read: true, run: (s) => read(s, "api/auth/session") },
      {
        name: "save a preference (write)",
        weight: 5,
        read: false,
        run: (s) =>
          fetch(`${s.base}api/auth/preferences`, {
            method: "PUT",
            headers: { cookie: s.cookie, "x-csrf-token": s.csrf, "content-type": "application/json" },
            body: JSON.stringify({ locale: pick(["zh-CN", "en"]) }),
          }),
      },
      {
        name: "sign in again (scrypt)",
        weight: 1,
        read: false,
        run: async (s) => {
          const account = accounts.find((a) => a.username === s.role) ?? accounts[0];
          return fetch(`${s.base}api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username: account?.username, password: account?.password }),
          });
        },
      },
    ];
    const totalWeight = steps.reduce((n, s) => n + s.weight, 0);
    const choose = () => {
      let r = Math.random() * totalWeight;
      for (const step of steps) {
        r -= step.weight;
        if (r <= 0) return step;
      }
      return steps[0] as Step;
    };
    const phases = [];
    for (const phase of loadPhases) phases.push(await runPhase(phase, sessions, steps, choose));
    return {
      engine,
      users: sessions.length,
      seconds,
      signIn: { p50: percentile(signInMs, 50), p99: percentile(signInMs, 99), refused: signIns.filter((s) => !s.ok).length },
      phases,
    };
  } finally {
    await server.stop();
    await database?.drop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the load test on each engine (a private PostgreSQL cluster unless BENCH_DATABASE_URL names one). */
export async function runLoadTest(): Promise<void> {
  const results = await withPostgresServer(engines, async (serverUrl) => {
    const done = [];
    for (const engine of engines) done.push(await loadEngine(engine, serverUrl));
    return done;
  });
  fs.mkdirSync(path.join(repo, "bench/out"), { recursive: true });
  fs.writeFileSync(path.join(repo, "bench/out/load.json"), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
  console.log("\nResults written to bench/out/load.json");
}
