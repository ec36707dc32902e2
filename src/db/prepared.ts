import { createHash } from "node:crypto";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";

/**
 * A pool for Kysely that runs repeated queries as named prepared statements, so that
 * PostgreSQL plans them once per connection instead of on every call (planning costs
 * several times more than executing an organisation page). A text is prepared once it
 * has been seen `threshold` times, and at most `limit` texts are, which bounds the
 * statements each server connection keeps.
 */
/**
 * A comment that keeps a query from being prepared: a query whose best plan depends on its
 * parameters (a list of ids that may hold ten or a hundred thousand) must be planned with them
 * each time. A prepared statement switches to a generic plan after five runs, which assumes a
 * short list and can turn a hash join into a nested loop over two large sets.
 */
export const planEachTime = "/* plan each time */";

export class PreparingPool implements PostgresPool {
  private readonly seen = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private readonly clients = new WeakSet<pg.PoolClient>();

  constructor(
    readonly pool: pg.Pool,
    private readonly limit = 500,
    private readonly threshold = 2,
  ) {}

  private nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known) return known;
    if (text.includes(planEachTime)) return undefined;
    if (this.names.size >= this.limit) return undefined;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < this.threshold) {
      if (this.seen.size > this.limit * 20) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const name = `l_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    this.names.set(text, name);
    return name;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    if (!this.clients.has(client) && this.limit > 0) {
      // A new client knows of no prepared statements; the session behind it may (PGlite keeps
      // one session across reconnections), so start it clean. Without prepared statements there is
      // nothing to clean (and behind a transaction-mode pooler the next query may be another session's).
      this.clients.add(client);
      await client.query("DEALLOCATE ALL");
    }
    const run = async <R>(text: string, values: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
      // Statements without parameters go unprepared: DDL and multi-statement scripts need that.
      const name = values.length > 0 ? this.nameFor(text) : undefined;
      const result = await client.query({ text, values: [...values], ...(name ? { name } : {}) });
      return result as unknown as PostgresQueryResult<R>;
    };
    return {
      query: run as PostgresPoolClient["query"],
      release: () => client.release(),
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
