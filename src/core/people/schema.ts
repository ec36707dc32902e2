import { z } from "zod";
import {
  classification,
  countryCode,
  id,
  isoDate,
  langTag,
  optionalText,
  pageOf,
  pageQuery,
  text,
  withTotal,
  year,
} from "../shared/schema.ts";
import { contactKinds, genders, keysOf } from "../shared/vocabulary.ts";

const personFields = {
  familyNameEn: optionalText(200),
  givenNameEn: optionalText(200),
  nameEn: text(300).optional(),
  nameZh: optionalText(300),
  nameNative: optionalText(300),
  nativeLang: langTag.nullish(),
  aliases: z.array(text(300)).max(50).optional(),
  gender: z.enum(keysOf(genders)).optional(),
  birthYear: year.nullish(),
  countryCode: countryCode.nullish(),
  biography: optionalText(20_000),
};

function needsAName(
  value: { nameEn?: string | undefined; familyNameEn?: string | null | undefined; givenNameEn?: string | null | undefined },
  ctx: z.RefinementCtx,
) {
  if (!value.nameEn && !value.familyNameEn && !value.givenNameEn) {
    ctx.addIssue({ code: "custom", path: ["nameEn"], message: "Give the English name, or the family and given names." });
  }
}

export const personCreateInput = z.object(personFields).strict().superRefine(needsAName);
export const personUpdateInput = z
  .object(personFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

export const personListQuery = pageQuery.extend({
  withTotal,
  q: z.string().trim().max(200).optional(),
  country: countryCode.optional(),
  organisationId: id.optional(),
  sort: z.enum(["name", "-name", "updated", "-updated"]).optional(),
});

export const positionInput = z
  .object({
    organisationId: id,
    titleEn: text(300),
    titleZh: optionalText(300),
    startDate: isoDate.nullish(),
    endDate: isoDate.nullish(),
  })
  .strict()
  .refine((v) => !v.startDate || !v.endDate || v.endDate >= v.startDate, { path: ["endDate"], message: "Cannot be before startDate." });

export const contactInput = z
  .object({
    kind: z.enum(keysOf(contactKinds)),
    value: text(1000),
    note: optionalText(2000),
    classification: classification.default("internal"),
    unitId: id
      .optional()
      .describe("The unit that keeps this detail: one where you may keep contact details (your first such unit when absent)."),
  })
  .strict();

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
export const personListItem = z.object({
  id: z.number(),
  name: bilingual,
  nameNative: z.string().nullable(),
  gender: z.string(),
  country: z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  demo: z.boolean().describe("Part of the demo data."),
  updatedAt: z.string(),
});
export const personPage = pageOf(personListItem);
export const personDetail = personListItem.extend({
  familyNameEn: z.string().nullable(),
  givenNameEn: z.string().nullable(),
  nativeLang: z.string().nullable(),
  aliases: z.array(z.string()),
  birthYear: z.number().nullable(),
  biography: z.string().nullable(),
  positions: z.array(
    z.object({
      id: z.number(),
      organisation: z.object({ id: z.number(), name: bilingual }),
      title: z.object({ en: z.string(), zh: z.string().nullable() }),
      startDate: z.string().nullable(),
      endDate: z.string().nullable(),
    }),
  ),
  createdAt: z.string(),
});
export const contactOutput = z.object({
  id: z.number(),
  unitId: z.number(),
  kind: z.string(),
  value: z.string(),
  note: z.string().nullable(),
  classification: z.string(),
  createdAt: z.string(),
});

export type PersonListItem = z.output<typeof personListItem>;
export type PersonDetail = z.output<typeof personDetail>;
export type ContactOutput = z.output<typeof contactOutput>;
export type PersonListQuery = z.output<typeof personListQuery>;
