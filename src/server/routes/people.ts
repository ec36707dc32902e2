import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  contactInput,
  contactOutput,
  personCreateInput,
  personDetail,
  personListQuery,
  personPage,
  personUpdateInput,
  positionInput,
} from "../../core/people/schema.ts";
import {
  addContact,
  addPosition,
  createPerson,
  deletePerson,
  getPerson,
  listContacts,
  listPeople,
  removeContact,
  removePosition,
  updatePerson,
  updatePosition,
} from "../../core/people/service.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { onReplica } from "../../db/current.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["People"];

/** Routes for people, their positions and (separately) their contact details. */
export const peopleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/people",
    { schema: { tags, summary: "List people", querystring: personListQuery, response: { 200: personPage, ...errorResponses } } },
    (request) => onReplica(() => listPeople(actorOf(request), request.query)),
  );
  app.get(
    "/people/:id",
    { schema: { tags, summary: "Get a person's public profile", params: idParam, response: { 200: personDetail, ...errorResponses } } },
    (request) => getPerson(actorOf(request), request.params.id),
  );
  app.post(
    "/people",
    { schema: { tags, summary: "Create a person", body: personCreateInput, response: { 201: personDetail, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createPerson(actorOf(request), request.body)),
  );
  app.patch(
    "/people/:id",
    {
      schema: {
        tags,
        summary: "Change a person",
        params: idParam,
        body: personUpdateInput,
        response: { 200: personDetail, ...errorResponses },
      },
    },
    (request) => updatePerson(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/people/:id",
    { schema: { tags, summary: "Delete a person", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deletePerson(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/people/:id/positions",
    {
      schema: { tags, summary: "Add a position", params: idParam, body: positionInput, response: { 201: personDetail, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await addPosition(actorOf(request), request.params.id, request.body)),
  );
  app.put(
    "/people/:id/positions/:positionId",
    {
      schema: {
        tags,
        summary: "Change a position",
        params: z.object({ id, positionId: id }),
        body: positionInput,
        response: { 200: personDetail, ...errorResponses },
      },
    },
    (request) => updatePosition(actorOf(request), request.params.id, request.params.positionId, request.body),
  );
  app.delete(
    "/people/:id/positions/:positionId",
    {
      schema: {
        tags,
        summary: "Remove a position",
        params: z.object({ id, positionId: id }),
        response: { 200: personDetail, ...errorResponses },
      },
    },
    (request) => removePosition(actorOf(request), request.params.id, request.params.positionId),
  );
  app.get(
    "/people/:id/contacts",
    {
      schema: {
        tags,
        summary: "A person's contact details (restricted; only those recorded by units in your scope)",
        params: idParam,
        response: { 200: z.array(contactOutput), ...errorResponses },
      },
    },
    (request) => listContacts(actorOf(request), request.params.id),
  );
  app.post(
    "/people/:id/contacts",
    {
      schema: {
        tags,
        summary: "Add a contact detail",
        params: idParam,
        body: contactInput,
        response: { 201: contactOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addContact(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    "/people/:id/contacts/:contactId",
    {
      schema: {
        tags,
        summary: "Remove a contact detail",
        params: z.object({ id, contactId: id }),
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeContact(actorOf(request), request.params.id, request.params.contactId);
      return reply.status(204).send(null);
    },
  );
};
