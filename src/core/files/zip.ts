import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInflateRaw } from "node:zlib";

/**
 * ZIP archives read by their central directory (random access), never by walking the file in
 * order: an office document's parts may come in any order, and the directory is what the
 * archive says it holds. Used to check an attachment's parts and to read workbooks.
 */

/** Why an archive cannot be read: damaged (or not a ZIP), its parts encrypted, or a part larger than allowed. */
export class ZipError extends Error {
  constructor(readonly kind: "damaged" | "encrypted" | "too-large") {
    super(`ZIP archive: ${kind}`);
  }
}

/** One part of an archive: its name as stored, and where and how its bytes are kept. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
}

/** The most a central directory may take (a workbook's is a few kilobytes; a bomb's is not read). */
const maxDirectoryBytes = 64 * 1024 * 1024;

/** Reads an archive's central directory (ZIP64 included): each part's name, place, size and compression. */
export async function readZipDirectory(file: string): Promise<ZipEntry[]> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    // The end record is 22 bytes and may be followed by a comment of up to 65,535; the ZIP64 locator is 20 before it.
    const tailLength = Math.min(size, 22 + 65_535 + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new ZipError("damaged");
    let count = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryOffset = tail.readUInt32LE(end + 16);
    if ((directoryOffset === 0xffffffff || count === 0xffff) && end >= 20 && tail.readUInt32LE(end - 20) === 0x07064b50) {
      const zip64End = Buffer.alloc(56);
      await handle.read(zip64End, 0, 56, Number(tail.readBigUInt64LE(end - 12)));
      if (zip64End.readUInt32LE(0) !== 0x06064b50) throw new ZipError("damaged");
      count = Number(zip64End.readBigUInt64LE(32));
      directorySize = Number(zip64End.readBigUInt64LE(40));
      directoryOffset = Number(zip64End.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > size || directorySize > maxDirectoryBytes) throw new ZipError("damaged");
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) throw new ZipError("damaged");
      const flags = directory.readUInt16LE(at + 8);
      const method = directory.readUInt16LE(at + 10);
      let compressedSize = directory.readUInt32LE(at + 20);
      const uncompressedSize = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      let localOffset = directory.readUInt32LE(at + 42);
      // Names are UTF-8 where the flag says so (and in practice where it does not: Office writes ASCII).
      const name = directory.toString(flags & 0x800 ? "utf8" : "latin1", at + 46, at + 46 + nameLength);
      // ZIP64 keeps, in an extra field and in this order, the sizes and offset marked 0xFFFFFFFF.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd && extraEnd <= directory.length) {
        const id = directory.readUInt16LE(extra);
        const length = directory.readUInt16LE(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          if (uncompressedSize === 0xffffffff) field += 8;
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(directory.readBigUInt64LE(field));
            field += 8;
          }
          if (localOffset === 0xffffffff) localOffset = Number(directory.readBigUInt64LE(field));
        }
        extra += 4 + length;
      }
      if (localOffset + compressedSize > size) throw new ZipError("damaged");
      entries.push({ name, method, flags, compressedSize, localOffset });
      at = extraEnd + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** The bytes of one part, inflated, as a stream; refused past `limit` bytes (a ZIP bomb stops there). */
export async function* zipEntryBytes(file: string, entry: ZipEntry, limit = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  if (entry.flags & 0x1) throw new ZipError("encrypted");
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError("damaged");
  const handle = await open(file, "r");
  const header = Buffer.alloc(30);
  try {
    await handle.read(header, 0, 30, entry.localOffset);
  } finally {
    await handle.close();
  }
  if (header.readUInt32LE(0) !== 0x04034b50) throw new ZipError("damaged");
  if (entry.compressedSize === 0) return;
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = createReadStream(file, { start, end: start + entry.compressedSize - 1, highWaterMark: 64 * 1024 });
  const source = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  // A pipe does not pass a read error on: without this, a failing read would leave the inflater waiting.
  if (source !== raw) raw.on("error", (error) => source.destroy(error));
  let total = 0;
  try {
    for await (const chunk of source) {
      total += (chunk as Buffer).length;
      if (total > limit) throw new ZipError("too-large");
      yield chunk as Buffer;
    }
  } catch (error) {
    throw error instanceof ZipError ? error : new ZipError("damaged");
  } finally {
    raw.destroy();
    source.destroy();
  }
}
