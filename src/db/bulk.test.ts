import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../test/support/database.ts";
import { insertMany } from "./bulk.ts";
import type { Database } from "./connection.ts";
import { db } from "./current.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await sql`CREATE TABLE IF NOT EXISTS bulk_probe (id int GENERATED ALWAYS AS IDENTITY, label text, amount int, share real, flag bool,
    at timestamptz, doc jsonb, keys text[] NOT NULL DEFAULT '{}')`.execute(db());
}, 120_000);
afterAll(async () => {
  await sql`DROP TABLE IF EXISTS bulk_probe`.execute(db());
  await database.close();
});

const columns = {
  label: "text",
  amount: "int",
  share: "real",
  flag: "bool",
  at: "timestamptz",
  doc: "jsonb",
  keys: "text[]",
} as const;

describe("insertMany", () => {
  it("writes every value as given: quotes, backslashes, braces, commas, NULL words, Chinese, empty and missing values", async () => {
    const awkward = ['say "hi"', "back\\slash", "{braces}", "a,b", "NULL", "", "中国共产党", "  spaced  ", "trailing\\"];
    const rows = awkward.map((label, i) => ({
      label,
      amount: i === 2 ? null : i * 1000,
      share: i / 4,
      flag: i % 2 === 0,
      at: new Date(Date.UTC(2022, 9, 16 + i)),
      doc: { label, nested: ['"x"', "\\"] },
      keys: i === 3 ? [] : [label, `${label},2`, "{}"],
    }));
    const ids = await insertMany<{ id: number }>(db(), "bulkProbe", columns, rows, { returning: ["id"] });
    expect(ids).toHaveLength(rows.length);
    const back = await sql<{
      id: number;
      label: string;
      amount: number | null;
      share: number;
      flag: boolean;
      at: Date;
      doc: unknown;
      keys: string[];
    }>`SELECT * FROM bulk_probe WHERE id = ANY(${ids.map((r) => r.id)}::int[]) ORDER BY id`.execute(db());
    // The ids come back in the order the rows were given.
    expect(back.rows.map((r) => r.label)).toEqual(awkward);
    for (const [i, row] of back.rows.entries()) {
      const given = rows[i] as (typeof rows)[number];
      expect(row.amount).toBe(given.amount);
      expect(row.share).toBeCloseTo(given.share);
      expect(row.flag).toBe(given.flag);
      expect(new Date(row.at).toISOString()).toBe(given.at.toISOString());
      expect(row.doc).toEqual(given.doc);
      expect(row.keys).toEqual(given.keys);
    }
  });

  it("leaves a missing value NULL (or the column's default) and writes nothing for no rows", async () => {
    const [row] = await insertMany<{ id: number; label: string | null; keys: string[] }>(db(), "bulkProbe", columns, [{ amount: 7 }], {
      returning: ["id", "label", "keys"],
    });
    expect(row?.label).toBeNull();
    expect(row?.keys).toEqual([]);
    expect(await insertMany(db(), "bulkProbe", columns, [])).toEqual([]);
  });

  it("refuses a value of the wrong type whole: no row of the statement is written", async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bulk_probe`.execute(db());
    await expect(insertMany(db(), "bulkProbe", columns, [{ amount: 1 }, { amount: "many" }])).rejects.toThrow();
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bulk_probe`.execute(db());
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
