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
  /** The line whose records this line's are a part of (medical assistance within assistance). */
  within?: string;
}

/**
 * The sentences the overview writes, one per kind of work, in the style of the reference.
 * Placeholders: {engagements}, {partners}, {countries}, and {places} — the countries and regions
 * reached with their noun, as the territorial policy counts them ("170多个国家", "近100个国家和地区";
 * "170 plus countries", "1 country", "some 100 countries and regions"); a style after a colon says how English
 * states an approximate figure ({partners:over} → "over 600", {countries:plus} → "170 plus"),
 * and {countries:exact} keeps the figure exact ("149 countries"). A choice [one|other] agrees
 * with the figure before it: "one" when that figure is exactly 1 ("1 country"), else "other".
 * Administrators edit them.
 */
export const defaultNarrative: NarrativeLine[] = [
  {
    key: "visits_sent",
    filter: { type: "visit", direction: "sent" },
    zh: "派出{engagements}个代表团访问{places}，会见{partners}个政党和组织",
    en: "sent {engagements} [delegation|delegations] to {places}, meeting {partners:over} [political party or organisation|political parties and organisations]",
  },
  {
    key: "visits_received",
    filter: { type: "visit", direction: "received" },
    zh: "接待{places}的{engagements}个来访团组",
    en: "received {engagements} [delegation|delegations] from {places:over}",
  },
  {
    key: "talks",
    filter: { type: "talks" },
    zh: "同{places}的{partners}个政党和组织举行会谈会见{engagements}次",
    en: "held {engagements} [talk or meeting|talks and meetings] with {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
  },
  {
    key: "events_hosted",
    filter: { type: "event", direction: "hosted" },
    zh: "举办{engagements}场活动，邀请{places}的{partners}个政党和组织参加",
    en: "hosted {engagements} [event|events] attended by {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
  },
  {
    key: "thematic_briefings",
    filter: { type: "event", direction: "hosted", subtype: "thematic_briefing" },
    zh: "举办{engagements}场专题宣介会",
    en: "hosted {engagements} thematic [briefing|briefings]",
  },
  {
    key: "events_attended",
    filter: { type: "event", direction: "attended" },
    zh: "出席{engagements}场多边活动",
    en: "took part in {engagements} multilateral [event|events]",
  },
  {
    key: "congratulations",
    filter: { type: "correspondence", direction: "received", subtype: "congratulatory_message" },
    zh: "{places}的{partners}个政党和政治组织等发来{engagements}封贺电贺信",
    en: "{engagements} congratulatory [message|messages] poured in from {partners:over} [political party or political organisation|political parties and political organisations] in {places:plus}",
  },
  {
    key: "statements",
    filter: { type: "statement", direction: "received" },
    zh: "{places}的{partners}个政党、智库和社会组织以不同方式表达支持",
    en: "{partners} [political party, think tank or social organisation|political parties, think tanks and social organisations] from {places:over} expressed their support",
  },
  {
    key: "assistance",
    filter: { type: "assistance", direction: "sent" },
    zh: "向{places:exact}的{partners}个政党提供援助",
    en: "provided assistance to {partners} political [party|parties] of {places:exact}",
  },
  {
    key: "medical_assistance",
    filter: { type: "assistance", direction: "sent", subtype: "medical" },
    within: "assistance",
    zh: "向{places:exact}的{partners}个政党提供医疗援助",
    en: "provided medical assistance to {partners} political [party|parties] of {places:exact}",
  },
  {
    key: "training",
    filter: { type: "training" },
    zh: "举办{engagements}期研修班，培训{places}的{partners}个政党和组织的干部",
    en: "ran {engagements} training [programme|programmes] for officials of {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
  },
];

export const measures = ["engagements", "partners", "countries", "places"] as const;
export type Measure = (typeof measures)[number];
const styles = ["more", "over", "plus", "exact"] as const;
export type PlaceholderStyle = MoreStyle | "exact";

// A placeholder {measure:style}, or a choice [one|other] agreeing with the placeholder before it.
const piece = /\{([a-z]+)(?::([a-z]+))?\}|\[([^[\]|]*)\|([^[\]|]*)\]/g;

/** The placeholders of a template, in order; refuses unknown measures and styles, and choices that follow no figure. */
export function placeholdersOf(template: string, path: string): Array<{ measure: Measure; style: PlaceholderStyle | undefined }> {
  const found: Array<{ measure: Measure; style: PlaceholderStyle | undefined }> = [];
  for (const m of template.matchAll(piece)) {
    if (m[1] === undefined) {
      if (found.length === 0) {
        throw new AppError("VALIDATION_FAILED", `The choice [${m[3]}|${m[4]}] must follow a figure such as {countries}.`, {
          fields: [{ path, message: `[${m[3]}|${m[4]}] follows no figure.` }],
        });
      }
      continue;
    }
    const measure = m[1] as Measure;
    const style = m[2] as PlaceholderStyle | undefined;
    if (!(measures as readonly string[]).includes(measure)) {
      throw new AppError("VALIDATION_FAILED", `Unknown placeholder {${m[1]}}: use {engagements}, {partners}, {countries} or {places}.`, {
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

/** A figure as a sentence states it, and whether it is exactly one (for the choices after it). */
export interface FilledFigure {
  text: string;
  one: boolean;
}

/** Fills a template's placeholders, and each choice by the figure before it. */
export function fill(template: string, stated: (measure: Measure, style: PlaceholderStyle | undefined) => FilledFigure): string {
  let previous: FilledFigure | null = null;
  return template.replace(piece, (_all, measure: string | undefined, style: string | undefined, one: string, other: string) => {
    if (measure === undefined) return previous?.one ? one : other;
    previous = stated(measure as Measure, style as PlaceholderStyle | undefined);
    return previous.text;
  });
}

export const templateInput = z
  .object({
    zh: z.string().trim().min(1).max(1000).describe("The Chinese sentence, with {engagements}, {partners} and {countries}."),
    en: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .describe(
        "The English sentence; {partners:over}, {countries:plus}, {countries:exact} choose the style, and [country|countries] agrees with the figure before it.",
      ),
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
