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
export function onReplica<T>(work: () => Promise<T>): Promise<T> {
  return replicaReads.run(true, work);
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
