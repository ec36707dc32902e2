import { z } from "zod";
import { AppError, type FieldIssue } from "./errors.ts";
import { textProblem } from "./wellformed.ts";

/** A database id. */
export const id = z.coerce.number().int().positive().max(2_147_483_647);
export const idParam = z.object({ id });

/** A calendar date, YYYY-MM-DD, that exists, in the years 1000 to 2999 (nothing Liaison records is outside them). */
export const isoDate = z.iso
  .date({ error: "Expected a date as YYYY-MM-DD." })
  .refine((value) => value >= "1000-01-01" && value <= "2999-12-31", "Expected a date between the years 1000 and 2999.");
export const year = z.number().int().min(1000).max(2200);
/** A BCP 47 language tag such as zh, en, de, zh-Hant, pt-BR, or und when unknown. */
export const langTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/, "Expected a language tag such as zh, en, de or zh-Hant.");
export const scriptCode = z.string().regex(/^[A-Z][a-z]{3}$/, "Expected an ISO 15924 script code such as Latn or Hans.");
export const countryCode = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[A-Z][A-Z0-9]{1,3}$/, "Expected a country code such as CHN or DEU."));
export const key = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "Use lower-case letters, digits, - and _.");
/** A string PostgreSQL can store as text: no NUL character, no unpaired surrogate. */
export const storableString = () =>
  z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
export const text = (max: number) => storableString().trim().min(1, "Must not be empty.").max(max);
export const optionalText = (max: number) => storableString().trim().max(max).nullish();

/** How widely an owned record may be read: restricted ones need clearance. */
export const classification = z
  .enum(["public", "internal", "restricted"])
  .describe("Restricted records are seen only by users with clearance.");

/** Whether an organisation's Chinese name is the engine's suggestion, not yet confirmed by a person. */
export const suggestedChineseName = z.boolean().describe("The Chinese name is a suggestion not yet confirmed by a person (shown marked).");

/** Bilingual label: a Chinese and an English name. */
export const bilingualName = z.object({ nameEn: text(300), nameZh: text(300) });

/** Common list parameters. */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * A list's choice to leave its matches uncounted: integrations that walk the pages and endless
 * lists need no total, and a broad name search's count costs more than its page.
 */
export const withTotal = z
  .enum(["true", "false"])
  .default("true")
  .describe(
    "false: the matches are not counted. A full page then gives as total the rows up to its end, with totalExact false (at least that many); a short page gives the exact total.",
  );

/** A page of results with the total that matched. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    totalExact: z
      .boolean()
      .describe("False when more than `total` records matched and counting stopped there (name searches, long engagement lists)."),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
}

export interface Page<T> {
  items: T[];
  total: number;
  /** False when a name search matched more than `total` and counting stopped there. */
  totalExact: boolean;
  page: number;
  pageSize: number;
}

/** Name searches count their matches up to this many; past it the total is "1,000+". */
export const searchCountCap = 1000;

/** How far a list counts its matches: name searches up to the cap, other lists in full. */
export function countCap(q: string | undefined): number {
  return q ? searchCountCap : 2_000_000_000;
}

/** Engagement lists count up to this many; past it the total is "10,000+" (the counts query gives exact figures). */
export const listCountCap = 10_000;

/** A name search asking for at most this many rows is a typeahead: it is not counted past its page. */
export const typeaheadPageSize = 10;

/**
 * The total of a page: a short first page is the whole result and needs no count; a full
 * page of a typeahead (a name search of at most ten rows) says only "at least this many"
 * (`totalExact: false`), since counting a broad search costs more than the page itself;
 * a list asked not to count (`withTotal` "false") says the same of any full page, and of a
 * short one that it ends the list; otherwise `countUpTo(cap)` counts at most cap + 1 matches,
 * and more than the cap is reported as the cap with `totalExact: false`.
 */
export async function pageTotal(
  query: { page: number; pageSize: number; q?: string | undefined; withTotal?: "true" | "false" },
  rowsOnPage: number,
  countUpTo: (cap: number) => Promise<number>,
  maxCap = Number.POSITIVE_INFINITY,
): Promise<{ total: number; totalExact: boolean }> {
  if (query.page === 1 && rowsOnPage < query.pageSize) return { total: rowsOnPage, totalExact: true };
  const upToThisPage = (query.page - 1) * query.pageSize + rowsOnPage;
  // An empty page past the end says nothing of the total: it is counted.
  if (query.withTotal === "false" && rowsOnPage > 0) return { total: upToThisPage, totalExact: rowsOnPage < query.pageSize };
  if (query.q && query.pageSize <= typeaheadPageSize && rowsOnPage === query.pageSize) return { total: upToThisPage, totalExact: false };
  const cap = Math.min(countCap(query.q), maxCap);
  const counted = await countUpTo(cap);
  return counted > cap ? { total: cap, totalExact: false } : { total: counted, totalExact: true };
}

/** Flattens zod issues into field messages addressed by dotted path. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message }));
}

/** Parses service input with its schema, or throws VALIDATION_FAILED with field messages. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const fields = fieldIssues(result.error);
    const first = fields[0];
    throw new AppError("VALIDATION_FAILED", first ? `${first.path}: ${first.message}` : "Invalid input.", { fields });
  }
  return result.data;
}
