import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/connection.ts";
import { useDatabase } from "../../src/db/current.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";

/** The engine the suite runs on: PGlite unless LIAISON_TEST_DATABASE_URL names a server. */
export const testServerUrl = process.env.LIAISON_TEST_DATABASE_URL || undefined;
export const testEngine = testServerUrl ? "postgres" : "pglite";

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new database
 * created on the PostgreSQL test server and dropped again by `close()`.
 */
export async function openTestDatabase(): Promise<Database> {
  if (!testServerUrl) {
    const database = await openDatabase({ inMemory: true });
    await migrateToLatest(database.db);
    useDatabase(database);
    return database;
  }
  const name = `liaison_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testServerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  await migrateToLatest(database.db);
  useDatabase(database);
  return {
    ...database,
    async close() {
      await database.close();
      const dropper = new pg.Client({ connectionString: testServerUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
