import { sql } from "kysely";
import { currentDatabase } from "../db/current.ts";

type Reply = (error: Error | null, result: { current: number; ttl: number }) => void;

/** How often, on average, an increment also clears windows long closed (one in this many). */
const sweepEvery = 500;

/**
 * The write limit's counters, in the database: every Liaison process on one PostgreSQL counts a
 * client's writes together. One statement opens or continues the client's window and returns the
 * count as it stood at this request's own increment, so parallel requests each see their own
 * place in the count (@fastify/rate-limit's own store hands all of them one mutable record, and
 * under parallel requests every one then sees the final count).
 */
export class DatabaseRateLimitStore {
  incr(key: string, reply: Reply, timeWindow: number): void {
    const db = currentDatabase().db;
    const window = `${timeWindow} milliseconds`;
    sql<{ count: number; ttl: number }>`
      INSERT INTO rate_limit_windows AS w (key, opened_at, count) VALUES (${key}, clock_timestamp(), 1)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN w.opened_at + ${window}::interval <= clock_timestamp() THEN 1 ELSE w.count + 1 END,
        opened_at = CASE WHEN w.opened_at + ${window}::interval <= clock_timestamp() THEN clock_timestamp() ELSE w.opened_at END
      RETURNING count, (extract(epoch FROM (opened_at + ${window}::interval - clock_timestamp())) * 1000)::int AS ttl`
      .execute(db)
      .then(
        (result) => {
          const row = result.rows[0];
          reply(null, { current: row?.count ?? 1, ttl: Math.max(0, row?.ttl ?? timeWindow) });
          if (Math.random() * sweepEvery < 1) {
            void sql`DELETE FROM rate_limit_windows WHERE opened_at < clock_timestamp() - ${window}::interval`.execute(db).catch(() => {});
          }
        },
        (error: unknown) => reply(error instanceof Error ? error : new Error(String(error)), { current: 0, ttl: 0 }),
      );
  }

  child(): DatabaseRateLimitStore {
    return new DatabaseRateLimitStore();
  }
}
