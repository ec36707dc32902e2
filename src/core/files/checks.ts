import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { AppError } from "../shared/errors.ts";
import { readZipDirectory } from "./zip.ts";

/** The parts an Office Open XML package must hold, by its content type. */
const ooxmlMainPart: Record<string, string> = {
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/document.xml",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/workbook.xml",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/presentation.xml",
};

/** What an attachment may be: the declared type, and how its first bytes must look. */
const accepted: Record<string, { label: string; sniff: (data: Buffer) => boolean }> = {
  "application/pdf": { label: "PDF", sniff: (d) => d.subarray(0, 5).toString("latin1") === "%PDF-" },
  "image/png": { label: "PNG", sniff: (d) => d.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  "image/jpeg": { label: "JPEG", sniff: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff },
  "image/webp": {
    label: "WebP",
    sniff: (d) => d.subarray(0, 4).toString("latin1") === "RIFF" && d.subarray(8, 12).toString("latin1") === "WEBP",
  },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { label: "Word (DOCX)", sniff: isZip },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { label: "Excel (XLSX)", sniff: isZip },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": { label: "PowerPoint (PPTX)", sniff: isZip },
  "application/vnd.oasis.opendocument.text": { label: "OpenDocument text", sniff: isZip },
  "text/plain": { label: "plain text", sniff: isText },
  "text/csv": { label: "CSV", sniff: isText },
};

function isZip(data: Buffer): boolean {
  return data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}

function isText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/** The content types attachments may have, for documentation and the UI. */
export const acceptedContentTypes = Object.keys(accepted);

/** The largest attachment, from LIAISON_MAX_ATTACHMENT_MB (25 MB unless set). */
export function maxAttachmentBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.LIAISON_MAX_ATTACHMENT_MB ?? 25);
  return Math.round((Number.isFinite(mb) && mb > 0 ? mb : 25) * 1024 * 1024);
}

/** The accepted content type a request declares, or a field error naming the accepted ones. */
export function acceptedType(contentType: string): string {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!accepted[type]) {
    throw new AppError("VALIDATION_FAILED", `Files of type ${type || "(none)"} are not accepted.`, {
      fields: [{ path: "content-type", message: `Accepted: ${acceptedContentTypes.join(", ")}.` }],
      reason: {
        zh: `不接受此类文件（${type || "未注明类型"}）。可以上传 PDF、Word、Excel、PowerPoint、OpenDocument 文本、纯文本、CSV，以及 PNG、JPEG、WebP 图片。`,
        en: `Files of type ${type || "(none)"} are not accepted: PDF, Word, Excel, PowerPoint, OpenDocument text, plain text, CSV, and PNG, JPEG or WebP images are.`,
      },
    });
  }
  return type;
}

const tooLarge = (limit: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `The file is larger than ${Math.round(limit / 1024 / 1024)} MB.`, {
    limit,
    reason: {
      zh: `文件超过 ${Math.round(limit / 1024 / 1024)} MB 的上限。`,
      en: `The file is larger than the limit of ${Math.round(limit / 1024 / 1024)} MB.`,
    },
  });

/** An upload received into a staging file: never held in memory whole. */
export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Streams an upload into a staging file, hashing it on the way and stopping at the size
 * limit (PAYLOAD_TOO_LARGE, and the partial file is removed).
 */
export async function stageUpload(source: Readable | Buffer, limit = maxAttachmentBytes()): Promise<StagedFile> {
  const target = path.join(os.tmpdir(), `liaison-upload-${randomUUID()}`);
  const handle = await fs.open(target, "w");
  const hash = createHash("sha256");
  let size = 0;
  try {
    const chunks: AsyncIterable<Buffer> = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > limit) {
        if (!Buffer.isBuffer(source)) source.destroy();
        throw tooLarge(limit);
      }
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(target, { force: true });
    throw error;
  }
  return { path: target, size, sha256: hash.digest("hex") };
}

/** Removes a staging file (after it is stored, or refused). */
export async function discardStaged(file: StagedFile): Promise<void> {
  await fs.rm(file.path, { force: true });
}

/** Up to `length` bytes of a file from `position` (fewer where the file ends sooner). */
export async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** File names in a ZIP archive's central directory, or null when it has none that can be read. */
async function zipEntryNames(file: string): Promise<string[] | null> {
  try {
    return (await readZipDirectory(file)).map((e) => e.name);
  } catch {
    return null;
  }
}

/** Entries no office document holds: programs, scripts and macros. */
const executableEntry = /(\.(exe|dll|com|bat|cmd|scr|msi|ps1|vbs|vbe|js|jse|wsf|hta|jar|sh|app|lnk|cpl)$|(^|\/)vbaProject\.bin$)/i;

async function checkPackage(type: string, file: StagedFile): Promise<string | null> {
  const names = await zipEntryNames(file.path);
  if (!names) return "its ZIP directory cannot be read";
  const bad = names.find((n) => executableEntry.test(n) || n.includes(".."));
  if (bad) return `it holds ${bad}, which no document holds`;
  const main = ooxmlMainPart[type];
  if (main && !(names.includes("[Content_Types].xml") && names.includes(main))) return `it lacks [Content_Types].xml or ${main}`;
  if (type === "application/vnd.oasis.opendocument.text") {
    const mimetype = (await readRange(file.path, 30, 8)).toString("latin1");
    if (!names.includes("content.xml") || mimetype !== "mimetype") return "it is not an OpenDocument package";
  }
  return null;
}

/**
 * Refuses a staged attachment that is empty, too large, of a type not accepted, or whose
 * bytes are not what its declared type says: a renamed executable is not a PDF, and a ZIP
 * is a Word document only when it holds a Word document's parts and no program.
 */
export async function checkAttachment(contentType: string, file: StagedFile, limit = maxAttachmentBytes()): Promise<string> {
  const type = acceptedType(contentType);
  if (file.size === 0)
    throw new AppError("VALIDATION_FAILED", "The file is empty.", {
      fields: [{ path: "body", message: "Empty." }],
      reason: { zh: "文件是空的。", en: "The file is empty." },
    });
  if (file.size > limit) throw tooLarge(limit);
  const rule = accepted[type] as (typeof accepted)[string];
  // Text is checked whole (it is small enough to be a document), everything else by its first bytes.
  const head = await readRange(file.path, 0, rule.sniff === isText ? file.size : 16);
  const problem = !rule.sniff(head) ? "its content does not match the type" : rule.sniff === isZip ? await checkPackage(type, file) : null;
  if (problem) {
    throw new AppError("VALIDATION_FAILED", `The file is not ${rule.label}, as its type says: ${problem}.`, {
      fields: [{ path: "content-type", message: "Content does not match the type." }],
      reason: {
        zh: `文件内容不是其类型所称的 ${rule.label}，可能已损坏或被改了扩展名。`,
        en: `The file is not ${rule.label}, as its type says: ${problem}.`,
      },
    });
  }
  return type;
}
