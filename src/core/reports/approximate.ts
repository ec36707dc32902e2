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
 * A figure that is already round (1,500) is stated as it is.
 */
export function stateFigure(
  value: number,
  rules: FigureRules = defaultFigureRules,
  options: { style?: MoreStyle; estimate?: boolean } = {},
): StatedFigure {
  const n = Math.round(value);
  const exact: StatedFigure = { value: n, zh: String(n), en: grouped(n), kind: "exact" };
  if (rules.mode === "exact" || n < rules.exactBelow || n <= 0) return exact;
  if (options.estimate) {
    const about = roundTo(n, rules.significantDigits);
    return { value: n, zh: `约${about}`, en: `some ${grouped(about)}`, kind: "about" };
  }
  const next = ceilToOne(n);
  if (next > n && next - n <= next * rules.nearlyMargin) {
    return { value: n, zh: `近${next}`, en: `nearly ${grouped(next)}`, kind: "nearly" };
  }
  // As few digits as say the figure to within a fifth (545 is 500多, 612 600多), but no more
  // than `significantDigits` (173 is 170多, 1523 1500多).
  let floor = floorTo(n, 1);
  for (let digits = 2; digits <= rules.significantDigits && (n - floor) / n > maxLoss; digits++) floor = floorTo(n, digits);
  if (floor === n) return exact;
  const style = options.style ?? "more";
  const en = style === "over" ? `over ${grouped(floor)}` : style === "plus" ? `${grouped(floor)} plus` : `more than ${grouped(floor)}`;
  return { value: n, zh: `${floor}多`, en, kind: "more" };
}
