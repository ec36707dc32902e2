import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

/** The error body, documented on every route. */
export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** Error responses every route can give. */
export const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

export const noContent = { 204: z.null().describe("Done") };

/** The headers set on a reply so far (helmet's security headers), for a response written by hand. */
function headersSoFar(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  return headers;
}

/** Today's date, YYYY-MM-DD (UTC), for download file names. */
export const today = (): string => new Date().toISOString().slice(0, 10);

/**
 * Streams a download that its service has already checked: the status and headers go out
 * first, then the chunks, waiting whenever the socket's buffer is full. A failure half-way
 * can only cut the download short; it is logged.
 */
export async function streamDownload(
  request: FastifyRequest,
  reply: FastifyReply,
  file: { contentType: string; fileName: string },
  produce: (write: (chunk: string) => Promise<void> | void) => Promise<unknown>,
): Promise<void> {
  reply.hijack();
  // The headers set so far (helmet's security headers) go out with the file.
  reply.raw.writeHead(200, {
    ...headersSoFar(reply),
    "content-type": `${file.contentType}; charset=utf-8`,
    "content-disposition": `attachment; filename="${file.fileName}"`,
    "x-content-type-options": "nosniff",
  });
  try {
    await produce((chunk) =>
      reply.raw.write(chunk) ? undefined : new Promise<void>((resolve) => reply.raw.once("drain", () => resolve())),
    );
  } catch (error) {
    request.log.error({ err: error }, "download failed");
  }
  reply.raw.end();
}

/** Sends a file its service built in memory (a DOCX, an XLSX), with the security headers. */
export function sendFile(reply: FastifyReply, file: { contentType: string; fileName: string; body: Buffer }): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    ...headersSoFar(reply),
    "content-type": file.contentType,
    "content-length": file.body.length,
    "content-disposition": `attachment; filename="${file.fileName}"`,
    "x-content-type-options": "nosniff",
  });
  reply.raw.end(file.body);
}
