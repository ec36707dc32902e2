/**
 * Crashes as they happen: the server killed with SIGKILL while several clients write, twenty
 * times over; and eight servers started at once on one data directory. Every write the server
 * acknowledged is there after each restart, the server starts cleanly every time, and one
 * process only ever holds the embedded database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connection.ts";
import { createServerDatabase, testEngine } from "../support/database.ts";
import { signIn, spawnServer, startServerProcess } from "../support/server.ts";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-crash-"));
const password = "a long passphrase for crashes";
let env: Record<string, string>;
let drop: () => Promise<void> = async () => {};

beforeAll(async () => {
  const base = { LIAISON_ADMIN_PASSWORD: password, LIAISON_SKIP_REFERENCE: "1", LIAISON_WRITE_RATE_LIMIT: "1000000" };
  if (testEngine === "postgres") {
    const server = await createServerDatabase();
    drop = server.drop;
    env = { ...base, DATABASE_URL: server.url, LIAISON_DATA_DIR: path.join(work, "unused") };
  } else env = { ...base, DATABASE_URL: "", LIAISON_DATA_DIR: path.join(work, "data") };
});
afterAll(async () => {
  await drop();
  fs.rmSync(work, { recursive: true, force: true });
});

const rounds = 20;
const clients = 4;

describe(`kill -9 while clients write (${testEngine})`, () => {
  it(`keeps every acknowledged write through ${rounds} kills, and starts cleanly each time`, async () => {
    const acknowledged: number[] = [];
    let attempted = 0;
    for (let round = 1; round <= rounds; round++) {
      const server = await startServerProcess(env);
      expect(server.output()).not.toMatch(/error|recover/i);
      const call = await signIn(server.url, "admin", password);
      let writing = true;
      const writers = Array.from({ length: clients }, async (_, client) => {
        for (let n = 0; writing; n++) {
          attempted++;
          try {
            const response = await call("POST", "/api/organisations", {
              kind: "political_party",
              names: [{ kind: "official", lang: "en", value: `Crash round ${round} client ${client} number ${n}` }],
            });
            if (response.status === 201) acknowledged.push(((await response.json()) as { id: number }).id);
          } catch {
            return; // the server is gone: this write was never acknowledged
          }
        }
      });
      // Killed at a moment of its own each round, with writes in flight: some time after the
      // round's first write was acknowledged, however slow the machine is today.
      const firstOfRound = acknowledged.length;
      const deadline = Date.now() + 60_000;
      while (acknowledged.length === firstOfRound && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 700)));
      await server.kill();
      writing = false;
      await Promise.all(writers);
    }
    console.log(`kill -9 × ${rounds}: ${acknowledged.length} writes acknowledged of ${attempted} attempted`);
    expect(acknowledged.length).toBeGreaterThanOrEqual(rounds);
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.LIAISON_DATA_DIR });
    try {
      const found = await sql<{ n: number }>`SELECT count(*)::int AS n FROM organisations WHERE id = ANY(${acknowledged}::int[])`.execute(
        database.db,
      );
      expect(found.rows[0]?.n, `${acknowledged.length} acknowledged of ${attempted} attempted`).toBe(acknowledged.length);
      // Nothing half-written: every organisation has its name row.
      const orphans = await sql<{ n: number }>`SELECT count(*)::int AS n FROM organisations o
        WHERE NOT EXISTS (SELECT 1 FROM organisation_names n WHERE n.organisation_id = o.id)`.execute(database.db);
      expect(orphans.rows[0]?.n).toBe(0);
    } finally {
      await database.close();
    }
  }, 900_000);
});

describe.runIf(testEngine === "pglite")("eight servers started at once on one data directory", () => {
  for (const [what, prepare] of [
    ["a new data directory", (_dir: string) => {}],
    ["a lock left by a process that died", (dir: string) => fs.writeFileSync(path.join(dir, "liaison.lock"), "999999999\n")],
  ] as const) {
    it(`lets exactly one of them run, on ${what}`, async () => {
      const dataDir = fs.mkdtempSync(path.join(work, "race-"));
      prepare(dataDir);
      const starts = Array.from({ length: 8 }, () => {
        const { child, output: outputOf } = spawnServer({ ...env, LIAISON_DATA_DIR: dataDir });
        const outcome = new Promise<"running" | "refused" | "other">((resolve) => {
          const timer = setTimeout(() => resolve("other"), 120_000);
          child.stdout.on("data", () => {
            if (outputOf().includes("Liaison is running")) {
              clearTimeout(timer);
              resolve("running");
            }
          });
          child.once("exit", () => {
            clearTimeout(timer);
            resolve(outputOf().includes("is already in use by another Liaison process") ? "refused" : "other");
          });
        });
        return { child, outcome, output: outputOf };
      });
      const outcomes = await Promise.all(starts.map((s) => s.outcome));
      for (const s of starts) if (s.child.exitCode === null) s.child.kill("SIGTERM");
      await Promise.all(
        starts.map((s) => new Promise((resolve) => (s.child.exitCode === null ? s.child.once("exit", resolve) : resolve(null)))),
      );
      expect(
        outcomes.filter((o) => o === "running"),
        starts.map((s) => s.output()).join("\n---\n"),
      ).toHaveLength(1);
      expect(outcomes.filter((o) => o === "refused")).toHaveLength(7);
    }, 300_000);
  }
});
