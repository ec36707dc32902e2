import { z } from "zod";
import { id } from "../shared/schema.ts";

export const shareInput = z.object({ unitId: id.describe("The unit that may read the record from now on.") }).strict();
export const shareParams = z.object({ id, unitId: id });

export const shareOutput = z.object({
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
  sharedBy: z.object({ id: z.number(), displayName: z.string() }).nullable(),
  sharedAt: z.string(),
});
export type ShareOutput = z.output<typeof shareOutput>;
