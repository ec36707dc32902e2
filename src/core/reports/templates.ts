import { z } from "zod";
import { AppError } from "../shared/errors.ts";
import { id } from "../shared/schema.ts";
import { correspondenceOccasions, engagementDirections, engagementTypes, keysOf } from "../shared/vocabulary.ts";
import type { MoreStyle } from "./approximate.ts";

/** What a narrative line counts: the engagement-list filter its figures come from. */
export interface LineFilter {
  type: string;
  direction?: string | undefined;
  subtype?: string | undefined;
  programmeId?: number | undefined;
  series?: string | undefined;
  topicId?: number | undefined;
  /** A named event: the sentence is about this engagement alone. */
  eventId?: number | undefined;
  occasion?: string | undefined;
}

/** A phrase in each language. */
export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * The phrases around a sentence, as official texts write them: a lead-in (党的十八大以来 /
 * Since the 18th National Congress), an occasion (在中国共产党成立100周年之际 / Amid the
 * centenary celebrations of the Communist Party of China) and a purpose after it
 * (给予我有力的舆论声援和道义支持 / forging a powerful momentum of public support).
 */
export interface Phrases {
  leadIn?: Bilingual | undefined;
  occasion?: Bilingual | undefined;
  purpose?: Bilingual | undefined;
}

/** A line of the overview's narrative: its filter and its bilingual sentence template. */
export interface NarrativeLine {
  key: string;
  /** What the sentence is about, for the administrator's list. */
  label: Bilingual;
  filter: LineFilter;
  zh: string;
  en: string;
  /**
   * The sentence when one partner is counted, naming it ({partner}): "越南共产党发来贺电贺信"
   * rather than "1个国家的1个政党和政治组织等发来1封贺电贺信".
   */
  one?: Bilingual | undefined;
  phrases?: Phrases | undefined;
  /** The line whose records this line's are a part of (medical assistance within assistance). */
  within?: string | undefined;
  /** Added by an administrator, not one of the built-in kinds. */
  custom?: boolean | undefined;
}

/**
 * The sentences the overview writes, one per kind of work, in the style of the reference.
 * Placeholders: {engagements}, {partners}, {countries}, and {places} — the countries and regions
 * reached with their noun, as the territorial policy counts them ("170多个国家", "近100个国家和地区";
 * "170 plus countries", "1 country", "some 100 countries and regions"); a style after a colon says how English
 * states an approximate figure ({partners:over} → "over 600", {countries:plus} → "170 plus"),
 * and {countries:exact} keeps the figure exact ("149 countries"); {engagements:bare} writes
 * nothing for exactly one, so that a choice after it can say it in words ("派出{engagements:bare}
 * [|个]代表团" → 派出代表团, 派出3个代表团). A choice [one|other] agrees with the figure before
 * it: "one" when that figure is exactly 1 ("1 country"), else "other". Places reached that are
 * exactly one are named ("访问越南"). The `one` form is the sentence for one partner, named by
 * {partner}. Administrators edit them and add kinds of their own.
 */
