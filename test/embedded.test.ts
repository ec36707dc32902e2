import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { type Running, startServer } from "../src/server/start.ts";
import { runCli } from "./support/cli.ts";
import { testEngine } from "./support/database.ts";

describe.skipIf(testEngine !== "pglite")("the embedded engine", () => {
  let dataDir: string;
  let running: Running;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-embedded-"));
    running = await startServer({ ...loadConfig({}), port: 0, dataDir, skipReference: true }, () => {});
  });
  afterAll(async () => {
    await running?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps working when its database client reconnects to the same session", async () => {
    // Prepared statements outlive a client on PGlite's single session: a new client must not trip on them.
    const query = () => sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(running.database.db);
    for (let i = 0; i < 3; i++) expect((await query()).rows[0]?.n).toBe(42);
    const client = await running.database.pool.connect();
    client.release(true);
    // The embedded server takes the next connection once it has seen the last one close.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await query()).rows[0]?.n).toBe(42);
  });

  it("keeps /health answering while a long query runs: most within a few milliseconds, nine in ten within 50", async () => {
    // Warm the HTTP client first: its first connection is slow on its own.
    for (let i = 0; i < 3; i++) await fetch(`${running.url}health`);
    const long = sql`SELECT count(*) FROM generate_series(1, 15000000)`.execute(running.database.db);
    let finished = false;
    long.then(() => {
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    const timings: number[] = [];
    while (!finished && timings.length < 40) {
      const t0 = performance.now();
      const response = await fetch(`${running.url}health`);
      timings.push(performance.now() - t0);
      expect(response.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    await long;
    // The query must still have been running while we measured, or the test proves nothing.
    expect(timings.length).toBeGreaterThanOrEqual(5);
    console.log("health timings", timings.map((t) => t.toFixed(1)).join(" "));
    // A blocked event loop would hold a request for the whole query (seconds), leaving one timing.
    // A busy machine (the suite runs beside other work on two cores) delays the odd request by
    // tens of milliseconds, so the bound is on the median and the 90th percentile, and the worst.
    const sorted = [...timings].sort((a, b) => a - b);
    const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.POSITIVE_INFINITY;
    expect(at(0.5)).toBeLessThan(20);
    expect(at(0.9)).toBeLessThan(50);
    expect(sorted.at(-1)).toBeLessThan(500);
  });

  it("refuses a second process on the same data directory at once, and leaves the data intact", async () => {
    await sql`CREATE TABLE IF NOT EXISTS lock_probe (v int)`.execute(running.database.db);
    await sql`INSERT INTO lock_probe VALUES (42)`.execute(running.database.db);
    const second = await runCli(["stats"], { LIAISON_DATA_DIR: dataDir, DATABASE_URL: "" });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`The data directory ${dataDir} is already in use by another Liaison process (pid ${process.pid})`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(second.ms).toBeLessThan(10_000);
    const rows = await sql<{ v: number }>`SELECT v FROM lock_probe`.execute(running.database.db);
    expect(rows.rows).toEqual([{ v: 42 }]);
  });

  it("takes over a lock left by a process that died", async () => {
    const stale = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-stale-"));
    fs.writeFileSync(path.join(stale, "liaison.lock"), "999999999\n");
    const result = await runCli(["migrate"], { LIAISON_DATA_DIR: stale, DATABASE_URL: "" });
    expect(result.stderr).toContain("up to date");
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(stale, "liaison.lock"))).toBe(false);
    fs.rmSync(stale, { recursive: true, force: true });
  });
});
