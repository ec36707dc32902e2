import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/connection.ts";
import { currentDatabase } from "../../db/current.ts";
import { migrateUpTo, migrationNames } from "../../db/migrate.ts";
import type { DB } from "../../db/types.ts";
import { appVersion } from "../../paths.ts";
import { authorize } from "../access/policy.ts";
import { migrateWithRollups, refreshOrganisationBits, refreshPlaceOverlaps } from "../engagements/rollup.ts";
import { type FileStore, fileStore } from "../files/storage.ts";
import { repairStanding } from "../organisations/store.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError } from "../shared/errors.ts";
import { type Executor, writeAudit } from "../shared/mutation.ts";
import { ArchiveWriter, badArchive, type Manifest, readArchive, verifyArchive } from "./archive.ts";

/** Rows per archive entry: an entry is read whole, so it stays a few megabytes. */
const rowsPerEntry = 5000;

const quote = (name: string) => sql.id(name);

/** Every base table of the schema but the migrator's own, in the order their foreign keys allow loading them. */
export async function tablesInLoadOrder(executor: Executor): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_migration%'
      ORDER BY table_name`.execute(executor)
  ).rows.map((r) => r.name);
  const edges = (await foreignKeys(executor)).filter((k) => k.table !== k.references);
  const order: string[] = [];
  const placed = new Set<string>();
  // Parents first; a cycle (none today) is broken by name order, its links restored afterwards.
  while (order.length < tables.length) {
    const ready = tables.find((t) => !placed.has(t) && edges.every((e) => e.table !== t || placed.has(e.references)));
    const next = ready ?? tables.find((t) => !placed.has(t));
    if (!next) break;
    order.push(next);
    placed.add(next);
  }
  return order;
}

async function foreignKeys(executor: Executor) {
  return (
    await sql<{ table: string; references: string; columns: string[] }>`SELECT c.conrelid::regclass::text AS table,
        c.confrelid::regclass::text AS references,
        array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)) AS columns
      FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`.execute(executor)
  ).rows.map((k) => ({ ...k, table: k.table.replace(/"/g, ""), references: k.references.replace(/"/g, "") }));
}

export async function columnsOf(executor: Executor, table: string) {
  return (
    await sql<{ name: string; generated: boolean; nullable: boolean; serial: boolean }>`SELECT column_name AS name,
        is_generated <> 'NEVER' AS generated, is_nullable = 'YES' AS nullable,
        (is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval(%') AS serial
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(executor)
  ).rows;
}

export async function primaryKeyOf(executor: Executor, table: string): Promise<string[]> {
  return (
    await sql<{ name: string }>`SELECT a.attname AS name FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = ${table}::regclass AND i.indisprimary`.execute(executor)
  ).rows.map((r) => r.name);
}

