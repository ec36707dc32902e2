import { z } from "zod";
import {
  classification,
  countryCode,
  id,
  isoDate,
  optionalText,
  pageOf,
  pageQuery,
  suggestedChineseName,
  text,
  withTotal,
} from "../shared/schema.ts";
import {
  assistanceKinds,
  correspondenceKinds,
  correspondenceOccasions,
  engagementStatuses,
  engagementTypes,
  eventFormats,
  keysOf,
  organisationKinds,
  participantRoles,
  statementStances,
  talkModes,
} from "../shared/vocabulary.ts";

export type EngagementType = keyof typeof engagementTypes;

/** An IANA time zone name that this runtime knows, e.g. Asia/Shanghai or Africa/Nairobi. */
export const timeZone = z
  .string()
  .max(64)
  .refine(
    (value) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: value });
        return true;
      } catch {
        return false;
      }
    },
    { message: "Expected a time zone such as Asia/Shanghai or UTC." },
  );

const itineraryDay = z
  .object({
    date: isoDate,
    time: optionalText(50).describe("The hour or part of the day, as the programme gives it: 09:30, 上午."),
    countryCode: countryCode.nullish(),
    city: optionalText(200),
    place: optionalText(300).describe("The venue: a building, an institution, a site."),
    description: text(2000),
    meetingOrganisationIds: z.array(id).max(50).optional(),
  })
  .strict();
const session = z.object({ titleEn: text(300), titleZh: optionalText(300), date: isoDate.nullish(), note: optionalText(2000) }).strict();

/** What our side means to say, one point a line: the briefing paper's 谈话要点. */
const talkingPoints = optionalText(20_000).describe("Talking points, one a line (the briefing paper's 谈话要点).");

/** Details each engagement type carries beyond the common fields. */
export const detailsByType = {
  visit: z
    .object({
      itinerary: z.array(itineraryDay).max(200).default([]),
      delegationSize: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .nullish()
        .describe("How many the delegation numbers, when its members are not all listed as participants."),
      interpreters: optionalText(500),
      talkingPoints,
    })
    .strict(),
  talks: z.object({ talkingPoints }).strict(),
  event: z
    .object({
      seriesEn: optionalText(300),
      seriesZh: optionalText(300),
      edition: z.number().int().min(1).max(1000).nullish().describe("e.g. 3 for the 3rd session of a forum"),
      sessions: z.array(session).max(100).default([]),
      flagship: z
        .boolean()
        .optional()
        .describe("A flagship event (a summit, a high-level dialogue): the overview names it in a sentence of its own."),
      talkingPoints,
    })
    .strict(),
  correspondence: z
    .object({
      occasion: z.enum(keysOf(correspondenceOccasions)).nullish(),
      textEn: optionalText(50_000),
      textZh: optionalText(50_000),
    })
    .strict(),
  statement: z
    .object({ issueEn: text(300), issueZh: optionalText(300), publishedIn: optionalText(300), url: z.url().max(2000).nullish() })
    .strict(),
  assistance: z
    .object({ quantity: z.number().positive().max(1e12).nullish(), unitOfMeasure: optionalText(50), descriptionEn: optionalText(2000) })
    .strict(),
  training: z.object({ cohort: optionalText(200), hostingInstitution: optionalText(300) }).strict(),
} as const satisfies Record<EngagementType, z.ZodType>;

/** Which directions and subtypes each type allows. */
export const rulesByType: Record<EngagementType, { directions: readonly string[]; subtypes: readonly string[] | null }> = {
  visit: { directions: ["received", "sent"], subtypes: null },
  talks: { directions: ["received", "sent", "none"], subtypes: keysOf(talkModes) },
  event: { directions: ["hosted", "attended"], subtypes: keysOf(eventFormats) },
  correspondence: { directions: ["received", "sent"], subtypes: keysOf(correspondenceKinds) },
  statement: { directions: ["received"], subtypes: keysOf(statementStances) },
  assistance: { directions: ["sent", "received"], subtypes: keysOf(assistanceKinds) },
  training: { directions: ["hosted", "attended"], subtypes: null },
};

export const participantInput = z
  .object({
    organisationId: id.nullish(),
    personId: id.nullish(),
    role: z.enum(keysOf(participantRoles)),
    rank: optionalText(200),
    precedence: z.number().int().min(1).max(10_000).nullish().describe("Protocol order within the delegation, 1 first."),
  })
  .strict()
  .refine((p) => p.organisationId || p.personId, { message: "Give an organisationId, a personId or both.", path: ["organisationId"] });

