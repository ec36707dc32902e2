import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { bundledDataDir } from "../../paths.ts";

/**
 * The Chinese-name suggestion engine. It proposes a Chinese name for a partner from its
 * English name and its country, the way official usage forms them (Xinhua, the CPC's
 * International Department): the country's name, then the descriptive part translated
 * word by word from a reviewed glossary, in Chinese order ("Party of the Revolution" →
 * 坦桑尼亚革命党), with the type word last (党, 阵线, 运动, 联盟…). Words the glossary does not
 * know are proper names: they are transliterated in the Xinhua manner and marked so, with a
 * low confidence. Parties whose Chinese name is settled usage come from a bundled list. Every
 * suggestion says how it was made; none is ever presented as confirmed.
 */

const dataDir = path.join(bundledDataDir, "names");

/** One glossary entry: an English word or phrase, its Chinese, its role, and where the usage comes from. */
export interface GlossaryEntry {
  en: string;
  zh: string;
  kind: "head" | "term" | "phrase" | "skip" | "join";
  note: string;
}

/** How a suggestion was made, step by step, for the reviewer. */
export interface SuggestionStep {
  rule: "known" | "glossary" | "country" | "order" | "type-word" | "transliteration" | "qualifier" | "alternative" | "dropped";
  en?: string;
  zh?: string;
  note?: string;
}

/** A proposed Chinese name with its confidence (0–1) and its reasons. */
export interface NameSuggestion {
  zh: string;
  confidence: number;
  method: "known" | "glossary" | "mixed" | "transliteration";
  /** Proper names were transliterated: a person should check them. */
  transliterated: boolean;
  steps: SuggestionStep[];
  /** A commonly used Chinese short form (越共, 非国大), where one is known. */
  short?: string | undefined;
}

/** What the engine needs to know of the partner's country. */
export interface CountryContext {
  code: string;
  /** The country's Chinese short name (德国). */
  zh: string;
  /** English names and adjectives that stand for the country in a party's name (Germany, German, Federal Republic of Germany). */
  names: string[];
}

interface Data {
  glossary: Map<string, GlossaryEntry>;
  longestPhrase: number;
  known: Map<number, { zh: string; short: string | null }>;
  demonyms: Map<string, string[]>;
  countryNames: Map<string, string[]>;
  prefixes: Map<string, string>;
}

let loaded: Data | undefined;

function readCsv(file: string): Array<Record<string, string>> {
  return parse(fs.readFileSync(path.join(dataDir, file), "utf8"), { columns: true, skip_empty_lines: true, trim: true });
}

/** The bundled data: the glossary, the known names, the adjectives of countries. Read once. */
export function nameData(): Data {
  if (loaded) return loaded;
  const glossary = new Map<string, GlossaryEntry>();
  let longestPhrase = 1;
  for (const row of readCsv("glossary.csv")) {
    const entry = { en: row.en as string, zh: row.zh ?? "", kind: row.kind as GlossaryEntry["kind"], note: row.note ?? "" };
    glossary.set(entry.en.toLowerCase(), entry);
    longestPhrase = Math.max(longestPhrase, entry.en.split(" ").length);
  }
  const known = new Map<number, { zh: string; short: string | null }>();
  for (const row of readCsv("known-parties.csv"))
    known.set(Number(row.partyfacts_id), { zh: row.zh as string, short: row.zh_short || null });
  const demonyms = new Map<string, string[]>();
  for (const row of readCsv("demonyms.csv")) {
    const list = demonyms.get(row.code as string) ?? [];
    list.push(row.demonym as string);
    demonyms.set(row.code as string, list);
  }
  const countryNames = new Map<string, string[]>();
  for (const row of readCsv("country-names.csv"))
    countryNames.set(row.code as string, [...(countryNames.get(row.code as string) ?? []), row.name as string]);
  const prefixes = new Map(readCsv("country-prefix.csv").map((row) => [row.code as string, row.zh as string]));
  loaded = { glossary, longestPhrase, known, demonyms, countryNames, prefixes };
  return loaded;
}

/** The adjectives that stand for a country (German, Germany's), from the bundled list. */
export function demonymsOf(code: string): string[] {
  return nameData().demonyms.get(code) ?? [];
}

