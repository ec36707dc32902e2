import type { Selectable } from "kysely";
import type { PersonContactTable } from "../../db/types.ts";
import { codeRef } from "../countries/presenter.ts";
import type { ContactOutput, PersonDetail, PersonListItem } from "./schema.ts";
import type { PersonDetailRow, PersonRow } from "./store.ts";

const iso = (value: Date | string) => new Date(value).toISOString();

/** Shapes a person for lists (public profile only). */
export function presentPersonListItem(row: PersonRow): PersonListItem {
  return {
    id: row.id,
    name: { en: row.nameEn, zh: row.nameZh },
    nameNative: row.nameNative,
    gender: row.gender,
    country: codeRef(row.countryCode, row.countryNameEn, row.countryNameZh),
    demo: row.demo,
    updatedAt: iso(row.updatedAt),
  };
}

/** Shapes a person's public profile; contact details are never part of it. */
export function presentPerson(row: PersonDetailRow): PersonDetail {
  return {
    ...presentPersonListItem(row),
    familyNameEn: row.familyNameEn,
    givenNameEn: row.givenNameEn,
    nativeLang: row.nativeLang,
    aliases: row.aliases,
    birthYear: row.birthYear,
    biography: row.biography,
    positions: row.positions.map((p) => ({
      id: p.id,
      organisation: { id: p.organisationId, name: { en: p.nameEn, zh: p.nameZh } },
      title: { en: p.titleEn, zh: p.titleZh },
      startDate: p.startDate,
      endDate: p.endDate,
    })),
    createdAt: iso(row.createdAt),
  };
}

/** Shapes a contact detail. */
export function presentContact(row: Selectable<PersonContactTable>): ContactOutput {
  return {
    id: row.id,
    unitId: row.unitId,
    kind: row.kind,
    value: row.value,
    note: row.note,
    classification: row.classification,
    createdAt: iso(row.createdAt),
  };
}
