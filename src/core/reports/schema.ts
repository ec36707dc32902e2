import { z } from "zod";
import { id, isoDate, suggestedChineseName } from "../shared/schema.ts";
import { keysOf, organisationKinds } from "../shared/vocabulary.ts";
import { figureRules } from "./approximate.ts";

/** What an overview covers, and how it states its figures. */
export const overviewQuery = figureRules
  .extend({
    from: isoDate.describe("First day of the period."),
    to: isoDate.describe("Last day of the period."),
    unitId: id.optional().describe("Led by this unit."),
    subunits: z.enum(["true", "false"]).optional().describe("With unitId: and by every unit below it."),
    programmeId: id.optional(),
    countryGroup: z.string().max(64).optional().describe("Partners in this country group (id or key)."),
    partnerKind: z.enum(keysOf(organisationKinds)).optional(),
    topicId: id.optional().describe("Engagements tagged with this topic."),
    compare: z.enum(["true", "false"]).default("true").describe("Also count the previous period of the same length."),
    leadInZh: z.string().trim().min(1).max(100).optional().describe("The period's lead-in in Chinese: 党的十八大以来."),
    leadInEn: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe("The period's lead-in in English: Since the 18th CPC National Congress (each language's applies to its own sentence)."),
  })
  .strict()
  .refine((v) => v.to >= v.from, { path: ["to"], message: "Cannot be before from." });
export type OverviewQuery = z.output<typeof overviewQuery>;

const label = z.object({ en: z.string(), zh: z.string() });
const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
const measures = {
  engagements: z.number(),
  organisations: z.number(),
  countries: z.number().describe("Countries reached, as the territorial policy counts them."),
  // Optional: snapshots frozen before regions were counted apart have none.
  regions: z.number().optional().describe("Regions (地区) reached that the territorial policy does not count as countries."),
};
const stated = z.object({ value: z.number(), zh: z.string(), en: z.string(), kind: z.enum(["exact", "more", "nearly", "about"]) });
/** The places reached as a sentence names them: "170多个国家和地区" / "170 plus countries and regions". */
const statedPlaces = z.object({ zh: z.string(), en: z.string() }).optional();
/** The engagement-list filter behind a figure: open /engagements with it to see the records. */
const drill = z.record(z.string(), z.string()).describe("The engagement list's filter that gives the records behind the figure.");

const row = z.object({ key: z.string(), label, ...measures, previous: z.object(measures).nullable(), drill });

export const overviewOutput = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  previousPeriod: z.object({ from: z.string(), to: z.string() }).nullable(),
  totals: z.object({
    ...measures,
    previous: z.object(measures).nullable(),
    stated: z.object({ engagements: stated, organisations: stated, countries: stated, places: statedPlaces }),
    drill,
    drills: z
      .object({ countries: drill, regions: drill })
      .optional()
      .describe("The records behind the countries figure and behind the regions figure, apart."),
  }),
  summary: z
    .object({ zh: z.string(), en: z.string() })
    .optional()
    .describe("The overview as one sentence in each language (snapshots frozen before it have none)."),
  inGovernment: z
    .object({
      ...measures,
      previous: z.object(measures).nullable(),
      stated: z.object({ organisations: stated, countries: stated, places: statedPlaces }),
      drill,
    })
    .describe("As of the day we met them: partners in government then, the engagements that met them and their countries."),
  regions: z.number().describe("UN M49 regions reached."),
  byType: z.array(row),
  byPartnerKind: z.array(row),
  byRegion: z.array(row),
  topCountries: z.array(row),
  topPartners: z.array(
    z.object({
      organisation: z.object({
        id: z.number(),
        name: bilingual,
        nameZhSuggested: suggestedChineseName.optional(),
        country: z.string().nullable(),
      }),
      engagements: z.number(),
      drill,
    }),
  ),
  narrative: z.array(
    z.object({
      key: z.string(),
      zh: z.string(),
      en: z.string(),
      figures: z.object({ engagements: stated, partners: stated, countries: stated }),
      previous: z.object(measures).nullable(),
      drill,
    }),
  ),
  rules: figureRules,
  source: z.enum(["rollup", "record"]),
});
export type Overview = z.output<typeof overviewOutput>;

export const snapshotInput = z
  .object({ title: z.string().trim().min(1).max(300), params: z.record(z.string(), z.unknown()).describe("The overview's query.") })
  .strict();
export const snapshotOutput = z.object({
  id: z.number(),
  title: z.string(),
  params: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.object({ id: z.number(), displayName: z.string() }).nullable(),
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  engagements: z.number().describe("How many engagements the snapshot holds the ids of."),
});
export type SnapshotOutput = z.output<typeof snapshotOutput>;
export const snapshotDetail = snapshotOutput.extend({
  report: overviewOutput.describe("The report as it was frozen."),
  live: overviewOutput.describe("The same report from today's data, as the reader may see it."),
  changes: z.object({
    added: z.number().describe("Engagements in the live report that the snapshot does not hold."),
    removed: z.number().describe("Engagements the snapshot holds that the live report no longer counts."),
    totals: z.object({ engagements: z.number(), organisations: z.number(), countries: z.number() }).describe("Live minus frozen."),
  }),
});
export type SnapshotDetail = z.output<typeof snapshotDetail>;