/**
 * A country as party names know it: the Chinese short form official usage puts before a
 * party's name (刚果, not 刚果（布）), and the English names that may stand in the party's name.
 */
export function countryContext(country: { code: string; nameEn: string; nameZh: string; officialNameEn?: string | null }): CountryContext {
  const data = nameData();
  return {
    code: country.code,
    zh: data.prefixes.get(country.code) ?? country.nameZh,
    names: [...new Set([country.nameEn, country.officialNameEn ?? country.nameEn, ...(data.countryNames.get(country.code) ?? [])])],
  };
}

/** Words that end a Chinese party name: after one of them no 党 is added. */
const typeEndings = [
  "党",
  "阵线",
  "运动",
  "联盟",
  "大会",
  "集团",
  "组织",
  "论坛",
  "联合会",
  "委员会",
  "协会",
  "名单",
  "公约",
  "共同体",
  "倡议",
  "和谐",
  "和睦",
  "人士",
  "者",
  "党人",
];

const invisible = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Cleans an English name for translation, saying what it set aside. */
function prepare(raw: string, steps: SuggestionStep[]): { text: string; qualifier: string | null } {
  let text = raw.normalize("NFKC").replace(invisible, "").replace(/[’‘`]/g, "'").replace(/\s+/g, " ").trim();
  // Party Facts lists other names after " / ": the first is the one in use.
  if (text.includes(" / ")) {
    const [first] = text.split(" / ");
    steps.push({ rule: "alternative", en: text, note: "the first of the names given" });
    text = (first as string).trim();
  }
  // Bracketed asides ("Justicialist [Peronist] Party") are a source's notes, not the name.
  if (/\[[^\]]*\]/.test(text)) {
    steps.push({ rule: "dropped", en: text.match(/\[[^\]]*\]/g)?.join(" ") ?? "", note: "a note in brackets" });
    text = text.replace(/\s*\[[^\]]*\]\s*/g, " ").trim();
  }
  let qualifier: string | null = null;
  const trailing = /\s*\(([^)]*)\)\s*$/.exec(text);
  if (trailing) {
    qualifier = (trailing[1] as string).trim();
    text = text.slice(0, trailing.index).trim();
  }
  return { text, qualifier };
}

/**
 * Finds the country in the name: "… of Germany", "German …", "Germany's …" are the country
 * the Chinese name puts first and are taken out; a country inside the name ("United Russia",
 * "Liberty Korea Party") is part of it and translated where it stands.
 */
function placeCountry(text: string, country: CountryContext | null, steps: SuggestionStep[]): { text: string; prefix: boolean } {
  if (!country) return { text, prefix: false };
  const names = [...new Set([...country.names, ...demonymsOf(country.code)])].sort((a, b) => b.length - a.length).map(escapeRegExp);
  if (names.length === 0) return { text, prefix: true };
  const any = names.join("|");
  const patterns = [
    new RegExp(`\\s+(?:of|in|for)\\s+(?:the\\s+)?(?:${any})$`, "i"),
    new RegExp(`^(?:the\\s+)?(?:${any})(?:'s)?\\s+`, "i"),
    new RegExp(`\\s+-\\s+(?:${any})$`, "i"),
    new RegExp(`\\s*\\((?:${any})\\)$`, "i"),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match && match[0].trim().length < text.length) {
      steps.push({ rule: "country", en: match[0].trim(), zh: country.zh, note: "the country comes first in the Chinese name" });
      return { text: text.replace(pattern, " ").trim(), prefix: true };
    }
  }
  if (new RegExp(`\\b(?:${any})\\b`, "i").test(text)) return { text, prefix: false };
  steps.push({ rule: "country", zh: country.zh, note: "official usage names the country first" });
  return { text, prefix: true };
}

/** Splits English into words, keeping possessives and hyphenated compounds together. */
function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'.-]*/gu) ?? []).map((w) => w.replace(/[.-]+$/, ""));
}

