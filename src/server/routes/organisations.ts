import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  congressCreateInput,
  organisationCountQuery,
  organisationCounts,
  organisationCreateInput,
  organisationDetail,
  organisationListQuery,
  organisationPage,
  organisationResolutions,
  organisationResolveInput,
  organisationUpdateInput,
  statusCreateInput,
} from "../../core/organisations/schema.ts";
import {
  addOrganisationCongress,
  addOrganisationStatus,
  countOrganisations,
  createOrganisation,
  deleteOrganisation,
  getOrganisation,
  listOrganisations,
  removeOrganisationCongress,
  removeOrganisationStatus,
  resolveOrganisationNames,
  updateOrganisation,
} from "../../core/organisations/service.ts";
import { partnerRelationInput, relationshipInput } from "../../core/relationships/schema.ts";
import { addPartnerRelation, removePartnerRelation, setRelationship } from "../../core/relationships/service.ts";
import { id, idParam } from "../../core/shared/schema.ts";
import { onReplica } from "../../db/current.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["Organisations"];

/** Routes for organisations, their statuses, our relationship and partner relations. */
export const organisationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/organisations",
    {
      schema: {
        tags,
        summary: "List organisations",
        querystring: organisationListQuery,
        response: { 200: organisationPage, ...errorResponses },
      },
    },
    (request) => onReplica(() => listOrganisations(actorOf(request), request.query)),
  );
  app.get(
    "/organisations/counts",
    {
      schema: {
        tags,
        summary: "Count organisations by country, kind, family, region or relationship level, with the list's filters",
        querystring: organisationCountQuery,
        response: { 200: organisationCounts, ...errorResponses },
      },
    },
    (request) => countOrganisations(actorOf(request), request.query),
  );
  app.get(
    "/organisations/:id",
    { schema: { tags, summary: "Get an organisation", params: idParam, response: { 200: organisationDetail, ...errorResponses } } },
    (request) => getOrganisation(actorOf(request), request.params.id),
  );
  app.post(
    "/organisations/resolve",
    {
      schema: {
        tags,
        summary: "Resolve pasted names, one per line: found, ambiguous (with every candidate), none, or a repeat of an earlier line",
        body: organisationResolveInput,
        response: { 200: organisationResolutions, ...errorResponses },
      },
    },
    (request) => resolveOrganisationNames(actorOf(request), request.body),
  );
  app.post(
    "/organisations",
    {
      schema: {
        tags,
        summary: "Create an organisation",
        body: organisationCreateInput,
        response: { 201: organisationDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createOrganisation(actorOf(request), request.body)),
  );
  app.patch(
    "/organisations/:id",
    {
      schema: {
        tags,
        summary: "Change an organisation (names and tags, when given, replace the set)",
        params: idParam,
        body: organisationUpdateInput,
        response: { 200: organisationDetail, ...errorResponses },
      },
    },
    (request) => updateOrganisation(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/organisations/:id",
    { schema: { tags, summary: "Delete an organisation", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteOrganisation(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    "/organisations/:id/statuses",
    {
      schema: {
        tags,
        summary: "Record a dated status (in government, opposition, banned, dissolved)",
        params: idParam,
        body: statusCreateInput,
        response: { 201: organisationDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addOrganisationStatus(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    "/organisations/:id/statuses/:statusId",
    {
      schema: {
        tags,
        summary: "Remove a status",
        params: z.object({ id, statusId: id }),
        response: { 200: organisationDetail, ...errorResponses },
      },
    },
    (request) => removeOrganisationStatus(actorOf(request), request.params.id, request.params.statusId),
  );
  app.post(
    "/organisations/:id/congresses",
    {
      schema: {
        tags,
        summary: "Record a congress of this partner, past or coming",
        params: idParam,
        body: congressCreateInput,
        response: { 201: organisationDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addOrganisationCongress(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    "/organisations/:id/congresses/:congressId",
    {
      schema: {
        tags,
        summary: "Remove a congress",
        params: z.object({ id, congressId: id }),
        response: { 200: organisationDetail, ...errorResponses },
      },
    },
    (request) => removeOrganisationCongress(actorOf(request), request.params.id, request.params.congressId),
  );
  app.put(
    "/organisations/:id/relationship",
    {
      schema: {
        tags,
        summary: "Set our relationship with this partner",
        params: idParam,
        body: relationshipInput,
        response: { 200: organisationDetail, ...errorResponses },
      },
    },
    (request) => setRelationship(actorOf(request), request.params.id, request.body),
  );
  app.post(
    "/organisations/:id/relations",
    {
      schema: {
        tags,
        summary: "Record a relation to another partner (member of, affiliate of, coalition with, successor of)",
        params: idParam,
        body: partnerRelationInput,
        response: { 201: organisationDetail, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addPartnerRelation(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    "/organisations/:id/relations/:relationId",
    {
      schema: {
        tags,
        summary: "Remove a relation between partners",
        params: z.object({ id, relationId: id }),
        response: { 200: organisationDetail, ...errorResponses },
      },
    },
    (request) => removePartnerRelation(actorOf(request), request.params.id, request.params.relationId),
  );
};
