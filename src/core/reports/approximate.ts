import { z } from "zod";

/** How a report states its figures. Configurable per report; exact figures are one switch away. */
export const figureRules = z
  .object({
    mode: z.enum(["approximate", "exact"]).default("approximate"),
    /** Figures under this are always exact ("14 thematic briefings"). */
    exactBelow: z.coerce.number().int().min(0).max(1_000_000).default(20),
    /** How far below a round number a figure may be and be "nearly" it (397 is nearly 400 at 2%). */
    nearlyMargin: z.coerce.number().min(0).max(0.2).default(0.02),
    /** The most significant digits a "more than" figure keeps (1523 → 1500 at 2). */
    significantDigits: z.coerce.number().int().min(1).max(4).default(2),
  })
  .strict();
export type FigureRules = z.output<typeof figureRules>;
export const defaultFigureRules: FigureRules = figureRules.parse({});

/** How English says "more than N": "more than 1,500", "over 600", "170 plus". */
export type MoreStyle = "more" | "over" | "plus";

/** A figure as a report states it, in both languages, with the exact value beside. */
export interface StatedFigure {
  value: number;
  zh: string;
  en: string;
  kind: "exact" | "more" | "nearly" | "about";
}

/** The most a "more than" figure may fall short of the real one, as a share of it. */
const maxLoss = 0.2;

const grouped = (n: number) => new Intl.NumberFormat("en").format(n);

/** A count of a unit as official texts write it: 15, 1.5, 2.35 (no trailing zeros). */
const unitCount = (n: number, unit: number) => String(Math.round((n / unit) * 100) / 100);

/**
 * A figure in Chinese as official texts write it: below 10,000 in digits (1500); from 10,000
 * in 万 and from 100,000,000 in 亿 where the figure is round enough to say so (15万, 1.5万,
 * 120万, 2.3亿, 2.35亿); a figure that is not (12,345) in digits, as an exact figure is.
 */
export function chineseNumber(n: number): string {
  if (n >= 1e8 && n % 1e6 === 0) return `${unitCount(n, 1e8)}亿`;
  if (n >= 1e4 && n % 1e3 === 0) return `${unitCount(n, 1e4)}万`;
  return String(n);
}

/**
 * "More than" a round figure in Chinese: 多 after the number below 10,000 (1500多); from
 * 10,000, 多 comes before 万 or 亿 when the count of them is round at its last digit (100多万,
 * 120多万, 10多亿) and after it otherwise (1万多, 1.5万多, 2亿多).
 */
function chineseMoreThan(floor: number): string {
  const unit = floor >= 1e8 ? { size: 1e8, word: "亿" } : floor >= 1e4 ? { size: 1e4, word: "万" } : null;
  if (!unit) return `${floor}多`;
  const count = unitCount(floor, unit.size);
  return count.length > 1 && count.endsWith("0") && !count.includes(".") ? `${count}多${unit.word}` : `${count}${unit.word}多`;
}

/**
 * A round figure in English: in digits up to a million (12,000), then in millions or billions
 * where that says it exactly (1.2 million, 230 million, 1.5 billion).
 */
export function englishNumber(n: number): string {
  if (n >= 1e9 && n % 1e7 === 0) return `${unitCount(n, 1e9)} billion`;
  if (n >= 1e6 && n % 1e4 === 0) return `${unitCount(n, 1e6)} million`;
  return grouped(n);
}

/** n rounded down to `digits` significant digits. */
function floorTo(n: number, digits: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(n)) + 1 - digits);
  return Math.floor(n / magnitude) * magnitude;
}

/** n rounded up to one significant digit: the next "round" number (397 → 400, 1523 → 2000). */
function ceilToOne(n: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / magnitude) * magnitude;
}

/** n rounded to the nearest `digits` significant digits. */
function roundTo(n: number, digits: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(n)) + 1 - digits);
  return Math.round(n / magnitude) * magnitude;
}

/**
 * States a figure the way official texts do:
 * - under `exactBelow`, and in exact mode, the figure itself (149; 1,523 in English);
 * - within `nearlyMargin` below a round number: 近400 / nearly 400;
 * - otherwise rounded down to as few significant digits as state it to within a fifth, and at
 *   most `significantDigits` (545 → 500多, 612 → 600多, 32 → 30多, but 173 → 170多 and
 *   1523 → 1500多), with 多 / "more than", "over" or "plus": 1500多 / more than 1,500;
 *   600多 / over 600; 170多 / 170 plus;
 * - an estimate (a figure flagged as approximate) as 约100 / some 100.
 * A figure that is already round (1,500) is stated as it is; from 10,000 so is one of no more
 * significant digits than the rules keep (2.3亿 / 230 million, 24万 / 240,000). From 10,000
 * Chinese counts in 万 and 亿 (1万多, 15万, 100多万, 近100万, 2.3亿), English in millions and
 * billions from a million (more than 1 million, over 1.2 million).
 */
export function stateFigure(
  value: number,
  rules: FigureRules = defaultFigureRules,
  options: { style?: MoreStyle; estimate?: boolean } = {},
): StatedFigure {
  const n = Math.round(value);
  const exact: StatedFigure = { value: n, zh: chineseNumber(n), en: grouped(n), kind: "exact" };
  if (rules.mode === "exact" || n < rules.exactBelow || n <= 0) return exact;
  if (options.estimate) {
    const about = roundTo(n, rules.significantDigits);
    return { value: n, zh: `约${chineseNumber(about)}`, en: `some ${englishNumber(about)}`, kind: "about" };
  }
  const next = ceilToOne(n);
  if (next > n && next - n <= next * rules.nearlyMargin) {
    return { value: n, zh: `近${chineseNumber(next)}`, en: `nearly ${englishNumber(next)}`, kind: "nearly" };
  }
  // As few digits as say the figure to within a fifth (545 is 500多, 612 600多), but no more
  // than `significantDigits` (173 is 170多, 1523 1500多).
  // From 10,000, where Chinese counts in 万 and 亿, a figure of no more significant digits than
  // the rules keep is already a round statement (2.3亿, 24万) and is stated as it is.
  if (n >= 1e4 && floorTo(n, rules.significantDigits) === n) return { ...exact, en: englishNumber(n) };
  let floor = floorTo(n, 1);
  for (let digits = 2; digits <= rules.significantDigits && (n - floor) / n > maxLoss; digits++) floor = floorTo(n, digits);
  if (floor === n) return { ...exact, en: englishNumber(n) };
  const style = options.style ?? "more";
  const stated = englishNumber(floor);
  const en = style === "over" ? `over ${stated}` : style === "plus" ? `${stated} plus` : `more than ${stated}`;
  return { value: n, zh: chineseMoreThan(floor), en, kind: "more" };
}
