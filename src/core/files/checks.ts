import { AppError } from "../shared/errors.ts";

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

/**
 * Refuses an attachment that is empty, too large, of a type not accepted, or whose bytes
 * are not what its declared type says (a renamed executable is not a PDF).
 */
export function checkAttachment(contentType: string, data: Buffer, limit = maxAttachmentBytes()): string {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (data.length === 0) throw new AppError("VALIDATION_FAILED", "The file is empty.", { fields: [{ path: "body", message: "Empty." }] });
  if (data.length > limit) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The file is larger than ${Math.round(limit / 1024 / 1024)} MB.`, { limit });
  }
  const rule = accepted[type];
  if (!rule) {
    throw new AppError("VALIDATION_FAILED", `Files of type ${type || "(none)"} are not accepted.`, {
      fields: [{ path: "content-type", message: `Accepted: ${acceptedContentTypes.join(", ")}.` }],
    });
  }
  if (!rule.sniff(data)) {
    throw new AppError("VALIDATION_FAILED", `The file's content is not ${rule.label}, as its type says.`, {
      fields: [{ path: "content-type", message: "Content does not match the type." }],
    });
  }
  return type;
}
