import type { Selectable } from "kysely";
import type { RegionTable } from "../../db/types.ts";
import type { CountryOutput, RegionOutput } from "./schema.ts";
import type { CountryRow } from "./store.ts";

/** A country or region by its code, named in both languages (the code where a name is missing); null without a code. */
export function codeRef(code: string | null, en: string | null | undefined, zh: string | null | undefined) {
  return code ? { code, name: { en: en ?? code, zh: zh ?? code } } : null;
}

/** Shapes a country row for output. */
export function presentCountry(row: CountryRow): CountryOutput {
  return {
    code: row.code,
    iso2: row.iso2,
    name: { en: row.nameEn, zh: row.nameZh },
    officialNameEn: row.officialNameEn,
    region: codeRef(row.regionCode, row.regionNameEn, row.regionNameZh),
    subregion: codeRef(row.subregionCode, row.subregionNameEn, row.subregionNameZh),
    historical: row.historical,
    status: row.status,
    parentCode: row.parentCode,
    counting: row.counting,
    validFrom: row.validFrom,
    validTo: row.validTo,
    successorCode: row.successorCode,
    note: row.note,
    nationalDay: row.nationalDay,
    organisationCount: row.organisationCount,
  };
}

/** Shapes a UN M49 region for output. */
export function presentRegion(row: Selectable<RegionTable>): RegionOutput {
  return { code: row.code, parentCode: row.parentCode, level: row.level, name: { en: row.nameEn, zh: row.nameZh } };
}
