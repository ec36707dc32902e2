import { z } from "zod";
import { engagementCounts } from "../engagements/schema.ts";
import { id, isoDate, optionalText, text } from "../shared/schema.ts";

const targets = z
  .object({
    delegations: z.number().int().min(0).max(1_000_000).optional(),
    countries: z.number().int().min(0).max(1000).optional(),
    events: z.number().int().min(0).max(10_000_000).optional(),
    engagements: z.number().int().min(0).max(10_000_000).optional(),
    organisations: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict()
  .describe("What the campaign set out to do, e.g. 30 delegations to 100 countries and 500 events.");

const programmeFields = {
  nameEn: text(300),
  nameZh: text(300),
  description: optionalText(20_000),
  leadUnitId: id,
  startDate: isoDate.nullish(),
  endDate: isoDate.nullish(),
  targets: targets.optional(),
};

const datesInOrder = (v: { startDate?: string | null | undefined; endDate?: string | null | undefined }) =>
  !v.startDate || !v.endDate || v.endDate >= v.startDate;

export const programmeCreateInput = z
  .object(programmeFields)
  .strict()
  .refine(datesInOrder, { path: ["endDate"], message: "Cannot be before startDate." });
export const programmeUpdateInput = z
  .object(programmeFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.")
  .refine(datesInOrder, { path: ["endDate"], message: "Cannot be before startDate." });

const bilingual = z.object({ en: z.string(), zh: z.string() });
export const programmeOutput = z.object({
  id: z.number(),
  name: bilingual,
  description: z.string().nullable(),
  leadUnit: z.object({ id: z.number(), name: bilingual }),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  targets: z.record(z.string(), z.number()),
  demo: z.boolean(),
});
export type ProgrammeOutput = z.infer<typeof programmeOutput>;

export const programmeDetail = programmeOutput.extend({
  totals: z
    .object({
      engagements: z.number(),
      organisations: z.number(),
      countries: z.number(),
      delegationsSent: z.number().describe("Visits sent."),
      events: z.number(),
      byType: engagementCounts.shape.rows,
    })
    .describe("Running totals of the programme's done engagements."),
});
export type ProgrammeDetail = z.infer<typeof programmeDetail>;
