import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { CamelCasePlugin, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { AppError } from "../core/shared/errors.ts";
import { lockDataDirectory } from "./lock.ts";
import { PreparingPool } from "./prepared.ts";
import { assertRoomToStart, freeBytes, minimumFreeBytes, storageFull } from "./storage.ts";
import type { DB } from "./types.ts";

// Dates stay ISO strings ('2022-10-20'); counts and bigint ids become numbers.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));

export type Engine = "pglite" | "postgres";

/** An open database: the Kysely handle, which engine serves it, and how to close it. */
export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  pool: pg.Pool;
  /** A streaming replica for reads that may lag a moment (DATABASE_REPLICA_URL); see `onReplica`. */
  replica?: Kysely<DB> | undefined;
  /** The embedded engine's data directory (none in memory or on a server). */
  dataDir?: string | undefined;
  close(): Promise<void>;
}

export interface DatabaseConfig {
  /** PostgreSQL URL; when absent the embedded engine is used. */
  databaseUrl?: string | undefined;
  /** Data directory of the embedded engine; `undefined` with `inMemory` for tests. */
  dataDir?: string | undefined;
  /** Embedded engine without a data directory (tests and benchmarks). */
  inMemory?: boolean;
  /** Connection pool size for PostgreSQL. */
  poolSize?: number;
  /** A streaming replica of the PostgreSQL server, for reports, counts and search lists. */
  replicaUrl?: string | undefined;
  /**
   * Named prepared statements for repeated queries (default on). Off behind a pooler in
   * transaction mode (PgBouncer), where a statement prepared on one server connection is
   * unknown to the next.
   */
  preparedStatements?: boolean;
}

function kyselyOver(pool: pg.Pool, preparedStatements = true): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new PreparingPool(pool, preparedStatements ? 500 : 0) }),
    plugins: [new CamelCasePlugin()],
  });
}

async function startPgliteWorker(dataDir: string | undefined): Promise<{ socketDir: string; stop(): Promise<void> }> {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-pg-"));
  const socketPath = path.join(socketDir, ".s.PGSQL.5432");
  const worker = new Worker(new URL("./pglite-worker.mjs", import.meta.url), {
    workerData: { dataDir, socketPath },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once("message", (message: { type: string; message?: string }) => {
        if (message.type === "ready") resolve();
        else reject(new AppError("INTERNAL", `The embedded database could not start: ${message.message}`));
      });
      worker.once("error", reject);
    });
  } catch (error) {
    // A refused start (the data directory in use by another process) leaves no socket directory behind.
    await worker.terminate();
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  return {
    socketDir,
    async stop() {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        worker.once("message", () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage("close");
      });
      await worker.terminate();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * What each server connection is started with (when Liaison reaches PostgreSQL directly; a pooler
 * in transaction mode refuses start-up options, and the database's own setting must do there):
 * JIT compilation off. The planner's cost of a scoped query (its unit tree, shares and co-units as
 * sub-plans) passes the JIT threshold however small the tables, and compiling it took 430 ms for a
 * bureau editor's engagement list that runs in 30 ms: under load the server spent its cores on it.
 */
const directConnectionOptions = "-c jit=off";

/** A pool on a PostgreSQL server, proved by one query; a clear error naming the setting when it cannot be used. */
async function openPool(url: string, size: number, setting: string, options?: string): Promise<pg.Pool> {
  // Options given in the URL (`?options=…`) take precedence over these.
  const pool = new pg.Pool({ connectionString: url, max: size, ...(options ? { options } : {}) });
  pool.on("error", () => {}); // idle client errors surface on the next query instead
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end();
    const where = new URL(url);
    throw new AppError(
      "DATABASE_UNAVAILABLE",
      `Cannot use the PostgreSQL database at ${where.host}${where.pathname}: ${error instanceof Error ? error.message : String(error)}. Check ${setting}.`,
    );
  }
  return pool;
}

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, otherwise PGlite in a worker
 * thread behind a private socket. Both are reached through the same `pg` + Kysely path.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl) {
    const options = config.preparedStatements === false ? undefined : directConnectionOptions;
    const pool = await openPool(config.databaseUrl, config.poolSize ?? 10, "DATABASE_URL", options);
    const db = kyselyOver(pool, config.preparedStatements);
    if (!config.replicaUrl) return { db, engine: "postgres", pool, close: () => db.destroy() };
    const replicaPool = await openPool(config.replicaUrl, config.poolSize ?? 10, "DATABASE_REPLICA_URL", options).catch(
      async (error: unknown) => {
        await db.destroy();
        throw error;
      },
    );
    const replica = kyselyOver(replicaPool, config.preparedStatements);
    return {
      db,
      replica,
      engine: "postgres",
      pool,
      close: async () => {
        await Promise.all([db.destroy(), replica.destroy()]);
      },
    };
  }
  const dataDir = config.inMemory ? undefined : path.resolve(config.dataDir ?? "./liaison-data");
  // On a full disk the embedded engine would only abort ("Aborted()"): say what is wrong instead.
  if (dataDir) assertRoomToStart(dataDir);
  const release = dataDir ? lockDataDirectory(dataDir) : () => {};
  try {
    const pgDir = dataDir ? path.join(dataDir, "pgdata") : undefined;
    const worker = await startPgliteWorker(pgDir).catch((error: unknown) => {
      const free = dataDir ? freeBytes(dataDir) : null;
      throw free !== null && free < 4 * minimumFreeBytes ? storageFull(dataDir as string, free) : error;
    });
    // PGlite is a single connection: one client in the pool keeps transactions intact.
    // One client that stays: PGlite is one database session, so a client that reconnected
    // would find the previous one's prepared statements still there.
    const pool = new pg.Pool({ host: worker.socketDir, port: 5432, user: "postgres", database: "postgres", max: 1, idleTimeoutMillis: 0 });
    pool.on("error", () => {});
    const db = kyselyOver(pool, config.preparedStatements);
    return {
      db,
      engine: "pglite",
      pool,
      dataDir,
      async close() {
        await db.destroy();
        await worker.stop();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
