import { z } from "zod";

/** The error body, documented on every route. */
export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** Error responses every route can give. */
export const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

export const noContent = { 204: z.null().describe("Done") };
