import pg from "pg";
import { forgetCredentials, setCredentialNoticesLive } from "../core/auth/credential-cache.ts";

/** The channel migration 0034's triggers announce credential changes on. */
const channel = "liaison_credentials";

/**
 * Listens, on a connection of its own, for the database's notices of credential changes, and
 * lets the process keep the actors of tokens and sessions while it hears them. When the
 * connection drops, nothing is kept until it is back (tried again every second): a notice
 * missed in between cannot leave a revoked token working. Only on a direct connection to
 * PostgreSQL; a pooler in transaction mode (PgBouncer) does not carry LISTEN, and there every
 * request looks its caller up.
 */
export function followCredentialNotices(url: string, log: (line: string) => void): { stop(): Promise<void> } {
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let warned = false;
  const again = () => {
    setCredentialNoticesLive(false);
    current = undefined;
    if (!stopped && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, 1000);
      retry.unref();
    }
  };
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    client.on("notification", () => forgetCredentials());
    client.on("error", () => {}); // followed by "end"
    client.on("end", () => {
      if (current === client) again();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
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
      await client.end().catch(() => {});
      again();
    }
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      setCredentialNoticesLive(false);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}
