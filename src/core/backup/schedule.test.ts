import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { administrator } from "../../../test/support/factories.ts";
import { loadConfig } from "../../config.ts";
import type { Database } from "../../db/connection.ts";
import { readiness } from "../../server/health.ts";
import { fileStore } from "../files/storage.ts";
import { listNotifications } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { verifyArchive } from "./archive.ts";
import { runScheduledBackup, scheduledArchives } from "./schedule.ts";

let database: Database;
let admin: Actor;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-scheduled-"));

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("scheduled backups", () => {
  it("keep the newest few, say how they went in /health, and tell the administrators of a failure and of the recovery", async () => {
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await runScheduledBackup({ dir, keep: 2 }, database, fileStore(), (line) => log.push(line));
      expect(outcome.ok).toBe(true);
    }
    const kept = scheduledArchives(dir);
    expect(kept).toHaveLength(2);
    for (const name of kept) await verifyArchive(path.join(dir, name));
    expect(log.at(-1)).toMatch(/^Backup written: .*liaison-backup-\d{8}T\d{9}Z\.tar\.gz \(\d+ rows, 0 files, \d+ bytes, \d+ ms\)$/);
    expect((await readiness()).backup).toMatchObject({ ok: true, file: kept[0] });

    // A folder that cannot be written: the outcome, the log and the administrators say so.
    const blocked = path.join(dir, "not-a-folder");
    fs.writeFileSync(blocked, "");
    const failed = await runScheduledBackup({ dir: blocked, keep: 2 }, database, fileStore(), (line) => log.push(line));
    expect(failed.ok).toBe(false);
    expect(log.at(-1)).toMatch(/^Backup failed: /);
    const health = await readiness();
    expect(health.backup).toMatchObject({ ok: false });
    expect(health.status).toBe("ok");
    expect(JSON.stringify(health)).not.toContain(blocked);
    const told = (await listNotifications(admin)).items.filter((n) => n.kind.startsWith("backup_"));
    expect(told.map((n) => n.kind)).toEqual(["backup_failed"]);
    expect(told[0]?.message.zh).toMatch(/^定时备份（.*）失败：/);
    await runScheduledBackup({ dir, keep: 2 }, database, fileStore(), (line) => log.push(line));
    const after = (await listNotifications(admin)).items.filter((n) => n.kind.startsWith("backup_"));
    expect(after.map((n) => n.kind)).toEqual(["backup_restored", "backup_failed"]);
  }, 120_000);

  it("are configured by a folder, a period between a minute and 24 days, and how many to keep", () => {
    expect(loadConfig({}).backup).toBeUndefined();
    expect(loadConfig({ LIAISON_BACKUP_DIR: "/srv/backups", LIAISON_BACKUP_EVERY: "6h", LIAISON_BACKUP_KEEP: "14" }).backup).toEqual({
      dir: "/srv/backups",
      everyMs: 6 * 3_600_000,
      keep: 14,
    });
    expect(loadConfig({ LIAISON_BACKUP_DIR: "/srv/backups" }).backup?.everyMs).toBe(86_400_000);
    for (const every of ["30d", "30s", "0m", "daily"])
      expect(() => loadConfig({ LIAISON_BACKUP_DIR: "/srv/backups", LIAISON_BACKUP_EVERY: every }), every).toThrow(/LIAISON_BACKUP_EVERY/);
  });
});
