import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { feedCreated, feedCreateInput, feedOutput } from "../../core/calendar/schema.ts";
import { calendarOfFeed, createFeed, listFeeds, revokeFeed } from "../../core/calendar/service.ts";
import { AppError } from "../../core/shared/errors.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["Calendar feeds"];

/** The caller's calendar feeds (under /api). */
export const calendarFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/calendar/feeds",
    { schema: { tags, summary: "Your calendar feeds", response: { 200: z.array(feedOutput), ...errorResponses } } },
    (request) => listFeeds(actorOf(request)),
  );
  app.post(
    "/calendar/feeds",
    {
      schema: {
        tags,
        summary: "Make a calendar feed (yours, or a unit's): its secret address is shown once",
        body: feedCreateInput,
        response: { 201: feedCreated, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createFeed(actorOf(request), request.body)),
  );
  app.delete(
    "/calendar/feeds/:id",
    { schema: { tags, summary: "Revoke a calendar feed", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await revokeFeed(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/**
 * The feeds themselves, at /ical/<secret>.ics, outside /api: calendar applications present the
 * secret in the address and hold no session.
 */
export const calendarFileRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get("/ical/:file", { schema: { hide: true, params: z.object({ file: z.string().max(200) }) } }, async (request, reply) => {
    const secret = request.params.file.replace(/\.ics$/, "");
    const text = await calendarOfFeed(secret, `${request.protocol}://${request.host}`);
    if (text === null) throw new AppError("NOT_FOUND", "No calendar feed at this address: it was revoked, or never made.");
    return reply
      .header("content-type", "text/calendar; charset=utf-8")
      .header("cache-control", "private, max-age=300")
      .header("content-disposition", 'inline; filename="liaison.ics"')
      .send(text);
  });
};
