import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { listNotifications, markNotificationsRead, notificationListQuery, notificationPage } from "../../core/notifications/service.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses } from "./shared.ts";

const tags = ["Notifications"];
const marked = z.object({ marked: z.number() });

/** The signed-in user's notifications: approvals, returns, coordination alerts. */
export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/notifications",
    {
      schema: {
        tags,
        summary: "Your notifications, newest first, with the unread count",
        querystring: notificationListQuery,
        response: { 200: notificationPage, ...errorResponses },
      },
    },
    (request) => listNotifications(actorOf(request), request.query),
  );
  app.post(
    "/notifications/:id/read",
    { schema: { tags, summary: "Mark a notification read", params: idParam, response: { 200: marked, ...errorResponses } } },
    (request) => markNotificationsRead(actorOf(request), request.params.id),
  );
  app.post(
    "/notifications/read",
    { schema: { tags, summary: "Mark all your notifications read", response: { 200: marked, ...errorResponses } } },
    (request) => markNotificationsRead(actorOf(request)),
  );
};
