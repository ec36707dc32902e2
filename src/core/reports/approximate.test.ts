import { describe, expect, it } from "vitest";
import { defaultFigureRules, figureRules, type StatedFigure, stateFigure } from "./approximate.ts";

const exact = figureRules.parse({ mode: "exact" });

describe("stating figures the way official texts do", () => {
  it.each([
    // value, rules, options, zh, en
    [1523, defaultFigureRules, { style: "more" as const }, "1500多", "more than 1,500"],
    [612, defaultFigureRules, { style: "over" as const }, "600多", "over 600"],
    [173, defaultFigureRules, { style: "plus" as const }, "170多", "170 plus"],
    [397, defaultFigureRules, {}, "近400", "nearly 400"],
    [149, exact, {}, "149", "149"],
    [1523, exact, {}, "1523", "1,523"],
    [14, defaultFigureRules, {}, "14", "14"],
    [19, defaultFigureRules, {}, "19", "19"],
    [0, defaultFigureRules, {}, "0", "0"],
    [100, defaultFigureRules, { estimate: true }, "约100", "some 100"],
    [104, defaultFigureRules, { estimate: true }, "约100", "some 100"],
    [1500, defaultFigureRules, {}, "1500", "1,500"],
    [600, defaultFigureRules, {}, "600", "600"],
    [149, defaultFigureRules, {}, "140多", "more than 140"],
    [503, defaultFigureRules, { style: "over" as const }, "500多", "over 500"],
    [152, defaultFigureRules, { style: "plus" as const }, "150多", "150 plus"],
    [396, defaultFigureRules, {}, "近400", "nearly 400"],
    [390, defaultFigureRules, {}, "390", "390"],
    [391, defaultFigureRules, {}, "390多", "more than 390"],
    [2048, defaultFigureRules, {}, "2000多", "more than 2,000"],
    [545, defaultFigureRules, {}, "500多", "more than 500"],
    [240, defaultFigureRules, {}, "200多", "more than 200"],
    [1950, defaultFigureRules, {}, "1900多", "more than 1,900"],
    [98, defaultFigureRules, {}, "近100", "nearly 100"],
    [25, defaultFigureRules, {}, "20多", "more than 20"],
    [32, defaultFigureRules, { style: "over" as const }, "30多", "over 30"],
    [30, defaultFigureRules, {}, "30", "30"],
    [1_000_001, defaultFigureRules, {}, "100多万", "more than 1 million"],
  ])("%i → %s / %s", (value, rules, options, zh, en) => {
    const figure = stateFigure(value, rules, options as { style?: "more" | "over" | "plus"; estimate?: boolean });
    expect([figure.zh, figure.en]).toEqual([zh, en]);
    expect(figure.value).toBe(value);
  });

  it("follows the report's rules: the exact threshold, the nearly margin, the significant digits", () => {
    expect(stateFigure(25, figureRules.parse({ exactBelow: 30 }))).toMatchObject({ zh: "25", kind: "exact" });
    expect(stateFigure(18, figureRules.parse({ exactBelow: 10 }))).toMatchObject({ zh: "18", kind: "exact" });
    expect(stateFigure(12, figureRules.parse({ exactBelow: 10 }))).toMatchObject({ zh: "10多", en: "more than 10" });
    expect(stateFigure(390, figureRules.parse({ nearlyMargin: 0.05 }))).toMatchObject({ zh: "近400", kind: "nearly" });
    expect(stateFigure(397, figureRules.parse({ nearlyMargin: 0 }))).toMatchObject({ zh: "390多" });
    // significantDigits is the most kept: 1523 is within a fifth of 1500 already.
    expect(stateFigure(1523, figureRules.parse({ significantDigits: 3 }))).toMatchObject({ zh: "1500多", en: "more than 1,500" });
    expect(stateFigure(1523, figureRules.parse({ significantDigits: 1 }))).toMatchObject({ zh: "1000多" });
    expect(stateFigure(1089, figureRules.parse({ significantDigits: 3 }))).toMatchObject({ zh: "1000多" });
    expect(() => figureRules.parse({ nearlyMargin: 0.5 })).toThrow();
  });

  it.each([
    // value, rules, options, zh, en: 万 and 亿 as official texts write them, never 10000多
    [12_345, defaultFigureRules, {}, "1万多", "more than 10,000"],
    [150_000, defaultFigureRules, {}, "15万", "150,000"],
    [1_234_567, defaultFigureRules, {}, "100多万", "more than 1 million"],
    [980_000, defaultFigureRules, {}, "近100万", "nearly 1 million"],
    [230_000_000, defaultFigureRules, {}, "2.3亿", "230 million"],
    [10_000, defaultFigureRules, {}, "1万", "10,000"],
    [10_001, defaultFigureRules, {}, "1万多", "more than 10,000"],
    [9_999, defaultFigureRules, {}, "近1万", "nearly 10,000"],
    [9_500, defaultFigureRules, {}, "9000多", "more than 9,000"],
    [3_456, defaultFigureRules, {}, "3000多", "more than 3,000"],
    [15_000, defaultFigureRules, {}, "1.5万", "15,000"],
    [15_500, defaultFigureRules, {}, "1.5万多", "more than 15,000"],
    [19_700, defaultFigureRules, {}, "近2万", "nearly 20,000"],
    [25_000, defaultFigureRules, {}, "2.5万", "25,000"],
    [25_300, defaultFigureRules, {}, "2.5万多", "more than 25,000"],
    [35_100, defaultFigureRules, {}, "3万多", "more than 30,000"],
    [47_000, defaultFigureRules, {}, "4.7万", "47,000"],
    [47_300, defaultFigureRules, {}, "4万多", "more than 40,000"],
    [99_000, defaultFigureRules, {}, "近10万", "nearly 100,000"],
    [100_000, defaultFigureRules, {}, "10万", "100,000"],
    [123_456, defaultFigureRules, {}, "10多万", "more than 100,000"],
    [160_000, defaultFigureRules, {}, "16万", "160,000"],
    [163_000, defaultFigureRules, {}, "16万多", "more than 160,000"],
    [170_500, defaultFigureRules, { style: "plus" as const }, "17万多", "170,000 plus"],
    [500_001, defaultFigureRules, {}, "50多万", "more than 500,000"],
    [600_000, defaultFigureRules, {}, "60万", "600,000"],
    [610_000, defaultFigureRules, {}, "61万", "610,000"],
    [613_000, defaultFigureRules, { style: "over" as const }, "60多万", "over 600,000"],
    [1_000_000, defaultFigureRules, {}, "100万", "1 million"],
    [1_000_001, defaultFigureRules, { style: "over" as const }, "100多万", "over 1 million"],
    [1_500_000, defaultFigureRules, {}, "150万", "1.5 million"],
    [1_550_000, defaultFigureRules, {}, "150多万", "more than 1.5 million"],
    [2_000_001, defaultFigureRules, {}, "200多万", "more than 2 million"],
    [2_400_000, defaultFigureRules, {}, "240万", "2.4 million"],
    [2_430_000, defaultFigureRules, {}, "200多万", "more than 2 million"],
    [12_000_000, defaultFigureRules, {}, "1200万", "12 million"],
    [12_300_000, defaultFigureRules, {}, "1000多万", "more than 10 million"],
    [98_500_000, defaultFigureRules, {}, "近1亿", "nearly 100 million"],
    [100_000_000, defaultFigureRules, {}, "1亿", "100 million"],
    [123_000_000, defaultFigureRules, {}, "1亿多", "more than 100 million"],
    [150_000_000, defaultFigureRules, {}, "1.5亿", "150 million"],
    [235_000_000, defaultFigureRules, {}, "2亿多", "more than 200 million"],
    [235_000_000, exact, {}, "2.35亿", "235,000,000"],
    [1_200_000_000, defaultFigureRules, {}, "12亿", "1.2 billion"],
    [1_230_000_000, defaultFigureRules, {}, "10多亿", "more than 1 billion"],
    [1_500_000_000, defaultFigureRules, {}, "15亿", "1.5 billion"],
    [45_678, exact, {}, "45678", "45,678"],
    [150_000, exact, {}, "15万", "150,000"],
    [1_234_567, exact, {}, "1234567", "1,234,567"],
    [230_000_000, exact, {}, "2.3亿", "230,000,000"],
    [123_456, defaultFigureRules, { estimate: true }, "约12万", "some 120,000"],
    [1_234_567, defaultFigureRules, { estimate: true }, "约120万", "some 1.2 million"],
    [1_234_567, figureRules.parse({ significantDigits: 2, nearlyMargin: 0 }), {}, "100多万", "more than 1 million"],
  ])("%i → %s / %s (large figures)", (value, rules, options, zh, en) => {
    const figure = stateFigure(value, rules, options as { style?: "more" | "over" | "plus"; estimate?: boolean });
    expect([figure.zh, figure.en]).toEqual([zh, en]);
  });

  it("states the same quantity in both languages, never 10000多, and keeps its rules, for any figure", () => {
    // A fixed seed: the same values on every run, spread evenly over the orders of magnitude.
    let seed = 20261204;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values = Array.from({ length: 3000 }, () => Math.floor(10 ** (random() * 10)));
    values.sort((a, b) => a - b);
    let previous = 0;
    for (const value of values) {
      const figure = stateFigure(value, defaultFigureRules, { style: (["more", "over", "plus"] as const)[value % 3] });
      const zh = chineseQuantity(figure.zh);
      expect(zh, `${value}: ${figure.zh} / ${figure.en}`).toBe(englishQuantity(figure.en));
      expect(figure.zh).not.toMatch(/\d{5,}多|^近\d{5,}$|^约\d{5,}$/);
      if (figure.kind === "exact") expect(zh).toBe(value);
      if (figure.kind === "more") expect(zh < value && (value - zh) / value <= 0.2).toBe(true);
      if (figure.kind === "nearly") expect(zh > value && zh - value <= zh * defaultFigureRules.nearlyMargin).toBe(true);
      if (value < defaultFigureRules.exactBelow) expect(figure.kind).toBe("exact");
      // Monotone: a larger figure is never stated as less.
      expect(zh).toBeGreaterThanOrEqual(previous);
      previous = zh;
      const exactly = stateFigure(value, exact);
      expect([chineseQuantity(exactly.zh), englishQuantity(exactly.en)]).toEqual([value, value]);
    }
  });
});

/** The quantity a Chinese figure states: 1万多 → 10000, 100多万 → 1000000, 近2.3亿 → 230000000. */
function chineseQuantity(stated: StatedFigure["zh"]): number {
  const m = /^(?:近|约)?([\d.]+)多?(万|亿)?多?$/.exec(stated);
  if (!m) throw new Error(`not a Chinese figure: ${stated}`);
  const unit = m[2] === "亿" ? 1e8 : m[2] === "万" ? 1e4 : 1;
  return Math.round(Number(m[1]) * unit);
}

/** The quantity an English figure states: "more than 1.5 million" → 1500000. */
function englishQuantity(stated: StatedFigure["en"]): number {
  const m = /^(?:more than |over |nearly |some )?([\d.,]+)(?: (million|billion))?(?: plus)?$/.exec(stated);
  if (!m) throw new Error(`not an English figure: ${stated}`);
  const unit = m[2] === "billion" ? 1e9 : m[2] === "million" ? 1e6 : 1;
  return Math.round(Number((m[1] as string).replaceAll(",", "")) * unit);
}
