import fs from "node:fs";
import path from "node:path";
import type { Database } from "../../db/connection.ts";
import type { FileStore } from "../files/storage.ts";
import { notifyAdministrators } from "../notifications/service.ts";
import { writeBackupFile } from "./service.ts";

/** How the last scheduled backup went: what /health reports. */
export interface BackupOutcome {
  at: string;
  ok: boolean;
  file?: string;
  bytes?: number;
  ms: number;
  error?: string;
}

let last: BackupOutcome | null = null;

/** The last scheduled backup's outcome, if one ran since the start. */
export function lastScheduledBackup(): BackupOutcome | null {
  return last;
}

const archiveName = /^liaison-backup-\d{8}T\d{9}Z\.tar\.gz$/;

/** A backup archive's name, by its time to the millisecond: names sort in time and never collide. */
export function backupFileName(at = new Date()): string {
  return `liaison-backup-${at.toISOString().replace(/[-:.]/g, "")}.tar.gz`;
}

/** The scheduled backups in a folder, newest first. */
export function scheduledArchives(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => archiveName.test(name))
    .sort()
    .reverse();
}

/**
 * Takes one scheduled backup into `dir` (liaison-backup-20270511T020000000Z.tar.gz), keeps the
 * newest `keep` of them, and says how it went: in the log, in /health, and, when it failed (or
 * works again after failing), in the administrators' notifications.
 */
export async function runScheduledBackup(
  settings: { dir: string; keep: number },
  database: Pick<Database, "db" | "engine">,
  store: FileStore,
  log: (line: string) => void,
): Promise<BackupOutcome> {
  const started = Date.now();
  const file = path.join(settings.dir, backupFileName(new Date(started)));
  const failedBefore = last !== null && !last.ok;
  let outcome: BackupOutcome;
  try {
    const manifest = await writeBackupFile(database, store, file);
    const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
    outcome = { at: new Date().toISOString(), ok: true, file, bytes: fs.statSync(file).size, ms: Date.now() - started };
    for (const old of scheduledArchives(settings.dir).slice(settings.keep)) fs.rmSync(path.join(settings.dir, old), { force: true });
    log(`Backup written: ${file} (${rows} rows, ${Object.keys(manifest.files).length} files, ${outcome.bytes} bytes, ${outcome.ms} ms)`);
    if (failedBefore)
      await notifyAdministrators(database.db, {
        kind: "backup_restored",
        en: `Backups work again: ${path.basename(file)}.`,
        zh: `备份已恢复正常：${path.basename(file)}。`,
      });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { at: new Date().toISOString(), ok: false, ms: Date.now() - started, error: message };
    log(`Backup failed: ${message}`);
    await notifyAdministrators(database.db, {
      kind: "backup_failed",
      en: `The scheduled backup into ${settings.dir} failed: ${message}`,
      zh: `定时备份（${settings.dir}）失败：${message}`,
    }).catch(() => {});
  }
  last = outcome;
  return outcome;
}
