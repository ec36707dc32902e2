import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { placePolicy } from "../../core/countries/places.ts";
import {
  countryCreateInput,
  countryDetailOutput,
  countryListQuery,
  countryOutput,
  countryUpdateInput,
  regionOutput,
} from "../../core/countries/schema.ts";
import {
  createCountry,
  getCountry,
  getPlacePolicy,
  listCountries,
  listRegions,
  setPlacePolicy,
  updateCountry,
} from "../../core/countries/service.ts";
import { countryGroupRef } from "../../core/countries/store.ts";
import { countryGroupCreateInput, countryGroupOutput, countryGroupUpdateInput } from "../../core/country-groups/schema.ts";
import {
  createCountryGroup,
  deleteCountryGroup,
  getCountryGroup,
  listCountryGroups,
  updateCountryGroup,
} from "../../core/country-groups/service.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const codeParam = z.object({ code: z.string().regex(/^[A-Za-z][A-Za-z0-9]{1,3}$/, "Expected a country code such as CHN.") });
const groupParam = z.object({ idOrKey: z.string().min(1).max(64) });

/** Routes for regions, countries and country groups. */
export const geographyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/places/policy",
    {
      schema: {
        tags: ["Countries"],
        summary: "The territorial policy: how figures count states, regions of a state, disputed, supranational and historical places",
        response: { 200: placePolicy, ...errorResponses },
      },
    },
    (request) => getPlacePolicy(actorOf(request)),
  );
  app.put(
    "/places/policy",
    {
      schema: {
        tags: ["Countries"],
        summary: "Change the territorial policy (administrators); every figure follows at once",
        body: placePolicy,
        response: { 200: placePolicy, ...errorResponses },
      },
    },
    (request) => setPlacePolicy(actorOf(request), request.body),
  );
  app.get(
    "/regions",
    { schema: { tags: ["Countries"], summary: "List UN M49 regions", response: { 200: z.array(regionOutput), ...errorResponses } } },
    (request) => listRegions(actorOf(request)),
  );
  app.get(
    "/countries",
    {
      schema: {
        tags: ["Countries"],
        summary: "List countries and territories",
        querystring: countryListQuery,
        response: { 200: z.array(countryOutput), ...errorResponses },
      },
    },
    (request) => listCountries(actorOf(request), request.query),
  );
  app.get(
    "/countries/:code",
    {
      schema: {
        tags: ["Countries"],
        summary: "Get a country",
        params: codeParam,
        response: { 200: countryDetailOutput, ...errorResponses },
      },
    },
    (request) => getCountry(actorOf(request), request.params.code),
  );
  app.post(
    "/countries",
    {
      schema: {
        tags: ["Countries"],
        summary: "Add a territory, e.g. a historical state",
        body: countryCreateInput,
        response: { 201: countryOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createCountry(actorOf(request), request.body)),
  );
  app.patch(
    "/countries/:code",
    {
      schema: {
        tags: ["Countries"],
        summary: "Change a country's names or facts",
        params: codeParam,
        body: countryUpdateInput,
        response: { 200: countryOutput, ...errorResponses },
      },
    },
    (request) => updateCountry(actorOf(request), request.params.code, request.body),
  );
  app.get(
    "/country-groups",
    {
      schema: {
        tags: ["Country groups"],
        summary: "List country groups",
        response: { 200: z.array(countryGroupOutput), ...errorResponses },
      },
    },
    (request) => listCountryGroups(actorOf(request)),
  );
  app.get(
    "/country-groups/:idOrKey",
    {
      schema: {
        tags: ["Country groups"],
        summary: "Get a country group by id or key",
        params: groupParam,
        response: { 200: countryGroupOutput, ...errorResponses },
      },
    },
    (request) => {
      const { idOrKey } = request.params;
      const ref = countryGroupRef(idOrKey);
      return getCountryGroup(actorOf(request), "id" in ref ? ref.id : ref.key);
    },
  );
  app.post(
    "/country-groups",
    {
      schema: {
        tags: ["Country groups"],
        summary: "Create a country group",
        body: countryGroupCreateInput,
        response: { 201: countryGroupOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createCountryGroup(actorOf(request), request.body)),
  );
  app.patch(
    "/country-groups/:id",
    {
      schema: {
        tags: ["Country groups"],
        summary: "Rename a group or replace its members",
        params: idParam,
        body: countryGroupUpdateInput,
        response: { 200: countryGroupOutput, ...errorResponses },
      },
    },
    (request) => updateCountryGroup(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/country-groups/:id",
    {
      schema: {
        tags: ["Country groups"],
        summary: "Delete a country group",
        params: idParam,
        response: { ...noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteCountryGroup(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
