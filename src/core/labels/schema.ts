import { z } from "zod";
import { key, text } from "../shared/schema.ts";

/** Tags label organisations; topics label engagements. Both are bilingual. */
export const labelKinds = ["tags", "topics"] as const;
export type LabelKind = (typeof labelKinds)[number];

export const labelCreateInput = z.object({ key, nameEn: text(200), nameZh: text(200) });
export const labelUpdateInput = labelCreateInput.partial();
export const labelOutput = z.object({
  id: z.number(),
  key: z.string(),
  name: z.object({ en: z.string(), zh: z.string() }),
});
export type LabelOutput = z.output<typeof labelOutput>;
