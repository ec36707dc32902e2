import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { countryContext, nameData, suggestChineseName, suggestFromNames, transliterate } from "./suggest.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const countries = JSON.parse(fs.readFileSync(path.join(root, "data/geography/countries.json"), "utf8")) as Array<{
  code: string;
  nameEn: string;
  nameZh: string;
  officialNameEn: string;
  regionCode: string;
}>;
const country = (code: string) => {
  const found = countries.find((c) => c.code === code);
  if (!found) throw new Error(`no country ${code}`);
  return countryContext(found);
};
const rules = (english: string, code: string, kind = "political_party") =>
  suggestChineseName({ english, country: country(code), kind, rulesOnly: true });

describe("the Chinese-name engine", () => {
  it("forms names the way official usage does: country, translated descriptor, type word", () => {
    expect(rules("Social Democratic Party of Germany", "DEU")?.zh).toBe("德国社会民主党");
    expect(rules("People's Party", "ESP")?.zh).toBe("西班牙人民党");
    expect(rules("Socialist Party", "FRA")?.zh).toBe("法国社会党");
    expect(rules("Party of the Revolution", "TZA")?.zh).toBe("坦桑尼亚革命党");
    expect(rules("Movement for Democratic Change", "ZWE")?.zh).toBe("津巴布韦民主变革运动");
    expect(rules("Justice and Development Party", "TUR")?.zh).toBe("土耳其正义与发展党");
    expect(rules("Lao People's Revolutionary Party", "LAO")?.zh).toBe("老挝人民革命党");
    expect(rules("Communist Party of Vietnam", "VNM")?.zh).toBe("越南共产党");
    // A country inside the name is part of it, not a prefix.
    expect(rules("United Russia", "RUS")?.zh).toBe("统一俄罗斯党");
    expect(rules("New Azerbaijan Party", "AZE")?.zh).toBe("新阿塞拜疆党");
    // A type word alone takes 党; a plural head is one already.
    expect(rules("Labour", "GBR")?.zh).toBe("英国工党");
    expect(rules("Conservatives", "GBR")?.zh).toBe("英国保守党");
    // Not a party: no 党.
    expect(rules("Institute for Development Studies", "KEN", "think_tank")?.zh).not.toMatch(/党$/);
  });

  it("says how each suggestion was made, and is confident only where the glossary covers the name", () => {
    const made = rules("Social Democratic Party of Germany", "DEU");
    expect(made?.method).toBe("glossary");
    expect(made?.transliterated).toBe(false);
    expect(made?.confidence).toBeGreaterThanOrEqual(0.85);
    expect(made?.steps.map((s) => s.rule)).toEqual(expect.arrayContaining(["country", "glossary"]));
    expect(made?.steps.find((s) => s.rule === "glossary")?.note).toBeTruthy();
    const proper = rules("Likud", "ISR");
    expect(proper?.method).toBe("transliteration");
    expect(proper?.transliterated).toBe(true);
    expect(proper?.zh).toContain("利库德");
    expect(proper?.confidence).toBeLessThan(0.3);
    const mixed = rules("Fidesz Civic Alliance", "HUN");
    expect(mixed?.method).toBe("mixed");
    expect(mixed?.confidence).toBeGreaterThan(proper?.confidence ?? 1);
    expect(mixed?.confidence).toBeLessThan(0.85);
  });

  it("takes settled usage first, with its short form, and never calls a guess confirmed", () => {
    const known = suggestChineseName({ english: "Communist Party of Vietnam", country: country("VNM"), partyfactsId: 4898 });
    expect(known).toMatchObject({ zh: "越南共产党", short: "越共", method: "known" });
    expect(known?.confidence).toBeLessThan(1);
    const anc = suggestFromNames({ englishNames: ["African National Congress"], country: country("ZAF"), partyfactsId: 1219 });
    expect(anc).toMatchObject({ zh: "南非非洲人国民大会", short: "非国大" });
    // The best of a partner's English names wins: the translatable one over an acronym.
    const ldpr = suggestFromNames({ englishNames: ["LDPR", "Liberal Democratic Party of Russia"], country: country("RUS") });
    expect(ldpr?.zh).toBe("俄罗斯自由民主党");
  });

  it("cleans what sources add: alternatives, bracketed notes, invisible marks, a descriptive qualifier", () => {
    expect(rules("Justicialist [Peronist] Party", "ARG")?.zh).toBe("阿根廷正义党");
    expect(rules("Cambodian People's Party / Kampuchean People's Revolutionary Party", "KHM")?.zh).toBe("柬埔寨人民党");
    expect(rules("Socialist\u200b Party", "CHL")?.zh).toBe("智利社会党");
    expect(rules("Communist Party of India (Marxist)", "IND")?.zh).toBe("印度共产党（马克思主义）");
  });

  it("transliterates proper names syllable by syllable", () => {
    expect(transliterate("Likud")).toBe("利库德");
    expect(transliterate("Golkar")).toMatch(/^戈/);
    expect(transliterate("")).toBe("");
  });

  it("keeps a glossary of hundreds of entries, each with its source note", () => {
    const { glossary } = nameData();
    expect(glossary.size).toBeGreaterThan(300);
    for (const entry of glossary.values()) {
      expect(entry.note, entry.en).toBeTruthy();
      if (entry.kind !== "skip") expect(entry.zh, entry.en).toMatch(/\p{Script=Han}/u);
    }
  });

  it("gets at least 70% of descriptive names exactly right on a hand-checked sample from every region", () => {
    const sample = parse(fs.readFileSync(path.join(import.meta.dirname, "precision-sample.csv"), "utf8"), { columns: true }) as Array<
      Record<string, string>
    >;
    const wikidata = new Map(
      (
        parse(fs.readFileSync(path.join(root, "data/partyfacts/wikidata.csv"), "utf8"), { columns: true }) as Array<Record<string, string>>
      ).map((r) => [r.partyfacts_id, r.name]),
    );
    const regions = new Set<string>();
    let descriptive = 0;
    let right = 0;
    const misses: string[] = [];
    for (const row of sample) {
      regions.add(countries.find((c) => c.code === row.country)?.regionCode ?? "");
      const suggestion = suggestFromNames({
        englishNames: [wikidata.get(row.partyfacts_id as string) ?? "", ...(row.name_english as string).split(" / ")],
        country: country(row.country as string),
        rulesOnly: true,
      });
      const expected = (row.expected as string).split(";");
      if (!suggestion || suggestion.transliterated) continue;
      descriptive++;
      if (expected.includes(suggestion.zh)) right++;
      else misses.push(`${row.country} ${row.name_english}: ${suggestion.zh} (usage: ${expected.join(" / ")})`);
    }
    console.log(
      `precision on the sample: ${right}/${descriptive} descriptive names exactly right (${((right / descriptive) * 100).toFixed(1)}%)`,
    );
    console.log(`misses:\n  ${misses.join("\n  ")}`);
    expect(sample.length).toBeGreaterThanOrEqual(100);
    expect([...regions].sort()).toEqual(["002", "009", "019", "142", "150"]);
    expect(right / descriptive).toBeGreaterThanOrEqual(0.7);
  });
});
