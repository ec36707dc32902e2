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

/**
 * A name reduced to what two spellings of it share: simplified characters, Latin folded,
 * punctuation, spaces and a leading article dropped ("The Labour  Party" and "labour-party"
 * agree; so do 民主進步黨 and 民主进步党).
 */
export function foldName(value: string): string {
  const simplified = value.replace(hanRun, (run) => toSimplified(run));
  return foldLatin(simplified)
    .replace(/^(the|la|le|les|el|los|las|die|der|das|il|lo|os|as|o|a)\s+/u, "")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

function pinyinSyllables(han: string): string[] {
  pinyin ??= (require("pinyin-pro") as typeof PinyinPro).pinyin;
  return pinyin(han, { toneType: "none", type: "array", v: true }).map((s) => s.toLowerCase());
}

/** How many syllables of pinyin one search token holds. */
const pinyinWindow = 12;

function hanTokens(run: string, into: Set<string>): void {
  const chars = [...toSimplified(run)];
  for (let i = 0; i < chars.length; i++) {
    into.add(chars[i] as string);
    if (i + 1 < chars.length) into.add(`${chars[i]}${chars[i + 1]}`);
  }
  const syllables = pinyinSyllables(chars.join(""));
  // The pinyin from every syllable on, so that "gongchandang" finds 中国共产党 by prefix; a
  // window of syllables bounds the text for long names (what anyone types unspaced is shorter).
  for (let i = 0; i < syllables.length; i++) into.add(syllables.slice(i, i + pinyinWindow).join(""));
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
 * The Latin-script names of a record, folded ("Égalité" → "egalite") and joined: what the
 * trigram index matches a misspelt query against ("Sozialdemokratishe", "Bharatiya Janta").
 */
export function latinSearchText(names: ReadonlyArray<string | null | undefined>): string {
  const parts: string[] = [];
  for (const raw of names) {
    const name = cleanText(raw);
    if (!name || !/\p{Script=Latin}/u.test(name)) continue;
    parts.push(foldLatin(name.replace(hanRun, " ")).replace(/\s+/g, " ").trim());
  }
  return [...new Set(parts)].join(" | ");
}

/** A query folded as the Latin names are, for the trigram match; null when it is too short or not Latin. */
export function latinSearchQuery(input: string): string | null {
  const text = cleanText(input);
  if (!text || !/\p{Script=Latin}/u.test(text)) return null;
  const folded = foldLatin(text.replace(hanRun, " ")).replace(/\s+/g, " ").trim();
  return folded.replace(/[^\p{L}\p{N}]/gu, "").length >= 4 ? folded : null;
}

/**
 * Turns what a user typed into a tsquery for to_tsquery('simple', …): every word must
 * match, Latin words by prefix (a word of one or two letters whole: "Li" is the name Li, not
 * every word that starts so), Chinese by its two-character pieces. `alternatives` adds, for a
 * word, other spellings that may stand for it (the registry's own words, for a typo). Returns
 * null when nothing searchable is left.
 */
export function buildSearchQuery(input: string, alternatives: ReadonlyMap<string, readonly string[]> = new Map()): string | null {
  const text = cleanText(input);
  if (!text) return null;
  const parts: string[] = [];
  for (const run of text.match(hanRun) ?? []) {
    const chars = [...toSimplified(run)];
    if (chars.length === 1) parts.push(`'${chars[0]}'`);
    for (let i = 0; i + 1 < chars.length; i++) parts.push(`'${chars[i]}${chars[i + 1]}'`);
  }
  for (const word of searchWords(text)) {
    const typed = [...word].length <= 2 ? `'${word}'` : `'${word}':*`;
    const others = alternatives.get(word) ?? [];
    parts.push(others.length ? `(${[typed, ...others.map((o) => `'${o}'`)].join(" | ")})` : typed);
  }
  return parts.length === 0 ? null : [...new Set(parts)].join(" & ");
}

/** The Latin (and other alphabetic) words of what was typed, folded: what a search compares. */
export function searchWords(input: string): string[] {
  const text = cleanText(input);
  return text ? (foldLatin(text.replace(hanRun, " ")).match(wordRun) ?? []) : [];
}

/**
 * Like {@link buildSearchQuery}, but the words must stand together and in order, as in a
 * name that contains the phrase typed: Latin words next to each other (or, for pinyin typed
 * with spaces, run together as the search text stores it), Chinese pieces in sequence.
 * Null when there is no phrase to look for (a single word).
 */
export function buildPhraseQuery(input: string): string | null {
  const text = cleanText(input);
  if (!text) return null;
  const parts: string[] = [];
  for (const run of text.match(hanRun) ?? []) {
    const chars = [...toSimplified(run)];
    // Pieces overlap one character apart, with the single characters between them.
    if (chars.length > 2)
      parts.push(
        chars
          .slice(0, -1)
          .map((c, i) => `'${c}${chars[i + 1]}'`)
          .join(" <2> "),
      );
  }
  const words = foldLatin(text.replace(hanRun, " ")).match(wordRun) ?? [];
  if (words.length > 1) {
    const adjacent = words.map((w, i) => `'${w}'${i === words.length - 1 ? ":*" : ""}`).join(" <-> ");
    parts.push(`(${adjacent} | '${words.join("")}':*)`);
  }
  return parts.length === 0 ? null : parts.join(" & ");
}

/** What was typed, as the name look-ups compare it: trimmed, lower-cased, folded. */
export function typedForms(typed: string) {
  const trimmed = typed.trim();
  const lower = trimmed.toLowerCase();
  return { trimmed, lower, folded: foldLatin(trimmed) };
}

/** A LIKE pattern matching every text that starts with `start` (its wildcards taken literally). */
export function likePrefix(start: string): string {
  return `${start.replace(/[\\%_]/g, "\\$&")}%`;
}

/**
 * The first text past every text that starts with `start`, in byte (code point) order, as a
 * text_pattern_ops index sorts: `start` with its last character's successor ("social" →
 * "sociam"). Null when there is none (only characters U+10FFFF).
 */
export function prefixUpperBound(start: string): string | null {
  const chars = [...start];
  while (chars.length > 0) {
    let next = (chars.pop()?.codePointAt(0) ?? 0) + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // Surrogates are no characters of their own.
    if (next <= 0x10ffff) return chars.join("") + String.fromCodePoint(next);
  }
  return null;
}
