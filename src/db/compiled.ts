import type { CompiledQuery } from "kysely";

/**
 * A stand-in for the one value of a hot query that changes from call to call (an id): the query
 * is built with it and compiled once, then run with the real value put in its place. Building a
 * tree of sub-queries through Kysely costs more CPU per request than PostgreSQL spends running it.
 */
export const placeholderId = -1_234_567;

/**
 * Hot queries compiled once per key (the shape of a caller's scope, where the query holds one),
 * the least recently used dropped past `limit`, and run with the placeholder replaced.
 */
export class CompiledQueries<Row> {
  private readonly compiled = new Map<string, CompiledQuery<Row>>();

  constructor(private readonly limit = 500) {}

  /** The query for `key` (compiled by `build` with `placeholderId` the first time), with `value` in the placeholder's place. */
  with(key: string, build: () => CompiledQuery<Row>, value: number): CompiledQuery<Row> {
    let query = this.compiled.get(key);
    if (query) {
      this.compiled.delete(key);
    } else {
      query = build();
      if (!query.parameters.includes(placeholderId)) throw new Error("A compiled hot query must take its value as placeholderId.");
      if (this.compiled.size >= this.limit) this.compiled.delete(this.compiled.keys().next().value as string);
    }
    this.compiled.set(key, query);
    return { ...query, parameters: query.parameters.map((p) => (p === placeholderId ? value : p)) };
  }
}
