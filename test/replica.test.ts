/**
 * DATABASE_REPLICA_URL: reports, counts, the partner network and the registry's search lists read
 * from a streaming replica, every write and every other read from the primary. The test starts its
 * own primary cluster and a physical replica of it (pg_basebackup), then holds the replica back
 * (replay paused) to see which side answered.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { countEngagements } from "../src/core/engagements/counts.ts";
import { createEngagement } from "../src/core/engagements/service.ts";
import { importGeography } from "../src/core/reference/service.ts";
import type { Actor } from "../src/core/shared/actor.ts";
import { type Database, openDatabase } from "../src/db/connection.ts";
import { onReplica, useDatabase } from "../src/db/current.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import type { DB } from "../src/db/types.ts";
import { buildApp } from "../src/server/app.ts";
import { testEngine } from "./support/database.ts";
import { administrator } from "./support/factories.ts";
import { freePort } from "./support/ports.ts";

const repo = path.resolve(import.meta.dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-replica-"));
// The clusters run as the postgres user when the tests run as root: it must reach their folders.
fs.chmodSync(work, 0o755);
const cluster = (...args: string[]) =>
  execFileSync("bash", [path.join(repo, "scripts/pg-cluster.sh"), ...args], { encoding: "utf8" }).trim();

let primaryPort: number;
let replicaPort: number;
let database: Database;
let admin: Actor;
let app: FastifyInstance;
let unitId: number;

/**
 * Waits until the replica has replayed everything the primary has written so far: up to the WAL's
 * insert position, since with synchronous_commit off a commit can be acknowledged before its record
 * is written out (the write position would miss it).
 */
