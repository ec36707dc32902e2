import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { giftCreateInput, giftExportQuery, giftListQuery, giftOutput, giftUpdateInput } from "../../core/gifts/schema.ts";
import { createGift, deleteGift, listGifts, prepareGiftRegister, updateGift } from "../../core/gifts/service.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent, sendFile } from "./shared.ts";

const tags = ["Gifts"];

/** The gifts register: gifts given and received at engagements, kept by each engagement's lead unit. */
export const giftRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/gifts",
    {
      schema: {
        tags,
        summary: "The gifts register you may read: an engagement's gifts, or a unit's over a period, latest first",
        querystring: giftListQuery,
        response: { 200: z.array(giftOutput), ...errorResponses },
      },
    },
    (request) => listGifts(actorOf(request), request.query),
  );
  app.get(
    "/gifts/xlsx",
    {
      schema: {
        tags,
        summary: "The gifts register as an XLSX sheet in Chinese or English (audited)",
        querystring: giftExportQuery,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      sendFile(reply, await prepareGiftRegister(actorOf(request), request.query));
    },
  );
  app.post(
    "/gifts",
    {
      schema: {
        tags,
        summary: "Record a gift given or received at an engagement (the lead unit's register; approval is not touched)",
        body: giftCreateInput,
        response: { 201: giftOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createGift(actorOf(request), request.body)),
  );
  app.patch(
    "/gifts/:id",
    {
      schema: {
        tags,
        summary: "Change a gift's entry: its handling, value band, a correction",
        params: idParam,
        body: giftUpdateInput,
        response: { 200: giftOutput, ...errorResponses },
      },
    },
    (request) => updateGift(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/gifts/:id",
    {
      schema: {
        tags,
        summary: "Remove a mistaken entry (the audit keeps it)",
        params: idParam,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteGift(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
