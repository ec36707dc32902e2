import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { lastMigration } from "../src/core/backup/service.ts";
import { countEngagements } from "../src/core/engagements/counts.ts";
import { rebuildRollups } from "../src/core/engagements/rollup.ts";
import { listOrganisations } from "../src/core/organisations/service.ts";
import { openDatabase } from "../src/db/connection.ts";
import { useDatabase } from "../src/db/current.ts";
import { migrationNames } from "../src/db/migrate.ts";
import type { DB } from "../src/db/types.ts";
import { buildApp } from "../src/server/app.ts";
import { openLiaison } from "../src/server/start.ts";
import { createServerDatabase, testEngine } from "./support/database.ts";
import { rollupSnapshot } from "./support/rollups.ts";
import { signIn } from "./support/server.ts";

const fixtureDir = path.join(import.meta.dirname, "fixtures/previous-release");
const manifest = JSON.parse(fs.readFileSync(path.join(fixtureDir, "manifest.json"), "utf8")) as {
  release: string;
  migration: string;
  administrator: { username: string; password: string };
  attachment: { fileName: string; sha256: string };
  rows: Record<string, number>;
};

/** Tables the later migrations create; a new one is added here once its upgrade was thought about. */
const createdSince = [
  "calendar_feeds",
  "engagement_partner_slices",
  "engagement_place_overlaps",
  "gifts",
  "organisation_kind_bits",
  "organisation_region_bits",
  "rate_limit_windows",
  "tasks",
];
/**
 * Columns a later migration rewrites on purpose, checked on their own below; every other column
 * of every table must come out of the upgrade with the same rows. (The migrations' own table grows.)
 */
const rewritten: Record<string, string[]> = {
  // 0026 moves the visits' gift lists out of the details into the gifts register.
  engagements: ["details"],
  kysely_migration: ["name", "timestamp"],
};
/**
 * Derived tables a later migration makes anew, checked on their own below: 0029 slices the
 * counts' rollups by lead unit and classification (rebuilt from the record), so their rows change
 * while the figures they hold for every unit together must not; the rebuild works each country's
 * organisations out afresh too (strings emptied by deletes and moves are not kept); 0041 adds the
 * per-partner counts' months beside their years, which stay as they were.
 */
const remade = [
  "engagement_rollup",
  "engagement_country_rollup",
  "engagement_country_bits",
  "engagement_partner_bits",
  "engagement_partner_rollup",
  "organisation_country_bits",
];
/**
 * The counts' rollup for every unit together, restricted and not added up: what release 219a85f
 * held. The breakdowns added since (0035: country groups and topics) and the months (0036) are new rows, left out.
 */
const everyUnitCounts = (sliced: boolean) =>
  sql<{ k: string }>`SELECT year || ':' || type || ':' || direction || ':' || dim || ':' || value || ':' || sum(n) AS k
    FROM engagement_rollup WHERE ${sliced ? sql`lead_unit_id = 0 AND dim NOT IN ('group', 'topic') AND year <= 9999` : sql`true`}
    GROUP BY year, type, direction, dim, value ORDER BY 1`;
/** The per-partner counts' years, which the months added since (0041) leave as they were. */
const partnerYears = sql<{ k: string }>`SELECT dim || ':' || value || ':' || year || ':' || organisation_id || ':' || n AS k
  FROM engagement_partner_rollup WHERE year <= 9999 ORDER BY 1`;
const giftlessDetails = sql<{
  digest: string;
  gifts: number;
}>`SELECT md5(string_agg(id || ':' || (details - 'gifts')::text, ',' ORDER BY id)) AS digest,
  count(*) FILTER (WHERE details ? 'gifts')::int AS gifts FROM engagements`;

interface TableFingerprint {
  rows: number;
  columns: string[];
  digest: string;
}

/**
 * Every table's row count and a digest of its rows (each column as text, times in UTC), over the
 * columns given for it (by default all it has): equal digests mean the same rows, column for column.
 */
