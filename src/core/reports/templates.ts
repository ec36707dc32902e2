import { z } from "zod";
import { AppError } from "../shared/errors.ts";
import type { MoreStyle } from "./approximate.ts";

/** What a narrative line counts: the engagement-list filter its figures come from. */
export interface LineFilter {
  type: string;
  direction?: string;
  subtype?: string;
}

/** A line of the overview's narrative: its filter and its bilingual sentence template. */
export interface NarrativeLine {
  key: string;
  filter: LineFilter;
  zh: string;
  en: string;
}

/**
 * The sentences the overview writes, one per kind of work, in the style of the reference.
 * Placeholders: {engagements}, {partners}, {countries}; a style after a colon says how English
 * states an approximate figure ({partners:over} → "over 600", {countries:plus} → "170 plus"),
 * and {countries:exact} keeps the figure exact ("149 countries"). Administrators edit them.
 */
export const defaultNarrative: NarrativeLine[] = [
  {
    key: "visits_sent",
    filter: { type: "visit", direction: "sent" },
    zh: "派出{engagements}个代表团访问{countries}个国家，会见{partners}个政党和组织",
    en: "sent {engagements} delegations to {countries} countries, meeting {partners:over} political parties and organisations",
  },
  {
    key: "visits_received",
    filter: { type: "visit", direction: "received" },
    zh: "接待{countries}个国家的{engagements}个来访团组",
    en: "received {engagements} delegations from {countries:over} countries",
  },
  {
    key: "talks",
    filter: { type: "talks" },
    zh: "同{countries}个国家的{partners}个政党和组织举行会谈会见{engagements}次",
    en: "held {engagements} talks and meetings with {partners:over} political parties and organisations from {countries:over} countries",
  },
  {
    key: "events_hosted",
    filter: { type: "event", direction: "hosted" },
    zh: "举办{engagements}场活动，邀请{countries}个国家的{partners}个政党和组织参加",
    en: "hosted {engagements} events attended by {partners:over} political parties and organisations from {countries:over} countries",
  },
  {
    key: "thematic_briefings",
    filter: { type: "event", direction: "hosted", subtype: "thematic_briefing" },
    zh: "举办{engagements}场专题宣介会",
    en: "hosted {engagements} thematic briefings",
  },
  {
    key: "events_attended",
    filter: { type: "event", direction: "attended" },
    zh: "出席{engagements}场多边活动",
    en: "took part in {engagements} multilateral events",
  },
  {
    key: "congratulations",
    filter: { type: "correspondence", direction: "received", subtype: "congratulatory_message" },
    zh: "{countries}个国家的{partners}个政党和政治组织等发来{engagements}封贺电贺信",
    en: "{engagements} congratulatory messages poured in from {partners:over} political parties and political organisations in {countries:plus} countries",
  },
  {
    key: "statements",
    filter: { type: "statement", direction: "received" },
    zh: "{countries}个国家的{partners}个政党、智库和社会组织以不同方式表达支持",
    en: "{partners} political parties, think tanks and social organisations from {countries:over} countries expressed their support",
  },
  {
    key: "assistance",
    filter: { type: "assistance", direction: "sent" },
    zh: "向{countries:exact}个国家{partners}个政党提供援助",
    en: "provided assistance to {partners} political parties of {countries:exact} countries",
  },
  {
    key: "medical_assistance",
    filter: { type: "assistance", direction: "sent", subtype: "medical" },
    zh: "向{countries:exact}个国家{partners}个政党提供医疗援助",
    en: "provided medical assistance to {partners} political parties of {countries:exact} countries",
  },
  {
    key: "training",
    filter: { type: "training" },
    zh: "举办{engagements}期研修班，培训{countries}个国家{partners}个政党和组织的干部",
    en: "ran {engagements} training programmes for officials of {partners:over} political parties and organisations from {countries:over} countries",
  },
];

export const measures = ["engagements", "partners", "countries"] as const;
export type Measure = (typeof measures)[number];
const styles = ["more", "over", "plus", "exact"] as const;
export type PlaceholderStyle = MoreStyle | "exact";

const placeholder = /\{([a-z]+)(?::([a-z]+))?\}/g;

/** The placeholders of a template, in order; refuses unknown measures and styles. */
export function placeholdersOf(template: string, path: string): Array<{ measure: Measure; style: PlaceholderStyle | undefined }> {
  const found: Array<{ measure: Measure; style: PlaceholderStyle | undefined }> = [];
  for (const m of template.matchAll(placeholder)) {
    const measure = m[1] as Measure;
    const style = m[2] as PlaceholderStyle | undefined;
    if (!(measures as readonly string[]).includes(measure)) {
      throw new AppError("VALIDATION_FAILED", `Unknown placeholder {${m[1]}}: use {engagements}, {partners} or {countries}.`, {
        fields: [{ path, message: `Unknown placeholder {${m[1]}}.` }],
      });
    }
    if (style && !(styles as readonly string[]).includes(style)) {
      throw new AppError("VALIDATION_FAILED", `Unknown style :${style}: use more, over, plus or exact.`, {
        fields: [{ path, message: `Unknown style :${style}.` }],
      });
    }
    found.push({ measure, style });
  }
  return found;
}

/** Fills a template's placeholders. */
export function fill(template: string, stated: (measure: Measure, style: PlaceholderStyle | undefined) => string): string {
  return template.replace(placeholder, (_all, measure: string, style: string | undefined) =>
    stated(measure as Measure, style as PlaceholderStyle | undefined),
  );
}

export const templateInput = z
  .object({
    zh: z.string().trim().min(1).max(1000).describe("The Chinese sentence, with {engagements}, {partners} and {countries}."),
    en: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .describe("The English sentence; {partners:over}, {countries:plus}, {countries:exact} choose the style."),
  })
  .strict();
export const templateKeyParam = z.object({ key: z.enum(defaultNarrative.map((l) => l.key) as [string, ...string[]]) });
export const templateOutput = z.object({
  key: z.string(),
  filter: z.object({ type: z.string(), direction: z.string().optional(), subtype: z.string().optional() }),
  zh: z.string(),
  en: z.string(),
  edited: z.boolean().describe("Changed by an administrator (DELETE reverts to the default)."),
});
export type TemplateOutput = z.output<typeof templateOutput>;