const engagementFields = {
  direction: z.enum(["received", "sent", "hosted", "attended", "none"]),
  subtype: z.string().max(50).nullish(),
  status: z.enum(keysOf(engagementStatuses)).default("done"),
  classification: classification.default("internal"),
  titleEn: optionalText(500).describe("The English title; the Chinese one alone is enough."),
  titleZh: optionalText(500),
  summaryEn: optionalText(20_000),
  summaryZh: optionalText(20_000),
  startDate: isoDate,
  endDate: isoDate.nullish().describe("The last day; the start date when absent."),
  timezone: timeZone.nullish(),
  countryCode: countryCode.nullish().describe("Where it took place."),
  city: optionalText(200),
  leadUnitId: id,
  coUnitIds: z.array(id).max(50).optional(),
  programmeId: id.nullish(),
  mechanismId: id.nullish(),
  inReplyToId: id.nullish().describe("For correspondence: the letter this one answers."),
  thankYouLetterId: id.nullish().describe("For a visit: the thank-you letter sent or received afterwards."),
  partOfId: id.nullish().describe("The visit or event this one took place during (talks during a visit)."),
  participants: z.array(participantInput).max(2000).optional(),
  topicIds: z.array(id).max(50).optional(),
  details: z.record(z.string(), z.unknown()).optional().describe("Type-specific details; see the engagement types."),
};

export const engagementCreateInput = z
  .object({ type: z.enum(keysOf(engagementTypes)), ...engagementFields })
  .strict()
  .refine((v) => !v.endDate || v.endDate >= v.startDate, { path: ["endDate"], message: "Cannot be before startDate." })
  .refine((v) => Boolean(v.titleZh?.trim() || v.titleEn?.trim()), {
    path: ["titleZh"],
    message: "Give a title, in Chinese or in English. / 请填写标题（中文或英文）。",
  });

export const engagementUpdateInput = z
  .object({ ...engagementFields, status: z.enum(keysOf(engagementStatuses)), classification })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

export type EngagementCreateInput = z.output<typeof engagementCreateInput>;
export type EngagementUpdateInput = z.output<typeof engagementUpdateInput>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(item).max(20));

/** An as-of filter: reached a partner that held this status on the engagement's own date. */
const partnerStatus = z
  .enum(["in_government", "opposition"])
  .describe("Reached a partner organisation that held this status on the engagement's date (in government when we met them).");

/** Filters on the places reached, as the territorial policy counts them. */
const reachedPlaceFilters = {
  place: countryCode
    .optional()
    .describe("Reached: a place counted as this one under the territorial policy (China with Hong Kong, Macao and Taiwan by default)."),
  placeKind: z
    .enum(["country", "region"])
    .optional()
    .describe("Reached: a place the territorial policy counts as a country, or as a region (地区)."),
};
const correspondenceOccasion = z.enum(keysOf(correspondenceOccasions)).describe("Correspondence on this occasion.");

export const engagementListQuery = pageQuery.extend({
  withTotal,
  q: z.string().trim().max(200).optional(),
  type: csv(z.enum(keysOf(engagementTypes))).optional(),
  direction: z.enum(["received", "sent", "hosted", "attended", "none"]).optional(),
  subtype: z.string().max(50).optional(),
  status: z.enum(keysOf(engagementStatuses)).optional(),
  from: isoDate.optional().describe("Starting on or after this day."),
  to: isoDate.optional().describe("Starting on or before this day."),
  endFrom: isoDate
    .optional()
    .describe("Ending on or after this day: with `to`, every engagement under way in a period (a calendar's month)."),
  unitId: id.optional().describe("Led by this unit or co-organised by it."),
  subunits: z.enum(["true", "false"]).optional().describe("With unitId: the unit and every unit below it."),
  unitRole: z
    .enum(["lead", "any"])
    .optional()
    .describe("With unitId: only those it led (as the counts count them), or also those it co-organised (the default)."),
  programmeId: id.optional(),
  mechanismId: id.optional(),
  organisationId: id.optional(),
  personId: id.optional(),
  country: countryCode.optional().describe("Reached: a participant's country."),
  region: z
    .string()
    .regex(/^\d{3}$/, "Expected a UN M49 region code such as 002.")
    .optional()
    .describe("Reached: a participant's country is in this region or sub-region."),
  partnerKind: z.enum(keysOf(organisationKinds)).optional().describe("Reached: a participant organisation of this kind."),
  countryGroup: z.string().max(64).optional().describe("Reached: a participant's country is in this country group (id or key)."),
  series: z.string().trim().min(1).max(300).optional().describe("Events of this series (its English name): past and future editions."),
  topicId: id.optional().describe("Tagged with this topic."),
  partnerStatus: partnerStatus.optional(),
  ...reachedPlaceFilters,
  occasion: correspondenceOccasion.optional(),
  eventId: id.optional().describe("This engagement alone (a named event a report sentence is bound to)."),
  demo: z.enum(["true", "false"]).optional(),
  sort: z.enum(["-date", "date"]).optional(),
});
export type EngagementListQuery = z.output<typeof engagementListQuery>;

