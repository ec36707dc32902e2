import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { OrganisationNameInput } from "../organisations/schema.ts";
import { detectScript } from "../shared/script.ts";
import { cleanMultiline, cleanText } from "../shared/text.ts";
import { families } from "../shared/vocabulary.ts";
import { languageLabels } from "./languages.ts";

/** The Party Facts files Liaison bundles under data/partyfacts/. */
export const partyFactsFiles = [
  "partyfacts-core-parties.csv",
  "wikidata.csv",
  "wikipedia.csv",
  "partyfacts-parlgov.csv",
  "parlgov.csv",
] as const;

/** One party as Liaison stores it, cleaned from the Party Facts files. */
export interface ReferenceParty {
  partyfactsId: number;
  countryCode: string;
  names: OrganisationNameInput[];
  foundedYear: number | null;
  dissolvedYear: number | null;
  family: string | null;
  wikidataId: string | null;
  /** The Wikidata id the source gives, even where an earlier party holds it: the same party twice. */
  referenceWikidataId: string | null;
  parlgovId: number | null;
  description: string | null;
  /** The party's best vote share in a national election, as Party Facts records it. */
  voteShare: number | null;
  /** A digest of all the above, to tell whether the source changed since the last import. */
  hash: string;
}

/** What the parser skipped or resolved, so that nothing is dropped silently. */
export interface ParseReport {
  rows: number;
  technicalSkipped: number;
  unknownCountrySkipped: Array<{ partyfactsId: number; country: string }>;
  duplicateNameGroups: Array<{ country: string; name: string; partyfactsIds: number[] }>;
  wikidataIdsShared: Array<{ wikidataId: string; keptOn: number; droppedFrom: number[] }>;
  invisibleMarksStripped: number;
  multiLineFields: number;
}

type Row = Record<string, string>;

function readCsv(dir: string, file: string): Row[] {
  return parse(fs.readFileSync(path.join(dir, file)), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true });
}

/** SHA-256 over the bundled files: equal checksums mean there is nothing to import. */
export function partyFactsChecksum(dir: string): string {
  const hash = createHash("sha256");
  for (const file of partyFactsFiles) hash.update(fs.readFileSync(path.join(dir, file)));
  return hash.digest("hex");
}

function parseYear(value: string | undefined): number | null {
  const match = cleanText(value)?.match(/^(\d{4})/);
  const year = match ? Number(match[1]) : Number.NaN;
  return year >= 1000 && year <= 2200 ? year : null;
}

const latinWord = /^[\p{Script=Latin}\p{N}\p{P}]+$/u;

/** Splits "حركة … Harakat al-Islah" into its native and its Latin-script runs. */
function scriptRuns(value: string): string[] {
  const runs: Array<{ latin: boolean; words: string[] }> = [];
  for (const word of value.split(" ")) {
    const latin = latinWord.test(word);
    const last = runs.at(-1);
    if (last && (last.latin === latin || /^\p{P}+$/u.test(word))) last.words.push(word);
    else runs.push({ latin, words: [word] });
  }
  return runs.map((r) => r.words.join(" ").replace(/^[\s,;]+|[\s,;]+$/g, "")).filter((r) => r.length > 0);
}

/** Names from `name_other`: "Pashto: A / B; Arabic: C, Romanised C". */
function otherNames(raw: string | undefined): OrganisationNameInput[] {
  const text = cleanText(raw);
  if (!text) return [];
  const names: OrganisationNameInput[] = [];
  let lang = "und";
  for (const piece of text.split(/ \/ |;/)) {
    let value = piece.trim();
    const label = value.match(/^([\p{L} ()-]{2,40}?):\s*(.*)$/u);
    if (label?.[1] && label[2] !== undefined) {
      lang = languageLabels[label[1].trim().toLowerCase()] ?? "und";
      value = label[2];
    }
    const parts = value.split(/,\s+/).flatMap(scriptRuns);
    for (const part of parts) {
      const script = detectScript(part);
      // A Latin-script run under a non-Latin language label is a romanisation.
      const base = lang.split("-")[0] ?? "und";
      const tag = script === "Latn" && !lang.endsWith("-Latn") && lang !== "und" && !latinLanguages.has(base) ? `${base}-Latn` : lang;
      names.push({ kind: "alias", lang: tag, value: part });
    }
  }
  return names;
}