export const defaultNarrative: NarrativeLine[] = [
  {
    key: "visits_sent",
    label: { zh: "派出代表团", en: "Delegations sent" },
    filter: { type: "visit", direction: "sent" },
    zh: "派出{engagements}个代表团访问{places}，会见{partners}个政党和组织",
    en: "sent {engagements} [delegation|delegations] to {places}, meeting {partners:over} [political party or organisation|political parties and organisations]",
    one: {
      zh: "派出{engagements:bare}[|个]代表团访问{places}，会见{partner}",
      en: "sent {engagements:bare}[a delegation| delegations] to {places}, meeting {partner}",
    },
  },
  {
    key: "visits_received",
    label: { zh: "接待来访团组", en: "Delegations received" },
    filter: { type: "visit", direction: "received" },
    zh: "接待{places}的{engagements}个来访团组",
    en: "received {engagements} [delegation|delegations] from {places:over}",
    one: { zh: "接待{partner}代表团{engagements:bare}[|批]", en: "received {engagements:bare}[a delegation| delegations] of {partner}" },
  },
  {
    key: "talks",
    label: { zh: "会谈会见", en: "Talks and meetings" },
    filter: { type: "talks" },
    zh: "同{places}的{partners}个政党和组织举行会谈会见{engagements}次",
    en: "held {engagements} [talk or meeting|talks and meetings] with {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
    one: { zh: "同{partner}举行会谈会见{engagements:bare}[|次]", en: "held {engagements:bare}[talks| talks and meetings] with {partner}" },
  },
  {
    key: "events_hosted",
    label: { zh: "举办活动", en: "Events hosted" },
    filter: { type: "event", direction: "hosted" },
    zh: "举办{engagements}场活动，邀请{places}的{partners}个政党和组织参加",
    en: "hosted {engagements} [event|events] attended by {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
    one: {
      zh: "举办{engagements:bare}[|场]活动，邀请{partner}参加",
      en: "hosted {engagements:bare}[an event| events] attended by {partner}",
    },
  },
  {
    key: "thematic_briefings",
    label: { zh: "专题宣介会", en: "Thematic briefings" },
    filter: { type: "event", direction: "hosted", subtype: "thematic_briefing" },
    zh: "举办{engagements}场专题宣介会",
    en: "hosted {engagements} thematic [briefing|briefings]",
  },
  {
    key: "events_attended",
    label: { zh: "出席多边活动", en: "Multilateral events attended" },
    filter: { type: "event", direction: "attended" },
    zh: "出席{engagements}场多边活动",
    en: "took part in {engagements} multilateral [event|events]",
  },
  {
    key: "congratulations",
    label: { zh: "贺电贺信", en: "Congratulatory messages" },
    filter: { type: "correspondence", direction: "received", subtype: "congratulatory_message" },
    zh: "{places}的{partners}个政党和政治组织等发来{engagements}封贺电贺信",
    en: "{engagements} congratulatory [message|messages] poured in from {partners:over} [political party or political organisation|political parties and political organisations] in {places:plus}",
    one: {
      zh: "{partner}发来{engagements:bare}[|封]贺电贺信",
      en: "{partner} sent {engagements:bare}[a congratulatory message| congratulatory messages]",
    },
  },
  {
    key: "statements",
    label: { zh: "表态支持", en: "Statements of support" },
    filter: { type: "statement", direction: "received" },
    zh: "{places}的{partners}个政党、智库和社会组织以不同方式表达支持",
    en: "{partners} [political party, think tank or social organisation|political parties, think tanks and social organisations] from {places:over} expressed their support",
    one: { zh: "{partner}表达支持", en: "{partner} expressed its support" },
  },
  {
    key: "assistance",
    label: { zh: "援助", en: "Assistance" },
    filter: { type: "assistance", direction: "sent" },
    zh: "向{places:exact}的{partners}个政党提供援助",
    en: "provided assistance to {partners} political [party|parties] of {places:exact}",
    one: { zh: "向{partner}提供援助", en: "provided assistance to {partner}" },
  },
  {
    key: "medical_assistance",
    label: { zh: "医疗援助", en: "Medical assistance" },
    filter: { type: "assistance", direction: "sent", subtype: "medical" },
    within: "assistance",
    zh: "向{places:exact}的{partners}个政党提供医疗援助",
    en: "provided medical assistance to {partners} political [party|parties] of {places:exact}",
    one: { zh: "向{partner}提供医疗援助", en: "provided medical assistance to {partner}" },
  },
  {
    key: "training",
    label: { zh: "干部研修", en: "Training" },
    filter: { type: "training" },
    zh: "举办{engagements}期研修班，培训{places}的{partners}个政党和组织的干部",
    en: "ran {engagements} training [programme|programmes] for officials of {partners:over} [political party or organisation|political parties and organisations] from {places:over}",
    one: {
      zh: "举办{engagements:bare}[|期]研修班，培训{partner}的干部",
      en: "ran {engagements:bare}[a training programme| training programmes] for officials of {partner}",
    },
  },
];

export const measures = ["engagements", "partners", "countries", "places", "partner"] as const;
export type Measure = (typeof measures)[number];
const styles = ["more", "over", "plus", "exact", "bare"] as const;
export type PlaceholderStyle = MoreStyle | "exact" | "bare";

// A placeholder {measure:style}, or a choice [one|other] agreeing with the placeholder before it.
const piece = /\{([a-z]+)(?::([a-z]+))?\}|\[([^[\]|]*)\|([^[\]|]*)\]/g;

const invalid = (path: string, message: string, field: string) =>
  new AppError("VALIDATION_FAILED", message, { fields: [{ path, message: field }] });

/**
 * The placeholders of a template, in order; refuses unknown measures and styles, choices that
 * follow no figure, and {partner} outside the sentence for one partner (`onePartner`).
 */
