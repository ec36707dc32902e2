import { z } from "zod";
import { id, isoDate, optionalText } from "../shared/schema.ts";
import { keysOf, partnerRelationKinds, relationshipLevels } from "../shared/vocabulary.ts";

export const relationshipInput = z
  .object({
    level: z.enum(keysOf(relationshipLevels)),
    since: isoDate.nullish(),
    leadUnitId: id.nullish(),
    notes: optionalText(20_000),
  })
  .strict();

export const partnerRelationInput = z
  .object({
    kind: z.enum(keysOf(partnerRelationKinds)),
    toOrganisationId: id,
    startDate: isoDate.nullish(),
    endDate: isoDate.nullish(),
    note: optionalText(2000),
  })
  .strict()
  .refine((v) => !v.startDate || !v.endDate || v.endDate >= v.startDate, { path: ["endDate"], message: "Cannot be before startDate." });
