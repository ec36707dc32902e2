import { describe, expect, it } from "vitest";
import { buildSearchQuery, buildSearchText, foldLatin } from "./text.ts";

describe("search text", () => {
  it("folds accents and case", () => {
    expect(foldLatin("Égalité ÖVP")).toBe("egalite ovp");
  });

  it("indexes Chinese as simplified pieces with pinyin", () => {
    const tokens = buildSearchText(["中國共產黨"]).split(" ");
    expect(tokens).toEqual(expect.arrayContaining(["中国", "国共", "共产", "产党", "党"]));
    expect(tokens).toEqual(expect.arrayContaining(["zhongguogongchandang", "gongchandang", "zggcd"]));
    expect(tokens).not.toContain("國");
  });

  it("adds compact forms of short names and strips invisible marks", () => {
    const tokens = buildSearchText(["S.P.D.", "Die\u200B Linke"]).split(" ");
    expect(tokens).toEqual(expect.arrayContaining(["spd", "die", "linke", "dielinke"]));
  });

  it("builds an AND query of prefixes and Chinese pieces", () => {
    expect(buildSearchQuery("Sozialdemokratische Partei")).toBe("'sozialdemokratische':* & 'partei':*");
    expect(buildSearchQuery("共產黨")).toBe("'共产' & '产党'");
    expect(buildSearchQuery("党")).toBe("'党'");
    expect(buildSearchQuery("  '&|! ")).toBeNull();
  });
});
