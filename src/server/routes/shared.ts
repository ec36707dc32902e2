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
export function headersSoFar(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  return headers;
}

/** Today's date, YYYY-MM-DD (UTC), for download file names. */
export { today } from "../../core/shared/dates.ts";

/**
 * Streams a download that its service has already checked (and audited): the status and
 * headers go out first, then the chunks, waiting whenever the socket's buffer is full. When
 * the client goes away the next write fails at once (the producer stops and records that it
 * was cut off) instead of waiting for a `drain` that never comes. A failure half-way can
 * only cut the download short; it is logged.
 */
export async function streamDownload(
  request: FastifyRequest,
  reply: FastifyReply,
  file: { contentType: string; fileName: string },
  produce: (write: (chunk: string) => Promise<void> | void) => Promise<unknown>,
): Promise<void> {
  reply.hijack();
  const socket = reply.raw;
  let gone = false;
  const goneError = () => new Error("The client went away before the download ended.");
  socket.once("close", () => {
    // "close" after the response finished is the normal end, not the client leaving.
    if (!socket.writableFinished) gone = true;
  });
  // The headers set so far (helmet's security headers) go out with the file.
  socket.writeHead(200, {
    ...headersSoFar(reply),
    "content-type": `${file.contentType}; charset=utf-8`,
    "content-disposition": `attachment; filename="${file.fileName}"`,
    "x-content-type-options": "nosniff",
  });
  const write = (chunk: string): Promise<void> | undefined => {
    if (gone || socket.destroyed) return Promise.reject(goneError());
    if (socket.write(chunk)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        socket.off("close", onClose);
        resolve();
      };
      const onClose = () => {
        socket.off("drain", onDrain);
        reject(goneError());
      };
      socket.once("drain", onDrain);
      socket.once("close", onClose);
    });
  };
  try {
    await produce(write);
  } catch (error) {
    request.log.error({ err: error }, "download failed");
    // A download cut short must not look complete: end the connection without the final chunk.
    socket.destroy();
    return;
  }
  socket.end();
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