async function fingerprintTables(db: Kysely<DB>, columnsOf?: Map<string, string[]>): Promise<Map<string, TableFingerprint>> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL TimeZone = 'UTC'`.execute(trx);
    const columns = await sql<{ table: string; column: string }>`SELECT table_name AS "table", column_name AS "column"
      FROM information_schema.columns WHERE table_schema = 'public'
      AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
      ORDER BY 1, 2`.execute(trx);
    const all = new Map<string, string[]>();
    for (const c of columns.rows) all.set(c.table, [...(all.get(c.table) ?? []), c.column]);
    const result = new Map<string, TableFingerprint>();
    for (const [table, own] of all) {
      const chosen = columnsOf?.get(table) ?? own;
      const text =
        chosen.length === 0
          ? sql`''`
          : sql.join(
              chosen.map((c) => sql`coalesce(${sql.ref(c)}::text, '\\N')`),
              sql`, E'\\t', `,
            );
      const row = await sql<{ rows: number; digest: string }>`SELECT count(*)::int AS rows,
          md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS digest
        FROM (SELECT concat(${text}) AS r FROM ${sql.table(table)}) s`.execute(trx);
      const found = row.rows[0] ?? { rows: 0, digest: "" };
      result.set(table, { rows: found.rows, columns: chosen, digest: found.digest });
    }
    return result;
  });
}

/** The migrations a database records as applied, in order. */
async function appliedMigrations(db: Kysely<DB>): Promise<string[]> {
  return (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((m) => m.name);
}

/** Runs a plain SQL dump (no COPY, no psql commands) as one script on a database of the test server. */
async function loadDump(url: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(gunzipSync(fs.readFileSync(file)).toString("utf8"));
  } finally {
    await client.end();
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-upgrade-fixture-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe(`an upgrade from release ${manifest.release}'s data (${testEngine})`, () => {
  it("opens the data as that release left it, migrates it forward and keeps every table, row for row", async () => {
    // The embedded data directory, files included; on PostgreSQL its files go with the dump.
    execFileSync("tar", ["xzf", path.join(fixtureDir, "embedded.tar.gz"), "-C", work]);
    let databaseUrl: string | undefined;
    let drop = async () => {};
    if (testEngine === "postgres") {
      const server = await createServerDatabase();
      databaseUrl = server.url;
      drop = server.drop;
      await loadDump(databaseUrl, path.join(fixtureDir, "postgres.sql.gz"));
    }
    try {
      const old = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: work });
      let before: Map<string, TableFingerprint>;
      let whole: Map<string, TableFingerprint>;
      let oldDetails: { digest: string; gifts: number } | undefined;
      let oldMigrations: string[];
      let oldCounts: string[];
      let oldPartnerYears: string[];
      try {
        expect(await lastMigration(old.db)).toBe(manifest.migration);
        whole = await fingerprintTables(old.db);
        const kept = new Map([...whole].map(([table, f]) => [table, f.columns.filter((c) => !rewritten[table]?.includes(c))]));
        before = await fingerprintTables(old.db, kept);
        oldDetails = (await giftlessDetails.execute(old.db)).rows[0];
        oldMigrations = await appliedMigrations(old.db);
        oldCounts = (await everyUnitCounts(false).execute(old.db)).rows.map((r) => r.k);
        oldPartnerYears = (await partnerYears.execute(old.db)).rows.map((r) => r.k);
      } finally {
        await old.close();
      }
      // The fixture itself is whole: every table that release had, with its rows.
      expect(Object.fromEntries([...whole].map(([table, f]) => [table, f.rows]))).toEqual(manifest.rows);
      expect(oldDetails?.gifts).toBeGreaterThan(0);

      const config = { ...loadConfig({ LIAISON_SKIP_REFERENCE: "1", LIAISON_DEMO: "0" }), port: 0, dataDir: work, databaseUrl };
      const log: string[] = [];
      const { database, admin } = await openLiaison(config, (line) => log.push(line));
      try {
        const pending = migrationNames.filter((name) => name > manifest.migration);
        expect(pending.length).toBeGreaterThan(0);
        expect(log.join("\n")).toContain(`Applied migrations: ${pending.join(", ")}`);
        expect(await lastMigration(database.db)).toBe(migrationNames.at(-1));

        // Every table of that release is still there with the same rows in the columns it had.
        const after = await fingerprintTables(database.db, new Map([...before].map(([table, f]) => [table, f.columns])));
        const changed = [...before.keys()].filter((table) => {
          const was = before.get(table);
          const now = after.get(table);
          return table !== "kysely_migration" && (!now || now.rows !== was?.rows || now.digest !== was.digest);
        });
        expect(changed.sort()).toEqual([...remade].sort());
        expect((await everyUnitCounts(true).execute(database.db)).rows.map((r) => r.k)).toEqual(oldCounts);
        expect(oldCounts.length).toBeGreaterThan(100);
        expect((await partnerYears.execute(database.db)).rows.map((r) => r.k)).toEqual(oldPartnerYears);
        expect(oldPartnerYears.length).toBeGreaterThan(100);
        expect(await appliedMigrations(database.db)).toEqual([...oldMigrations, ...pending]);
        expect((await giftlessDetails.execute(database.db)).rows[0]).toEqual({ digest: oldDetails?.digest, gifts: 0 });
        expect([...after.keys()].filter((table) => !before.has(table)).sort()).toEqual(createdSince);

        // The counts' rollups are the record's: rebuilt from it they do not change, and the
        // leaders' figures agree with the record, breakdown by breakdown.
        const kept = await rollupSnapshot();
        await database.db.transaction().execute((trx) => rebuildRollups(trx));
        expect(await rollupSnapshot()).toEqual(kept);
        // The release's country groups and topics among them (breakdowns since 0035).
        const topic = await sql<{ id: number }>`SELECT topic_id AS id FROM engagement_topics LIMIT 1`.execute(database.db);
        expect(topic.rows.length).toBe(1);
        const questions: Array<Record<string, unknown>> = [
          ...["type", "year", "region", "unit", "country", "partnerKind", "countryGroup"].map((by) => ({ by })),
          { by: "type", topicId: topic.rows[0]?.id },
        ];
        for (const question of questions) {
          const query = { ...question, from: "2012-01-01", to: "2022-12-31" };
          const by = JSON.stringify(question);
          const fromRollups = await countEngagements(admin, query);
          expect(fromRollups.source).toBe("rollup");
          const fromRecord = await countEngagements(admin, query, { fromRecord: true });
          expect({ by, rows: fromRollups.rows, total: fromRollups.total }).toEqual({ by, rows: fromRecord.rows, total: fromRecord.total });
        }
        expect((await countEngagements(admin, { by: "none", from: "2012-01-01", to: "2022-12-31" })).total.engagements).toBeGreaterThan(
          200,
        );

        // The search text of that release's records finds them: a merged think tank by its Chinese
        // name, a party by a folded Latin spelling.
        const found = await listOrganisations(admin, { q: "全球对话研究所" });
        expect(found.items.map((o) => o.name.en)).toContain("Institute for Global Dialogue");

        // Its administrator signs in with the old password; its attachment is still the same bytes.
        const app = await buildApp({ logLevel: "error" });
        await app.listen({ port: 0, host: "127.0.0.1" });
        try {
          const address = app.server.address();
          const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
          const call = await signIn(base, manifest.administrator.username, manifest.administrator.password);
          const attachment = await sql<{ id: number; engagementId: number; fileName: string }>`
            SELECT id, engagement_id, file_name FROM engagement_attachments`.execute(database.db);
          const file = attachment.rows[0];
          expect(file?.fileName).toBe(manifest.attachment.fileName);
          const download = await call("GET", `/api/engagements/${file?.engagementId}/attachments/${file?.id}`);
          expect(download.status).toBe(200);
          expect(
            createHash("sha256")
              .update(Buffer.from(await download.arrayBuffer()))
              .digest("hex"),
          ).toBe(manifest.attachment.sha256);
          const sessions = await call("GET", "/api/auth/session");
          expect(sessions.status).toBe(200);
        } finally {
          await app.close();
        }
      } finally {
        await database.close();
        useDatabase(undefined);
      }
    } finally {
      await drop();
    }
  }, 240_000);
});
