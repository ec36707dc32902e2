import { z } from "zod";
import { pageOf, pageQuery } from "../shared/schema.ts";

export const historyQuery = pageQuery;

export const historyEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.number(), username: z.string() }).nullable(),
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  entity: z.string().describe("What changed: the record itself, or a part of it (organisation_status, position, relationship…)."),
  action: z.string().describe("create, update, delete, merge, merged_into, accept…"),
  changes: z
    .array(z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable() }))
    .describe("The fields that changed, each as short text before and after."),
});
export const historyPage = pageOf(historyEntry);
export type HistoryEntry = z.output<typeof historyEntry>;
