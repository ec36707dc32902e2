import * as OpenCC from "opencc-js/t2cn";

const toSimplified = OpenCC.Converter({ from: "t", to: "cn" });

const scripts: Array<[string, RegExp]> = [
  ["Hani", /\p{Script=Han}/u],
  ["Hang", /\p{Script=Hangul}/u],
  ["Jpan", /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["Arab", /\p{Script=Arabic}/u],
  ["Cyrl", /\p{Script=Cyrillic}/u],
  ["Grek", /\p{Script=Greek}/u],
  ["Hebr", /\p{Script=Hebrew}/u],
  ["Deva", /\p{Script=Devanagari}/u],
  ["Beng", /\p{Script=Bengali}/u],
  ["Taml", /\p{Script=Tamil}/u],
  ["Sinh", /\p{Script=Sinhala}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Laoo", /\p{Script=Lao}/u],
  ["Khmr", /\p{Script=Khmer}/u],
  ["Mymr", /\p{Script=Myanmar}/u],
  ["Geor", /\p{Script=Georgian}/u],
  ["Armn", /\p{Script=Armenian}/u],
  ["Ethi", /\p{Script=Ethiopic}/u],
  ["Mong", /\p{Script=Mongolian}/u],
  ["Tibt", /\p{Script=Tibetan}/u],
  ["Latn", /\p{Script=Latin}/u],
];

/**
 * The ISO 15924 script of a name, from its characters: Chinese is told apart as
 * simplified (Hans) or traditional (Hant). Null when no letter is found.
 */
export function detectScript(value: string): string | null {
  for (const [code, pattern] of scripts) {
    if (!pattern.test(value)) continue;
    if (code === "Hani") return toSimplified(value) === value ? "Hans" : "Hant";
    return code;
  }
  return null;
}
