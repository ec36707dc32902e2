import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { briefingQuery, prepareBriefing } from "../../core/briefings/service.ts";
import { prepareOverviewExport, reportFormats } from "../../core/reports/export.ts";
import { overviewOutput, overviewQuery, snapshotDetail, snapshotInput, snapshotOutput } from "../../core/reports/schema.ts";
import {
  buildOverview,
  createSnapshot,
  createTemplate,
  getSnapshot,
  listSnapshots,
  listTemplates,
  resetTemplate,
  setTemplate,
} from "../../core/reports/service.ts";
import { newTemplateInput, templateInput, templateOutput } from "../../core/reports/templates.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { onReplica } from "../../db/current.ts";
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
    (request) => onReplica(() => buildOverview(actorOf(request), request.query)),
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
    "/briefings/docx",
    {
      schema: {
        tags,
        summary: "A briefing paper (背景材料) on a partner or an engagement, as a bilingual DOCX in the reports' official layout",
        querystring: briefingQuery,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      sendFile(reply, await prepareBriefing(actorOf(request), request.query));
    },
  );
  app.get(
    "/reports/templates",
    { schema: { tags, summary: "The narrative's sentence kinds", response: { 200: z.array(templateOutput), ...errorResponses } } },
    (request) => listTemplates(actorOf(request)),
  );
  app.post(
    "/reports/templates",
    {
      schema: {
        tags,
        summary: "Add a sentence kind: a bilingual template bound to an engagement filter (administrators)",
        body: newTemplateInput,
        response: { 201: templateOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await createTemplate(actorOf(request), request.body)),
  );
  app.put(
    "/reports/templates/:key",
    {
      schema: {
        tags,
        summary: "Change a sentence kind: its templates, label and phrases, and an added kind's filter (administrators)",
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
        summary: "Put a built-in sentence kind back to its default, or remove an added one (administrators)",
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
