import { sql } from "kysely";
import { currentDatabase } from "../db/current.ts";

/** One client's window: how many requests since it opened, and when that was. */
interface Window {
  count: number;
  openedAt: number;
}

type Reply = (error: Error | null, result: { current: number; ttl: number }) => void;

/**
 * The write limit's counters, in memory (the embedded engine: one process). @fastify/rate-limit's own store hands every caller
 * the same mutable record, which its plugin reads only after an `await`: under parallel
 * requests each one then sees the final count, and all of them are refused. This store
 * answers each request with the count as it stood at that request's own increment.
 */
export class SnapshotStore {
  private readonly windows = new Map<string, Window>();
  /** How many clients are remembered at once. */
  private readonly capacity = 10_000;

  incr(key: string, reply: Reply, timeWindow: number): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.openedAt + timeWindow <= now) {
      window = { count: 0, openedAt: now };
      // The oldest client makes room; a Map iterates in insertion order.
      if (this.windows.size >= this.capacity) this.windows.delete(this.windows.keys().next().value as string);
    }
    window.count++;
    this.windows.delete(key);
    this.windows.set(key, window);
    reply(null, { current: window.count, ttl: window.openedAt + timeWindow - now });
  }

  read(key: string, reply: Reply, timeWindow: number): void {
    const now = Date.now();
    const window = this.windows.get(key);
    if (!window || window.openedAt + timeWindow <= now) reply(null, { current: 0, ttl: 0 });
    else reply(null, { current: window.count, ttl: window.openedAt + timeWindow - now });
  }

  child(): SnapshotStore {
    return new SnapshotStore();
  }
}

/** How often, on average, an increment also clears windows long closed (one in this many). */
const sweepEvery = 500;

/**
 * The write limit's counters, in the database: every Liaison process on one PostgreSQL counts a
 * client's writes together. One statement opens or continues the client's window and returns the
 * count as it stood at this request's own increment, so parallel requests each see their own
 * place in the count. A client already over its limit is refused here without asking the database
 * again until its window closes, so a flood costs no database work.
 */
export class DatabaseRateLimitStore {
  private readonly refusedUntil = new Map<string, number>();

  incr(key: string, reply: Reply, timeWindow: number, max: number): void {
    const until = this.refusedUntil.get(key);
    if (until !== undefined) {
      if (until > Date.now()) {
        reply(null, { current: max + 1, ttl: until - Date.now() });
        return;
      }
      this.refusedUntil.delete(key);
    }
    const db = currentDatabase().db;
    const window = `${timeWindow} milliseconds`;
    // now() is the statement's one moment: the count and the window's start are decided together.
    sql<{ count: number; ttl: number }>`
      INSERT INTO rate_limit_windows AS w (key, opened_at, count) VALUES (${key}, now(), 1)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN w.opened_at + ${window}::interval <= now() THEN 1 ELSE w.count + 1 END,
        opened_at = CASE WHEN w.opened_at + ${window}::interval <= now() THEN now() ELSE w.opened_at END
      RETURNING count, (extract(epoch FROM (opened_at + ${window}::interval - now())) * 1000)::int AS ttl`
      .execute(db)
      .then(
        (result) => {
          const row = result.rows[0];
          const current = row?.count ?? 1;
          const ttl = Math.max(0, row?.ttl ?? timeWindow);
          if (current > max) {
            if (this.refusedUntil.size >= 10_000) this.refusedUntil.clear();
            this.refusedUntil.set(key, Date.now() + ttl);
          }
          reply(null, { current, ttl });
          if (Math.random() * sweepEvery < 1) {
            void sql`DELETE FROM rate_limit_windows WHERE opened_at < now() - ${window}::interval`.execute(db).catch(() => {});
          }
        },
        (error: unknown) => reply(error instanceof Error ? error : new Error(String(error)), { current: 0, ttl: 0 }),
      );
  }

  child(): DatabaseRateLimitStore {
    return new DatabaseRateLimitStore();
  }
}

/**
 * The store @fastify/rate-limit is given: the database's counters on PostgreSQL, where several
 * processes may serve one office, and memory on the embedded engine, which is one process.
 */
export class WriteLimitStore {
  private readonly memory = new SnapshotStore();
  private readonly database = new DatabaseRateLimitStore();

  incr(key: string, reply: Reply, timeWindow: number, max: number): void {
    if (currentDatabase().engine === "postgres") this.database.incr(key, reply, timeWindow, max);
    else this.memory.incr(key, reply, timeWindow);
  }

  child(): WriteLimitStore {
    return new WriteLimitStore();
  }
}
