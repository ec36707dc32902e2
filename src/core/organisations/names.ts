import { matchKeys } from "../merge/keys.ts";
import { buildSearchText, latinSearchText } from "../search/text.ts";
import { detectScript } from "../shared/script.ts";
import { cleanText } from "../shared/text.ts";
import type { OrganisationNameInput } from "./schema.ts";

export interface NormalisedName {
  kind: OrganisationNameInput["kind"];
  lang: string;
  script: string | null;
  value: string;
  validTo: number | null;
}

/** Cleans names, fills in their script, and drops exact repeats. */
export function normaliseNames(names: ReadonlyArray<OrganisationNameInput>): NormalisedName[] {
  const seen = new Set<string>();
  const out: NormalisedName[] = [];
  for (const name of names) {
    const value = cleanText(name.value);
    if (!value) continue;
    const identity = `${name.kind}|${name.lang}|${value}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({ kind: name.kind, lang: name.lang, script: name.script ?? detectScript(value), value, validTo: name.validTo ?? null });
  }
  return out;
}

const current = (n: NormalisedName) => n.kind === "official" || n.kind === "short";
const isChinese = (n: NormalisedName) => n.lang === "zh" || n.lang.startsWith("zh-");

/**
 * The display columns kept beside the names: the English name (else the first official
 * name), the Chinese name (simplified first), the abbreviation, the search text and the
 * keys duplicates are found by.
 */
export function displayColumns(names: ReadonlyArray<NormalisedName>) {
  const english = names.find((n) => n.lang === "en" && current(n)) ?? names.find((n) => n.lang === "en" && n.kind !== "abbreviation");
  const chinese = names.find((n) => isChinese(n) && current(n) && n.script !== "Hant") ?? names.find((n) => isChinese(n) && current(n));
  const fallback = names.find(current) ?? names.find((n) => n.kind !== "abbreviation") ?? names[0];
  return {
    nameEn: (english ?? fallback)?.value ?? "",
    nameZh: chinese?.value ?? null,
    nameZhStatus: chinese ? ("confirmed" as const) : null,
    abbreviation: names.find((n) => n.kind === "abbreviation")?.value ?? null,
    searchText: buildSearchText(names.map((n) => n.value)),
    searchLatin: latinSearchText(names.map((n) => n.value)),
    matchKeys: matchKeys(names),
  };
}
