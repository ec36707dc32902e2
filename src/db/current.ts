import type { Kysely } from "kysely";
import { AppError } from "../core/shared/errors.ts";
import type { Database } from "./connection.ts";
import type { DB } from "./types.ts";

let current: Database | undefined;

/** Makes `database` the one the service layer works on (one per process). */
export function useDatabase(database: Database | undefined): void {
  current = database;
}

/** The Kysely handle of the open database. */
export function db(): Kysely<DB> {
  if (!current) throw new AppError("INTERNAL", "The database is not open.");
  return current.db;
}

/** The open database with its engine and pool. */
export function currentDatabase(): Database {
  if (!current) throw new AppError("INTERNAL", "The database is not open.");
  return current;
}
