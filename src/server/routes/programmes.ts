import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  chairInput,
  mechanismCreateInput,
  mechanismDetail,
  mechanismOutput,
  mechanismUpdateInput,
  memberInput,
  membershipOutput,
  membersOnOutput,
  membersOnQuery,
  memberUpdateInput,
} from "../../core/mechanisms/schema.ts";
import {
  addChair,
  addMember,
  createMechanism,
  deleteMechanism,
  getMechanism,
  listMechanisms,
  listMemberships,
  membersOn,
  removeChair,
  removeMember,
  updateMechanism,
  updateMember,
} from "../../core/mechanisms/service.ts";
import { programmeCreateInput, programmeDetail, programmeOutput, programmeUpdateInput } from "../../core/programmes/schema.ts";
import { createProgramme, deleteProgramme, getProgramme, listProgrammes, updateProgramme } from "../../core/programmes/service.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

/** Routes for programmes (campaigns that group engagements). */
export const programmeRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ["Programmes"];
  app.get(
    "/programmes",
    { schema: { tags, summary: "List programmes", response: { 200: z.array(programmeOutput), ...errorResponses } } },
    (request) => listProgrammes(actorOf(request)),
  );
  app.get(
    "/programmes/:id",
    {
      schema: { tags, summary: "A programme with running totals", params: idParam, response: { 200: programmeDetail, ...errorResponses } },
    },
    (request) => getProgramme(actorOf(request), request.params.id),
  );
  app.post(
    "/programmes",
    { schema: { tags, summary: "Create a programme", body: programmeCreateInput, response: { 201: programmeOutput, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createProgramme(actorOf(request), request.body)),
  );
  app.patch(
    "/programmes/:id",
    {
      schema: {
        tags,
        summary: "Change a programme",
        params: idParam,
        body: programmeUpdateInput,
        response: { 200: programmeOutput, ...errorResponses },
      },
    },
    (request) => updateProgramme(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/programmes/:id",
    { schema: { tags, summary: "Delete an empty programme", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteProgramme(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/** Routes for mechanisms and platforms: dated membership, chairs, sessions. */
export const mechanismRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ["Mechanisms"];
  const memberParams = z.object({ id, memberId: id });
  app.get(
    "/mechanisms",
    { schema: { tags, summary: "List mechanisms", response: { 200: z.array(mechanismOutput), ...errorResponses } } },
    (request) => listMechanisms(actorOf(request)),
  );
  app.get(
    "/mechanisms/:id",
    {
      schema: {
        tags,
        summary: "A mechanism with members, chairs and sessions",
        params: idParam,
        response: { 200: mechanismDetail, ...errorResponses },
      },
    },
    (request) => getMechanism(actorOf(request), request.params.id),
  );
  app.get(
    "/organisations/:id/memberships",
    {
      schema: {
        tags,
        summary: "An organisation's memberships in mechanisms, with the terms it chaired",
        params: idParam,
        response: { 200: z.array(membershipOutput), ...errorResponses },
      },
    },
    (request) => listMemberships(actorOf(request), request.params.id),
  );
  app.get(
    "/mechanisms/:id/members",
    {
      schema: {
        tags,
        summary: "The members and the chair on a date",
        params: idParam,
        querystring: membersOnQuery,
        response: { 200: membersOnOutput, ...errorResponses },
      },
    },
    (request) => membersOn(actorOf(request), request.params.id, request.query),
  );
  app.post(
    "/mechanisms",
    { schema: { tags, summary: "Create a mechanism", body: mechanismCreateInput, response: { 201: mechanismDetail, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createMechanism(actorOf(request), request.body)),
  );
  app.patch(
    "/mechanisms/:id",
    {
      schema: {
        tags,
        summary: "Change a mechanism",
        params: idParam,
        body: mechanismUpdateInput,
        response: { 200: mechanismDetail, ...errorResponses },
      },
    },
    (request) => updateMechanism(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/mechanisms/:id",
    { schema: { tags, summary: "Delete a mechanism", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteMechanism(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/mechanisms/:id/members",
    {
      schema: {
        tags,
        summary: "Add a membership",
        params: idParam,
        body: memberInput,
        response: { 201: mechanismDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addMember(actorOf(request), request.params.id, request.body)),
  );
  app.patch(
    "/mechanisms/:id/members/:memberId",
    {
      schema: {
        tags,
        summary: "Change a membership's dates",
        params: memberParams,
        body: memberUpdateInput,
        response: { 200: mechanismDetail, ...errorResponses },
      },
    },
    (request) => updateMember(actorOf(request), request.params.id, request.params.memberId, request.body),
  );
  app.delete(
    "/mechanisms/:id/members/:memberId",
    { schema: { tags, summary: "Remove a membership", params: memberParams, response: { 200: mechanismDetail, ...errorResponses } } },
    (request) => removeMember(actorOf(request), request.params.id, request.params.memberId),
  );
  app.post(
    "/mechanisms/:id/chairs",
    {
      schema: {
        tags,
        summary: "Record a chair's term",
        params: idParam,
        body: chairInput,
        response: { 201: mechanismDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addChair(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    "/mechanisms/:id/chairs/:chairId",
    {
      schema: {
        tags,
        summary: "Remove a chair's term",
        params: z.object({ id, chairId: id }),
        response: { 200: mechanismDetail, ...errorResponses },
      },
    },
    (request) => removeChair(actorOf(request), request.params.id, request.params.chairId),
  );
};
