import { type CompiledQuery, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { CompiledQueries, placeholderId } from "./compiled.ts";

const query = (text: string, parameters: unknown[]) =>
  ({ sql: text, parameters, query: sql``.toOperationNode() }) as unknown as CompiledQuery<unknown>;

describe("hot queries compiled once", () => {
  it("compiles once per key, puts the value in the placeholder's place, and forgets the least recently used", () => {
    const cache = new CompiledQueries<unknown>(2);
    let builds = 0;
    const build = (scope: string) => () => {
      builds++;
      return query(`SELECT ${scope} WHERE id = $1 AND unit = $2`, [placeholderId, 7]);
    };
    expect(cache.with("a", build("a"), 41).parameters).toEqual([41, 7]);
    expect(cache.with("a", build("a"), 42).parameters).toEqual([42, 7]);
    expect(builds).toBe(1);
    cache.with("b", build("b"), 1);
    cache.with("a", build("a"), 1); // "a" used last: "b" goes first
    cache.with("c", build("c"), 1);
    expect(builds).toBe(3);
    cache.with("a", build("a"), 1);
    expect(builds).toBe(3);
    cache.with("b", build("b"), 1);
    expect(builds).toBe(4);
  });

  it("refuses a query that does not take its value as the placeholder", () => {
    const cache = new CompiledQueries<unknown>();
    expect(() => cache.with("x", () => query("SELECT 1 WHERE id = $1", [5]), 5)).toThrow(/placeholderId/);
  });
});
