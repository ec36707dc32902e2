import { createRequire } from "node:module";
import * as OpenCC from "opencc-js/t2cn";
import type * as PinyinPro from "pinyin-pro";
import { cleanText } from "../shared/text.ts";

const require = createRequire(import.meta.url);
// The pinyin dictionary takes ~27 MB, and only writes of Chinese names need it:
// loaded on first use, so that an idle server stays small.
let pinyin: typeof PinyinPro.pinyin | undefined;

const toSimplified = OpenCC.Converter({ from: "t", to: "cn" });
const hanRun = /\p{Script=Han}+/gu;
const wordRun = /[\p{L}\p{N}]+/gu;

/** Lower-cases and strips accents: "Égalité" → "egalite". Other scripts are only lower-cased. */
export function foldLatin(value: string): string {
  return value.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

function pinyinSyllables(han: string): string[] {
  pinyin ??= (require("pinyin-pro") as typeof PinyinPro).pinyin;
  return pinyin(han, { toneType: "none", type: "array", v: true }).map((s) => s.toLowerCase());
}

function hanTokens(run: string, into: Set<string>): void {
  const chars = [...toSimplified(run)];
  for (let i = 0; i < chars.length; i++) {
    into.add(chars[i] as string);
    if (i + 1 < chars.length) into.add(`${chars[i]}${chars[i + 1]}`);
  }
  const syllables = pinyinSyllables(chars.join(""));
  // Every suffix of the run's pinyin, so that "gongchandang" finds 中国共产党 by prefix.
  for (let i = 0; i < syllables.length; i++) into.add(syllables.slice(i).join(""));
  if (syllables.length > 1) into.add(syllables.map((s) => s[0]).join(""));
}

/**
 * The search text of a record, computed from all of its names: folded Latin words,
 * compact abbreviations, and for Chinese the simplified characters, overlapping
 * two-character pieces and pinyin. Indexed as to_tsvector('simple', …).
 */
export function buildSearchText(names: ReadonlyArray<string | null | undefined>): string {
  const tokens = new Set<string>();
  for (const raw of names) {
    const name = cleanText(raw);
    if (!name) continue;
    for (const run of name.match(hanRun) ?? []) hanTokens(run, tokens);
    const rest = foldLatin(name.replace(hanRun, " "));
    const words = rest.match(wordRun) ?? [];
    for (const word of words) tokens.add(word);
    // "S.P.D." and "Die Linke" also as "spd" and "dielinke".
    if (words.length > 1 && words.length <= 4) tokens.add(words.join(""));
  }
  return [...tokens].join(" ");
}

/**
 * Turns what a user typed into a tsquery for to_tsquery('simple', …): every word must
 * match, Latin words by prefix, Chinese by its two-character pieces. Returns null when
 * nothing searchable is left.
 */
export function buildSearchQuery(input: string): string | null {
  const text = cleanText(input);
  if (!text) return null;
  const parts: string[] = [];
  for (const run of text.match(hanRun) ?? []) {
    const chars = [...toSimplified(run)];
    if (chars.length === 1) parts.push(`'${chars[0]}'`);
    for (let i = 0; i + 1 < chars.length; i++) parts.push(`'${chars[i]}${chars[i + 1]}'`);
  }
  for (const word of foldLatin(text.replace(hanRun, " ")).match(wordRun) ?? []) parts.push(`'${word}':*`);
  return parts.length === 0 ? null : [...new Set(parts)].join(" & ");
}
