import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { mergedInto } from "../core/merge/service.ts";
import { AppError, type ErrorCode, errorCodes, type FieldIssue } from "../core/shared/errors.ts";
import { writeAuditAs } from "../core/shared/mutation.ts";
import { db } from "../db/current.ts";
import { storageFull, storageState } from "../db/storage.ts";

/** The error body of every failed request. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

// Two saves that waited on each other (one is cancelled) or could not both stand: the
// cancelled one's transaction is rolled back whole, so nothing of it was written.
const clash: { code: ErrorCode; message: string } = {
  code: "CONFLICT",
  message: "Another change to the same records was being saved at the same moment; nothing was saved. Try again.",
};

// PostgreSQL errors that are the caller's fault or a clash with another save, by SQLSTATE.
const pgErrors: Record<string, { code: ErrorCode; message: string }> = {
  "23505": { code: "CONFLICT", message: "A record with the same unique value exists already." },
  "23503": { code: "CONFLICT", message: "The record refers to, or is referred to by, another record." },
  "23514": { code: "VALIDATION_FAILED", message: "A value is outside what is allowed." },
  "22P02": { code: "VALIDATION_FAILED", message: "A value has the wrong format." },
  "22003": { code: "VALIDATION_FAILED", message: "A number is out of range." },
  "22007": { code: "VALIDATION_FAILED", message: "A date has the wrong format." },
  "22008": { code: "VALIDATION_FAILED", message: "A date is out of range." },
  "22001": { code: "VALIDATION_FAILED", message: "A value is too long." },
  "2201B": { code: "VALIDATION_FAILED", message: "The search pattern is not valid." },
  "42601": { code: "VALIDATION_FAILED", message: "The search text could not be understood." },
  "40P01": clash,
  "40001": clash,
};

function fieldPath(context: string | undefined, instancePath: string): string {
  const inner = instancePath.replace(/^\//, "").replaceAll("/", ".");
  // A query or path parameter is named by itself; the body's own level is "(root)".
  return inner || (context === "body" || !context ? "(root)" : context);
}

/** PostgreSQL's disk_full (53100), or a file store's ENOSPC: no write can succeed until space is freed. */
function isDiskFull(error: unknown): boolean {
  if (error instanceof AppError) return error.code === "STORAGE_FULL";
  const code = (error as { code?: unknown } | null)?.code;
  return code === "53100" || code === "ENOSPC" || /No space left on device/.test(String((error as Error | null)?.message ?? ""));
}

/** Maps any error to its HTTP status and body; the one place where codes become statuses. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isDiskFull(error)) {
    storageState.recordFull();
    const full = storageFull("Liaison's data", null);
    return { status: errorCodes.STORAGE_FULL, body: { code: "STORAGE_FULL", message: full.message, details: {} } };
  }
  if (error instanceof AppError) {
    return { status: errorCodes[error.code], body: { code: error.code, message: error.message, details: error.details } };
  }
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields: FieldIssue[] = error.validation.map((v) => ({
      path: fieldPath(fastifyError.validationContext, v.instancePath),
      message: v.message ?? "Invalid value.",
    }));
    const first = fields[0];
    return {
      status: 400,
      body: {
        code: "VALIDATION_FAILED",
        message: first ? `${first.path}: ${first.message}` : "Invalid input.",
        details: { fields, in: fastifyError.validationContext },
      },
    };
  }
  const sqlState = (error as { code?: unknown }).code;
  if (typeof sqlState === "string" && pgErrors[sqlState]) {
    const mapped = pgErrors[sqlState];
    return { status: errorCodes[mapped.code], body: { code: mapped.code, message: mapped.message, details: {} } };
  }
  const status = typeof fastifyError.statusCode === "number" ? fastifyError.statusCode : 500;
  if (status === 429) return { status, body: { code: "RATE_LIMITED", message: "Too many requests; try again shortly.", details: {} } };
  if (status === 413) return { status, body: { code: "PAYLOAD_TOO_LARGE", message: "The request body is too large.", details: {} } };
  if (status === 401) return { status, body: { code: "UNAUTHENTICATED", message: "Sign in first.", details: {} } };
  if (status === 403) {
    return {
      status,
      body: { code: "FORBIDDEN", message: "Missing or invalid CSRF token: send x-csrf-token with every change.", details: {} },
    };
  }
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx messages (bad JSON, wrong content type) are safe to show.
    return { status, body: { code: status === 404 ? "NOT_FOUND" : "BAD_REQUEST", message: fastifyError.message, details: {} } };
  }
  return {
    status: 500,
    body: { code: "INTERNAL", message: "Something went wrong on our side. The error has been logged.", details: {} },
  };
}

/** Fastify error handler: logs server faults, never shows a stack trace or SQL. */
export async function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { status, body } = toErrorResponse(error);
  const moved = status === 404 ? await pointerToSurvivor(body, request) : null;
  if (moved) {
    body.details = { ...body.details, mergedInto: moved.survivorId, location: moved.location };
    body.message = `${body.message} It was merged into ${moved.survivorId}.`;
    // A read of a merged record follows the pointer; a change must name the survivor itself.
    if (request.method === "GET" && moved.location) {
      return reply
        .status(301)
        .header("location", moved.location)
        .send({ ...body, code: "MOVED_PERMANENTLY" satisfies ErrorCode });
    }
  }
  if (status === errorCodes.STORAGE_FULL) request.log.warn({ code: body.code }, "a write was refused: the disk is full");
  else if (status >= 500) request.log.error({ err: error }, "request failed");
  // A permission denied to a signed-in user is audited, like sign-in failures.
  if (status === 403 && request.actor) {
    try {
      await writeAuditAs(
        db(),
        { userId: request.actor.userId, unitId: request.actor.unitId },
        {
          entity: "permission",
          entityId: null,
          action: "denied",
          after: { method: request.method, route: request.routeOptions.url ?? request.url.split("?")[0], reason: body.message },
        },
      );
    } catch (auditError) {
      request.log.error({ err: auditError }, "could not audit a permission denial");
    }
  }
  return reply.status(status).send(body);
}

const mergeablePaths = { organisation: "organisations", person: "people" } as const;

/**
 * For a record not found because it was merged into another: the survivor's id, and the
 * same URL with the survivor's id in place of the merged one (when the id is in the path).
 */
async function pointerToSurvivor(
  body: ErrorBody,
  request: FastifyRequest,
): Promise<{ survivorId: number; location: string | null } | null> {
  const entity = body.details.entity;
  const id = Number(body.details.id);
  if ((entity !== "organisation" && entity !== "person") || !Number.isInteger(id)) return null;
  try {
    const survivorId = await mergedInto(entity, id);
    if (survivorId === null) return null;
    const segment = `/${mergeablePaths[entity]}/${id}`;
    const [path = "", search] = request.url.split("?");
    const at = path.indexOf(segment);
    const fits = at >= 0 && (path.length === at + segment.length || path[at + segment.length] === "/");
    const location = fits
      ? `${path.slice(0, at)}/${mergeablePaths[entity]}/${survivorId}${path.slice(at + segment.length)}${search ? `?${search}` : ""}`
      : null;
    return { survivorId, location };
  } catch (lookupError) {
    request.log.error({ err: lookupError }, "could not look a merged record up");
    return null;
  }
}
