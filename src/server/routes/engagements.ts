import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { engagementClashes, listCoordinationAlerts, previewClashes } from "../../core/engagements/alerts.ts";
import {
  approvalQueue,
  approveEngagement,
  cancelEngagement,
  reportEngagement,
  returnEngagement,
  submitEngagement,
} from "../../core/engagements/approvals.ts";
import { countEngagements } from "../../core/engagements/counts.ts";
import { dormantPartner, dormantQuery, listDormantPartners } from "../../core/engagements/dormant.ts";
import { prepareEngagementsCsv } from "../../core/engagements/export.ts";
import { healthQuery, listRelationshipHealth, partnerHealth } from "../../core/engagements/health.ts";
import { networkOutput, networkQuery, partnerNetwork } from "../../core/engagements/network.ts";
import {
  alertsQuery,
  approvalNoteInput,
  approvalQueuePage,
  approvalQueueQuery,
  approvalReportInput,
  approvalReturnInput,
  attachmentOutput,
  cancelInput,
  clash,
  clashPreviewQuery,
  coordinationAlert,
  engagementCounts,
  engagementCountsQuery,
  engagementCreateInput,
  engagementDetail,
  engagementExportQuery,
  engagementListQuery,
  engagementPage,
  engagementUpdateInput,
  timelineQuery,
} from "../../core/engagements/schema.ts";
import {
  addAttachment,
  createEngagement,
  deleteEngagement,
  getAttachment,
  getEngagement,
  listEngagements,
  organisationTimeline,
  removeAttachment,
  updateEngagement,
} from "../../core/engagements/service.ts";
import { acceptedContentTypes, maxAttachmentBytes } from "../../core/files/checks.ts";
import { AppError } from "../../core/shared/errors.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { onReplica } from "../../db/current.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, errorSchema, noContent, streamDownload, today } from "./shared.ts";

const tags = ["Engagements"];
const attachmentParams = z.object({ id, attachmentId: id });
const previewableTypes = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]);

