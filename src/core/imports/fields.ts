import { foldName } from "../search/text.ts";
import { cleanText } from "../shared/text.ts";
import { organisationKinds, relationshipLevels } from "../shared/vocabulary.ts";

/** A message in both languages: the reason a cell is refused, shown in the reader's language. */
export interface Reason {
  en: string;
  zh: string;
}

/** What a cell becomes: a value, nothing (an empty cell), or a reason it cannot be read. */
export type Parsed<T> = { value: T } | { value: null } | { error: Reason };

/** The places a country cell may name: code (alpha-3 or alpha-2), English or Chinese name, folded. */
export type CountryLookup = ReadonlyMap<string, string>;

/** How a column's cells are read. */
export type FieldType = "name" | "names" | "country" | "kind" | "year" | "url" | "wikidata" | "integer" | "tags" | "level" | "text";

/** A field a column can be mapped to. */
export interface FieldDefinition {
  key: string;
  label: Reason;
  type: FieldType;
  /** Headers, folded, that suggest this field (in Chinese and English). */
  headers: string[];
}

/**
 * The fields of an organisation import: names in Chinese, English and the native script, an
 * abbreviation, former names and aliases (several in a cell, split on 、；;，,/ and new lines),
 * the kind, the country (by code, or by name in Chinese or English), years, website, tags,
 * Wikidata and Party Facts ids, the relationship level, and the office's own id for the row.
 */
export const organisationFields: FieldDefinition[] = [
  {
    key: "nameZh",
    label: { en: "Name in Chinese", zh: "中文名称" },
    type: "name",
    headers: [
      "中文名称",
      "中文名",
      "名称中文",
      "组织名称",
      "政党名称",
      "党名",
      "名称",
      "单位名称",
      "机构名称",
      "chinesename",
      "namezh",
      "namechinese",
    ],
  },
  {
    key: "nameEn",
    label: { en: "Name in English", zh: "英文名称" },
    type: "name",
    headers: [
      "英文名称",
      "英文名",
      "名称英文",
      "name",
      "englishname",
      "nameen",
      "nameenglish",
      "organisation",
      "organization",
      "party",
      "partyname",
    ],
  },
  {
    key: "nameNative",
    label: { en: "Name in its own language", zh: "原文名称" },
    type: "name",
    headers: ["原文名称", "原文名", "外文名称", "外文名", "nativename", "localname", "originalname", "namenative"],
  },
  {
    key: "abbreviation",
    label: { en: "Abbreviation", zh: "缩写" },
    type: "names",
    headers: ["缩写", "英文缩写", "简称", "abbreviation", "abbr", "acronym", "short"],
  },
  {
    key: "former",
    label: { en: "Former names", zh: "曾用名" },
    type: "names",
    headers: ["曾用名", "原名", "旧称", "formername", "formernames", "previousname"],
  },
  {
    key: "alias",
    label: { en: "Other names", zh: "别名" },
    type: "names",
    headers: ["别名", "又称", "其他名称", "alias", "aliases", "alsoknownas", "othernames"],
  },
  {
    key: "kind",
    label: { en: "Kind", zh: "类别" },
    type: "kind",
    headers: ["类别", "类型", "组织类型", "性质", "kind", "type", "category"],
  },
  {
    key: "country",
    label: { en: "Country or region", zh: "国家或地区" },
    type: "country",
    headers: ["国家", "国别", "国家地区", "国家和地区", "所在国", "country", "countrycode", "nation", "countryorregion"],
  },
  {
    key: "foundedYear",
    label: { en: "Founded", zh: "成立年份" },
    type: "year",
    headers: ["成立年份", "成立时间", "成立", "建党时间", "founded", "foundedyear", "established", "founding"],
  },
  {
    key: "dissolvedYear",
    label: { en: "Dissolved", zh: "解散年份" },
    type: "year",
    headers: ["解散年份", "解散时间", "dissolved", "dissolvedyear"],
  },
  {
    key: "website",
    label: { en: "Website", zh: "网站" },
    type: "url",
    headers: ["网站", "网址", "官网", "website", "url", "homepage", "web"],
  },
  { key: "tags", label: { en: "Tags", zh: "标签" }, type: "tags", headers: ["标签", "tags", "tag", "keywords"] },
  {
    key: "wikidataId",
    label: { en: "Wikidata id", zh: "Wikidata编号" },
    type: "wikidata",
    headers: ["wikidata", "wikidataid", "qid", "wikidata编号"],
  },
  {
    key: "partyfactsId",
    label: { en: "Party Facts id", zh: "Party Facts编号" },
    type: "integer",
    headers: ["partyfacts", "partyfactsid", "pfid"],
  },
  {
    key: "relationshipLevel",
    label: { en: "Relationship", zh: "关系层级" },
    type: "level",
    headers: ["关系", "关系层级", "关系级别", "relationship", "relationshiplevel", "level"],
  },
  {
    key: "sourceId",
    label: { en: "Your own id for the row", zh: "本单位编号" },
    type: "text",
    headers: ["编号", "本单位编号", "id", "externalid", "sourceid", "recordid", "ref"],
  },
];

