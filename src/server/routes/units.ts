import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idParam } from "../../core/shared/schema.ts";
import { unitCreateInput, unitOutput, unitUpdateInput, userCreateInput, userOutput, userUpdateInput } from "../../core/units/schema.ts";
import { createUnit, createUser, listUnits, listUsers, updateUnit, updateUser } from "../../core/units/service.ts";
import { actorOf } from "../actor.ts";
import { errorResponses } from "./shared.ts";

/** Routes for our own units and users. */
export const unitRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/units",
    { schema: { tags: ["Units"], summary: "List units", response: { 200: z.array(unitOutput), ...errorResponses } } },
    (request) => listUnits(actorOf(request)),
  );
  app.post(
    "/units",
    { schema: { tags: ["Units"], summary: "Create a unit", body: unitCreateInput, response: { 201: unitOutput, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createUnit(actorOf(request), request.body)),
  );
  app.patch(
    "/units/:id",
    {
      schema: {
        tags: ["Units"],
        summary: "Rename or move a unit",
        params: idParam,
        body: unitUpdateInput,
        response: { 200: unitOutput, ...errorResponses },
      },
    },
    (request) => updateUnit(actorOf(request), request.params.id, request.body),
  );
  app.get(
    "/users",
    { schema: { tags: ["Users"], summary: "List users", response: { 200: z.array(userOutput), ...errorResponses } } },
    (request) => listUsers(actorOf(request)),
  );
  app.post(
    "/users",
    {
      schema: {
        tags: ["Users"],
        summary: "Create a user with roles in units",
        body: userCreateInput,
        response: { 201: userOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(actorOf(request), request.body)),
  );
  app.patch(
    "/users/:id",
    {
      schema: {
        tags: ["Users"],
        summary: "Change a user",
        params: idParam,
        body: userUpdateInput,
        response: { 200: userOutput, ...errorResponses },
      },
    },
    (request) => updateUser(actorOf(request), request.params.id, request.body),
  );
  app.get(
    "/me",
    {
      schema: {
        tags: ["Users"],
        summary: "Who the API is acting as",
        response: {
          200: z.object({
            userId: z.number(),
            username: z.string(),
            unitId: z.number(),
            roles: z.array(z.object({ unitId: z.number(), role: z.string() })),
          }),
        },
      },
    },
    (request) => {
      const actor = actorOf(request);
      return { ...actor, roles: [...actor.roles] };
    },
  );
};