export async function lastMigration(executor: Executor): Promise<string> {
  const row = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1`.execute(executor);
  return row.rows[0]?.name ?? "";
}

export type BackupProgress = (table: string, rows: number) => void;

/**
 * Writes a consistent backup of the whole database and its attachments to `out`: every table
 * (the audit log, sessions and tokens included) read in one repeatable-read, read-only
 * snapshot, so that rows written meanwhile are either all in it or all out; the attachments the
 * records point at; and a manifest with the migration level, each table's row count and each
 * entry's checksum. The same archive restores into either engine.
 */
export async function writeBackup(
  database: Pick<Database, "db" | "engine">,
  store: FileStore,
  out: Writable,
  progress: BackupProgress = () => {},
): Promise<Manifest> {
  const writer = new ArchiveWriter(out);
  try {
    const tables: Manifest["tables"] = {};
    const files: Manifest["files"] = {};
    const { migration } = await database.db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (trx) => {
        await sql`SET TRANSACTION READ ONLY`.execute(trx);
        const migration = await lastMigration(trx);
        for (const table of await tablesInLoadOrder(trx)) {
          const generated = (await columnsOf(trx, table)).filter((c) => c.generated).map((c) => c.name);
          await sql`DECLARE backup_rows NO SCROLL CURSOR FOR
            SELECT (to_jsonb(t) - ${generated}::text[])::text AS row FROM ${quote(table)} t`.execute(trx);
          const entries: string[] = [];
          let rows = 0;
          for (;;) {
            const chunk = await sql<{ row: string }>`FETCH ${sql.raw(String(rowsPerEntry))} FROM backup_rows`.execute(trx);
            if (chunk.rows.length === 0) break;
            const name = `tables/${table}/${String(entries.length + 1).padStart(6, "0")}.jsonl`;
            await writer.add(name, Buffer.from(`${chunk.rows.map((r) => r.row).join("\n")}\n`, "utf8"));
            entries.push(name);
            rows += chunk.rows.length;
            progress(table, rows);
          }
          await sql`CLOSE backup_rows`.execute(trx);
          tables[table] = { rows, entries };
        }
        const keys = await sql<{ key: string }>`SELECT DISTINCT storage_key AS key FROM engagement_attachments ORDER BY 1`.execute(trx);
        for (const { key } of keys.rows) {
          const data = await store.get(key);
          await writer.add(`files/${key}`, data);
          files[key] = writer.entries[`files/${key}`] as { bytes: number; sha256: string };
        }
        return { migration };
      });
    return await writer.finish({
      format: "liaison-backup",
      formatVersion: 1,
      appVersion,
      migration,
      createdAt: new Date().toISOString(),
      engine: database.engine,
      tables,
      files,
    });
  } catch (error) {
    writer.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/**
 * A backup written to a file: to a temporary name first, renamed when whole, so that a file
 * under the final name is always a complete archive (a crash leaves only a `.partial`).
 */
export async function writeBackupFile(
  database: Pick<Database, "db" | "engine">,
  store: FileStore,
  file: string,
  progress?: BackupProgress,
): Promise<Manifest> {
  const partial = `${file}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  try {
    const manifest = await writeBackup(database, store, out, progress);
    const handle = fs.openSync(partial, "r+");
    fs.fsyncSync(handle);
    fs.closeSync(handle);
    fs.renameSync(partial, file);
    return manifest;
  } catch (error) {
    out.destroy();
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** The administrator's backup through the API: the whole installation, so administrators with clearance only. */
export function authorizeBackup(actor: Actor): void {
  authorize(actor, "data.export");
  if (!actor.clearance) throw new AppError("FORBIDDEN", "A backup holds restricted records: it needs clearance.");
}

/**
 * Checks that the actor may take a backup and audits the request (who, when), then returns
 * the writer of the archive to a file: the database the server holds and its attachments. The
 * server writes the file first and sends it afterwards, so that a slow download never holds the
 * database's snapshot (on the embedded engine, its only session) open.
 */
export async function prepareBackup(actor: Actor): Promise<(file: string) => Promise<Manifest>> {
  authorizeBackup(actor);
  const database = currentDatabase();
  await writeAudit(database.db, actor, {
    entity: "export",
    entityId: null,
    action: "backup",
    after: { engine: database.engine },
    restricted: true,
  });
  const store = fileStore();
  return (file) => writeBackupFile(database, store, file);
}

/** Refuses a target that holds anything but an empty schema: a restore never merges into records. */
async function assertEmptyTarget(db: Kysely<DB>, migration: string): Promise<void> {
  const exists = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name IN ('users', 'kysely_migration')`.execute(db);
  if ((exists.rows[0]?.n ?? 0) < 2) return;
  const used = await sql<{ n: number }>`SELECT ((SELECT count(*) FROM users) + (SELECT count(*) FROM organisations)
    + (SELECT count(*) FROM engagements) + (SELECT count(*) FROM audit_log))::int AS n`.execute(db);
  if ((used.rows[0]?.n ?? 0) > 0)
    throw new AppError(
      "CONFLICT",
      "The target database already holds records: restore into an empty data directory or database. / 目标数据库中已有数据：请恢复到空的数据目录或数据库。",
    );
  const level = await lastMigration(db);
  if (level > migration)
    throw new AppError(
      "CONFLICT",
      `The target was prepared by a later version (${level}) than the archive (${migration}): restore into an empty data directory or database. / 目标数据库的版本比备份新，请恢复到空的数据目录或数据库。`,
    );
}

export interface RestoreSummary {
  /** The migration the archive or export was made at. */
  migration: string;
  /** Rows restored, per table. */
  tableRows: Record<string, number>;
  rows: number;
  files: number;
  /** Migrations applied after loading: the archive came from an older version. */
  migrated: string[];
}

/**
 * Restores an archive into an empty database. The whole archive is read and checked against
 * its manifest first (a truncated, altered or foreign file changes nothing); then the schema is
 * brought to the archive's migration level, every table is loaded in one transaction (a crash
 * leaves the target empty, ready for the next run) while the attachments are written to the
 * store on the same pass, and the migrations since the archive was made are applied.
 */
export async function restoreBackup(
  database: Pick<Database, "db">,
  store: FileStore,
  file: string,
  progress: BackupProgress = () => {},
): Promise<RestoreSummary> {
  const manifest = await verifyArchive(file);
  if (!migrationNames.includes(manifest.migration))
    throw badArchive(
      `The archive was made by a newer Liaison (migration ${manifest.migration}); upgrade Liaison first.`,
      `备份由较新版本的 Liaison 生成（${manifest.migration}），请先升级 Liaison。`,
    );
  const db = database.db;
  await assertEmptyTarget(db, manifest.migration);
  await migrateUpTo(db, manifest.migration);
  const tables = await tablesInLoadOrder(db);
  const missing = tables.filter((t) => !manifest.tables[t]);
  const foreign = Object.keys(manifest.tables).filter((t) => !tables.includes(t));
  if (missing.length || foreign.length)
    throw badArchive(
      `The archive's tables do not match migration ${manifest.migration} (${[...missing, ...foreign].join(", ")}).`,
      `备份中的数据表与版本 ${manifest.migration} 不符（${[...missing, ...foreign].join("、")}）。`,
    );
  const rows = await loadTables(db, tables, archiveChunks(file, store), progress, (table) => manifest.tables[table]?.rows ?? 0);
  // Forward to this version; the counts' rollups are rebuilt when a migration changed what they hold.
  const { applied: migrated } = await migrateWithRollups(db);
  const tableRows = Object.fromEntries(Object.entries(manifest.tables).map(([t, v]) => [t, v.rows]));
  return { migration: manifest.migration, tableRows, rows, files: Object.keys(manifest.files).length, migrated };
}

/** A column name as the export writes it (organisation_id → organisationId), and back. */
export const camelOf = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snakeOf = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Reads a full JSON export (`liaison export`, `GET /api/export`) back into an empty database: the
 * schema at the export's migration, every table the export holds, then the migrations since. An
 * export leaves out secrets: restored, users have no passwords (the administrator's is set again by
 * LIAISON_ADMIN_PASSWORD at the next start, the others by an administrator), sessions, API tokens
 * and calendar feeds are empty, and attachments' bytes, which an export does not carry, are missing.
 */
export async function restoreExport(
  database: Pick<Database, "db">,
  file: string,
  progress: BackupProgress = () => {},
): Promise<RestoreSummary> {
  let data: { format?: unknown; version?: unknown; migration?: unknown; tables?: unknown };
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8")) as typeof data;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badArchive(`The export is not readable JSON (${message}).`, `导出文件不是可读的 JSON（${message}）。`);
  }
  if (data.format !== "liaison-export" || data.version !== 1 || typeof data.tables !== "object" || data.tables === null)
    throw badArchive("This file is not a Liaison export.", "此文件不是 Liaison 的导出文件。");
  const migration = typeof data.migration === "string" ? data.migration : (migrationNames.at(-1) as string);
  if (!migrationNames.includes(migration))
    throw badArchive(
      `The export was made by a newer Liaison (migration ${migration}); upgrade Liaison first.`,
      `导出文件由较新版本的 Liaison 生成，请先升级 Liaison。`,
    );
  const exported = data.tables as Record<string, unknown>;
  const db = database.db;
  await assertEmptyTarget(db, migration);
  await migrateUpTo(db, migration);
  const tables = await tablesInLoadOrder(db);
  const foreign = Object.keys(exported).filter((name) => !tables.includes(snakeOf(name)));
  if (foreign.length)
    throw badArchive(
      `The export holds tables this version does not have (${foreign.join(", ")}).`,
      `导出文件中有本版本没有的数据表（${foreign.join("、")}）。`,
    );
  const rowsOf = (table: string) => {
    const rows = exported[camelOf(table)];
    return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
  };
  async function* chunks() {
    for (const table of tables) {
      const rows = rowsOf(table);
      for (let i = 0; i < rows.length; i += rowsPerEntry)
        yield {
          table,
          rows: rows.slice(i, i + rowsPerEntry).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [snakeOf(k), v]))),
        };
    }
  }
  const rows = await loadTables(db, tables, chunks(), progress, (table) => rowsOf(table).length);
  // Forward to this version; the counts' rollups are rebuilt when a migration changed what they hold.
  const { applied: migrated } = await migrateWithRollups(db);
  // An export is read table by table, not as one snapshot: what ranks a partner, each country's
  // and kind's organisations as the counts' masks, and the engagements that reached two places of
  // one family are worked out again.
  await repairStanding(db, { all: true });
  await refreshOrganisationBits(db);
  await refreshPlaceOverlaps(db, null);
  const tableRows = Object.fromEntries(tables.map((t) => [t, rowsOf(t).length]));
  return { migration, tableRows, rows, files: 0, migrated };
}