/** A header as compared with the known ones: folded, without punctuation, spaces or brackets. */
export const foldHeader = (header: string) => foldName(header.replace(/[（）()【】[\]:：*＊]/g, ""));

/** Splits a cell holding several names: 、 ； ; ， , / | and new lines. */
export function splitNames(cell: string): string[] {
  return cell
    .split(/[、；;，,/|\n]+/)
    .map((s) => cleanText(s))
    .filter((s): s is string => Boolean(s));
}

const tooLong = (max: number): Reason => ({ en: `Longer than ${max} characters.`, zh: `超过${max}个字符。` });

/** Kinds by their key, English and Chinese label, and a few words offices use. */
/** A vocabulary's entries by their key and their English and Chinese labels, folded, and by other words offices use. */
function wordsOf(vocabulary: Record<string, { en: string; zh: string }>, more: ReadonlyArray<readonly [string, string]> = []) {
  return new Map<string, string>([
    ...Object.entries(vocabulary).flatMap(([key, label]) => [key, label.en, label.zh].map((word) => [foldName(word), key] as const)),
    ...more.map(([word, key]) => [foldName(word), key] as const),
  ]);
}

const kindWords = wordsOf(organisationKinds, [
  ["party", "political_party"],
  ["党", "political_party"],
  ["政党组织", "political_party"],
  ["政治组织", "movement"],
  ["ngo", "civil_society"],
  ["非政府组织", "civil_society"],
  ["民间组织", "civil_society"],
  ["社会团体", "civil_society"],
  ["研究机构", "think_tank"],
  ["智库机构", "think_tank"],
  ["新闻媒体", "media"],
  ["政府", "government_body"],
  ["国会", "parliament"],
]);

const levelWords = wordsOf(relationshipLevels);

/**
 * Reads one cell as its field says. Text is cleaned (invisible marks, stray spaces); a formula
 * stays the text it is; a cell longer than the field holds, a year that is not one, an unknown
 * country or kind is refused with its reason.
 */
