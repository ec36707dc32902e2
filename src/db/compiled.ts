import type { CompiledQuery } from "kysely";

/**
 * A stand-in for the one value of a hot query that changes from call to call (an id): the query
 * is built with it and compiled once, then run with the real value put in its place. Building a
 * tree of sub-queries through Kysely costs more CPU per request than PostgreSQL spends running it.
 */
export const placeholderId = -1_234_567;

/**
 * Hot queries compiled once per key (the shape of a caller's scope, where the query holds one),
 * the least recently used dropped past `limit`, and run with their stand-ins replaced.
 */
export class CompiledQueries<Row> {
  private readonly compiled = new Map<string, CompiledQuery<Row>>();

  constructor(private readonly limit = 500) {}

  /** The query for `key` (compiled by `build` with `placeholderId` the first time), with `value` in the placeholder's place. */
  with(key: string, build: () => CompiledQuery<Row>, value: number): CompiledQuery<Row> {
    return this.withValues(key, build, [placeholderId], [value]);
  }

  /**
   * The query for `key`, compiled by `build` the first time with `standIns` for the values that
   * change from call to call, with each stand-in's parameters replaced by the value at its place
   * in `values`. Every stand-in must be a parameter of the query, and no two alike: a value the
   * query derives from a stand-in in some other way would be left as the stand-in's, so the
   * caller picks stand-ins whose every use it knows.
   */
  withValues(key: string, build: () => CompiledQuery<Row>, standIns: readonly unknown[], values: readonly unknown[]): CompiledQuery<Row> {
    let query = this.compiled.get(key);
    if (query) {
      this.compiled.delete(key);
    } else {
      query = build();
      const parameters = query.parameters;
      if (new Set(standIns).size !== standIns.length || standIns.some((s) => !parameters.includes(s))) {
        throw new Error(`A compiled hot query must take each of its stand-ins (${standIns.join(", ")}), none alike, as a parameter.`);
      }
      if (this.compiled.size >= this.limit) this.compiled.delete(this.compiled.keys().next().value as string);
    }
    this.compiled.set(key, query);
    const places = new Map(standIns.map((s, i) => [s, values[i]]));
    return { ...query, parameters: query.parameters.map((p) => (places.has(p) ? places.get(p) : p)) };
  }
}
