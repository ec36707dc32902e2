import { z } from "zod";
import {
  countryCode,
  isoDate,
  key,
  langTag,
  optionalText,
  pageOf,
  pageQuery,
  scriptCode,
  suggestedChineseName,
  text,
  withTotal,
  year,
} from "../shared/schema.ts";
import { families, keysOf, nameKinds, organisationKinds, partyStatuses, relationshipLevels } from "../shared/vocabulary.ts";

export const organisationKind = z.enum(keysOf(organisationKinds));
export const family = z.enum(keysOf(families));
export const relationshipLevel = z.enum(keysOf(relationshipLevels));
export const partyStatus = z.enum(keysOf(partyStatuses));

export const organisationNameInput = z.object({
  kind: z.enum(keysOf(nameKinds)),
  lang: langTag,
  script: scriptCode.nullish(),
  value: text(500),
  validTo: year.nullish(),
});

const organisationFields = {
  kind: organisationKind,
  countryCode: countryCode.nullish(),
  names: z.array(organisationNameInput).min(1, "Give at least one name.").max(100),
  foundedYear: year.nullish(),
  dissolvedYear: year.nullish(),
  website: z
    .url({ protocol: /^https?$/, error: "Expected an http(s) URL." })
    .max(500)
    .nullish(),
  description: optionalText(20_000),
  family: family.nullish(),
  wikidataId: z
    .string()
    .regex(/^Q[1-9]\d{0,11}$/, "Expected a Wikidata id such as Q12345.")
    .nullish(),
  partyfactsId: z.number().int().positive().max(2_000_000_000).nullish(),
  parlgovId: z.number().int().positive().max(2_000_000_000).nullish(),
  tags: z.array(key).max(50).optional(),
};

function checkYears(value: { foundedYear?: number | null; dissolvedYear?: number | null }, ctx: z.RefinementCtx) {
  if (value.foundedYear && value.dissolvedYear && value.dissolvedYear < value.foundedYear) {
    ctx.addIssue({ code: "custom", path: ["dissolvedYear"], message: "Cannot be before the founding year." });
  }
}

export const organisationCreateInput = z.object(organisationFields).strict().superRefine(checkYears);
export const organisationUpdateInput = z
  .object(organisationFields)
  .partial()
  .strict()
  .superRefine(checkYears)
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

export const organisationSorts = ["name", "-name", "nameZh", "country", "founded", "-founded", "updated", "-updated", "relevance"] as const;

export const organisationListQuery = pageQuery.extend({
  withTotal,
  q: z.string().trim().max(200).optional(),
  kind: organisationKind.optional(),
  country: countryCode.optional(),
  region: z
    .string()
    .regex(/^\d{3}$/, "Expected a UN M49 code such as 142.")
    .optional(),
  group: z.string().max(64).optional(),
  family: family.optional(),
  level: relationshipLevel.optional(),
  inGovernmentOn: isoDate.optional(),
  tag: key.optional(),
  active: z
    .enum(["true", "false"])
    .optional()
    .describe("true: only organisations that exist today (not dissolved, not of a country that no longer exists)."),
  sort: z.enum(organisationSorts).optional(),
});

export const statusCreateInput = z
  .object({ status: partyStatus, validFrom: isoDate, validTo: isoDate.nullish(), note: optionalText(2000) })
  .strict()
  .refine((v) => !v.validTo || v.validTo >= v.validFrom, { path: ["validTo"], message: "Cannot be before validFrom." });

/** A partner's congress: when it opens, its number, its name. */
export const congressCreateInput = z
  .object({
    opensOn: isoDate.describe("The day the congress opens."),
    ordinal: z.number().int().min(1).max(1000).nullish().describe("Its number: 13 for the 13th congress."),
    nameEn: optionalText(300),
    nameZh: optionalText(300),
  })
  .strict();

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
const countryRef = z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable();

export const organisationListItem = z.object({
  id: z.number(),
  kind: organisationKind,
  name: bilingual,
  nameZhSuggested: suggestedChineseName,
  abbreviation: z.string().nullable(),
  country: countryRef,
  foundedYear: z.number().nullable(),
  dissolvedYear: z.number().nullable(),
  existsToday: z.boolean().describe("Not dissolved, and not of a country that no longer exists."),
  family: z.string().nullable(),
  relationshipLevel: z.string().nullable(),
  updatedAt: z.string(),
});
export const organisationPage = pageOf(organisationListItem);

