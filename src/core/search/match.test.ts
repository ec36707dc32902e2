import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { startsWith } from "./match.ts";
import { prefixUpperBound } from "./text.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe("startsWith", () => {
  it("puts the first text past a prefix after the last character's successor, skipping surrogates", () => {
    expect(prefixUpperBound("social")).toBe("sociam");
    expect(prefixUpperBound("社会")).toBe("社伛");
    expect(prefixUpperBound("a\uD7FF")).toBe("a\uE000");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("\u{10FFFF}")).toBeNull();
  });

  it("holds in the database exactly for the texts that start with the prefix, wildcards and all", async () => {
    const starts = ["soc", "social", "50%", "a_b", "a\\", "社会", "é", "a\uD7FF", "z\u{10FFFF}", "\u{10FFFF}", "Z"];
    const texts = [
      ...starts,
      "socialist",
      "soc",
      "sob",
      "socz",
      "sod",
      "50% club",
      "50x club",
      "a_bc",
      "axbc",
      "a\\b",
      "社会党",
      "社伛",
      "社",
      "éa",
      "f",
      "a\uD7FFx",
      "a\uE000",
      "z\u{10FFFF}x",
      "{",
      "\u{10FFFF}\u{10FFFF}",
      "Zed",
      "zed",
      "",
    ];
    for (const start of starts) {
      const { rows } = await sql<{
        t: string;
      }>`SELECT t FROM unnest(${texts}::text[]) AS x(t) WHERE ${startsWith(sql.ref("t"), start)}`.execute(db());
      expect(rows.map((r) => r.t).sort(), start).toEqual(texts.filter((t) => t.startsWith(start)).sort());
    }
  });

  it("lets a prepared statement's generic plan, made for no prefix in particular, read the prefix's range from the index", async () => {
    const query = sql`SELECT o.id FROM organisations o WHERE ${startsWith(sql`lower(o.name_en)`, "social")}
      ORDER BY lower(o.name_en) USING ~<~ LIMIT 5`.compile(db());
    expect(query.parameters).toEqual(["social", "sociam"]);
    const plan = await db()
      .transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(trx);
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        await sql.raw(`PREPARE prefix_range(text, text) AS ${query.sql}`).execute(trx);
        const { rows } = await sql.raw<Record<string, string>>("EXPLAIN EXECUTE prefix_range('social', 'sociam')").execute(trx);
        await sql`DEALLOCATE prefix_range`.execute(trx);
        return rows.map((r) => Object.values(r)[0]).join("\n");
      });
    expect(plan).toContain("organisations_name_en_prefix");
    expect(plan).toMatch(/Index Cond: \(\(lower\(name_en\) ~>=~ \$1\) AND \(lower\(name_en\) ~<~ \$2\)\)/);
  });
});
