/** One client's window: how many requests since it opened, and when that was. */
interface Window {
  count: number;
  openedAt: number;
}

type Reply = (error: Error | null, result: { current: number; ttl: number }) => void;

/**
 * The write limit's counters, in memory. @fastify/rate-limit's own store hands every caller
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
