import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  nameDecisionInput,
  nameSettingsInput,
  nameSettingsOutput,
  nameSuggestionPage,
  nameSuggestionQuery,
  suggestionRefresh,
} from "../../core/names/schema.ts";
import {
  acceptSuggestion,
  exportSuggestionsCsv,
  getNameSettings,
  importReviewedNames,
  listSuggestions,
  rejectSuggestion,
  setNameSettings,
  suggestNames,
} from "../../core/names/service.ts";
import { countryCode, idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent, sendFile, today } from "./shared.ts";

const tags = ["Chinese names"];

/** The Chinese-name suggestions: the review queue, decisions, the CSV round trip, the display setting. */
export const nameRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/names/suggestions",
    {
      schema: {
        tags,
        summary: "The review queue: suggested Chinese names, the partners the office works with first",
        querystring: nameSuggestionQuery,
        response: { 200: nameSuggestionPage, ...errorResponses },
      },
    },
    (request) => listSuggestions(actorOf(request), request.query),
  );
  app.get(
    "/names/suggestions/export",
    {
      schema: {
        tags,
        summary: "The review queue as CSV, to fill in reviewed_zh, reviewed_short and decision (accept or reject)",
        querystring: nameSuggestionQuery.omit({ page: true, pageSize: true }),
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = Buffer.from(await exportSuggestionsCsv(actorOf(request), request.query), "utf8");
      sendFile(reply, { contentType: "text/csv; charset=utf-8", fileName: `liaison-chinese-names-${today()}.csv`, body });
    },
  );
  app.post(
    "/organisations/:id/name-suggestion/accept",
    {
      schema: {
        tags,
        summary: "Accept a suggested Chinese name, as it is or edited",
        params: idParam,
        body: nameDecisionInput,
        response: { 200: z.object({ zh: z.string(), short: z.string().nullable() }), ...errorResponses },
      },
    },
    (request) => acceptSuggestion(actorOf(request), request.params.id, request.body),
  );
  app.post(
    "/organisations/:id/name-suggestion/reject",
    {
      schema: {
        tags,
        summary: "Reject a suggested Chinese name",
        params: idParam,
        body: nameDecisionInput,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await rejectSuggestion(actorOf(request), request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/names/suggest",
    {
      schema: {
        tags,
        summary: "Make the suggestions anew (administrators); applyAbove accepts those at or above a confidence",
        body: z.object({ country: countryCode.optional(), applyAbove: z.number().min(0).max(1).optional() }).strict(),
        response: { 200: suggestionRefresh, ...errorResponses },
      },
    },
    (request) => suggestNames(actorOf(request), request.body),
  );
  app.get(
    "/names/settings",
    { schema: { tags, summary: "Whether suggested names are shown", response: { 200: nameSettingsOutput, ...errorResponses } } },
    (request) => getNameSettings(actorOf(request)),
  );
  app.put(
    "/names/settings",
    {
      schema: {
        tags,
        summary: "Show or hide suggested names where no confirmed one exists (administrators)",
        body: nameSettingsInput,
        response: { 200: nameSettingsOutput, ...errorResponses },
      },
    },
    (request) => setNameSettings(actorOf(request), request.body),
  );
  // The reviewed CSV comes back as the body (text/csv), like an attachment.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<ZodTypeProvider>();
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser(["text/csv", "text/plain"], { parseAs: "string", bodyLimit: 20 * 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    upload.post(
      "/names/suggestions/import",
      {
        schema: {
          tags,
          summary: "Import the reviewed CSV: idempotent; a row whose organisation changed since the export is refused on its line",
          response: {
            200: z.object({
              accepted: z.number(),
              rejected: z.number(),
              unchanged: z.number(),
              problems: z.array(z.object({ line: z.number(), message: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      (request) => importReviewedNames(actorOf(request), typeof request.body === "string" ? request.body : ""),
    );
  });
};