/**
 * The rows of an archive's table entries, a chunk at a time, in the archive's order; its
 * attachments, met on the same pass, go to the store (content-addressed: one written twice, or
 * left by a load that failed, is the same file).
 */
async function* archiveChunks(file: string, store: FileStore): AsyncGenerator<{ table: string; rows: Array<Record<string, unknown>> }> {
  for await (const { name, data } of readArchive(file)) {
    if (name.startsWith("files/")) {
      await restoreFile(store, name.slice("files/".length), data);
      continue;
    }
    const match = /^tables\/([^/]+)\/\d+\.jsonl$/.exec(name);
    if (!match) continue;
    const rows = data
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    yield { table: match[1] as string, rows };
  }
}

/**
 * Writes one attachment of an archive to the store. Attachments are stored under their own
 * SHA-256: a key of any other shape, or bytes that do not hash to their key, are not Liaison's,
 * and never reach the store.
 */
async function restoreFile(store: FileStore, key: string, data: Buffer): Promise<void> {
  const match = /^attachments\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  if (!match?.[2]?.startsWith(match[1] ?? "") || createHash("sha256").update(data).digest("hex") !== match[2])
    throw badArchive(
      `The archive holds a file that is not an attachment of Liaison's (${key}).`,
      `备份中有不属于 Liaison 附件的文件（${key}）。`,
    );
  await store.put(key, data, "application/octet-stream");
}

