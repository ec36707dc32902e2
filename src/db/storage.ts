import fs from "node:fs";
import path from "node:path";
import { AppError } from "../core/shared/errors.ts";

/** Below this much free space the embedded database is not started, and /health says the disk is full. */
export const minimumFreeBytes = 32 * 1024 * 1024;

/** Free bytes on the filesystem that holds `dir` (or its nearest existing parent); null when it cannot be told. */
export function freeBytes(dir: string): number | null {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const stats = fs.statfsSync(at);
      return stats.bavail * stats.bsize;
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return null;
      at = parent;
    }
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The error for a full disk, saying where and what to do. */
export function storageFull(where: string, free: number | null): AppError {
  return new AppError(
    "STORAGE_FULL",
    `The disk holding ${where} is full${free === null ? "" : ` (${megabytes(free)} free)`}: nothing more can be saved. Free some space (or move the data directory), then try again. Everything saved before is kept. / 磁盘已满，无法保存：请释放磁盘空间后重试，已保存的数据不受影响。`,
    { freeBytes: free },
  );
}

/** Refuses to open a data directory on a disk too full to run a database on. */
export function assertRoomToStart(dataDir: string): void {
  const free = freeBytes(dataDir);
  if (free !== null && free < minimumFreeBytes) throw storageFull(dataDir, free);
}

/**
 * What the last writes said about the storage: a write refused for lack of space marks it
 * full until a later write succeeds. /health reads it without a query, so it answers at once
 * even while a long query holds the embedded database.
 */
export const storageState = {
  fullSince: null as Date | null,
  recordFull(): void {
    this.fullSince ??= new Date();
  },
  recordWrite(): void {
    this.fullSince = null;
  },
};
