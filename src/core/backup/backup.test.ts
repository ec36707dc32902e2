import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { type Kysely, sql } from "kysely";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, openTestDatabase, testEngine, testServerUrl } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, insertOrganisation } from "../../../test/support/factories.ts";
import { type Database, openDatabase } from "../../db/connection.ts";
import { db, useDatabase } from "../../db/current.ts";
import { migrateToLatest, migrateUpTo } from "../../db/migrate.ts";
import type { DB } from "../../db/types.ts";
import { seedDemo } from "../demo/service.ts";
import { addAttachment, createEngagement } from "../engagements/service.ts";
import { prepareFullExport } from "../export/service.ts";
import { fileStore, LocalFileStore } from "../files/storage.ts";
import { createGift } from "../gifts/service.ts";
import { standingDrift } from "../organisations/store.ts";
import { importReference } from "../reference/service.ts";
import { createTask } from "../tasks/service.ts";
import { verifyArchive } from "./archive.ts";
import { restoreBackup, restoreExport, writeBackupFile } from "./service.ts";

let source: Database;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-backup-"));
const archive = path.join(work, "office.tar.gz");
const pdf = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

beforeAll(async () => {
  source = await openTestDatabase();
  const admin = await administrator();
  await importReference(admin);
  await seedDemo(admin);
  const editor = await actorInFreshUnit("editor");
  const letter = await createEngagement(editor, {
    type: "correspondence",
    direction: "received",
    subtype: "congratulatory_message",
    titleZh: "贺电",
    startDate: "2024-10-01",
    leadUnitId: editor.unitId,
  });
  // A reply points at the letter it answers: a link within one table, restored after the rows.
  const reply = await createEngagement(editor, {
    type: "correspondence",
    direction: "sent",
    subtype: "reply",
    titleZh: "复电",
    startDate: "2024-10-03",
    leadUnitId: editor.unitId,
    inReplyToId: letter.id,
  });
  await sql`UPDATE engagements SET in_reply_to_id = ${reply.id} WHERE id = ${letter.id}`.execute(db());
  await addAttachment(editor, letter.id, { fileName: "贺电.pdf", contentType: "application/pdf", data: pdf });
  await createGift(editor, { engagementId: letter.id, given: false, description: "纪念册" });
  await createTask(editor, { engagementId: letter.id, title: "复电" });
  // Talks that reached China and Hong Kong at once, which by place count once (a place overlap).
  await createEngagement(editor, {
    type: "talks",
    direction: "none",
    titleZh: "会谈",
    status: "done",
    startDate: "2024-10-05",
    leadUnitId: editor.unitId,
    participants: [
      { organisationId: await insertOrganisation("political_party", "CHN"), role: "guest" },
      { organisationId: await insertOrganisation("political_party", "HKG"), role: "guest" },
    ],
  });
}, 600_000);
afterAll(async () => {
  await source?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every table's rows, as one digest per table: equal digests mean the same rows, value for value. */
async function fingerprint(target: Kysely<DB>): Promise<Record<string, string>> {
  return target.transaction().execute(async (trx) => {
    await sql`SET LOCAL TimeZone = 'UTC'`.execute(trx);
    const tables = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_migration%' ORDER BY 1`.execute(trx);
    const digest: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const row = await sql<{
        d: string;
        n: number;
      }>`SELECT md5(coalesce(string_agg(to_jsonb(t)::text, '|' ORDER BY to_jsonb(t)::text), '')) AS d,
        count(*)::int AS n FROM ${sql.table(name)} t`.execute(trx);
      digest[name] = `${row.rows[0]?.n}:${row.rows[0]?.d}`;
    }
    return digest;
  });
}

/** An empty target of the given engine and its own file store; `close` removes it. */
async function emptyTarget(engine: "pglite" | "postgres") {
  const files = new LocalFileStore(fs.mkdtempSync(path.join(work, "files-")));
  if (engine === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(work, "data-"));
    const database = await openDatabase({ dataDir });
    return { database, files, close: () => database.close() };
  }
  const server = await createServerDatabase();
  const database = await openDatabase({ databaseUrl: server.url, poolSize: 2 });
  return {
    database,
    files,
    close: async () => {
      await database.close();
      await server.drop();
    },
  };
}

