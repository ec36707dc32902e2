import { z } from "zod";
import { countryCode, optionalText, text, year } from "../shared/schema.ts";
import { placeCounting, placeStatuses } from "./places.ts";

export const countryListQuery = z.object({
  region: z
    .string()
    .regex(/^\d{3}$/, "Expected a UN M49 code such as 142.")
    .optional(),
  group: z.string().max(64).optional(),
  historical: z.enum(["true", "false"]).optional(),
  q: z.string().max(200).optional(),
});

export const countryCreateInput = z.object({
  code: countryCode,
  iso2: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullish(),
  nameEn: text(300),
  nameZh: text(300),
  officialNameEn: optionalText(500),
  subregionCode: z.string().regex(/^\d{3}$/),
  historical: z.boolean().default(false),
  validFrom: year.nullish(),
  validTo: year.nullish(),
  successorCode: countryCode.nullish(),
  note: optionalText(2000),
  status: z
    .enum(placeStatuses)
    .optional()
    .describe(
      "state (UN member or observer; the default), region of a state, disputed, supranational, historical: the territorial policy counts each.",
    ),
  parentCode: countryCode.nullish().describe("For a region: the state it belongs to."),
  counting: placeCounting
    .nullish()
    .describe("How this place counts whatever the policy says of its status (Hong Kong: parent, under China); null: as the policy says."),
  nationalDay: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, "Expected a month and day such as 10-01.")
    .nullish()
    .describe("The national day, month-day (10-01)."),
});
/** A change: only the fields given change (none takes its creation default, which would undo an earlier change). */
export const countryUpdateInput = countryCreateInput.omit({ code: true }).extend({ historical: z.boolean() }).partial();

const regionRef = z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable();
export const countryOutput = z.object({
  code: z.string(),
  iso2: z.string().nullable(),
  name: z.object({ en: z.string(), zh: z.string() }),
  officialNameEn: z.string().nullable(),
  region: regionRef,
  subregion: regionRef,
  historical: z.boolean(),
  status: z.enum(placeStatuses),
  parentCode: z.string().nullable(),
  counting: placeCounting.nullable().describe("Its own counting over the policy's, or null."),
  validFrom: z.number().nullable(),
  validTo: z.number().nullable(),
  successorCode: z.string().nullable(),
  note: z.string().nullable(),
  nationalDay: z.string().nullable().describe("Month-day, e.g. 10-01."),
  organisationCount: z.number().optional(),
});
export const countryDetailOutput = countryOutput.extend({
  organisationsByKind: z.record(z.string(), z.number()),
  groups: z.array(z.object({ id: z.number(), key: z.string(), name: z.object({ en: z.string(), zh: z.string() }) })),
});
export const regionOutput = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  level: z.string(),
  name: z.object({ en: z.string(), zh: z.string() }),
});

export type CountryOutput = z.output<typeof countryOutput>;
export type CountryDetailOutput = z.output<typeof countryDetailOutput>;
export type RegionOutput = z.output<typeof regionOutput>;
