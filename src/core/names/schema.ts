import { z } from "zod";
import { countryCode, optionalText, pageOf, pageQuery } from "../shared/schema.ts";
import { keysOf, relationshipLevels } from "../shared/vocabulary.ts";

/** The review queue's filters. */
export const nameSuggestionQuery = pageQuery.extend({
  status: z.enum(["pending", "accepted", "rejected"]).default("pending"),
  country: countryCode.optional(),
  region: z
    .string()
    .regex(/^\d{3}$/, "A UN M49 region code such as 142.")
    .optional(),
  level: z.enum(keysOf(relationshipLevels)).optional().describe("Our relationship level with the partner."),
  inGovernment: z.enum(["true", "false"]).optional().describe("Only parties in government today."),
  minConfidence: z.coerce.number().min(0).max(1).optional(),
  maxConfidence: z.coerce.number().min(0).max(1).optional(),
  method: z.enum(["known", "glossary", "mixed", "transliteration"]).optional(),
});

/** A reviewer's decision: the suggestion as it is, or edited; `basis` names the suggestion judged. */
export const nameDecisionInput = z
  .object({
    zh: optionalText(300).describe("The Chinese name, if the reviewer changed it."),
    short: optionalText(100).describe("A common short form (越共), if any."),
    basis: z.string().max(64).optional().describe("The suggestion's basis from the queue: refused when the organisation changed since."),
  })
  .strict();
export type NameDecisionInput = z.output<typeof nameDecisionInput>;

export const nameSettingsInput = z.object({ showSuggested: z.boolean() }).strict();
export const nameSettingsOutput = z.object({
  showSuggested: z.boolean().describe("Suggested Chinese names are shown, marked, where no confirmed one exists."),
});
export type NameSettings = z.output<typeof nameSettingsOutput>;

const step = z.object({
  rule: z.string(),
  en: z.string().optional(),
  zh: z.string().optional(),
  note: z.string().optional(),
});

export const nameSuggestionItem = z.object({
  organisation: z.object({
    id: z.number(),
    name: z.object({ en: z.string(), zh: z.string().nullable() }),
    abbreviation: z.string().nullable(),
    kind: z.string(),
    country: z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  }),
  relationshipLevel: z.string().nullable(),
  inGovernment: z.boolean(),
  engagements: z.number(),
  suggestion: z.object({
    zh: z.string(),
    short: z.string().nullable(),
    confidence: z.number(),
    method: z.string(),
    transliterated: z.boolean().describe("Proper names were transliterated: a person should check them."),
    steps: z.array(step).describe("How the suggestion was made: the glossary entries and rules it used."),
  }),
  basis: z.string(),
  status: z.string(),
});
export type NameSuggestionItem = z.output<typeof nameSuggestionItem>;
export const nameSuggestionPage = pageOf(nameSuggestionItem);

export const suggestionRefresh = z.object({ considered: z.number(), made: z.number(), applied: z.number() });
export type SuggestionRefresh = z.output<typeof suggestionRefresh>;
