import { useTranslation } from "react-i18next";

/** A bilingual name in the reader's language, falling back to the other. */
export function pick(name: { en: string; zh: string | null } | null | undefined, lang: string): string {
  if (!name) return "";
  return lang.startsWith("zh") ? name.zh || name.en : name.en || name.zh || "";
}

/** Dates and numbers as the language writes them: 2022年10月20日, 20 October 2022; 1,524. */
export function useFormat() {
  const { i18n } = useTranslation();
  const lang = i18n.language.startsWith("zh") ? "zh-CN" : "en-GB";
  const dateFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  const monthFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", timeZone: "UTC" });
  const numberFormat = new Intl.NumberFormat(lang);
  const monthDayFormat = new Intl.DateTimeFormat(lang, { month: "long", day: "numeric", timeZone: "UTC" });
  const ordinalRules = new Intl.PluralRules("en", { type: "ordinal" });
  const ordinalSuffix: Record<string, string> = { one: "st", two: "nd", few: "rd", other: "th" };
  return {
    lang: i18n.language,
    name: (n: { en: string; zh: string | null } | null | undefined) => pick(n, i18n.language),
    date: (iso: string | null | undefined) => (iso ? dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : ""),
    month: (iso: string) => monthFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)),
    number: (n: number) => numberFormat.format(n),
    /** A month and day (10-01) without a year: 1 October, 10月1日. */
    monthDay: (md: string) => monthDayFormat.format(new Date(`2000-${md}T00:00:00Z`)),
    /** 13 → "13th" in English, "第13" in Chinese (the noun follows). */
    ordinal: (n: number) => (lang === "zh-CN" ? `第${n}` : `${n}${ordinalSuffix[ordinalRules.select(n)] ?? "th"}`),
    /** A language tag as a word in the reader's language ("de" → 德语, German); `und` is "not known". */
    language: (tag: string, unknown: string) => displayName(lang, "language", tag, unknown),
    /** A script code as a word ("Hans" → 简体中文, Simplified Han). */
    script: (code: string | null | undefined, unknown: string) => (code ? displayName(lang, "script", code, unknown) : unknown),
  };
}

function displayName(locale: string, type: "language" | "script", code: string, unknown: string): string {
  if (code === "und" || code === "Zyyy") return unknown;
  try {
    return new Intl.DisplayNames([locale], { type, fallback: "code" }).of(code) ?? code;
  } catch {
    return code;
  }
}