/** The list's filters alone, for the CSV export (every match, oldest first: no page, order or total). */
export const engagementExportQuery = engagementListQuery.omit({ page: true, pageSize: true, sort: true, withTotal: true });
/** Which engagements a list, its count or the export takes: the list's filters without its page. */
export type EngagementFilters = z.output<typeof engagementExportQuery>;

export const timelineQuery = pageQuery.extend({ type: csv(z.enum(keysOf(engagementTypes))).optional() });

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
const countryRef = z.object({ code: z.string(), name: z.object({ en: z.string(), zh: z.string() }) });
const ref = z.object({ id: z.number(), name: bilingual });

export const engagementListItem = z.object({
  id: z.number(),
  type: z.string(),
  direction: z.string(),
  subtype: z.string().nullable(),
  status: z.string(),
  title: bilingual,
  startDate: z.string(),
  endDate: z.string(),
  place: z.object({ country: countryRef.nullable(), city: z.string().nullable() }),
  leadUnit: ref,
  participantCount: z.number(),
  approval: z
    .enum(["draft", "submitted", "endorsed", "approved", "returned", "reported"])
    .nullable()
    .describe("For planned visits and hosted events: where they stand in the approval workflow."),
  classification,
  demo: z.boolean(),
});
export type EngagementListItem = z.infer<typeof engagementListItem>;
export const engagementPage = pageOf(engagementListItem);

