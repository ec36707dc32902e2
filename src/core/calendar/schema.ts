import { z } from "zod";
import { id, optionalText } from "../shared/schema.ts";

export const feedLocales = ["zh-CN", "en"] as const;

export const feedCreateInput = z
  .object({
    name: optionalText(200).describe("What the feed is for; the calendar application shows it."),
    unitId: id.nullish().describe("A unit's feed: the engagements it leads or co-organises. Without it, everything you may read."),
    locale: z.enum(feedLocales).default("zh-CN").describe("The language of the events' titles and descriptions."),
  })
  .strict();

export const feedOutput = z.object({
  id: z.number(),
  name: z.string().nullable(),
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }).nullable(),
  locale: z.enum(feedLocales),
  prefix: z.string().describe("The secret's first characters, to recognise the feed."),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type FeedOutput = z.infer<typeof feedOutput>;
export const feedCreated = feedOutput.extend({
  path: z.string().describe("The feed's secret address on this server (shown once): /ical/<secret>.ics"),
});
