import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { type StagedFile, stageUpload } from "../files/checks.ts";
import { AppError } from "../shared/errors.ts";

/** Where uploaded import files wait between the wizard's steps, by their SHA-256. */
const uploadDir = () => process.env.LIAISON_IMPORT_DIR ?? path.join(os.tmpdir(), "liaison-imports");
/** An upload not used for a day is removed. */
const keepFor = 24 * 3600_000;
/** The largest file an import takes. */
export const maxImportBytes = () => Number(process.env.LIAISON_IMPORT_MAX_MB ?? 200) * 1024 * 1024;

/**
 * Keeps an uploaded file for the wizard's next steps (sheet, mapping, preview, import) and
 * gives its id: its SHA-256, so that the same file uploaded twice is kept once.
 */
export async function keepUpload(source: Readable | Buffer, userId: number): Promise<StagedFile> {
  const staged = await stageUpload(source, maxImportBytes());
  const dir = uploadDir();
  await fs.mkdir(dir, { recursive: true });
  const target = path.join(dir, staged.sha256);
  await fs.rename(staged.path, target).catch(async () => {
    await fs.copyFile(staged.path, target);
    await fs.rm(staged.path, { force: true });
  });
  // Who uploaded it: the file is theirs to use (its hash, shown in the list of imports, opens it to no one else).
  const owners = await uploaders(staged.sha256);
  if (!owners.includes(userId)) await fs.writeFile(`${target}.users`, JSON.stringify([...owners, userId]));
  void sweep(dir);
  return { ...staged, path: target };
}

async function uploaders(fileId: string): Promise<number[]> {
  const text = await fs.readFile(path.join(uploadDir(), `${fileId}.users`), "utf8").catch(() => "[]");
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((n): n is number => typeof n === "number") : [];
  } catch {
    return [];
  }
}

/** A kept upload by its id, or a clear error when it is gone (expired, or never uploaded). */
export async function keptUpload(fileId: string, userId: number): Promise<StagedFile> {
  if (!/^[0-9a-f]{64}$/.test(fileId))
    throw new AppError("VALIDATION_FAILED", "Not a file id.", {
      fields: [{ path: "fileId", message: "Expected the id the upload gave." }],
    });
  const file = path.join(uploadDir(), fileId);
  const stat = await fs.stat(file).catch(() => null);
  // Another user's upload is not there for this one.
  if (!stat || !(await uploaders(fileId)).includes(userId))
    throw new AppError("NOT_FOUND", "The uploaded file is no longer here (uploads are kept for a day): upload it again.");
  const now = new Date();
  await fs.utimes(file, now, now).catch(() => {});
  return { path: file, size: stat.size, sha256: fileId };
}

async function sweep(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => []);
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > keepFor && !name.endsWith(".users")) {
      await fs.rm(file, { force: true }).catch(() => {});
      await fs.rm(`${file}.users`, { force: true }).catch(() => {});
    }
  }
}
