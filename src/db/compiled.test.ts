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
    expect(() => cache.with("x", () => query("SELECT 1 WHERE id = $1", [5]), 5)).toThrow(/stand-ins \(-1234567\)/);
  });

  it("puts each value in its stand-in's every place, and refuses stand-ins alike or missing", () => {
    const cache = new CompiledQueries<unknown>();
    const build = () => query("SELECT 1 WHERE a = $1 AND b = $2 AND c = $3 AND d = $4", ["Qé", 20, "qé", "Qé"]);
    expect(cache.withValues("k", build, ["Qé", "qé"], ["Social", "social"]).parameters).toEqual(["Social", 20, "social", "Social"]);
    expect(cache.withValues("k", build, ["Qé", "qé"], ["x", "y"]).parameters).toEqual(["x", 20, "y", "x"]);
    expect(() => cache.withValues("l", build, ["Qé", "Qé"], ["a", "b"])).toThrow(/none alike/);
    expect(() => cache.withValues("m", build, ["Qé", "zz"], ["a", "b"])).toThrow(/stand-ins/);
  });
});
