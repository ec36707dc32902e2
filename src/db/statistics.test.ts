import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../test/support/database.ts";
import type { Database } from "./connection.ts";
import { db } from "./current.ts";
import { refreshStatistics } from "./statistics.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  // Autovacuum kept off for it on a server, so that only the function under test analyses it.
  await sql`CREATE TABLE IF NOT EXISTS stats_probe (id int PRIMARY KEY, label text) WITH (autovacuum_enabled = false)`.execute(db());
}, 120_000);
afterAll(async () => {
  await sql`DROP TABLE IF EXISTS stats_probe`.execute(db());
  await database.close();
});

/** How many rows the planner expects `SELECT * FROM stats_probe` to return. */
async function plannedRows(): Promise<number> {
  const plan = await sql<{ "QUERY PLAN": string }>`EXPLAIN SELECT * FROM stats_probe`.execute(db());
  return Number(/rows=(\d+)/.exec(plan.rows.map((r) => Object.values(r)[0]).join("\n"))?.[1]);
}

const fill = (from: number, to: number) =>
  sql`INSERT INTO stats_probe SELECT g, 'row ' || g FROM generate_series(${from}::int, ${to}::int) g`.execute(db());

describe("planner statistics (the embedded engine has no autovacuum)", () => {
  it("analyses a table that has rows but no statistics, or grew, and only while it keeps changing", async () => {
    await fill(1, 20_000);
    // An index built on the filled table records its size and rows, but no column statistics.
    await sql`CREATE INDEX IF NOT EXISTS stats_probe_label ON stats_probe (label)`.execute(db());
    const refreshed = await refreshStatistics(db());
    expect(refreshed.map((t) => t.table)).toContain("stats_probe");
    expect(await plannedRows()).toBe(20_000);
    // Nothing changed since: nothing to do for it.
    expect((await refreshStatistics(db())).map((t) => t.table)).not.toContain("stats_probe");
    // A few more rows stay within the tolerance; doubling it does not.
    await fill(20_001, 20_100);
    expect((await refreshStatistics(db())).map((t) => t.table)).not.toContain("stats_probe");
    await fill(20_101, 40_000);
    const again = await refreshStatistics(db(), { vacuum: true });
    expect(again.find((t) => t.table === "stats_probe")?.pages).toBeGreaterThan(0);
    expect(await plannedRows()).toBe(40_000);
  });
});