const targets = testServerUrl ? (["pglite", "postgres"] as const) : (["pglite"] as const);

describe(`a backup (${testEngine})`, () => {
  it("is consistent while others write: a row committed during the backup is not half in it", async () => {
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM engagements`.execute(db())).rows[0]?.n ?? 0;
    const editor = await actorInFreshUnit("editor");
    let write: Promise<unknown> | undefined;
    const manifest = await writeBackupFile(source, fileStore(), archive, (table) => {
      // Once the snapshot is taken, another user records an engagement: it commits after the
      // snapshot (PostgreSQL) or waits for the backup (the embedded engine), and is not in it.
      if (table === "audit_log" && !write)
        write = createEngagement(editor, {
          type: "talks",
          direction: "none",
          titleZh: "备份期间的会谈",
          startDate: "2024-11-01",
          leadUnitId: editor.unitId,
        });
    });
    await write;
    expect(manifest.tables.engagements?.rows).toBe(before);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM engagements`.execute(db())).rows[0]?.n).toBe(before + 1);
    expect(manifest.migration).toMatch(/^\d{4}_/);
    expect(Object.keys(manifest.files)).toHaveLength(1);
    expect(manifest.tables.audit_log?.rows).toBeGreaterThan(0);
    expect(manifest.tables.sessions).toBeDefined();
    // Taken again now, for the round trips below to compare with the source as it is.
    await writeBackupFile(source, fileStore(), archive);
    await verifyArchive(archive);
  }, 600_000);

  for (const engine of targets) {
    it(`restores into an empty ${engine} database: every table row for row, every attachment byte for byte`, async () => {
      const target = await emptyTarget(engine);
      try {
        const summary = await restoreBackup(target.database, target.files, archive);
        expect(summary.migrated).toEqual([]);
        expect(await fingerprint(target.database.db)).toEqual(await fingerprint(source.db));
        const keys = await sql<{ key: string }>`SELECT storage_key AS key FROM engagement_attachments`.execute(target.database.db);
        expect(keys.rows).toHaveLength(1);
        for (const { key } of keys.rows) expect(Buffer.compare(await target.files.get(key), await fileStore().get(key))).toBe(0);
        // The restored installation goes on: new rows take new ids.
        const next = await sql<{ id: number }>`INSERT INTO units (parent_id, kind, key, name_en, name_zh)
          VALUES (NULL, 'bureau', 'after-restore', 'After', '恢复后') RETURNING id`.execute(target.database.db);
        const highest = await sql<{ id: number }>`SELECT max(id)::int AS id FROM units WHERE key <> 'after-restore'`.execute(source.db);
        expect(next.rows[0]?.id).toBeGreaterThan(highest.rows[0]?.id ?? 0);
        // A second restore into the same (no longer empty) database is refused.
        await expect(restoreBackup(target.database, target.files, archive)).rejects.toMatchObject({ code: "CONFLICT" });
      } finally {
        await target.close();
      }
    }, 600_000);
  }

  it("refuses a truncated, altered or foreign archive with a clear message, changing nothing", async () => {
    const bytes = fs.readFileSync(archive);
    const variants: Array<[string, Buffer]> = [
      ["truncated", bytes.subarray(0, Math.floor(bytes.length * 0.6))],
      ["cut at the end", bytes.subarray(0, bytes.length - 40)],
      ["a flipped byte", Buffer.from(bytes.map((b, i) => (i === Math.floor(bytes.length / 2) ? b ^ 0xff : b)))],
      ["not an archive", Buffer.from("id,name\n1,Party\n")],
      ["an empty file", Buffer.alloc(0)],
    ];
    const target = await emptyTarget("pglite");
    try {
      for (const [what, content] of variants) {
        const bad = path.join(work, "bad.tar.gz");
        fs.writeFileSync(bad, content);
        const refusal = await restoreBackup(target.database, target.files, bad).then(
          () => null,
          (error: unknown) => error as { code: string; message: string },
        );
        expect(refusal?.code, what).toBe("BAD_ARCHIVE");
        expect(refusal?.message, what).toMatch(/备份/);
      }
      // An archive whose entry was changed and re-packed: its checksum gives it away.
      const altered = path.join(work, "altered.tar.gz");
      await repack(archive, altered, (name, data) =>
        name.startsWith("tables/organisations/")
          ? Buffer.from(data.toString("utf8").replace(/"name_en": "[^"]*"/, '"name_en": "Forged"'))
          : data,
      );
      await expect(restoreBackup(target.database, target.files, altered)).rejects.toMatchObject({
        code: "BAD_ARCHIVE",
        message: expect.stringMatching(/does not match its checksum/),
      });
      // Nothing was changed: the target has no tables at all.
      const tables = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`.execute(target.database.db);
      expect(tables.rows[0]?.n).toBe(0);
    } finally {
      await target.close();
    }
  }, 600_000);

  it("restores an archive of an older version and migrates it forward", async () => {
    const older = await emptyTarget(testEngine);
    const target = await emptyTarget("pglite");
    try {
      await migrateUpTo(older.database.db, "0025_part_of");
      const unit = await sql<{ id: number }>`INSERT INTO units (parent_id, kind, key, name_en, name_zh)
        VALUES (NULL, 'bureau', 'old', 'Old bureau', '旧局') RETURNING id`.execute(older.database.db);
      await sql`INSERT INTO engagements (type, direction, status, title_en, start_date, end_date, lead_unit_id, details)
        VALUES ('visit', 'received', 'done', 'Visit of 2024', '2024-05-05', '2024-05-07', ${unit.rows[0]?.id},
          ${JSON.stringify({ gifts: [{ description: "景泰蓝花瓶", given: true }] })}::jsonb)`.execute(older.database.db);
      const old = path.join(work, "older.tar.gz");
      const manifest = await writeBackupFile(older.database, older.files, old);
      expect(manifest.migration).toBe("0025_part_of");
      const summary = await restoreBackup(target.database, target.files, old);
      expect(summary.migrated).toContain("0026_gifts");
      const gifts = await sql<{ description: string }>`SELECT description FROM gifts`.execute(target.database.db);
      expect(gifts.rows).toEqual([{ description: "景泰蓝花瓶" }]);
      // Migrations since then changed what the counts' rollups hold: they were rebuilt from the record.
      expect(summary.migrated).toContain("0036_monthly_rollups");
      // A migration that rewrote the organisations (the standing a search ranks by) left them vacuumed.
      expect(summary.migrated).toContain("0037_search_standing");
      const vacuumed = await sql<{ at: string | null }>`SELECT last_vacuum::text AS at FROM pg_stat_user_tables
        WHERE relname = 'organisations'`.execute(target.database.db);
      expect(vacuumed.rows[0]?.at).not.toBeNull();
      const counted = await sql<{ unit: number; n: number }>`SELECT lead_unit_id AS unit, n FROM engagement_rollup
        WHERE dim = 'all' AND year = 2024 ORDER BY 1`.execute(target.database.db);
      expect(counted.rows).toEqual([
        { unit: 0, n: 1 },
        { unit: unit.rows[0]?.id, n: 1 },
      ]);
      await migrateToLatest(target.database.db);
    } finally {
      await older.close();
      await target.close();
    }
  }, 600_000);

  it("reads the full JSON export back into an empty database: every table but the secrets, row for row", async () => {
    const exported = path.join(work, "export.json");
    const out = fs.createWriteStream(exported);
    const run = await prepareFullExport(await administrator());
    await run((chunk) => (out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once("drain", () => resolve()))));
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const target = await emptyTarget("pglite");
    try {
      const summary = await restoreExport(target.database, exported);
      expect(summary.migrated).toEqual([]);
      // Secrets are not exported; the audit log has gained the export's own "completed" row since.
      const secret = ["sessions", "api_tokens", "login_failures", "calendar_feeds", "health_probe", "users", "audit_log"];
      const compared = (digest: Record<string, string>) => Object.fromEntries(Object.entries(digest).filter(([t]) => !secret.includes(t)));
      expect(compared(await fingerprint(target.database.db))).toEqual(compared(await fingerprint(source.db)));
      const users = async (on: Kysely<DB>) =>
        (
          await sql<{ u: string }>`SELECT string_agg(username || ':' || (password_hash IS NULL), ',' ORDER BY id) AS u FROM users`.execute(
            on,
          )
        ).rows[0]?.u;
      expect(await users(target.database.db)).toBe((await users(source.db))?.replace(/:false/g, ":true"));
      const audit = async (on: Kysely<DB>) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(on)).rows[0]?.n ?? 0;
      expect(await audit(target.database.db)).toBe((await audit(source.db)) - 1);
      // An export read while partners were being engaged can carry organisations that disagree with
      // their participants: what ranks them is worked out again on the way in.
      const skewed = path.join(work, "skewed.json");
      const data = JSON.parse(fs.readFileSync(exported, "utf8")) as {
        tables: { organisations: Array<Record<string, unknown>>; engagementPlaceOverlaps: unknown[] };
      };
      for (const o of data.tables.organisations) Object.assign(o, { engaged: false, relationshipLevel: null, governing: "{}" });
      // Nor need the engagements that reached two places of one family agree with their participants.
      expect(data.tables.engagementPlaceOverlaps.length).toBeGreaterThan(0);
      data.tables.engagementPlaceOverlaps = [];
      fs.writeFileSync(skewed, JSON.stringify(data));
      const overlaps = async (on: Kysely<DB>) =>
        (
          await sql<{ k: string }>`SELECT engagement_id || ':' || key || ':' || array_to_string(countries, ',') AS k
            FROM engagement_place_overlaps ORDER BY 1`.execute(on)
        ).rows.map((r) => r.k);
      expect((await overlaps(source.db)).length).toBeGreaterThan(0);
      const engagedIn = async (on: Kysely<DB>) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM organisations WHERE engaged`.execute(on)).rows[0]?.n ?? 0;
      expect(await engagedIn(source.db)).toBeGreaterThan(0);
      const repaired = await emptyTarget("pglite");
      try {
        await restoreExport(repaired.database, skewed);
        expect(await standingDrift(repaired.database.db)).toEqual([]);
        expect(await engagedIn(repaired.database.db)).toBe(await engagedIn(source.db));
        expect(await overlaps(repaired.database.db)).toEqual(await overlaps(source.db));
      } finally {
        await repaired.close();
      }
      // Not an export, or not into an empty place: refused.
      await expect(restoreExport(target.database, exported)).rejects.toMatchObject({ code: "CONFLICT" });
      const fresh = await emptyTarget("pglite");
      await expect(restoreExport(fresh.database, archive)).rejects.toMatchObject({ code: "BAD_ARCHIVE" });
      await fresh.close();
    } finally {
      await target.close();
    }
  }, 600_000);

  it.runIf(testServerUrl)(
    "moves an office from the embedded engine to PostgreSQL and back",
    async () => {
      const embedded = await emptyTarget("pglite");
      const server = await emptyTarget("postgres");
      const back = await emptyTarget("pglite");
      const serverDb = db;
      try {
        await restoreBackup(embedded.database, embedded.files, archive);
        const fromEmbedded = path.join(work, "embedded.tar.gz");
        const manifest = await writeBackupFile(embedded.database, embedded.files, fromEmbedded);
        expect(manifest.engine).toBe("pglite");
        await restoreBackup(server.database, server.files, fromEmbedded);
        expect(await fingerprint(server.database.db)).toEqual(await fingerprint(embedded.database.db));
        const fromServer = path.join(work, "server.tar.gz");
        await writeBackupFile(server.database, server.files, fromServer);
        await restoreBackup(back.database, back.files, fromServer);
        expect(await fingerprint(back.database.db)).toEqual(await fingerprint(embedded.database.db));
        expect(serverDb).toBe(db);
      } finally {
        useDatabase(source);
        await embedded.close();
        await server.close();
        await back.close();
      }
    },
    900_000,
  );
});

/** Copies an archive entry by entry, changing entries' contents and keeping its manifest as it was. */
async function repack(from: string, to: string, change: (name: string, data: Buffer) => Buffer): Promise<void> {
  const { readArchive } = await import("./archive.ts");
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), fs.createWriteStream(to));
  for await (const { name, data } of readArchive(from)) {
    const next = change(name, data);
    await new Promise<void>((resolve, reject) => pack.entry({ name, size: next.length }, next, (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await done;
}
