import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ShareableEntity } from "../../core/access/scope.ts";
import { noteCreateInput, noteOutput, noteUpdateInput } from "../../core/notes/schema.ts";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "../../core/notes/service.ts";
import { idParam } from "../../core/shared/schema.ts";
import { shareInput, shareOutput, shareParams } from "../../core/sharing/schema.ts";
import { listShares, shareRecord, unshareRecord } from "../../core/sharing/service.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, noContent } from "./shared.ts";

const tags = ["Notes and sharing"];

/** Units' notes on organisations and people, and sharing of engagements and notes with other units. */
export const noteRoutes: FastifyPluginAsyncZod = async (app) => {
  const subjects = [
    { path: "organisations", kind: "organisation" },
    { path: "people", kind: "person" },
  ] as const;
  for (const subject of subjects) {
    app.get(
      `/${subject.path}/:id/notes`,
      {
        schema: {
          tags,
          summary: `Notes on a ${subject.kind} that you may read (your units', and those shared with them)`,
          params: idParam,
          response: { 200: z.array(noteOutput), ...errorResponses },
        },
      },
      (request) => listNotes(actorOf(request), { kind: subject.kind, id: request.params.id }),
    );
    app.post(
      `/${subject.path}/:id/notes`,
      {
        schema: {
          tags,
          summary: `Write a note on a ${subject.kind}, owned by your unit`,
          params: idParam,
          body: noteCreateInput,
          response: { 201: noteOutput, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createNote(actorOf(request), { kind: subject.kind, id: request.params.id }, request.body)),
    );
  }
  app.get(
    "/notes/:id",
    { schema: { tags, summary: "Get a note", params: idParam, response: { 200: noteOutput, ...errorResponses } } },
    (request) => getNote(actorOf(request), request.params.id),
  );
  app.patch(
    "/notes/:id",
    {
      schema: {
        tags,
        summary: "Change a note (its unit only)",
        params: idParam,
        body: noteUpdateInput,
        response: { 200: noteOutput, ...errorResponses },
      },
    },
    (request) => updateNote(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    "/notes/:id",
    { schema: { tags, summary: "Delete a note (its unit only)", params: idParam, response: { ...noContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteNote(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  const shareable: ReadonlyArray<{ path: string; entity: ShareableEntity }> = [
    { path: "engagements", entity: "engagement" },
    { path: "notes", entity: "note" },
  ];
  for (const { path, entity } of shareable) {
    app.get(
      `/${path}/:id/shares`,
      {
        schema: {
          tags,
          summary: `The units a ${entity} is shared with`,
          params: idParam,
          response: { 200: z.array(shareOutput), ...errorResponses },
        },
      },
      (request) => listShares(actorOf(request), entity, request.params.id),
    );
    app.post(
      `/${path}/:id/shares`,
      {
        schema: {
          tags,
          summary: `Share a ${entity} with another unit, which may then read it (its owners only)`,
          params: idParam,
          body: shareInput,
          response: { 200: z.array(shareOutput), ...errorResponses },
        },
      },
      (request) => shareRecord(actorOf(request), entity, request.params.id, request.body),
    );
    app.delete(
      `/${path}/:id/shares/:unitId`,
      {
        schema: {
          tags,
          summary: `Stop sharing a ${entity} with a unit`,
          params: shareParams,
          response: { ...noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await unshareRecord(actorOf(request), entity, request.params.id, request.params.unitId);
        return reply.status(204).send(null);
      },
    );
  }
};
