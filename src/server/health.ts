import path from "node:path";
import { sql } from "kysely";
import { type BackupOutcome, lastScheduledBackup } from "../core/backup/schedule.ts";
import { currentDatabase } from "../db/current.ts";
import { freeBytes, minimumFreeBytes, storageState } from "../db/storage.ts";

/** What /health answers: ready to take writes, or why not. */
export interface Readiness {
  status: "ok" | "unavailable";
  engine: string;
  checks: {
    database: "ok" | "unreachable" | "not writable";
    storage: "ok" | "full";
    freeBytes?: number | undefined;
    /** The streaming replica, when one is configured: reads fall back to the primary while it is unreachable, so it does not decide readiness. */
    replica?: "ok" | "unreachable";
  };
  /**
   * The last scheduled backup, when one has run (it does not decide readiness). /health answers
   * anyone: the file's name only, and no error text (that is in the log and the administrators' notifications).
   */
  backup?: Pick<BackupOutcome, "at" | "ok" | "ms" | "bytes"> & { file?: string };
}

/**
 * Readiness: can Liaison save what it is given? On a server database, a one-row write (with
 * a 2-second limit) proves it. The embedded database is one session that a long report may
 * hold for a while, so there the free space on its disk and the outcome of the last writes
 * speak for it, and the answer never waits for a query.
 */
export async function readiness(): Promise<Readiness> {
  const database = currentDatabase();
  let databaseCheck: Readiness["checks"]["database"] = "ok";
  let free: number | undefined;
  if (database.engine === "postgres") {
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL statement_timeout = '2s'`.execute(trx);
        await sql`INSERT INTO health_probe (id, checked_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET checked_at = now()`.execute(
          trx,
        );
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      databaseCheck = code === "53100" || code === "25006" ? "not writable" : "unreachable";
      if (code === "53100") storageState.recordFull();
    }
  } else if (database.dataDir) {
    free = freeBytes(database.dataDir) ?? undefined;
  }
  let replica: "ok" | "unreachable" | undefined;
  if (database.replica) {
    const replicaDb = database.replica;
    replica = await Promise.race([
      sql`SELECT 1`.execute(replicaDb).then(
        () => "ok" as const,
        () => "unreachable" as const,
      ),
      new Promise<"unreachable">((resolve) => setTimeout(() => resolve("unreachable"), 2000).unref()),
    ]);
  }
  const full = storageState.fullSince !== null || (free !== undefined && free < minimumFreeBytes);
  const ok = databaseCheck === "ok" && !full;
  const last = lastScheduledBackup();
  const backup = last
    ? { at: last.at, ok: last.ok, ms: last.ms, ...(last.bytes ? { bytes: last.bytes, file: path.basename(last.file ?? "") } : {}) }
    : null;
  return {
    status: ok ? "ok" : "unavailable",
    engine: database.engine,
    checks: {
      database: databaseCheck,
      storage: full ? "full" : "ok",
      ...(free !== undefined ? { freeBytes: free } : {}),
      ...(replica ? { replica } : {}),
    },
    ...(backup ? { backup } : {}),
  };
}