export function placeholdersOf(
  template: string,
  path: string,
  onePartner = false,
): Array<{ measure: Measure; style: PlaceholderStyle | undefined }> {
  const found: Array<{ measure: Measure; style: PlaceholderStyle | undefined }> = [];
  for (const m of template.matchAll(piece)) {
    if (m[1] === undefined) {
      if (found.length === 0)
        throw invalid(
          path,
          `The choice [${m[3]}|${m[4]}] must follow a figure such as {countries}.`,
          `[${m[3]}|${m[4]}] follows no figure.`,
        );
      continue;
    }
    const measure = m[1] as Measure;
    const style = m[2] as PlaceholderStyle | undefined;
    if (!(measures as readonly string[]).includes(measure))
      throw invalid(
        path,
        `Unknown placeholder {${m[1]}}: use {engagements}, {partners}, {countries}, {places}${onePartner ? " or {partner}" : ""}.`,
        `Unknown placeholder {${m[1]}}.`,
      );
    if (measure === "partner" && !onePartner)
      throw invalid(path, "{partner} names the one partner: use it in the sentence for one partner.", "{partner} is for one partner.");
    if (style && !(styles as readonly string[]).includes(style))
      throw invalid(path, `Unknown style :${style}: use more, over, plus, exact or bare.`, `Unknown style :${style}.`);
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

const phrase = z.string().trim().min(1).max(300);
const bilingualPhrase = z.object({ zh: phrase, en: phrase }).strict();
const phrases = z
  .object({
    leadIn: bilingualPhrase.nullish().describe("Before the sentence: 党的十八大以来 / Since the 18th National Congress."),
    occasion: bilingualPhrase
      .nullish()
      .describe("The occasion, before the sentence: 在中国共产党成立100周年之际 / Amid the centenary celebrations of the CPC."),
    purpose: bilingualPhrase
      .nullish()
      .describe("After the sentence: 给予我有力的舆论声援和道义支持 / forging a powerful momentum of support."),
  })
  .strict();
const sentenceText = (what: string) => z.string().trim().min(1).max(1000).describe(what);

/** The engagements a sentence kind counts: a type, and optionally a direction, subtype, programme, series, topic, named event or occasion. */
export const lineFilter = z
  .object({
    type: z.enum(keysOf(engagementTypes)),
    direction: z.enum(keysOf(engagementDirections)).optional(),
    subtype: z.string().trim().min(1).max(50).optional(),
    programmeId: id.optional(),
    series: z.string().trim().min(1).max(300).optional().describe("Events of this series (its English name)."),
    topicId: id.optional(),
    eventId: id.optional().describe("A named event: this engagement alone."),
    occasion: z.enum(keysOf(correspondenceOccasions)).optional(),
  })
  .strict();

export const templateInput = z
  .object({
    label: z.object({ zh: phrase, en: phrase }).strict().optional().describe("What the sentence is about."),
    zh: sentenceText("The Chinese sentence, with {engagements}, {partners}, {countries} and {places}."),
    en: sentenceText(
      "The English sentence; {partners:over}, {places:plus}, {countries:exact} choose the style, and [country|countries] agrees with the figure before it.",
    ),
    one: z
      .object({ zh: sentenceText("With {partner}."), en: sentenceText("With {partner}.") })
      .strict()
      .nullish()
      .describe("The sentence when one partner is counted, naming it with {partner}."),
    phrases: phrases.optional(),
    filter: lineFilter.optional().describe("What an added kind counts (the built-in kinds keep theirs)."),
  })
  .strict();
export const newTemplateInput = templateInput.extend({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, "Lower-case letters, digits and _, starting with a letter.")
    .describe("A name for the kind, e.g. centenary_messages."),
  label: z.object({ zh: phrase, en: phrase }).strict(),
  filter: lineFilter,
});
export const templateKeyParam = z.object({ key: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/) });
const bilingual = z.object({ zh: z.string(), en: z.string() });
export const templateOutput = z.object({
  key: z.string(),
  label: bilingual,
  filter: lineFilter.extend({ type: z.string(), direction: z.string().optional() }),
  zh: z.string(),
  en: z.string(),
  one: bilingual.nullable(),
  phrases: z.object({ leadIn: bilingual.nullable(), occasion: bilingual.nullable(), purpose: bilingual.nullable() }),
  custom: z.boolean().describe("Added by an administrator (DELETE removes it)."),
  edited: z.boolean().describe("A built-in kind changed by an administrator (DELETE reverts it to the default)."),
});
export type TemplateOutput = z.output<typeof templateOutput>;
