import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { auditExportQuery, auditListQuery, auditPage } from "../../core/audit/schema.ts";
import { listAuditEntries, prepareAuditCsv } from "../../core/audit/service.ts";
import { backupFileName } from "../../core/backup/schedule.ts";
import { prepareBackup } from "../../core/backup/service.ts";
import { prepareFullExport } from "../../core/export/service.ts";
import { AppError } from "../../core/shared/errors.ts";
import { vocabulary } from "../../core/shared/vocabulary.ts";
import { getStats } from "../../core/stats/service.ts";
import { actorOf } from "../actor.ts";
import { controlActor } from "../control.ts";
import { errorResponses, headersSoFar, streamDownload, today } from "./shared.ts";

const label = z.object({ en: z.string(), zh: z.string() });

/** Vocabulary, statistics, the audit log and the full export. */
export const systemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/vocabulary",
    {
      schema: {
        tags: ["System"],
        summary: "The closed vocabularies with Chinese and English labels",
        response: { 200: z.record(z.string(), z.record(z.string(), label)) },
      },
    },
    () => vocabulary,
  );
  app.get(
    "/stats",
    {
      schema: {
        tags: ["System"],
        summary: "Counts of what the registry holds",
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (request) => ({ ...(await getStats(actorOf(request))) }),
  );
  app.get(
    "/audit",
    {
      schema: {
        tags: ["System"],
        summary: "Browse the audit log",
        querystring: auditListQuery,
        response: { 200: auditPage, ...errorResponses },
      },
    },
    (request) => listAuditEntries(actorOf(request), request.query),
  );
  app.get(
    "/audit/export",
    {
      schema: {
        tags: ["System"],
        summary: "The audit log as CSV, with the list's filters (administrators; audited)",
        querystring: auditExportQuery,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const run = await prepareAuditCsv(actorOf(request), request.query);
      return streamDownload(request, reply, { contentType: "text/csv", fileName: `liaison-audit-${today()}.csv` }, run);
    },
  );
  app.get(
    "/export",
    { schema: { tags: ["System"], summary: "Everything as one JSON document (streamed)", response: { ...errorResponses } } },
    async (request, reply) => {
      const run = await prepareFullExport(actorOf(request));
      return streamDownload(request, reply, { contentType: "application/json", fileName: `liaison-export-${today()}.json` }, run);
    },
  );
  app.get(
    "/backup",
    {
      schema: {
        tags: ["System"],
        summary:
          "A consistent backup of the whole installation as one archive (tar.gz: every table, the attachments, a manifest with checksums); administrators with clearance; audited",
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      // The `liaison backup` command on this machine asks with the data directory's control secret.
      const actor = request.actor ?? controlActor(request.headers["x-liaison-control"], request.socket.remoteAddress ?? "");
      if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in first.");
      const write = await prepareBackup(actor);
      const file = path.join(os.tmpdir(), `liaison-backup-${randomUUID()}.tar.gz`);
      try {
        await write(file);
        reply.hijack();
        reply.raw.writeHead(200, {
          ...headersSoFar(reply),
          "content-type": "application/gzip",
          "content-length": fs.statSync(file).size,
          "content-disposition": `attachment; filename="${backupFileName()}"`,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        });
        // A download cancelled half-way ends here; the archive left with the client has no manifest.
        await pipeline(fs.createReadStream(file), reply.raw).catch(() => reply.raw.destroy());
      } finally {
        fs.rmSync(file, { force: true });
      }
    },
  );
};