/** Keeps a glossary phrase that has "of" or "for" in it ("party of labour") as one token, so that the reordering leaves it whole. */
function joinPrepositionalPhrases(tokens: string[]): string[] {
  const { glossary, longestPhrase } = nameData();
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let joined = false;
    for (let size = Math.min(longestPhrase, tokens.length - i); size >= 3 && !joined; size--) {
      const run = tokens.slice(i, i + size);
      if (!run.includes("of") && !run.includes("for")) continue;
      if (glossary.has(run.join(" "))) {
        out.push(run.join(" "));
        i += size;
        joined = true;
      }
    }
    if (!joined) out.push(tokens[i++] as string);
  }
  return out;
}

interface Piece {
  zh: string;
  known: boolean;
  head: boolean;
}

/** Translates one run of words (no "of"/"for" inside) by the glossary, longest phrase first; unknown words are transliterated. */
function translateRun(run: string[], country: CountryContext | null, steps: SuggestionStep[]): Piece[] {
  const { glossary, longestPhrase } = nameData();
  const countryWords = new Map((country?.names ?? []).map((n) => [n.toLowerCase(), country?.zh ?? ""]));
  const pieces: Piece[] = [];
  for (let i = 0; i < run.length; ) {
    let matched = false;
    for (let size = Math.min(longestPhrase, run.length - i); size >= 1 && !matched; size--) {
      const phrase = run.slice(i, i + size).join(" ");
      const entry = glossary.get(phrase) ?? glossary.get(phrase.replace(/'s$/, "'s").replace(/s'$/, "s"));
      if (entry) {
        if (entry.kind !== "skip") {
          pieces.push({ zh: entry.zh, known: true, head: entry.kind === "head" });
          steps.push({ rule: "glossary", en: entry.en, zh: entry.zh, note: entry.note });
        }
        i += size;
        matched = true;
      } else if (countryWords.has(phrase)) {
        pieces.push({ zh: countryWords.get(phrase) as string, known: true, head: false });
        steps.push({
          rule: "country",
          en: phrase,
          zh: countryWords.get(phrase) as string,
          note: "the country's name, where the party's name has it",
        });
        i += size;
        matched = true;
      }
    }
    if (matched) continue;
    const word = run[i] as string;
    const parts = word.includes("-") ? word.split("-") : [word];
    if (parts.length > 1 && parts.every((p) => glossary.has(p))) {
      for (const p of parts) {
        const entry = glossary.get(p) as GlossaryEntry;
        if (entry.kind === "skip") continue;
        pieces.push({ zh: entry.zh, known: true, head: entry.kind === "head" });
        steps.push({ rule: "glossary", en: entry.en, zh: entry.zh, note: entry.note });
      }
    } else {
      const zh = transliterate(word);
      pieces.push({ zh, known: false, head: false });
      steps.push({ rule: "transliteration", en: word, zh, note: "a proper name, transliterated in the Xinhua manner: to be checked" });
    }
    i++;
  }
  return pieces;
}

/**
 * Suggests a Chinese name for an organisation. `partyfactsId` looks the settled usage up
 * first (unless `rulesOnly`, which the precision measure uses); then the rules.
 */
export function suggestChineseName(input: {
  english: string;
  country: CountryContext | null;
  kind?: string | undefined;
  partyfactsId?: number | null | undefined;
  rulesOnly?: boolean;
}): NameSuggestion | null {
  const data = nameData();
  if (!input.rulesOnly && input.partyfactsId) {
    const known = data.known.get(input.partyfactsId);
    if (known) {
      return {
        zh: known.zh,
        confidence: 0.98,
        method: "known",
        transliterated: false,
        short: known.short ?? undefined,
        steps: [
          { rule: "known", zh: known.zh, note: "settled usage (Xinhua, the CPC's International Department): data/names/known-parties.csv" },
        ],
      };
    }
  }
  const steps: SuggestionStep[] = [];
  const { text, qualifier } = prepare(input.english, steps);
  if (!text) return null;
  const placed = placeCountry(text, input.country, steps);
  const tokens = joinPrepositionalPhrases(words(placed.text));
  if (tokens.length === 0) return null;
  // A word no one could pronounce (a code, a run of letters) is not a name to transliterate.
  if (tokens.some((t) => (/\d/.test(t) && /\p{L}/u.test(t)) || t.replace(/[^\p{L}]/gu, "").length > maxNameWordLength)) return null;
  // "A of B", "A for B": Chinese puts B before A ("Party of the Revolution" → 革命党,
  // "Movement for Democratic Change" → 民主变革运动). Runs are read from the last to the first.
  const runs: string[][] = [[]];
  for (const token of tokens) {
    if ((token === "of" || token === "for") && (runs.at(-1) as string[]).length > 0) runs.push([]);
    else (runs.at(-1) as string[]).push(token);
  }
  if (runs.length > 1) steps.push({ rule: "order", en: placed.text, note: "what follows “of” or “for” comes first in Chinese" });
  const pieces = runs
    .filter((r) => r.length > 0)
    .reverse()
    .flatMap((run) => translateRun(run, input.country, steps));
  let zh = pieces.map((p) => p.zh).join("");
  const content = pieces.filter((p) => p.zh !== "与");
  const known = content.filter((p) => p.known).length;
  const onlyHead = content.length === 1 && content[0]?.head === true;
  const isParty = !input.kind || input.kind === "political_party";
  // A name that is only a type word ("Congress", "Labour") takes 党 too: 大会党, 工党.
  if (isParty && zh && !zh.endsWith("党") && (onlyHead || !typeEndings.some((ending) => zh.endsWith(ending)))) {
    zh += "党";
    steps.push({ rule: "type-word", zh: "党", note: "a party's name ends in 党" });
  }
  if (qualifier) {
    const q = translateRun(words(qualifier), null, []);
    if (q.length > 0 && q.every((p) => p.known)) {
      const translated = q.map((p) => p.zh).join("");
      zh += `（${translated}）`;
      steps.push({ rule: "qualifier", en: `(${qualifier})`, zh: `（${translated}）` });
    } else steps.push({ rule: "dropped", en: `(${qualifier})`, note: "a qualifier in brackets" });
  }
  if (placed.prefix && input.country && !zh.startsWith(input.country.zh)) zh = `${input.country.zh}${zh}`;
  const share = content.length === 0 ? 0 : known / content.length;
  const transliterated = known < content.length;
  const confidence = Math.round((transliterated ? 0.15 + 0.45 * share : runs.length > 1 ? 0.85 : 0.9) * 100) / 100;
  return {
    zh,
    confidence,
    method: transliterated ? (known === 0 ? "transliteration" : "mixed") : "glossary",
    transliterated,
    steps,
  };
}

/**
 * The best suggestion among a partner's English names (its current name first): the one the
 * glossary covers best, the earlier on a tie. The settled usage, when known, wins outright.
 */
export function suggestFromNames(input: {
  englishNames: string[];
  country: CountryContext | null;
  kind?: string | undefined;
  partyfactsId?: number | null | undefined;
  rulesOnly?: boolean;
}): NameSuggestion | null {
  let best: NameSuggestion | null = null;
  for (const [index, english] of [...new Set(input.englishNames.filter(Boolean))].entries()) {
    const suggestion = suggestChineseName({ ...input, english, ...(index > 0 ? { partyfactsId: null } : {}) });
    if (suggestion && (!best || suggestion.confidence > best.confidence)) best = suggestion;
    if (best?.method === "known") break;
  }
  return best;
}

// Syllables in the Xinhua manner (after the 英汉译音表 of Xinhua's naming handbooks),
// simplified: consonant + vowel, with the commonest finals.
const syllables: Record<string, string> = {
  a: "阿",
  e: "埃",
  i: "伊",
  o: "奥",
  u: "乌",
  y: "伊",
  ba: "巴",
  be: "贝",
  bi: "比",
  bo: "博",
  bu: "布",
  ca: "卡",
  ce: "塞",
  ci: "西",
  co: "科",
  cu: "库",
  cha: "查",
  che: "切",
  chi: "奇",
  cho: "乔",
  chu: "丘",
  da: "达",
  de: "德",
  di: "迪",
  do: "多",
  du: "杜",
  fa: "法",
  fe: "费",
  fi: "菲",
  fo: "福",
  fu: "富",
  ga: "加",
  ge: "格",
  gi: "吉",
  go: "戈",
  gu: "古",
  ha: "哈",
  he: "赫",
  hi: "希",
  ho: "霍",
  hu: "胡",
  ja: "贾",
  je: "杰",
  ji: "吉",
  jo: "乔",
  ju: "朱",
  ka: "卡",
  ke: "凯",
  ki: "基",
  ko: "科",
  ku: "库",
  la: "拉",
  le: "莱",
  li: "利",
  lo: "洛",
  lu: "卢",
  ma: "马",
  me: "梅",
  mi: "米",
  mo: "莫",
  mu: "穆",
  na: "纳",
  ne: "内",
  ni: "尼",
  no: "诺",
  nu: "努",
  pa: "帕",
  pe: "佩",
  pi: "皮",
  po: "波",
  pu: "普",
  qa: "卡",
  qu: "库",
  ra: "拉",
  re: "雷",
  ri: "里",
  ro: "罗",
  ru: "鲁",
  sa: "萨",
  se: "塞",
  si: "西",
  so: "索",
  su: "苏",
  sha: "沙",
  she: "舍",
  shi: "希",
  sho: "肖",
  shu: "舒",
  ta: "塔",
  te: "特",
  ti: "蒂",
  to: "托",
  tu: "图",
  va: "瓦",
  ve: "韦",
  vi: "维",
  vo: "沃",
  vu: "武",
  wa: "瓦",
  we: "韦",
  wi: "维",
  wo: "沃",
  wu: "乌",
  xa: "萨",
  xi: "西",
  ya: "亚",
  ye: "耶",
  yi: "伊",
  yo: "约",
  yu: "尤",
  za: "扎",
  ze: "泽",
  zi: "齐",
  zo: "佐",
  zu: "祖",
  an: "安",
  en: "恩",
  in: "因",
  on: "翁",
  un: "温",
  ban: "班",
  ben: "本",
  bin: "宾",
  dan: "丹",
  den: "登",
  fan: "凡",
  gan: "甘",
  han: "汉",
  kan: "坎",
  lan: "兰",
  len: "伦",
  lin: "林",
  man: "曼",
  men: "门",
  min: "明",
  mon: "蒙",
  nan: "南",
  pan: "潘",
  ran: "兰",
  ron: "龙",
  san: "桑",
  sen: "森",
  tan: "坦",
  ten: "滕",
  van: "万",
  wan: "万",
  zan: "赞",
};
const finals: Record<string, string> = {
  b: "布",
  c: "克",
  ck: "克",
  d: "德",
  f: "夫",
  g: "格",
  h: "赫",
  k: "克",
  l: "尔",
  m: "姆",
  n: "恩",
  p: "普",
  r: "尔",
  s: "斯",
  t: "特",
  v: "夫",
  w: "",
  x: "克斯",
  z: "兹",
  sh: "什",
  ch: "奇",
  ng: "恩",
  th: "斯",
};

/** A proper name in Chinese characters, syllable by syllable (marked as a transliteration wherever it is used). */
/** The longest word taken as a proper name (the longest party names' words are about 20 letters). */
const maxNameWordLength = 24;

export function transliterate(word: string): string {
  const letters = word
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
  let out = "";
  let rest = letters;
  while (rest.length > 0) {
    const syllable = /^([^aeiouy]*)([aeiouy]+)(n(?![aeiouy]))?/.exec(rest);
    if (!syllable) {
      for (let i = 0; i < rest.length; ) {
        const two = rest.slice(i, i + 2);
        if (finals[two] !== undefined) {
          out += finals[two];
          i += 2;
        } else {
          out += finals[rest[i] as string] ?? "";
          i++;
        }
      }
      break;
    }
    const [whole, onset = "", vowels = "", nasal = ""] = syllable;
    const first = vowels[0] as string;
    const onsetKey = onset.length > 2 ? onset.slice(-2) : onset;
    for (const c of onset.slice(0, onset.length - onsetKey.length)) out += finals[c] ?? "";
    const key = `${onsetKey}${first}${nasal}`;
    out +=
      syllables[key] ?? `${syllables[`${onsetKey}${first}`] ?? (finals[onsetKey] ?? "") + (syllables[first] ?? "")}${nasal ? "恩" : ""}`;
    rest = rest.slice(whole.length);
  }
  return out;
}
