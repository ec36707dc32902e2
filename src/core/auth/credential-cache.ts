/**
 * The actors of the tokens and sessions a server process has recently looked up, so that a
 * request need not ask the database who its caller is. Kept only while the process hears the
 * database's notices of credential changes (migration 0034: a token revoked, a session ended, a
 * user disabled, a role or unit changed — by any process or command), which forget every entry;
 * without that feed nothing is kept and each request looks its caller up as before. A change made
 * by this process is forgotten at once, before its response is sent (`forgetCredentials` from
 * `mutate`); another process's change arrives with PostgreSQL's notice at its commit.
 */

/** How long an entry is trusted at most: a bound on anything a notice could miss, and how often a token's last use is recorded. */
const maxAgeMs = 30_000;
/** Past this many entries the cache starts again empty, rather than keeping an order of use. */
const maxEntries = 10_000;

let live = false;
let epoch = 0;
const caches: Array<CredentialCache<unknown>> = [];

/** A cache of looked-up credentials, keyed by the hash of the secret. */
export class CredentialCache<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();

  constructor() {
    caches.push(this as CredentialCache<unknown>);
  }

  /** The kept value for a key, when the feed of notices is live and the entry is young enough. */
  read(key: string): T | undefined {
    if (!live) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (performance.now() - entry.at > maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Keeps a value looked up since `since` (the `credentialEpoch()` read before the lookup): a
   * notice that arrived meanwhile may concern what was read, and then nothing is kept.
   */
  keep(key: string, value: T, since: number): void {
    if (!live || since !== epoch) return;
    if (this.#entries.size >= maxEntries) this.#entries.clear();
    // A monotonic clock: a wall clock set back would not lengthen an entry's life.
    this.#entries.set(key, { value, at: performance.now() });
  }

  /** Forgets one key (a credential found expired or idle). */
  drop(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Whether the feed of notices is heard, so that credentials are kept. */
export function credentialNoticesLive(): boolean {
  return live;
}

/** The count of forgettings so far: read before a lookup, passed to `keep` after it. */
export function credentialEpoch(): number {
  return epoch;
}

/** Forgets every kept credential (a change was made or announced). */
export function forgetCredentials(): void {
  epoch++;
  for (const cache of caches) cache.clear();
}

/** Whether the feed of notices is heard: when it is not, nothing is kept. Either way, everything kept so far is forgotten. */
export function setCredentialNoticesLive(heard: boolean): void {
  live = heard;
  forgetCredentials();
}

/**
 * A deep copy of a value, frozen: what is kept is handed to every request of its caller as it is,
 * so that no request can change what the next one gets (an attempt throws).
 */
export function frozenCopy<T>(value: T): T {
  const freeze = (v: unknown): void => {
    if (typeof v !== "object" || v === null || Object.isFrozen(v)) return;
    Object.freeze(v);
    for (const inner of Object.values(v)) freeze(inner);
  };
  const copy = structuredClone(value);
  freeze(copy);
  return copy;
}
