import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundledDataDir } from "../../paths.ts";
import { partyFactsChecksum, readPartyFacts } from "./partyfacts.ts";

const partyDir = path.join(bundledDataDir, "partyfacts");
const countries: Array<{ code: string }> = JSON.parse(fs.readFileSync(path.join(bundledDataDir, "geography/countries.json"), "utf8"));
const known = new Set(countries.map((c) => c.code));
const { parties, report } = readPartyFacts(partyDir, known);
const byId = new Map(parties.map((p) => [p.partyfactsId, p]));

describe("Party Facts parser on the bundled file", () => {
  it("keeps the 5,558 real parties and skips the technical rows", () => {
    expect(report.rows).toBe(6854);
    expect(report.technicalSkipped).toBe(1296);
    expect(parties).toHaveLength(5558);
    // The file names 216 countries; the United Arab Emirates have only placeholder rows.
    expect(new Set(parties.map((p) => p.countryCode)).size).toBe(215);
    expect(parties.some((p) => p.countryCode === "ARE")).toBe(false);
    expect(report.unknownCountrySkipped).toEqual([]);
  });

  it("keeps non-ISO codes as territories, historical ones included", () => {
    const codes = new Set(parties.map((p) => p.countryCode));
    for (const code of ["DDR", "AUH", "XKX", "NIR", "EUN", "VNR", "YMD", "ZZB", "PMR", "SML", "NFL"]) expect(codes.has(code)).toBe(true);
    const gdr = countries.find((c) => c.code === "DDR") as unknown as { historical: boolean; successorCode: string };
    expect(gdr).toMatchObject({ historical: true, successorCode: "DEU" });
  });

  it("joins Wikidata ids, native names, founding years and the ParlGov family", () => {
    const cpc = byId.get(5124);
    expect(cpc).toMatchObject({ countryCode: "CHN", wikidataId: "Q17427", foundedYear: 1921 });
    expect(cpc?.names).toEqual(
      expect.arrayContaining([
        { kind: "official", lang: "en", value: "Communist Party of China" },
        { kind: "official", lang: "zh", value: "中国共产党" },
        { kind: "abbreviation", lang: "und", value: "CPC" },
      ]),
    );
    const spd = parties.find((p) => p.countryCode === "DEU" && p.names.some((n) => n.value === "SPD"));
    expect(spd?.family).toBe("soc");
    expect(spd?.parlgovId).toBeGreaterThan(0);
    const kmt = byId.get(1112);
    expect(kmt?.names.find((n) => n.lang === "zh")?.value).toBe("中國國民黨");
  });

  it("keeps joint names whole and splits alternative English names into aliases", () => {
    const union = byId.get(211);
    expect(union?.names[0]).toEqual({ kind: "official", lang: "en", value: "Christian Democratic Union / Christian Social Union" });
    const millat = byId.get(6641);
    expect(millat?.names[0]?.value).toBe("Afghan Social Democratic Party");
    expect(millat?.names).toEqual(expect.arrayContaining([{ kind: "alias", lang: "en", value: "Afghan Millat Party" }]));
    expect(millat?.names).toEqual(expect.arrayContaining([expect.objectContaining({ lang: "ps", value: "افغان ټولنپال ولسواک ګوند" })]));
  });

  it("strips invisible marks and keeps multi-line descriptions", () => {
    expect(report.invisibleMarksStripped).toBeGreaterThan(100);
    const invisible = /[\u200B-\u200F\u202A-\u202E\uFEFF]/;
    for (const party of parties) for (const name of party.names) expect(invisible.test(name.value)).toBe(false);
    expect(byId.get(7049)?.description).toBe("38 of 130 seats in 2015 Argentine general election\nconsists of 1790 1724 6159");
  });

  it("keeps distinct parties that share a name apart, and reports them", () => {
    const liberal = report.duplicateNameGroups.find((g) => g.country === "BRA" && g.name === "partido liberal");
    expect(liberal?.partyfactsIds).toEqual([1823, 8387]);
    expect(byId.get(1823)?.foundedYear).toBe(1985);
    expect(byId.get(8387)?.foundedYear).toBe(1837);
    expect(report.duplicateNameGroups.length).toBe(69);
  });

  it("gives a Wikidata id to one party only", () => {
    const ids = parties.map((p) => p.wikidataId).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
    expect(report.wikidataIdsShared.length).toBeGreaterThan(0);
  });

  it("is deterministic: same files, same records and checksum", () => {
    const again = readPartyFacts(partyDir, known);
    expect(again.parties.map((p) => p.hash)).toEqual(parties.map((p) => p.hash));
    expect(partyFactsChecksum(partyDir)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("Party Facts parser on a file with every quirk", () => {
  it("handles placeholders, unknown countries, marks, line breaks and repeated names", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-"));
    const header =
      "country,partyfacts_id,technical,name_short,name,name_english,name_other,year_first,year_last,share,share_year,new,wikipedia,description,comment,created,modified";
    fs.writeFileSync(
      path.join(dir, "partyfacts-core-parties.csv"),
      [
        header,
        'DEU,1,,\u200BAB,"Alpha\u200E Partei","Alpha\nParty",,1990,1980,,,,,"line one\r\nline two",,,',
        "DEU,2,,AB,Alpha Partei,Alpha Party (East),,2001,,,,,,,,,",
        "DEU,3,15,,alliance,alliance,,,,,,,,,,,",
        "QQQ,4,,,Nowhere Party,Nowhere Party,,,,,,,,,,,",
        "CHN,5,,,,,中國共產黨,,,,,,,,,,",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(dir, "wikidata.csv"),
      "country,partyfacts_id,wikidata_id,name,name_short,name_native\nDEU,1,Q1,,,\nDEU,2,Q1,,,\n",
    );
    fs.writeFileSync(
      path.join(dir, "wikipedia.csv"),
      "country,partyfacts_id,url,name_short,name,name_native,year_founded,year_dissolved\n",
    );
    fs.writeFileSync(path.join(dir, "partyfacts-parlgov.csv"), "partyfacts_id,parlgov_id\n1,9\n");
    fs.writeFileSync(
      path.join(dir, "parlgov.csv"),
      "party_id,country,party_name_short,party_name_english,party_name,family\n9,DEU,AP,Alpha,Alpha,code\n",
    );
    const result = readPartyFacts(dir, new Set(["DEU", "CHN"]));
    expect(result.parties.map((p) => p.partyfactsId)).toEqual([1, 2, 5]);
    expect(result.report.technicalSkipped).toBe(1);
    expect(result.report.unknownCountrySkipped).toEqual([{ partyfactsId: 4, country: "QQQ" }]);
    const [alpha, alphaEast, chinese] = result.parties;
    expect(alpha?.names).toEqual([
      { kind: "official", lang: "en", value: "Alpha Party" },
      { kind: "official", lang: "und", value: "Alpha Partei" },
      { kind: "abbreviation", lang: "und", value: "AB" },
    ]);
    expect(alpha?.dissolvedYear).toBeNull(); // 1980 is before its founding in 1990
    expect(alpha?.description).toBe("line one\nline two");
    expect(alpha?.family).toBeNull(); // ParlGov's "code" is not a family
    expect(alpha?.wikidataId).toBe("Q1");
    expect(alphaEast?.wikidataId).toBeNull();
    expect(result.report.wikidataIdsShared).toEqual([{ wikidataId: "Q1", keptOn: 1, droppedFrom: [2] }]);
    expect(result.report.duplicateNameGroups).toEqual([{ country: "DEU", name: "alpha partei", partyfactsIds: [1, 2] }]);
    expect(chinese?.names).toEqual([{ kind: "official", lang: "zh", value: "中國共產黨" }]);
  });
});