/**
 * Loads rows into an empty schema's tables in one transaction: the tables' own triggers off (the
 * audit log's append-only guard, derived counts: the rows go in as they were), a table's links
 * to rows not loaded yet (a reply to a later letter, a table's parent not yet in) set once
 * everything is in, the id sequences moved past the highest id, and each table's count checked.
 * Only the schema's own tables are written, whatever the source names.
 */
async function loadTables(
  db: Kysely<DB>,
  tables: string[],
  chunks: AsyncIterable<{ table: string; rows: Array<Record<string, unknown>> }>,
  progress: BackupProgress,
  expectedRows: (table: string) => number,
): Promise<number> {
  const keys = await foreignKeys(db);
  let total = 0;
  await db.transaction().execute(async (trx) => {
    for (const table of tables) await sql`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`.execute(trx);
    await sql`TRUNCATE ${sql.join(tables.map(quote))} RESTART IDENTITY`.execute(trx);
    const loaded = new Set<string>();
    const plans = new Map<string, { columns: string[]; deferred: string[]; key: string[] }>();
    const later: Array<{ table: string; key: string[]; deferred: string[]; rows: Array<Record<string, unknown>> }> = [];
    const planOf = async (table: string) => {
      const known = plans.get(table);
      if (known) return known;
      const columns = await columnsOf(trx, table);
      const deferred = keys.filter((k) => k.table === table && !loaded.has(k.references)).flatMap((k) => k.columns);
      const strict = columns.find((c) => deferred.includes(c.name) && !c.nullable);
      if (strict) throw new AppError("INTERNAL", `Cannot restore ${table}: ${strict.name} links ahead and may not be empty.`);
      const plan = {
        columns: columns.filter((c) => !c.generated).map((c) => c.name),
        deferred,
        key: deferred.length ? await primaryKeyOf(trx, table) : [],
      };
      plans.set(table, plan);
      return plan;
    };
    let current = "";
    for await (const { table, rows } of chunks) {
      if (!tables.includes(table))
        throw badArchive(`The file names a table this version does not have (${table}).`, `文件中有本版本没有的数据表（${table}）。`);
      if (table !== current) {
        if (current) loaded.add(current);
        current = table;
      }
      const plan = await planOf(table);
      if (plan.deferred.length) {
        const links = rows.filter((r) => plan.deferred.some((c) => r[c] !== null && r[c] !== undefined));
        if (links.length)
          later.push({ table, key: plan.key, deferred: plan.deferred, rows: links.map((r) => pick(r, [...plan.key, ...plan.deferred])) });
        for (const r of rows) for (const c of plan.deferred) r[c] = null;
      }
      const list = sql.join(plan.columns.map(quote));
      await sql`INSERT INTO ${quote(table)} (${list}) OVERRIDING SYSTEM VALUE
        SELECT ${list} FROM jsonb_populate_recordset(NULL::${quote(table)}, ${JSON.stringify(rows)}::jsonb)`.execute(trx);
      total += rows.length;
      progress(table, total);
    }
    for (const link of later) {
      const set = sql.join(link.deferred.map((c) => sql`${quote(c)} = v.${quote(c)}`));
      const where = sql.join(
        link.key.map((c) => sql`x.${quote(c)} = v.${quote(c)}`),
        sql` AND `,
      );
      for (let i = 0; i < link.rows.length; i += rowsPerEntry) {
        const batch = JSON.stringify(link.rows.slice(i, i + rowsPerEntry));
        await sql`UPDATE ${quote(link.table)} AS x SET ${set}
          FROM jsonb_populate_recordset(NULL::${quote(link.table)}, ${batch}::jsonb) AS v WHERE ${where}`.execute(trx);
      }
    }
    for (const table of tables) await sql`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`.execute(trx);
    for (const table of tables) {
      for (const column of (await columnsOf(trx, table)).filter((c) => c.serial)) {
        await sql`SELECT setval(pg_get_serial_sequence(${`"${table}"`}, ${column.name}), coalesce(max(${quote(column.name)}), 0) + 1, false)
          FROM ${quote(table)}`.execute(trx);
      }
      const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${quote(table)}`.execute(trx);
      if (count.rows[0]?.n !== expectedRows(table))
        throw badArchive(`${table} restored ${count.rows[0]?.n} rows, not ${expectedRows(table)}.`, `${table} 恢复的行数与文件不符。`);
    }
  });
  return total;
}

function pick(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k]]));
}
