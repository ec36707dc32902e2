import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { prepareOverviewExport, reportFormats } from "../../core/reports/export.ts";
import { overviewOutput, overviewQuery, snapshotDetail, snapshotInput, snapshotOutput } from "../../core/reports/schema.ts";
import {
  buildOverview,
  createSnapshot,
  getSnapshot,
  listSnapshots,
  listTemplates,
  resetTemplate,
  setTemplate,
} from "../../core/reports/service.ts";
import { templateInput, templateOutput } from "../../core/reports/templates.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, sendFile } from "./shared.ts";

const tags = ["Reports"];

/** The overview report, its sentence templates, snapshots and exports. */
export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/reports/overview",
    {
      schema: {
        tags,
        summary:
          "The overview of a period: figures by type, partners, countries and regions, top partners, the narrative in both languages",
        querystring: overviewQuery,
        response: { 200: overviewOutput, ...errorResponses },
      },
    },
    (request) => buildOverview(actorOf(request), request.query),
  );
  app.get(
    "/reports/overview/export",
    {
      schema: {
        tags,
        summary: "The overview as a file: docx (bilingual report), xlsx (one sheet per table) or csv",
        querystring: overviewQuery.and(z.object({ format: z.enum(reportFormats) })),
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      sendFile(reply, await prepareOverviewExport(actorOf(request), request.query));
    },
  );
  app.get(
    "/reports/templates",
    { schema: { tags, summary: "The narrative's sentence templates", response: { 200: z.array(templateOutput), ...errorResponses } } },
    (request) => listTemplates(actorOf(request)),
  );
  app.put(
    "/reports/templates/:key",
    {
      schema: {
        tags,
        summary: "Change a sentence template (administrators)",
        params: z.object({ key: z.string().max(64) }),
        body: templateInput,
        response: { 200: templateOutput, ...errorResponses },
      },
    },
    (request) => setTemplate(actorOf(request), request.params.key, request.body),
  );
  app.delete(
    "/reports/templates/:key",
    {
      schema: {
        tags,
        summary: "Put a sentence template back to its default (administrators)",
        params: z.object({ key: z.string().max(64) }),
        response: { 200: templateOutput, ...errorResponses },
      },
    },
    (request) => resetTemplate(actorOf(request), request.params.key),
  );
  app.get(
    "/reports/snapshots",
    { schema: { tags, summary: "Frozen reports you may read", response: { 200: z.array(snapshotOutput), ...errorResponses } } },
    (request) => listSnapshots(actorOf(request)),
  );
  app.post(
    "/reports/snapshots",
    {
      schema: {
        tags,
        summary: "Freeze a report: its figures and the ids of the engagements behind them",
        body: snapshotInput,
        response: { 201: snapshotOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createSnapshot(actorOf(request), request.body)),
  );
  app.get(
    "/reports/snapshots/:id",
    {
      schema: {
        tags,
        summary: "A frozen report beside the same report from today's data",
        params: idParam.extend({ id }),
        response: { 200: snapshotDetail, ...errorResponses },
      },
    },
    (request) => getSnapshot(actorOf(request), request.params.id),
  );
};