/** Routes for engagements, their counts, partners' timelines and attachments. */
export const engagementRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/engagements",
    {
      schema: { tags, summary: "List engagements", querystring: engagementListQuery, response: { 200: engagementPage, ...errorResponses } },
    },
    (request) => listEngagements(actorOf(request), request.query),
  );
  app.get(
    "/engagements/counts",
    {
      schema: {
        tags,
        summary: "Count engagements, distinct partners and countries, grouped by one dimension",
        querystring: engagementCountsQuery,
        response: { 200: engagementCounts, ...errorResponses },
      },
    },
    (request) => onReplica(() => countEngagements(actorOf(request), request.query)),
  );
  app.get(
    "/engagements/:id",
    { schema: { tags, summary: "Get an engagement", params: idParam, response: { 200: engagementDetail, ...errorResponses } } },
    (request) => getEngagement(actorOf(request), request.params.id),
  );
  app.post(
    "/engagements",
    {
      schema: {
        tags,
        summary: "Record an engagement",
        body: engagementCreateInput,
        response: { 201: engagementDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createEngagement(actorOf(request), request.body)),
  );
  app.patch(
    "/engagements/:id",
    {
      schema: {
        tags,
        summary: "Change an engagement",
        params: idParam,
        body: engagementUpdateInput,
        response: { 200: engagementDetail, ...errorResponses },
      },
    },
    (request) => updateEngagement(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/engagements/:id",
    { schema: { tags, summary: "Delete an engagement", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteEngagement(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    "/organisations/:id/engagements",
    {
      schema: {
        tags,
        summary: "A partner's timeline: its engagements, newest first",
        params: idParam,
        querystring: timelineQuery,
        response: { 200: engagementPage, ...errorResponses },
      },
    },
    (request) => organisationTimeline(actorOf(request), request.params.id, request.query),
  );
  app.get(
    "/engagements/:id/attachments/:attachmentId",
    {
      schema: {
        tags,
        summary: "Download an attachment (images and PDFs shown in the browser with inline=true)",
        params: attachmentParams,
        querystring: z.object({ inline: z.enum(["true", "false"]).optional() }),
        response: { 200: z.any().describe("The file's bytes"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = await getAttachment(actorOf(request), request.params.id, request.params.attachmentId);
      // Only types a browser shows without running anything are ever opened in place.
      const inline = request.query.inline === "true" && previewableTypes.has(file.contentType);
      return reply
        .header("content-type", file.contentType)
        .header("content-disposition", `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header("x-content-type-options", "nosniff")
        .send(file.data);
    },
  );
  app.delete(
    "/engagements/:id/attachments/:attachmentId",
    { schema: { tags, summary: "Remove an attachment", params: attachmentParams, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await removeAttachment(actorOf(request), request.params.id, request.params.attachmentId);
      return reply.status(204).send(null);
    },
  );
  const steps = [
    {
      path: "submit",
      summary: "Submit a planned visit or hosted event for approval (the lead unit)",
      body: approvalNoteInput,
      run: submitEngagement,
    },
    { path: "approve", summary: "Approve a submitted plan (coordinators)", body: approvalNoteInput, run: approveEngagement },
    {
      path: "return",
      summary: "Return a submitted plan to its unit, saying why (coordinators)",
      body: approvalReturnInput,
      run: returnEngagement,
    },
    {
      path: "report",
      summary: "Report on an approved engagement that is done (the lead unit)",
      body: approvalReportInput,
      run: reportEngagement,
    },
    {
      path: "cancel",
      summary: "Cancel a planned engagement, saying why (the lead unit); an approved plan is cancelled, not deleted",
      body: cancelInput,
      run: cancelEngagement,
    },
  ] as const;
  for (const step of steps) {
    app.post(
      `/engagements/:id/${step.path}`,
      { schema: { tags, summary: step.summary, params: idParam, body: step.body, response: { 200: engagementDetail, ...errorResponses } } },
      (request) => step.run(actorOf(request), request.params.id, request.body),
    );
  }
  app.get(
    "/engagements/export",
    {
      schema: {
        tags,
        summary: "The engagements the list's filters match, as CSV (what you may see; audited)",
        querystring: engagementExportQuery,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const run = await prepareEngagementsCsv(actorOf(request), request.query);
      return streamDownload(request, reply, { contentType: "text/csv", fileName: `liaison-engagements-${today()}.csv` }, run);
    },
  );
  app.get(
    "/partners/dormant",
    {
      schema: {
        tags,
        summary: "Partners not contacted for over N days (365 unless asked), closest relationships first",
        querystring: dormantQuery,
        response: { 200: z.array(dormantPartner), ...errorResponses },
      },
    },
    (request) => onReplica(() => listDormantPartners(actorOf(request), request.query)),
  );
  app.get(
    "/partners/health",
    {
      schema: {
        tags,
        summary: "Relationship health: last contact, reciprocity, frequency against the level's expectation, anniversaries; the worklist",
        querystring: healthQuery,
        response: { 200: z.array(partnerHealth), ...errorResponses },
      },
    },
    (request) => onReplica(() => listRelationshipHealth(actorOf(request), request.query)),
  );
  app.get(
    "/network",
    {
      schema: {
        tags,
        summary: "The partner network: organisations, the events and mechanisms they share, their relations, our units that engage them",
        querystring: networkQuery,
        response: { 200: networkOutput, ...errorResponses },
      },
    },
    (request) => onReplica(() => partnerNetwork(actorOf(request), request.query)),
  );
  app.get(
    "/alerts",
    {
      schema: {
        tags,
        summary: "Coordination alerts: another unit engaged, or plans to engage, a partner you plan to meet (or the reverse)",
        querystring: alertsQuery,
        response: { 200: z.array(coordinationAlert), ...errorResponses },
      },
    },
    (request) => listCoordinationAlerts(actorOf(request), request.query),
  );
  app.get(
    "/alerts/preview",
    {
      schema: {
        tags,
        summary: "Before saving a plan: other units' engagements with these partners within the coordination window of this date",
        querystring: clashPreviewQuery,
        response: { 200: z.array(clash), ...errorResponses },
      },
    },
    (request) => previewClashes(actorOf(request), request.query),
  );
  app.get(
    "/engagements/:id/clashes",
    {
      schema: {
        tags,
        summary: "A planned engagement's clashes: other units' engagements with the same partners within the coordination window",
        params: idParam,
        response: { 200: z.array(clash), ...errorResponses },
      },
    },
    (request) => engagementClashes(actorOf(request), request.params.id),
  );
  app.get(
    "/approvals",
    {
      schema: {
        tags,
        summary: "The coordinator's queue: engagements in one approval state, soonest first",
        querystring: approvalQueueQuery,
        response: { 200: approvalQueuePage, ...errorResponses },
      },
    },
    (request) => approvalQueue(actorOf(request), request.query),
  );
  // Uploads are the file's bytes as the body, with its type as Content-Type: no multipart
  // parsing. The body is handed over unread: the service checks the caller's right first,
  // then streams it to disk, enforcing the size limit as it comes in.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<ZodTypeProvider>();
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser("*", (request, payload, done) => {
      const declared = Number(request.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxAttachmentBytes()) {
        return done(
          new AppError("PAYLOAD_TOO_LARGE", `The file is larger than ${Math.round(maxAttachmentBytes() / 1024 / 1024)} MB.`),
          undefined,
        );
      }
      done(null, payload);
    });
    upload.post(
      "/engagements/:id/attachments",
      {
        schema: {
          tags,
          summary: `Attach a file (the body is the file; Content-Type one of ${acceptedContentTypes.join(", ")})`,
          params: idParam,
          querystring: z.object({ fileName: z.string().min(1).max(255) }),
          response: { 201: attachmentOutput, ...errorResponses, 413: errorSchema },
        },
      },
      async (request, reply) => {
        const data = request.body instanceof Readable ? request.body : Buffer.alloc(0);
        const result = await addAttachment(actorOf(request), request.params.id, {
          fileName: request.query.fileName,
          contentType: request.headers["content-type"] ?? "",
          data,
        });
        return reply.status(201).send(result);
      },
    );
  });
};
