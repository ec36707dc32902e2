import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  fileInspection,
  importOptions,
  importOutput,
  inspectOptions,
  mappingInput,
  mappingOutput,
  previewOutput,
} from "../../core/imports/schema.ts";
import { getImport, listImports, listMappings, onUpload, putMapping, undoImport, uploadImportFile } from "../../core/imports/service.ts";
import { maxImportBytes } from "../../core/imports/uploads.ts";
import { AppError } from "../../core/shared/errors.ts";
import { idParam } from "../../core/shared/schema.ts";
import { actorOf } from "../actor.ts";
import { errorResponses, errorSchema, sendFile } from "./shared.ts";

const tags = ["imports"];
const fileId = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "Expected the id the upload gave.")
  .describe("The id the upload gave.");
const withFile = importOptions.safeExtend({ fileId });
const inspected = fileInspection.extend({ fileId: z.string() });

/** Imports from an office's spreadsheets: upload, inspect, preview (and its spreadsheet), import, undo; saved mappings. */
export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  // The upload is the file's bytes as the body, like an attachment: no multipart parsing.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<ZodTypeProvider>();
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser("*", (request, payload, done) => {
      const declared = Number(request.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxImportBytes())
        return done(
          new AppError("PAYLOAD_TOO_LARGE", `The file is larger than ${Math.round(maxImportBytes() / 1024 / 1024)} MB.`),
          undefined,
        );
      done(null, payload);
    });
    upload.post(
      "/imports/files",
      {
        schema: {
          tags,
          summary: "Upload a file to import (CSV, TSV or XLSX as the body): what it holds, and the suggested mapping",
          querystring: inspectOptions,
          response: { 201: inspected, ...errorResponses, 413: errorSchema },
        },
      },
      async (request, reply) => {
        const data = request.body instanceof Readable ? request.body : Buffer.alloc(0);
        return reply.status(201).send(await uploadImportFile(actorOf(request), data, request.query));
      },
    );
  });
  app.post(
    "/imports/inspect",
    {
      schema: {
        tags,
        summary: "Read an uploaded file again: another sheet, encoding or saved mapping",
        body: inspectOptions.extend({ fileId }),
        response: { 200: inspected, ...errorResponses },
      },
    },
    (request) => onUpload.inspect(actorOf(request), request.body),
  );
  app.post(
    "/imports/preview",
    {
      schema: {
        tags,
        summary: "The dry run: every row read, mapped and matched, with the counts an import would give; nothing is written",
        body: withFile,
        response: { 200: previewOutput, ...errorResponses },
      },
    },
    (request) => onUpload.preview(actorOf(request), request.body),
  );
  app.post(
    "/imports/preview/spreadsheet",
    {
      schema: {
        tags,
        summary: "The dry run as an XLSX: the file's rows with a status and the reasons, to correct and upload again",
        body: withFile,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = await onUpload.spreadsheet(actorOf(request), request.body);
      sendFile(reply, {
        contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        fileName: "import-preview.xlsx",
        body,
      });
    },
  );
  app.post(
    "/imports",
    {
      schema: {
        tags,
        summary: "Import an uploaded file: answers at once with the import's record; follow it at /imports/{id}",
        body: withFile,
        response: { 202: importOutput, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(202).send(await onUpload.start(actorOf(request), request.body)),
  );
  app.get(
    "/imports",
    { schema: { tags, summary: "Imports, newest first", response: { 200: z.array(importOutput), ...errorResponses } } },
    (request) => listImports(actorOf(request)),
  );
  app.get(
    "/imports/mappings",
    { schema: { tags, summary: "Saved mappings", response: { 200: z.array(mappingOutput), ...errorResponses } } },
    (request) => listMappings(actorOf(request)),
  );
  app.put(
    "/imports/mappings/:name",
    {
      schema: {
        tags,
        summary: "Save a mapping by name",
        params: z.object({ name: z.string().min(1).max(100) }),
        body: mappingInput,
        response: { 200: mappingOutput, ...errorResponses },
      },
    },
    (request) => putMapping(actorOf(request), request.params.name, request.body),
  );
  app.get(
    "/imports/:id",
    {
      schema: {
        tags,
        summary: "One import: its progress or outcome, and its rows' errors",
        params: idParam,
        response: { 200: importOutput, ...errorResponses },
      },
    },
    (request) => getImport(actorOf(request), request.params.id),
  );
  app.post(
    "/imports/:id/undo",
    {
      schema: {
        tags,
        summary: "Undo an import: the records it created go while nothing points at them; records it matched get their fields back",
        params: idParam,
        response: { 200: importOutput, ...errorResponses },
      },
    },
    (request) => undoImport(actorOf(request), request.params.id),
  );
};
