import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { historyPage, historyQuery } from "../../core/history/schema.ts";
import { getRecordHistory } from "../../core/history/service.ts";
import { duplicatePage, duplicateQuery, mergeResult, organisationMergeInput, personMergeInput } from "../../core/merge/schema.ts";
import { dismissDuplicate, listDuplicates, mergeOrganisations, mergePeople } from "../../core/merge/service.ts";
import { id } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["Registry keeping"];
const kinds = { organisations: "organisation", people: "person" } as const;
const kindParam = z.object({ kind: z.enum(["organisations", "people"]) });
const pairInput = z.object({ aId: id, bId: id }).strict();

/** A registry record's history, its possible duplicates, and merging two records into one. */
export const registryRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const [path, kind] of Object.entries(kinds)) {
    app.get(
      `/${path}/:id/history`,
      {
        schema: {
          tags,
          summary: `The history of ${kind === "organisation" ? "an organisation" : "a person"}: every change, who made it and when (a merged id keeps its own)`,
          params: z.object({ id }),
          querystring: historyQuery,
          response: { 200: historyPage, ...errorResponses },
        },
      },
      (request) => getRecordHistory(actorOf(request), kind, request.params.id, request.query),
    );
  }
  app.get(
    "/duplicates/:kind",
    {
      schema: {
        tags,
        summary: "Pairs of records that may be one partner (or one person), surest first, with the reasons",
        params: kindParam,
        querystring: duplicateQuery,
        response: { 200: duplicatePage, ...errorResponses },
      },
    },
    (request) => listDuplicates(actorOf(request), kinds[request.params.kind], request.query),
  );
  app.post(
    "/duplicates/:kind/dismiss",
    {
      schema: {
        tags,
        summary: "Record that a candidate pair is two partners, not one: it is not offered again",
        params: kindParam,
        body: pairInput,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await dismissDuplicate(actorOf(request), kinds[request.params.kind], request.body);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/organisations/merge",
    {
      schema: {
        tags,
        summary: "Merge two organisations: fields as chosen, everything that names the merged one moved to the survivor (coordinators)",
        body: organisationMergeInput,
        response: { 200: mergeResult, ...errorResponses },
      },
    },
    (request) => mergeOrganisations(actorOf(request), request.body),
  );
  app.post(
    "/people/merge",
    {
      schema: {
        tags,
        summary: "Merge two people: fields as chosen, positions, engagements and contact details moved to the survivor (coordinators)",
        body: personMergeInput,
        response: { 200: mergeResult, ...errorResponses },
      },
    },
    (request) => mergePeople(actorOf(request), request.body),
  );
};
