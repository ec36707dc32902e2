import { z } from "zod";
import { id, isoDate, optionalText, text } from "../shared/schema.ts";

/** Value bands of the gifts register, as a gift declaration gives them (no exact prices). */
export const giftValueBands = ["token", "modest", "substantial", "unknown"] as const;
/** What became of a gift received: handed in (上交), kept by the unit, put on display, returned. */
export const giftHandlings = ["handed_in", "kept_by_unit", "displayed", "returned", "other"] as const;

const giftFields = {
  given: z.boolean().describe("True for a gift our side gave, false for one it received."),
  description: text(500).describe("The gift: 景泰蓝花瓶, a lacquer painting."),
  valueBand: z.enum(giftValueBands).nullish().describe("token (a souvenir), modest, substantial, or unknown."),
  giver: optionalText(300).describe("Who gave it: on our side for a gift given, the partner's side for one received."),
  recipient: optionalText(300).describe("Who received it: the partner's side for a gift given, on our side for one received."),
  handling: z.enum(giftHandlings).nullish().describe("What became of a gift received."),
  giftDate: isoDate.nullish().describe("When it changed hands; the engagement's first day when not given."),
  note: optionalText(1000),
};

/** A gift's own fields, any of them (what a change gives). */
export type GiftFields = Partial<z.infer<z.ZodObject<typeof giftFields>>>;

export const giftCreateInput = z
  .object({ engagementId: id.describe("The engagement it was given or received at."), ...giftFields })
  .strict();

export const giftUpdateInput = z
  .object(giftFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

export const giftListQuery = z.object({
  engagementId: id.optional(),
  unitId: id.optional().describe("Gifts of this unit's engagements (the lead unit's)."),
  from: isoDate.optional(),
  to: isoDate.optional(),
  given: z.enum(["true", "false"]).optional().describe("Only gifts given (true) or received (false)."),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export type GiftListQuery = z.infer<typeof giftListQuery>;

export const giftExportQuery = giftListQuery
  .omit({ limit: true, engagementId: true })
  .extend({ locale: z.enum(["zh-CN", "en"]).default("zh-CN").describe("The language of the register's headings and values.") });

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });

export const giftOutput = z.object({
  id: z.number(),
  given: z.boolean(),
  description: z.string(),
  valueBand: z.enum(giftValueBands).nullable(),
  giver: z.string().nullable(),
  recipient: z.string().nullable(),
  handling: z.enum(giftHandlings).nullable(),
  giftDate: z.string().describe("When it changed hands (the engagement's first day unless recorded)."),
  note: z.string().nullable(),
  engagement: z.object({ id: z.number(), title: bilingual, startDate: z.string(), type: z.string() }),
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
  createdBy: z.object({ id: z.number(), name: z.string() }).nullable(),
  createdAt: z.string(),
  editable: z.boolean().describe("Whether you may change it."),
});
export type GiftOutput = z.infer<typeof giftOutput>;
