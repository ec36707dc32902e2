import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import { AppError } from "../core/shared/errors.ts";
import type { Database } from "./connection.ts";
import type { DB } from "./types.ts";

let current: Database | undefined;
/** Set while a read that may lag the primary by a moment runs (see onReplica). */
const replicaReads = new AsyncLocalStorage<boolean>();

/** Makes `database` the one the service layer works on (one per process). */
export function useDatabase(database: Database | undefined): void {
  current = database;
}

/**
 * The Kysely handle of the open database: the primary, or, inside `onReplica` when a replica is
 * configured (DATABASE_REPLICA_URL), the replica.
 */
export function db(): Kysely<DB> {
  if (!current) throw new AppError("INTERNAL", "The database is not open.");
  return current.replica && replicaReads.getStore() === true ? current.replica : current.db;
}

/** Which engine serves the open database (the embedded one runs one query at a time). */
export function databaseEngine(): Database["engine"] | undefined {
  return current?.engine;
}

/** The primary's handle, whatever the context: every write goes there. */
export function primaryDb(): Kysely<DB> {
  if (!current) throw new AppError("INTERNAL", "The database is not open.");
  return current.db;
}

/**
 * Runs reads that may be a moment behind the latest write (reports, counts, the network, search
 * lists) on the replica when one is configured, so that they take no time from the primary; on
 * the primary otherwise. A write made meanwhile still goes to the primary (`mutate` uses it).
 */
export async function onReplica<T>(work: () => Promise<T>): Promise<T> {
  if (!current?.replica) return work();
  try {
    return await replicaReads.run(true, work);
  } catch (error) {
    // A replica that is down, restarting, or that cancelled the read to replay the primary's
    // changes (a recovery conflict) does not fail the reader: the primary answers instead.
    if (!replicaFault(error)) throw error;
    return replicaReads.run(false, work);
  }
}

/** Whether an error is the replica's own trouble (unreachable, shutting down, a recovery conflict) rather than the query's. */
function replicaFault(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  // Connection refused or reset; SQLSTATE classes 08 (connection), 57P (shutdown, cannot connect now); 40001 (conflict with recovery).
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "40001"].includes(code) || code.startsWith("08") || code.startsWith("57P");
}

/** Runs `work` with every query on the primary, even inside `onReplica`. */
export function onPrimary<T>(work: () => Promise<T>): Promise<T> {
  return replicaReads.run(false, work);
}

/** The open database with its engine and pool. */
export function currentDatabase(): Database {
  if (!current) throw new AppError("INTERNAL", "The database is not open.");
  return current;
}
