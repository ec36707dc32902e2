/**
 * Backup and restore as an administrator runs them: `liaison backup` while the server holds the
 * database (the embedded engine's lock sends the command through the server), `liaison restore`
 * into an empty place, and both cut short by kill -9: the next run completes, and nothing
 * partial is left under the archive's name or in the target.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connection.ts";
import { runCli } from "../support/cli.ts";
import { createServerDatabase, testEngine } from "../support/database.ts";
import { signIn, startServerProcess } from "../support/server.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-backup-cli-"));
const password = "a long passphrase for backups";
const drops: Array<() => Promise<void>> = [];

/** The environment of an installation of the engine under test: a fresh data directory, or a fresh database. */
async function installation(name: string): Promise<Record<string, string>> {
  const dataDir = path.join(work, name);
  if (testEngine === "postgres") {
    const server = await createServerDatabase();
    drops.push(server.drop);
    return { DATABASE_URL: server.url, LIAISON_DATA_DIR: dataDir };
  }
  return { DATABASE_URL: "", LIAISON_DATA_DIR: dataDir };
}

let source: Record<string, string>;
const archive = path.join(work, "office.tar.gz");

beforeAll(async () => {
  source = { ...(await installation("source")), LIAISON_ADMIN_PASSWORD: password };
  expect((await runCli(["import-reference"], source)).code).toBe(0);
}, 300_000);
afterAll(async () => {
  for (const drop of drops) await drop();
  fs.rmSync(work, { recursive: true, force: true });
});

const statsOf = async (env: Record<string, string>) =>
  JSON.parse((await runCli(["stats", "--json"], env)).stdout) as Record<string, number>;

/** Runs the CLI and kills it with SIGKILL `delayMs` after its output first matches `when`. */
async function killedWhen(args: string[], env: Record<string, string>, when: RegExp, delayMs = 0): Promise<string> {
  const child = spawn(process.execPath, [path.join(repo, "bin/liaison.js"), ...args], { env: { ...process.env, ...env }, cwd: repo });
  let output = "";
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    const look = (d: Buffer) => {
      output += d;
      if (!timer && when.test(output)) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("exit", () => resolve());
  });
  clearTimeout(timer);
  return output;
}

describe(`liaison backup and restore (${testEngine})`, () => {
  it("backs up while the server runs, and restores into an empty place with the same records", async () => {
    const server = await startServerProcess({ ...source, LIAISON_SKIP_REFERENCE: "1" });
    try {
      const call = await signIn(server.url, "admin", password);
      const created = await call("POST", "/api/organisations", {
        kind: "political_party",
        countryCode: "VNM",
        names: [{ kind: "official", lang: "zh", value: "备份测试党" }],
      });
      expect(created.status).toBe(201);
      // A download cancelled half-way harms nothing: the server goes on.
      // (On PostgreSQL the command reaches the database itself: the server writes no control file.)
      if (testEngine === "pglite") {
        const control = JSON.parse(fs.readFileSync(path.join(source.LIAISON_DATA_DIR as string, "liaison.control.json"), "utf8"));
        const cancel = new AbortController();
        const response = await fetch(`${server.url}api/backup`, {
          headers: { "x-liaison-control": control.secret },
          signal: cancel.signal,
        });
        expect(response.status).toBe(200);
        await response.body?.getReader().read();
        cancel.abort();
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await fetch(`${server.url}health/live`)).status).toBe(200);
      }
      const backup = await runCli(["backup", "--out", archive], source);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stderr).toMatch(/Backup written to .*office\.tar\.gz: \d+ rows in \d+ tables/);
      if (testEngine === "pglite") expect(backup.stderr).toContain("asking it for the backup");
      // The server's own endpoint is for administrators only.
      expect((await fetch(`${server.url}api/backup`)).status).toBe(401);
      expect((await fetch(`${server.url}api/backup`, { headers: { "x-liaison-control": "guess" } })).status).toBe(401);
    } finally {
      await server.stop();
    }
    const before = await statsOf(source);
    const target = await installation("target");
    const restored = await runCli(["restore", archive], target);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/Restored \d+ rows in \d+ tables/);
    const after = await statsOf(target);
    expect(after.organisations).toBe(before.organisations);
    expect(after.auditEntries).toBe(before.auditEntries);
    // The restored installation starts, and the administrator signs in with the same password.
    const restoredServer = await startServerProcess({ ...target, LIAISON_SKIP_REFERENCE: "1" });
    try {
      const call = await signIn(restoredServer.url, "admin", password);
      const found = await call("GET", `/api/organisations?q=${encodeURIComponent("备份测试党")}`);
      expect(((await found.json()) as { total: number }).total).toBe(1);
    } finally {
      await restoredServer.stop();
    }
    // Not into a place that holds records, and not from a damaged file: refused, without a stack trace.
    const again = await runCli(["restore", archive], target);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already holds records");
    expect(again.stderr).not.toMatch(/\n\s+at /);
    const damaged = path.join(work, "damaged.tar.gz");
    fs.writeFileSync(damaged, fs.readFileSync(archive).subarray(0, 5000));
    const refused = await runCli(["restore", damaged], await installation("never"));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/damaged|cut short|损坏|不完整/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);

  it("after kill -9 during a backup or a restore, leaves nothing partial, and the next run completes", async () => {
    const cut = path.join(work, "cut.tar.gz");
    const output = await killedWhen(["backup", "--out", cut], source, /organisations: \d+/);
    expect(output).not.toContain("Backup written");
    expect(fs.existsSync(cut), "no archive under the final name").toBe(false);
    const whole = await runCli(["backup", "--out", cut], source);
    expect(whole.code, whole.stderr).toBe(0);
    expect(fs.existsSync(`${cut}.partial`)).toBe(false);

    const target = await installation("cut-restore");
    const restoreOutput = await killedWhen(["restore", cut], target, /organisations: \d+/);
    expect(restoreOutput).not.toContain("Restored");
    const finished = await runCli(["restore", cut], target);
    expect(finished.code, finished.stderr).toBe(0);
    expect((await statsOf(target)).organisations).toBe((await statsOf(source)).organisations);
  }, 600_000);

  it("after kill -9 during a rollup rebuild, keeps the rollups as they were, and the next rebuild completes", async () => {
    expect((await runCli(["seed-demo"], source)).code).toBe(0);
    const rollups = async () => {
      const database = await openDatabase({ databaseUrl: source.DATABASE_URL || undefined, dataDir: source.LIAISON_DATA_DIR });
      try {
        const row = await sql<{
          d: string;
        }>`SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS d FROM engagement_rollup r`.execute(database.db);
        return row.rows[0]?.d;
      } finally {
        await database.close();
      }
    };
    const before = await rollups();
    // How long a rebuild takes here; then one is killed halfway through its transaction.
    const timed = await runCli(["rollups", "rebuild"], source);
    const ms = Number(/in (\d+) ms/.exec(timed.stdout)?.[1]);
    expect(ms).toBeGreaterThan(0);
    expect(await rollups()).toBe(before);
    const output = await killedWhen(["rollups", "rebuild"], source, /Rebuilding the rollups/, Math.floor(ms / 2));
    expect(output).not.toContain("Rebuilt");
    expect(await rollups()).toBe(before);
    const again = await runCli(["rollups", "rebuild"], source);
    expect(again.code, again.stderr).toBe(0);
    expect(await rollups()).toBe(before);
  }, 600_000);
});
