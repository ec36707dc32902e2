import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type LabelKind, labelCreateInput, labelOutput, labelUpdateInput } from "../../core/labels/schema.ts";
import { createLabel, deleteLabel, listLabels, updateLabel } from "../../core/labels/service.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

/** The same four routes serve tags and topics. */
function labelRoutes(kind: LabelKind, title: string): FastifyPluginAsyncZod {
  const tags = [title];
  return async (app) => {
    app.get(
      `/${kind}`,
      { schema: { tags, summary: `List ${kind}`, response: { 200: z.array(labelOutput), ...errorResponses } } },
      (request) => listLabels(actorOf(request), kind),
    );
    app.post(
      `/${kind}`,
      {
        schema: {
          tags,
          summary: `Create a ${kind.slice(0, -1)}`,
          body: labelCreateInput,
          response: { 201: labelOutput, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(await createLabel(actorOf(request), kind, request.body)),
    );
    app.patch(
      `/${kind}/:id`,
      {
        schema: {
          tags,
          summary: `Rename a ${kind.slice(0, -1)}`,
          params: idParam,
          body: labelUpdateInput,
          response: { 200: labelOutput, ...errorResponses },
        },
      },
      (request) => updateLabel(actorOf(request), kind, request.params.id, request.body),
    );
    app.delete(
      `/${kind}/:id`,
      { schema: { tags, summary: `Delete a ${kind.slice(0, -1)}`, params: idParam, response: { ...noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteLabel(actorOf(request), kind, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}

export const tagRoutes = labelRoutes("tags", "Tags");
export const topicRoutes = labelRoutes("topics", "Topics");
