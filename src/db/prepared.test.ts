import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testEngine, testServerUrl } from "../../test/support/database.ts";
import { type Database, openDatabase } from "./connection.ts";

const opened: Database[] = [];
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const database of opened) await database.close();
  for (const drop of drops) await drop();
});

/** A fresh database of the engine under test, with or without prepared statements. */
async function open(preparedStatements: boolean): Promise<Database> {
  let database: Database;
  if (testServerUrl) {
    const server = await createServerDatabase();
    drops.push(server.drop);
    database = await openDatabase({ databaseUrl: server.url, poolSize: 1, preparedStatements });
  } else {
    database = await openDatabase({ inMemory: true, preparedStatements });
  }
  opened.push(database);
  return database;
}

/** Runs one parameterised query a few times, then lists the statements the session keeps prepared. */
async function preparedAfterRepeats(database: Database): Promise<string[]> {
  for (let i = 0; i < 5; i++) await sql`SELECT ${i}::int + 1 AS n`.execute(database.db);
  const rows = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE name LIKE 'l\\_%'`.execute(database.db);
  return rows.rows.map((r) => r.name);
}

describe(`prepared statements (${testEngine})`, () => {
  it("prepares a repeated query once per connection by default", async () => {
    expect((await preparedAfterRepeats(await open(true))).length).toBeGreaterThan(0);
  });

  it("prepares nothing when turned off, as behind PgBouncer in transaction mode, and still answers", async () => {
    const database = await open(false);
    expect(await preparedAfterRepeats(database)).toEqual([]);
    const answer = await sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(database.db);
    expect(answer.rows).toEqual([{ n: 42 }]);
  });
});

describe(`server connections (${testEngine})`, () => {
  // A scoped query's planner cost passes the JIT threshold however small the tables: compiling it
  // took 430 ms for a 30 ms engagement list. Behind a pooler the database's own setting must do.
  it.runIf(testServerUrl)("start with JIT compilation off when they reach PostgreSQL directly", async () => {
    const direct = await open(true);
    expect((await sql<{ jit: string }>`SHOW jit`.execute(direct.db)).rows).toEqual([{ jit: "off" }]);
  });
});
