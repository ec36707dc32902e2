import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.ts";
import { createServerDatabase, testEngine } from "../support/database.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-import-crash-"));
let env: Record<string, string>;
let cleanup: () => Promise<void> = async () => {};
const rows = 12_000;

beforeAll(async () => {
  if (testEngine === "postgres") {
    const server = await createServerDatabase();
    env = { DATABASE_URL: server.url, LIAISON_DATA_DIR: path.join(work, "unused") };
    cleanup = server.drop;
  } else env = { DATABASE_URL: "", LIAISON_DATA_DIR: path.join(work, "data") };
  const lines = ["中文名称,英文名称,成立年份"];
  for (let i = 1; i <= rows; i++) lines.push(`崩溃测试党${i},Crash Test Party ${i},${1900 + (i % 120)}`);
  fs.writeFileSync(path.join(work, "partners.csv"), `${lines.join("\n")}\n`);
});
afterAll(async () => {
  await cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

const organisations = async () => JSON.parse((await runCli(["stats", "--json"], env)).stdout).organisations as number;

describe(`an import cut short by kill -9 (${testEngine})`, () => {
  it("leaves whole batches only, and the same import run again completes it with the exact count", async () => {
    const file = path.join(work, "partners.csv");
    const child: ChildProcess = spawn(process.execPath, [path.join(repo, "bin/liaison.js"), "import", file], {
      env: { ...process.env, ...env },
      cwd: repo,
    });
    let stderr = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Killed as soon as the first batch is written: the next one is on its way.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No batch was written:\n${stderr}`)), 120_000);
      child.stderr?.on("data", (d) => {
        stderr += d;
        if (/rows \/ 行: \d+/.test(stderr)) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await exited;
    const afterCrash = await organisations();
    expect(afterCrash % 1000, `${afterCrash} organisations after the kill`).toBe(0);
    expect(afterCrash).toBeGreaterThanOrEqual(1000);
    expect(afterCrash).toBeLessThan(rows);
    const rerun = await runCli(["import", file], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const counted = /Rows (\d+): new (\d+), matched (\d+), updated (\d+), unchanged (\d+)/.exec(rerun.stdout);
    expect(counted?.slice(1).map(Number)).toEqual([rows, rows - afterCrash, 0, 0, afterCrash]);
    expect(await organisations()).toBe(rows);
    // And once more: nothing to do.
    const again = await runCli(["import", file], env);
    expect(again.stdout).toContain(`Rows ${rows}: new 0, matched 0, updated 0, unchanged ${rows}`);
    expect(await organisations()).toBe(rows);
  }, 300_000);
});
