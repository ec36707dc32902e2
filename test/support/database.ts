import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { LocalFileStore, useFileStore } from "../../src/core/files/storage.ts";
import { type Database, openDatabase } from "../../src/db/connection.ts";
import { db, useDatabase } from "../../src/db/current.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";

/** The engine the suite runs on: PGlite unless LIAISON_TEST_DATABASE_URL names a server. */
export const testServerUrl = process.env.LIAISON_TEST_DATABASE_URL || undefined;
export const testEngine = testServerUrl ? "postgres" : "pglite";

/**
 * An empty installation for tests of start-up: a fresh data directory and, on PostgreSQL, a
 * fresh database, both removed after the file's tests. Call at the top of a test file; the
 * fields are filled before the first test runs.
 */
export function freshInstallation(name: string): { dataDir: string; databaseUrl: string | undefined } {
  const installation: { dataDir: string; databaseUrl: string | undefined } = { dataDir: "", databaseUrl: undefined };
  let drop = async () => {};
  beforeAll(async () => {
    installation.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `liaison-${name}-`));
    if (testEngine === "postgres") {
      const server = await createServerDatabase();
      installation.databaseUrl = server.url;
      drop = server.drop;
    }
  });
  afterAll(async () => {
    await drop();
    fs.rmSync(installation.dataDir, { recursive: true, force: true });
  });
  return installation;
}

/** The URL of database `name` on the PostgreSQL test server. */
function serverDatabaseUrl(name: string): string {
  const url = new URL(testServerUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A connection of its own to the database the test file's records are in (PostgreSQL only), for
 * tests of two sessions at once; the caller ends it.
 */
export async function connectToTestDatabase(): Promise<pg.Client> {
  if (!testServerUrl) throw new Error("No PostgreSQL test server configured.");
  const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db());
  const client = new pg.Client(serverDatabaseUrl(rows[0]?.name as string));
  await client.connect();
  return client;
}

/** Creates an empty database on the PostgreSQL test server; returns its URL and how to drop it. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testServerUrl) throw new Error("No PostgreSQL test server configured.");
  const serverUrl = testServerUrl;
  const name = `liaison_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: serverDatabaseUrl(name),
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new database
 * created on the PostgreSQL test server and dropped again by `close()`, which also removes the
 * file store's directory.
 */
export async function openTestDatabase(): Promise<Database> {
  const files = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-files-"));
  useFileStore(new LocalFileStore(files));
  const server = testServerUrl ? await createServerDatabase() : undefined;
  const database = await openDatabase(server ? { databaseUrl: server.url, poolSize: 4 } : { inMemory: true });
  await migrateToLatest(database.db);
  useDatabase(database);
  return {
    ...database,
    async close() {
      await database.close();
      await server?.drop();
      fs.rmSync(files, { recursive: true, force: true });
    },
  };
}
