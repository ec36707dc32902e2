import { z } from "zod";
import { classification, id, text } from "../shared/schema.ts";

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });

export const noteCreateInput = z
  .object({
    body: text(20_000),
    classification: classification.default("internal"),
    unitId: id.optional().describe("The owning unit: one in your scope (default: the unit you act for)."),
  })
  .strict();
export const noteUpdateInput = z.object({ body: text(20_000).optional(), classification: classification.optional() }).strict();

export const noteOutput = z.object({
  id: z.number(),
  subject: z.object({ kind: z.enum(["organisation", "person"]), id: z.number(), name: bilingual }),
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
  classification: z.string(),
  body: z.string(),
  createdBy: z.object({ id: z.number(), displayName: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  editable: z.boolean().describe("The reader's unit owns it (a shared note is read-only)."),
});
export type NoteOutput = z.output<typeof noteOutput>;
