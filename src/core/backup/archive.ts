import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import tar from "tar-stream";
import { AppError } from "../shared/errors.ts";

/** What the first line of every archive says it is. */
export const backupFormat = "liaison-backup";
export const backupFormatVersion = 1;
export const manifestName = "manifest.json";

/** One entry of the archive as the manifest records it. */
export interface ManifestEntry {
  bytes: number;
  sha256: string;
}

/**
 * The archive's table of contents, written last: what made it, at which migration, and each
 * table's row count and each entry's size and checksum, so that a restore can check everything
 * before it changes anything.
 */
export interface Manifest {
  format: typeof backupFormat;
  formatVersion: number;
  appVersion: string;
  /** The last migration applied to the database backed up: a restore migrates to it, loads, then migrates forward. */
  migration: string;
  createdAt: string;
  engine: "pglite" | "postgres";
  /** Rows per table, and the entries (chunks of rows) each table is in. */
  tables: Record<string, { rows: number; entries: string[] }>;
  /** Attachments by storage key: their bytes' size and SHA-256 (the key itself for content-addressed files). */
  files: Record<string, ManifestEntry>;
  entries: Record<string, ManifestEntry>;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Writes an archive: entries of known size, then the manifest; gzip-compressed. */
export class ArchiveWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;
  readonly entries: Record<string, ManifestEntry> = {};

  private failure: Error | null = null;

  constructor(out: Writable) {
    this.done = pipeline(this.pack, createGzip({ level: 6 }), out);
    // A broken destination (a download cancelled, a full disk) fails the next add() or finish(),
    // never the process.
    this.done.catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  /** Adds one entry (its checksum goes into the manifest); rejects once the destination has failed. */
  async add(name: string, data: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.entries[name] = { bytes: data.length, sha256: sha256(data) };
    const written = new Promise<void>((resolve, reject) => {
      const entry = this.pack.entry({ name, size: data.length, mtime: new Date(0) }, data, (error) => (error ? reject(error) : resolve()));
      entry.on("error", reject);
    });
    await Promise.race([written, this.done.then(() => written)]);
  }

  /** Adds the manifest as the last entry and ends the archive. */
  async finish(manifest: Omit<Manifest, "entries">): Promise<Manifest> {
    if (this.failure) throw this.failure;
    const whole: Manifest = { ...manifest, entries: this.entries };
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ name: manifestName, mtime: new Date(0) }, JSON.stringify(whole, null, 1), (error) =>
        error ? reject(error) : resolve(),
      );
    });
    this.pack.finalize();
    await this.done;
    return whole;
  }

  /** Abandons the archive (the caller removes the partial file). */
  abort(error: Error): void {
    if (!this.pack.destroyed) this.pack.destroy(error);
  }
}

/** The refusal of an archive that cannot be trusted, in both languages. */
export function badArchive(en: string, zh: string): AppError {
  return new AppError("BAD_ARCHIVE", `${en} / ${zh}`, { reason: { en, zh } });
}

/** Reads an archive's entries in order, each as one buffer (entries are at most a chunk of rows or one file). */
export async function* readArchive(file: string): AsyncGenerator<{ name: string; data: Buffer }> {
  const extract = tar.extract();
  const source: Readable = createReadStream(file);
  const gunzip = createGunzip();
  const piping = pipeline(source, gunzip, extract).catch((error: unknown) => {
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      yield { name: entry.header.name, data: Buffer.concat(parts) };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw badArchive(
      `The archive is damaged or not a Liaison backup (${message}).`,
      `备份文件已损坏，或不是 Liaison 的备份（${message}）。`,
    );
  } finally {
    await piping;
  }
}

/**
 * Reads the whole archive once and checks it against its manifest: the format, every entry's
 * size and checksum, nothing missing and nothing added. Returns the manifest; throws BAD_ARCHIVE,
 * saying what is wrong, for a truncated, altered or foreign file.
 */
export async function verifyArchive(file: string): Promise<Manifest> {
  const seen: Record<string, ManifestEntry> = {};
  let manifest: Manifest | null = null;
  for await (const { name, data } of readArchive(file)) {
    if (manifest) throw badArchive(`The archive has entries after its manifest (${name}).`, `备份文件在清单之后还有内容（${name}）。`);
    if (name === manifestName) {
      try {
        manifest = JSON.parse(data.toString("utf8")) as Manifest;
      } catch {
        throw badArchive("The archive's manifest is not readable.", "备份文件的清单无法读取。");
      }
      continue;
    }
    seen[name] = { bytes: data.length, sha256: sha256(data) };
  }
  if (!manifest)
    throw badArchive(
      "The archive has no manifest: it is cut short or not a Liaison backup.",
      "备份文件没有清单：文件不完整，或不是 Liaison 的备份。",
    );
  if (manifest.format !== backupFormat || typeof manifest.entries !== "object" || typeof manifest.tables !== "object")
    throw badArchive("This file is not a Liaison backup.", "此文件不是 Liaison 的备份。");
  if (manifest.formatVersion > backupFormatVersion)
    throw badArchive(
      `The archive was made by a newer Liaison (format ${manifest.formatVersion}); upgrade Liaison first.`,
      `备份由较新版本的 Liaison 生成（格式 ${manifest.formatVersion}），请先升级 Liaison。`,
    );
  for (const [name, expected] of Object.entries(manifest.entries)) {
    const found = seen[name];
    if (!found) throw badArchive(`The archive lacks ${name}: it is cut short.`, `备份文件缺少 ${name}：文件不完整。`);
    if (found.bytes !== expected.bytes || found.sha256 !== expected.sha256)
      throw badArchive(
        `${name} does not match its checksum: the archive was altered or damaged.`,
        `${name} 与校验值不符：备份文件被改动或已损坏。`,
      );
  }
  const extra = Object.keys(seen).find((name) => !manifest?.entries[name]);
  if (extra) throw badArchive(`The archive holds ${extra}, which its manifest does not list.`, `备份文件中的 ${extra} 不在清单之内。`);
  return manifest;
}
