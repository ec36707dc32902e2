import { describe, expect, it } from "vitest";
import { defaultFigureRules, figureRules, stateFigure } from "./approximate.ts";

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
    [1_000_001, defaultFigureRules, {}, "1000000多", "more than 1,000,000"],
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
});
