import { z } from "zod";
import { countryCode, id, pageOf, pageQuery } from "../shared/schema.ts";

/** Which of the two records a merged field is taken from. */
export const side = z.enum(["survivor", "merged"]);
export type Side = z.output<typeof side>;

/** The organisation fields a merge chooses between; names, tags, statuses and relations are united. */
export const organisationMergeFields = [
  // Whose official names stay official (the other's become aliases where they differ).
  "names",
  "kind",
  "countryCode",
  "foundedYear",
  "dissolvedYear",
  "website",
  "description",
  "family",
  "wikidataId",
  "partyfactsId",
  "parlgovId",
  "relationship",
] as const;
export type OrganisationMergeField = (typeof organisationMergeFields)[number];

/** The person fields a merge chooses between; aliases, positions and contact details are united. */
export const personMergeFields = [
  "nameEn",
  "familyNameEn",
  "givenNameEn",
  "nameZh",
  "nameNative",
  "nativeLang",
  "gender",
  "birthYear",
  "countryCode",
  "biography",
] as const;
export type PersonMergeField = (typeof personMergeFields)[number];

const choices = <T extends readonly [string, ...string[]]>(fields: T) =>
  z
    .partialRecord(z.enum(fields), side)
    .default({})
    .describe(
      "For each field, the record its value is taken from; by default the survivor's, or the merged record's where the survivor has none.",
    );

export const organisationMergeInput = z
  .object({
    survivorId: id.describe("The record that stays: the other's names, engagements and everything else move to it."),
    mergedId: id.describe("The record that goes: its id answers afterwards with a pointer to the survivor."),
    choose: choices(organisationMergeFields),
  })
  .strict()
  .refine((v) => v.survivorId !== v.mergedId, { path: ["mergedId"], message: "Choose two different records." });

export const personMergeInput = z
  .object({
    survivorId: id.describe("The person who stays: the other's positions, engagements and contact details move to them."),
    mergedId: id.describe("The person who goes: their id answers afterwards with a pointer to the survivor."),
    choose: choices(personMergeFields),
  })
  .strict()
  .refine((v) => v.survivorId !== v.mergedId, { path: ["mergedId"], message: "Choose two different records." });

export const duplicateQuery = pageQuery.extend({
  country: countryCode.optional(),
  id: id.optional().describe("Only the candidates for this record."),
  minScore: z.coerce.number().min(0).max(1).default(0.5),
});

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
const recordSummary = z.object({
  id: z.number(),
  name: bilingual,
  nameZhSuggested: z.boolean().optional(),
  abbreviation: z.string().nullable().optional(),
  country: z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  years: z.object({ founded: z.number().nullable(), dissolved: z.number().nullable() }).optional(),
  engagements: z.number().describe("Engagements that name the record (all units)."),
});

export const duplicateCandidate = z.object({
  a: recordSummary,
  b: recordSummary,
  score: z.number().describe("How sure the match is, 0 to 1."),
  reasons: z
    .array(
      z.object({
        rule: z.enum(["wikidata", "same_name", "other_name", "chinese_name", "abbreviation", "alike"]),
        value: z.string().nullable(),
      }),
    )
    .describe("Why the two look like one: the shared Wikidata id, the name they share, how alike their names are."),
});
export const duplicatePage = pageOf(duplicateCandidate);

export const mergeResult = z.object({
  survivorId: z.number(),
  mergedId: z.number(),
  moved: z.array(z.object({ table: z.string(), column: z.string(), moved: z.number(), folded: z.number() })),
});

export type DuplicateQuery = z.output<typeof duplicateQuery>;
export type DuplicateCandidate = z.output<typeof duplicateCandidate>;
export type MergeResult = z.output<typeof mergeResult>;