export const participantOutput = z.object({
  id: z.number(),
  role: z.string(),
  rank: z.string().nullable(),
  precedence: z.number().nullable(),
  organisation: ref.extend({ kind: z.string(), country: countryRef.nullable(), nameZhSuggested: suggestedChineseName }).nullable(),
  person: ref.nullable(),
});
export const attachmentOutput = z.object({
  id: z.number(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  createdAt: z.string(),
});
export type AttachmentOutput = z.infer<typeof attachmentOutput>;

export const engagementDetail = engagementListItem.extend({
  summary: bilingual,
  timezone: z.string().nullable(),
  coUnits: z.array(ref),
  programme: ref.nullable(),
  mechanism: ref.nullable(),
  inReplyTo: z.object({ id: z.number(), title: bilingual }).nullable(),
  replies: z.array(z.object({ id: z.number(), title: bilingual })),
  thankYouLetter: z.object({ id: z.number(), title: bilingual }).nullable(),
  partOf: z.object({ id: z.number(), title: bilingual }).nullable().describe("The visit or event this one took place during."),
  parts: z
    .array(z.object({ id: z.number(), title: bilingual, type: z.string(), startDate: z.string() }))
    .describe("What took place during this visit or event (talks, sessions)."),
  participants: z.array(participantOutput),
  countriesReached: z.array(countryRef).describe("Derived from the participants' countries."),
  topics: z.array(z.object({ id: z.number(), key: z.string(), name: z.object({ en: z.string(), zh: z.string() }) })),
  details: z.record(z.string(), z.unknown()),
  attachments: z.array(attachmentOutput),
  approvalSteps: z.array(
    z.object({
      step: z.string(),
      at: z.string(),
      by: z.object({ id: z.number(), name: z.string() }).nullable(),
      note: z.string().nullable(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
  may: z
    .object({ edit: z.boolean(), readGifts: z.boolean(), keepGifts: z.boolean() })
    .describe("What your roles allow on this engagement (its lead unit's): change it, read and keep its gifts register."),
});
export type EngagementDetail = z.infer<typeof engagementDetail>;

/** What the counts query can group by. */
export const countGroups = [
  "none",
  "type",
  "year",
  "month",
  "region",
  "countryGroup",
  "partnerKind",
  "unit",
  "programme",
  "subtype",
  "country",
  "place",
  "organisation",
] as const;

export const engagementCountsQuery = z
  .object({
    by: z.enum(countGroups).default("type"),
    from: isoDate.optional().describe("First day, inclusive, of the engagements' start dates."),
    to: isoDate.optional().describe("Last day, inclusive."),
    type: csv(z.enum(keysOf(engagementTypes))).optional(),
    direction: z.enum(["received", "sent", "hosted", "attended", "none"]).optional(),
    subtype: z.string().max(50).optional(),
    status: z.enum(keysOf(engagementStatuses)).default("done"),
    unitId: id.optional().describe("Led by this unit."),
    subunits: z.enum(["true", "false"]).optional().describe("With unitId: led by the unit or any unit below it."),
    programmeId: id.optional(),
    mechanismId: id.optional(),
    region: z
      .string()
      .regex(/^\d{3}$/, "Expected a UN M49 region code such as 002.")
      .optional(),
    countryGroup: z.string().max(64).optional().describe("A country group's id or key."),
    partnerKind: z.enum(keysOf(organisationKinds)).optional(),
    country: countryCode.optional(),
    organisationId: id.optional(),
    topicId: id.optional().describe("Tagged with this topic."),
    partnerStatus: partnerStatus.optional(),
    ...reachedPlaceFilters,
    series: z.string().trim().min(1).max(300).optional().describe("Events of this series (its English name)."),
    occasion: correspondenceOccasion.optional(),
    eventId: id.optional().describe("This engagement alone."),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.to >= v.from, { path: ["to"], message: "Cannot be before from." });
export type EngagementCountsQuery = z.output<typeof engagementCountsQuery>;

const measures = {
  engagements: z.number(),
  organisations: z.number(),
  countries: z.number().describe("Distinct countries reached, as the territorial policy counts them."),
  regions: z.number().describe("Distinct regions (地区) reached that the policy does not count as countries."),
};
export const engagementCounts = z.object({
  by: z.enum(countGroups),
  rows: z.array(z.object({ key: z.string(), label: z.object({ en: z.string(), zh: z.string() }), ...measures })),
  total: z.object(measures).describe("Distinct over all rows: an engagement reaching two regions is one engagement here."),
  source: z.enum(["rollup", "record"]).describe("Answered from the rollups or from the record itself; the numbers are the same."),
});
export type EngagementCounts = z.infer<typeof engagementCounts>;

export const approvalNoteInput = z.object({ note: optionalText(5000) }).strict();
export const approvalReturnInput = z.object({ note: text(5000).describe("Why it goes back.") }).strict();
export const approvalReportInput = z.object({ note: text(20_000).describe("The report.") }).strict();
export const approvalQueueQuery = pageQuery.extend({
  state: z.enum(["draft", "submitted", "endorsed", "approved", "returned", "reported"]).default("submitted"),
});

export const alertsQuery = z.object({
  windowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(730)
    .default(90)
    .describe("How close in time two units' engagements with one partner must be."),
});
const unitRef = z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) });
export const coordinationAlert = z.object({
  partner: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string().nullable() }) }),
  planned: z.object({ id: z.number().nullable(), startDate: z.string(), unit: unitRef }),
  other: z.object({
    id: z.number().nullable().describe("Only when you may open it."),
    startDate: z.string(),
    status: z.string(),
    unit: unitRef,
  }),
});
export type CoordinationAlert = z.infer<typeof coordinationAlert>;

/** Another unit's engagement with one of the same partners, close in time: what coordination is about. */
export const clash = z.object({
  partner: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string().nullable() }) }),
  other: z.object({
    id: z.number().nullable().describe("Only when you may open it."),
    title: bilingual.nullable().describe("Only when you may open it."),
    type: z.string(),
    startDate: z.string(),
    endDate: z.string(),
    status: z.string(),
    unit: unitRef,
  }),
});
export type Clash = z.infer<typeof clash>;

export const clashPreviewQuery = z
  .object({
    organisationIds: z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(id).min(1).max(200)),
    startDate: isoDate,
    leadUnitId: id,
    excludeId: id.optional().describe("The engagement being edited, which does not clash with itself."),
  })
  .strict();

export const cancelInput = z.object({ reason: text(2000).describe("Why it is cancelled; kept in the approval trail.") }).strict();

export const approvalQueueItem = engagementListItem.extend({
  partners: z.array(ref.extend({ country: countryRef.nullable() })).describe("The first partner organisations, by precedence."),
  partnerCount: z.number(),
  submittedBy: z.object({ id: z.number(), name: z.string() }).nullable(),
  submittedAt: z.string().nullable(),
  clashes: z.number().describe("Other units' engagements with the same partners within the coordination window."),
});
export type ApprovalQueueItem = z.infer<typeof approvalQueueItem>;
export const approvalQueuePage = pageOf(approvalQueueItem);