const hanLanguageOf: Record<string, string> = {
  CHN: "zh",
  TWN: "zh",
  HKG: "zh",
  MAC: "zh",
  SGP: "zh",
  JPN: "ja",
  KOR: "ko",
  PRK: "ko",
  VNM: "vi",
};

const latinLanguages = new Set([
  "en",
  "fr",
  "de",
  "es",
  "pt",
  "it",
  "nl",
  "sv",
  "da",
  "cs",
  "sk",
  "sq",
  "ro",
  "hu",
  "lv",
  "lt",
  "et",
  "fi",
  "pl",
  "tr",
  "az",
  "ms",
  "tl",
  "vi",
  "ht",
  "frr",
  "iba",
  "st",
  "sw",
  "sl",
  "sh",
  "cnr",
]);

/** The names of one Party Facts row, most important first, without repeats. */
function namesOf(row: Row, countryCode: string, wikidataNative: string | null, wikipediaNative: string | null): OrganisationNameInput[] {
  const fullEnglish = cleanText(row.name_english) ?? "";
  // "A / B / C" lists alternative names, except for joint lists such as CDU/CSU,
  // whose abbreviation shows that both halves belong to one name.
  const joint = (cleanText(row.name_short) ?? "").includes("/");
  const english = (joint ? [fullEnglish] : fullEnglish.split(" / ")).map((n) => n.trim()).filter(Boolean);
  const native = cleanText(row.name);
  const names: OrganisationNameInput[] = [];
  if (english[0]) names.push({ kind: "official", lang: "en", value: english[0] });
  if (native) names.push({ kind: "official", lang: native === english[0] ? "en" : "und", value: native });
  for (const n of [wikidataNative, wikipediaNative]) if (n) names.push({ kind: "official", lang: "und", value: n });
  for (const alias of english.slice(1)) names.push({ kind: "alias", lang: "en", value: alias });
  names.push(...otherNames(row.name_other));
  const short = cleanText(row.name_short);
  if (short) names.push({ kind: "abbreviation", lang: "und", value: short });
  for (const n of names) {
    // Unlabelled Chinese characters take the language of the country that writes them.
    const script = detectScript(n.value);
    if (n.lang === "und" && (script === "Hans" || script === "Hant")) n.lang = hanLanguageOf[countryCode] ?? "und";
    if (n.lang === "zh-Hans") n.lang = "zh";
    // Chinese names become official names: they are what the Chinese display shows.
    if (n.lang === "zh" || n.lang === "zh-Hant") n.kind = "official";
  }
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = `${n.kind === "abbreviation" ? "a" : "n"}|${n.value.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const invisible = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;

/**
 * Reads and cleans the bundled Party Facts files: skips technical placeholder rows and
 * rows whose country is unknown, strips invisible marks, keeps multi-line descriptions,
 * joins Wikidata, Wikipedia and ParlGov, and reports duplicate names without merging.
 */
export function readPartyFacts(dir: string, knownCountries: ReadonlySet<string>): { parties: ReferenceParty[]; report: ParseReport } {
  const core = readCsv(dir, "partyfacts-core-parties.csv");
  const wikidata = new Map(readCsv(dir, "wikidata.csv").map((r) => [Number(r.partyfacts_id), r]));
  const wikipedia = new Map(readCsv(dir, "wikipedia.csv").map((r) => [Number(r.partyfacts_id), r]));
  const parlgovParties = new Map(readCsv(dir, "parlgov.csv").map((r) => [Number(r.party_id), r]));
  const parlgovLinks = new Map<number, number[]>();
  for (const link of readCsv(dir, "partyfacts-parlgov.csv")) {
    const ids = parlgovLinks.get(Number(link.partyfacts_id)) ?? [];
    ids.push(Number(link.parlgov_id));
    parlgovLinks.set(
      Number(link.partyfacts_id),
      ids.sort((a, b) => a - b),
    );
  }
  const report: ParseReport = {
    rows: core.length,
    technicalSkipped: 0,
    unknownCountrySkipped: [],
    duplicateNameGroups: [],
    wikidataIdsShared: [],
    invisibleMarksStripped: 0,
    multiLineFields: 0,
  };
  const parties: ReferenceParty[] = [];
  const wikidataOwner = new Map<string, number>();
  const sorted = [...core].sort((a, b) => Number(a.partyfacts_id) - Number(b.partyfacts_id));
  for (const row of sorted) {
    if (cleanText(row.technical)) {
      report.technicalSkipped++;
      continue;
    }
    const partyfactsId = Number(row.partyfacts_id);
    const countryCode = (cleanText(row.country) ?? "").toUpperCase();
    if (!knownCountries.has(countryCode)) {
      report.unknownCountrySkipped.push({ partyfactsId, country: countryCode });
      continue;
    }
    const values = Object.values(row);
    if (values.some((v) => invisible.test(v))) report.invisibleMarksStripped++;
    report.multiLineFields += values.filter((v) => v.includes("\n")).length;
    const wd = wikidata.get(partyfactsId);
    const wp = wikipedia.get(partyfactsId);
    let wikidataId = cleanText(wd?.wikidata_id);
    if (wikidataId && !/^Q[1-9]\d*$/.test(wikidataId)) wikidataId = null;
    const referenceWikidataId = wikidataId;
    if (wikidataId) {
      const owner = wikidataOwner.get(wikidataId);
      if (owner !== undefined) {
        const shared = report.wikidataIdsShared.find((s) => s.wikidataId === wikidataId);
        if (shared) shared.droppedFrom.push(partyfactsId);
        else report.wikidataIdsShared.push({ wikidataId, keptOn: owner, droppedFrom: [partyfactsId] });
        wikidataId = null;
      } else wikidataOwner.set(wikidataId, partyfactsId);
    }
    const parlgovIds = parlgovLinks.get(partyfactsId) ?? [];
    const familyCode = parlgovIds.map((id) => parlgovParties.get(id)?.family).find((f) => f && f in families) ?? null;
    const foundedYear = parseYear(row.year_first) ?? parseYear(wp?.year_founded);
    let dissolvedYear = parseYear(row.year_last) ?? parseYear(wp?.year_dissolved);
    if (foundedYear && dissolvedYear && dissolvedYear < foundedYear) dissolvedYear = null;
    const party: Omit<ReferenceParty, "hash"> = {
      partyfactsId,
      countryCode,
      names: namesOf(row, countryCode, cleanText(wd?.name_native), cleanText(wp?.name_native)),
      foundedYear,
      dissolvedYear,
      family: familyCode,
      wikidataId,
      referenceWikidataId,
      parlgovId: parlgovIds[0] ?? null,
      description: cleanMultiline(row.description),
      voteShare: Number.isFinite(Number.parseFloat(row.share ?? "")) ? Number.parseFloat(row.share as string) : null,
    };
    if (party.names.length === 0) party.names.push({ kind: "official", lang: "und", value: `Party Facts ${partyfactsId}` });
    parties.push({ ...party, hash: createHash("sha1").update(JSON.stringify(party)).digest("hex") });
  }
  const byName = new Map<string, number[]>();
  for (const p of parties) {
    const first = p.names.find((n) => n.kind === "official" && n.lang !== "en") ?? p.names[0];
    const key = `${p.countryCode}|${(first?.value ?? "").toLowerCase()}`;
    byName.set(key, [...(byName.get(key) ?? []), p.partyfactsId]);
  }
  for (const [key, ids] of byName) {
    if (ids.length < 2) continue;
    const [country = "", name = ""] = key.split("|");
    report.duplicateNameGroups.push({ country, name, partyfactsIds: ids });
  }
  return { parties, report };
}