async function caughtUp(primary: Kysely<DB>, replica: Kysely<DB>): Promise<void> {
  const { lsn } = (await sql<{ lsn: string }>`SELECT pg_current_wal_insert_lsn()::text AS lsn`.execute(primary)).rows[0] as { lsn: string };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const replayed = await sql<{ done: boolean }>`SELECT pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS done`.execute(replica);
    if (replayed.rows[0]?.done) return;
    if (Date.now() > deadline) throw new Error(`The replica did not reach ${lsn} in 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const period = { by: "none", from: "2020-01-01", to: "2020-12-31" };
const talks = (title: string) => ({
  type: "talks",
  direction: "none",
  status: "done",
  titleEn: title,
  startDate: "2020-06-01",
  endDate: "2020-06-01",
  leadUnitId: unitId,
});

describe.runIf(testEngine === "postgres")("reads on a streaming replica (DATABASE_REPLICA_URL)", () => {
  beforeAll(async () => {
    // Ports the system hands out free at this moment: a fixed range beside the suite's other
    // servers and their outgoing connections could find one taken.
    primaryPort = await freePort();
    do replicaPort = await freePort();
    while (replicaPort === primaryPort);
    const primaryUrl = cluster("start", path.join(work, "primary"), String(primaryPort));
    const replicaUrl = cluster("replica", path.join(work, "replica"), String(replicaPort), String(primaryPort));
    const config = loadConfig({ DATABASE_URL: primaryUrl, DATABASE_REPLICA_URL: replicaUrl, LIAISON_DB_POOL_SIZE: "3" });
    database = await openDatabase({ databaseUrl: config.databaseUrl, replicaUrl: config.replicaUrl, poolSize: config.poolSize });
    await migrateToLatest(database.db);
    useDatabase(database);
    admin = await administrator();
    unitId = admin.unitId;
    await importGeography(admin);
    await createEngagement(admin, talks("Talks before the pause"));
    app = await buildApp({ resolveActor: () => admin });
    await caughtUp(database.db, database.replica as Kysely<DB>);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
    useDatabase(undefined);
    cluster("stop", path.join(work, "replica"));
    cluster("stop", path.join(work, "primary"));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("answers counts, reports and search from the replica, and everything else (writes above all) from the primary", async () => {
    const replica = database.replica as Kysely<DB>;
    expect((await sql<{ r: boolean }>`SELECT pg_is_in_recovery() AS r`.execute(replica)).rows[0]?.r).toBe(true);
    const before = (await countEngagements(admin, period)).total.engagements;
    // The replica stops replaying: what it answers from now on is the state before this point.
    await sql`SELECT pg_wal_replay_pause()`.execute(replica);
    try {
      // A write made inside a replica read goes to the primary (a replica refuses writes).
      const written = await onReplica(() => createEngagement(admin, talks("Talks during the pause")));
      expect(written.id).toBeGreaterThan(0);
      // The primary sees it; the routed reads do not, yet.
      expect((await countEngagements(admin, period)).total.engagements).toBe(before + 1);
      expect((await onReplica(() => countEngagements(admin, period))).total.engagements).toBe(before);
      const counted = await app.inject({ method: "GET", url: "/api/engagements/counts?by=none&from=2020-01-01&to=2020-12-31" });
      expect(counted.json().total.engagements).toBe(before);
      const overview = await app.inject({ method: "GET", url: "/api/reports/overview?from=2020-01-01&to=2020-12-31" });
      expect(overview.statusCode).toBe(200);
      // The engagement list and the record itself are the primary's: a user sees what they just saved.
      const list = await app.inject({ method: "GET", url: "/api/engagements?q=pause&pageSize=5" });
      expect(list.json().items.map((e: { title: { en: string } }) => e.title.en)).toContain("Talks during the pause");
      expect((await app.inject({ method: "GET", url: `/api/engagements/${written.id}` })).statusCode).toBe(200);
      // A search list of the registry is the replica's.
      const created = await app.inject({
        method: "POST",
        url: "/api/organisations",
        payload: { kind: "think_tank", countryCode: "KEN", names: [{ lang: "en", kind: "official", value: "Replica Lag Institute" }] },
      });
      expect(created.statusCode).toBe(201);
      const found = await app.inject({ method: "GET", url: "/api/organisations?q=Replica%20Lag" });
      expect(found.json().items).toEqual([]);
      expect((await app.inject({ method: "GET", url: `/api/organisations/${created.json().id}` })).statusCode).toBe(200);
    } finally {
      await sql`SELECT pg_wal_replay_resume()`.execute(replica);
    }
    // Replay resumed, the routed reads catch up.
    await caughtUp(database.db, replica);
    expect((await onReplica(() => countEngagements(admin, period))).total.engagements).toBe(before + 1);
    const found = await app.inject({ method: "GET", url: "/api/organisations?q=Replica%20Lag" });
    expect(found.json().items).toHaveLength(1);
  });

  it("falls back to the primary while the replica is down, and says so in /health", async () => {
    cluster("stop", path.join(work, "replica"));
    const total = (await countEngagements(admin, period)).total.engagements;
    expect((await onReplica(() => countEngagements(admin, period))).total.engagements).toBe(total);
    const counted = await app.inject({ method: "GET", url: "/api/engagements/counts?by=none&from=2020-01-01&to=2020-12-31" });
    expect(counted.statusCode).toBe(200);
    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json().checks).toMatchObject({ database: "ok", replica: "unreachable" });
  });

  it("needs the primary's URL beside the replica's, and names a replica it cannot reach", async () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: "postgres://127.0.0.1:1/x" })).toThrow(
      /DATABASE_REPLICA_URL is a replica of the server in DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: "postgres://127.0.0.1/x", DATABASE_REPLICA_URL: "mysql://x" })).toThrow(
      /DATABASE_REPLICA_URL must be a postgres/,
    );
    const primaryUrl = `postgres://liaison@127.0.0.1:${primaryPort}/liaison`;
    await expect(openDatabase({ databaseUrl: primaryUrl, replicaUrl: "postgres://liaison@127.0.0.1:1/liaison" })).rejects.toThrow(
      /Check DATABASE_REPLICA_URL/,
    );
  });
});