export function parseCell(type: FieldType, raw: string, countries: CountryLookup): Parsed<string | number | string[]> {
  const cell = cleanText(raw) ?? "";
  if (cell === "") return { value: null };
  switch (type) {
    case "name":
    case "text":
      return cell.length > 500 ? { error: tooLong(500) } : { value: cell };
    case "names": {
      const names = splitNames(raw);
      return names.some((n) => n.length > 500) ? { error: tooLong(500) } : { value: names };
    }
    case "country": {
      const code = countries.get(foldName(cell)) ?? countries.get(cell.toUpperCase());
      return code
        ? { value: code }
        : { error: { en: `Unknown country or region “${cell.slice(0, 80)}”.`, zh: `无法识别的国家或地区“${cell.slice(0, 80)}”。` } };
    }
    case "kind": {
      const kind = kindWords.get(foldName(cell));
      return kind
        ? { value: kind }
        : {
            error: {
              en: `Unknown kind “${cell.slice(0, 80)}”: use ${Object.values(organisationKinds)
                .map((k) => k.en)
                .join(", ")}.`,
              zh: `无法识别的类别“${cell.slice(0, 80)}”：可用${Object.values(organisationKinds)
                .map((k) => k.zh)
                .join("、")}。`,
            },
          };
    }
    case "level": {
      const level = levelWords.get(foldName(cell));
      return level
        ? { value: level }
        : { error: { en: `Unknown relationship “${cell.slice(0, 80)}”.`, zh: `无法识别的关系层级“${cell.slice(0, 80)}”。` } };
    }
    case "year": {
      // 1921, 1921年, or a whole date (1921-07-01, 1921年7月1日) that exists: the year is what is kept.
      const match = /^(\d{4})(?:年)?(?:(?:[-/.]|(?<=年))(\d{1,2})(?:月)?(?:(?:[-/.]|(?<=月))(\d{1,2})(?:日)?)?)?$/.exec(
        cell.replace(/\s/g, ""),
      );
      const year = match ? Number(match[1]) : Number.NaN;
      const month = match?.[2] ? Number(match[2]) : 1;
      const day = match?.[3] ? Number(match[3]) : 1;
      const exists = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
      return year >= 1000 && year <= 2999 && exists
        ? { value: year }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a year or a date that exists.`,
              zh: `“${cell.slice(0, 40)}”不是有效的年份或日期。`,
            },
          };
    }
    case "url": {
      const url = /^https?:\/\//i.test(cell) ? cell : `https://${cell}`;
      try {
        const parsed = new URL(url);
        if (!parsed.hostname.includes(".") || url.length > 500) throw new Error("no host");
        return { value: parsed.toString() };
      } catch {
        return { error: { en: `“${cell.slice(0, 80)}” is not a web address.`, zh: `“${cell.slice(0, 80)}”不是网址。` } };
      }
    }
    case "wikidata": {
      const id = /(?:^|\/)(Q[1-9]\d{0,11})$/i.exec(cell)?.[1]?.toUpperCase();
      return id
        ? { value: id }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a Wikidata id such as Q12345.`,
              zh: `“${cell.slice(0, 40)}”不是Wikidata编号（如Q12345）。`,
            },
          };
    }
    case "integer": {
      const n = Number(cell);
      return Number.isInteger(n) && n > 0 && n < 2_000_000_000
        ? { value: n }
        : { error: { en: `“${cell.slice(0, 40)}” is not a whole number.`, zh: `“${cell.slice(0, 40)}”不是整数。` } };
    }
    case "tags": {
      const tags = splitNames(raw).map((t) => t.toLowerCase().replace(/\s+/g, "-"));
      return tags.some((t) => t.length > 64) ? { error: tooLong(64) } : { value: tags };
    }
  }
}

/**
 * The field each column most likely holds: by its header in Chinese or English, else by its
 * values (Q-ids are Wikidata; four-digit years; country codes or names; Chinese names where
 * the text is Chinese, English names where it is Latin). Each field goes to one column at most.
 */
export function suggestMapping(headers: string[], samples: string[][], countries: CountryLookup): Array<string | null> {
  const taken = new Set<string>();
  const byHeader = headers.map((h) => {
    const folded = foldHeader(h);
    if (!folded) return null;
    const exact = organisationFields.find((f) => !taken.has(f.key) && f.headers.includes(folded));
    // A header that contains a known one ("政党中文名称") is that field too, unless the known one is
    // short enough to hide in other words ("id" in "president"): the row's own id is named exactly.
    const partial =
      exact ??
      organisationFields.find(
        (f) =>
          !taken.has(f.key) &&
          f.key !== "sourceId" &&
          f.headers.some((k) => (/\p{Script=Han}/u.test(k) ? k.length >= 2 : k.length >= 5) && folded.includes(k)),
      );
    if (partial) taken.add(partial.key);
    return partial?.key ?? null;
  });
  return byHeader.map((field, column) => {
    if (field) return field;
    const values = samples.map((row) => cleanText(row[column] ?? "") ?? "").filter((v) => v !== "");
    if (values.length === 0) return null;
    const share = (test: (v: string) => boolean) => values.filter(test).length / values.length;
    const guess = (key: string) => {
      if (taken.has(key)) return null;
      taken.add(key);
      return key;
    };
    if (share((v) => /^Q\d+$/i.test(v)) > 0.8) return guess("wikidataId");
    if (share((v) => /^\d{4}(年)?$/.test(v)) > 0.8) return guess("foundedYear");
    if (share((v) => countries.has(foldName(v)) || countries.has(v.toUpperCase())) > 0.8) return guess("country");
    if (share((v) => /^https?:\/\//i.test(v) || /^www\./i.test(v)) > 0.8) return guess("website");
    if (share((v) => /\p{Script=Han}/u.test(v)) > 0.8) return guess("nameZh");
    if (share((v) => /^[\p{Script=Latin}\d\s.,'’&()-]+$/u.test(v)) > 0.8) return guess("nameEn");
    return null;
  });
}
