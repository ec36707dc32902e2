import pg from "pg";
import { forgetCredentials, setCredentialNoticesLive } from "../core/auth/credential-cache.ts";

/** The channel migration 0034's triggers announce credential changes on. */
const channel = "liaison_credentials";

/** How the feed proves itself: a probe sent through another connection must be heard within `withinMs` (5 s), and the next is sent then. */
export interface NoticeProbe {
  /** Sends `NOTIFY liaison_credentials_probe, payload` on a connection other than the feed's (the pool's). */
  send(payload: string): Promise<unknown>;
  withinMs?: number;
}

/** The probe's channel, for the statement that sends it. */
export const credentialProbeChannel = "liaison_credentials_probe";

/**
 * Listens, on a connection of its own, for the database's notices of credential changes, and
 * lets the process keep the actors of tokens and sessions while it hears them. When the
 * connection drops, nothing is kept until it is back (tried again every second): a notice
 * missed in between cannot leave a revoked token working. A connection can also look alive and
 * hear nothing (a half-open TCP connection, a pooler that takes LISTEN and passes no notices):
 * so a probe goes out through the pool every few seconds, and one not heard in time counts as
 * the connection lost. Only on a direct connection to PostgreSQL; behind a pooler in
 * transaction mode (PgBouncer) every request looks its caller up.
 */
export function followCredentialNotices(url: string, probe: NoticeProbe, log: (line: string) => void): { stop(): Promise<void> } {
  const withinMs = probe.withinMs ?? 5_000;
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let warned = false;
  let probes = 0;
  /** The probe awaited, and when it must have been heard by. */
  let awaited: { payload: string; by: number } | undefined;
  const lost = (client: pg.Client | undefined) => {
    if (!client || current !== client) return;
    setCredentialNoticesLive(false);
    current = undefined;
    awaited = undefined;
    void client.end().catch(() => {});
    if (!stopped && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, 1000);
      retry.unref();
    }
  };
  const connect = async () => {
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    client.on("notification", (message) => {
      if (message.channel === credentialProbeChannel) {
        if (awaited && message.payload === awaited.payload) awaited = undefined;
        return;
      }
      forgetCredentials();
    });
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}; LISTEN ${credentialProbeChannel}`);
      if (stopped) {
        await client.end();
        return;
      }
      current = client;
      setCredentialNoticesLive(true);
      warned = false;
    } catch (error) {
      if (!warned) log(`Cannot hear the database's credential notices; every request looks up its caller: ${String(error)}`);
      warned = true;
      current = client;
      lost(client);
    }
  };
  const prober = setInterval(() => {
    const client = current;
    if (!client) return;
    if (awaited && performance.now() > awaited.by) {
      log("The database's credential notices went unheard; looking callers up until they are heard again.");
      lost(client);
      return;
    }
    if (awaited) return;
    const payload = `${process.pid}:${++probes}`;
    awaited = { payload, by: performance.now() + withinMs };
    probe.send(payload).catch(() => {}); // unheard, it is caught at the next tick
  }, withinMs);
  prober.unref();
  void connect();
  return {
    async stop() {
      stopped = true;
      clearInterval(prober);
      if (retry) clearTimeout(retry);
      setCredentialNoticesLive(false);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}

/**
 * The embedded engine's feed. PGlite is one database session behind the pool's one client, so a
 * change's notice arrives on that client with the reply to the statement that committed it, and
 * forgets the kept callers before that statement's promise resolves: whichever code made the
 * change, the next request of a revoked token is refused. Kept callers are trusted while the
 * client listens; a new client (after an error) listens again.
 */
export async function followCredentialNoticesOnPool(pool: pg.Pool): Promise<{ stop(): Promise<void> }> {
  const listen = (client: pg.Client | pg.PoolClient) => {
    client.on("notification", (message) => {
      if (message.channel === channel) forgetCredentials();
    });
    client.on("end", () => setCredentialNoticesLive(false));
    client.query(`LISTEN ${channel}`).then(
      () => setCredentialNoticesLive(true),
      () => setCredentialNoticesLive(false),
    );
  };
  pool.on("connect", listen);
  // The pool's one client is connected already (the migrations ran on it).
  const client = await pool.connect();
  try {
    listen(client);
  } finally {
    client.release();
  }
  return {
    async stop() {
      pool.off("connect", listen);
      setCredentialNoticesLive(false);
    },
  };
}