export const organisationDetail = organisationListItem.extend({
  lastEngagement: z
    .object({
      id: z.number(),
      type: z.string(),
      title: z.object({ en: z.string(), zh: z.string().nullable() }),
      startDate: z.string(),
      leadUnit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
    })
    .nullable()
    .optional()
    .describe("Who engaged this partner last, and when: the latest done engagement you may see (on reads)."),
  website: z.string().nullable(),
  description: z.string().nullable(),
  externalIds: z.object({ wikidata: z.string().nullable(), partyfacts: z.number().nullable(), parlgov: z.number().nullable() }),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
  names: z.array(
    z.object({
      id: z.number(),
      kind: z.string(),
      lang: z.string(),
      script: z.string().nullable(),
      value: z.string(),
      validTo: z.number().nullable(),
      source: z.string().describe("Where the name came from: user, partyfacts, reviewed (a person confirmed a suggestion), import, merge."),
    }),
  ),
  nameSuggestion: z
    .object({
      zh: z.string(),
      short: z.string().nullable(),
      confidence: z.number(),
      method: z.string(),
      transliterated: z.boolean(),
      steps: z.array(z.object({ rule: z.string(), en: z.string().optional(), zh: z.string().optional(), note: z.string().optional() })),
      basis: z.string(),
    })
    .nullable()
    .optional()
    .describe("The engine's pending suggestion for a Chinese name, with how it was made (to accept, edit or reject)."),
  statuses: z.array(
    z.object({ id: z.number(), status: z.string(), validFrom: z.string(), validTo: z.string().nullable(), note: z.string().nullable() }),
  ),
  congresses: z.array(
    z.object({
      id: z.number(),
      opensOn: z.string(),
      ordinal: z.number().nullable(),
      name: z.object({ en: z.string().nullable(), zh: z.string().nullable() }),
    }),
  ),
  tags: z.array(z.object({ key: z.string(), name: z.object({ en: z.string(), zh: z.string() }) })),
  relationship: z
    .object({
      level: z.string(),
      since: z.string().nullable(),
      leadUnit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
      notes: z.string().nullable(),
    })
    .nullable(),
  relations: z.array(
    z.object({
      id: z.number(),
      kind: z.string(),
      direction: z.enum(["outgoing", "incoming"]),
      organisation: z.object({ id: z.number(), name: bilingual }),
      startDate: z.string().nullable(),
      endDate: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
  people: z.array(
    z.object({
      positionId: z.number(),
      person: z.object({ id: z.number(), name: bilingual }),
      title: z.object({ en: z.string(), zh: z.string().nullable() }),
      startDate: z.string().nullable(),
      endDate: z.string().nullable(),
    }),
  ),
  source: z.string(),
  createdAt: z.string(),
});

export type OrganisationNameInput = z.output<typeof organisationNameInput>;
export type OrganisationListQuery = z.output<typeof organisationListQuery>;
export type OrganisationListItem = z.output<typeof organisationListItem>;
export type OrganisationDetail = z.output<typeof organisationDetail>;

export const organisationCountQuery = organisationListQuery
  .omit({ page: true, pageSize: true, sort: true, withTotal: true })
  .extend({ by: z.enum(["country", "kind", "family", "region", "level"]).default("country") });

export const organisationCounts = z.object({
  by: z.string(),
  total: z.number(),
  items: z.array(
    z.object({ key: z.string().nullable(), count: z.number(), label: z.object({ en: z.string(), zh: z.string() }).nullable() }),
  ),
});
export type OrganisationCounts = z.output<typeof organisationCounts>;
export type OrganisationCountQuery = z.output<typeof organisationCountQuery>;

export const organisationResolveInput = z
  .object({
    lines: z.array(text(500)).min(1, "Give at least one name.").max(500, "At most 500 names at a time."),
    on: isoDate.optional().describe("The engagement's date: a party that did not exist then is never taken without asking."),
  })
  .strict();

export const organisationResolution = z.object({
  line: z.string(),
  match: z
    .enum(["found", "ambiguous", "none", "repeat"])
    .describe(
      "found: one organisation bears exactly this name and existed on the date; ambiguous: choose among the candidates; none: nothing like it; repeat: an earlier line named the same organisation.",
    ),
  organisationId: z.number().nullable(),
  repeatOf: z.number().nullable().describe("For a repeat: the index of the earlier line that named the same organisation."),
  warning: z.enum(["dissolved"]).nullable().describe("dissolved: the only exact match had ceased to exist by the date."),
  candidates: z.array(organisationListItem).describe("Every organisation the line may mean, exact names first."),
});
export const organisationResolutions = z.object({ items: z.array(organisationResolution) });
export type OrganisationResolution = z.output<typeof organisationResolution>;
