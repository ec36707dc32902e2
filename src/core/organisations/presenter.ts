import { codeRef } from "../countries/presenter.ts";
import type { OrganisationDetail, OrganisationListItem } from "./schema.ts";
import type { OrganisationDetailRow, OrganisationListRow } from "./store.ts";

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

/** Shapes an organisation for lists. */
export function presentOrganisationListItem(row: OrganisationListRow): OrganisationListItem {
  return {
    id: row.id,
    kind: row.kind as OrganisationListItem["kind"],
    name: { en: row.nameEn, zh: row.nameZh },
    nameZhSuggested: row.nameZhStatus === "suggested",
    abbreviation: row.abbreviation,
    country: codeRef(row.countryCode, row.countryNameEn, row.countryNameZh),
    foundedYear: row.foundedYear,
    dissolvedYear: row.dissolvedYear,
    existsToday: row.existsToday,
    family: row.family,
    relationshipLevel: row.relationshipLevel,
    updatedAt: iso(row.updatedAt),
  };
}

/** Shapes an organisation for its own page. */
export function presentOrganisation(row: OrganisationDetailRow): OrganisationDetail {
  const links: OrganisationDetail["links"] = [];
  if (row.wikidataId) links.push({ label: "Wikidata", url: `https://www.wikidata.org/wiki/${row.wikidataId}` });
  if (row.partyfactsId) links.push({ label: "Party Facts", url: `https://partyfacts.herokuapp.com/data/partycodes/${row.partyfactsId}/` });
  if (row.website) links.push({ label: "Website", url: row.website });
  const rel = row.relationship;
  return {
    ...presentOrganisationListItem(row),
    website: row.website,
    description: row.description,
    externalIds: { wikidata: row.wikidataId, partyfacts: row.partyfactsId, parlgov: row.parlgovId },
    links,
    names: row.names,
    statuses: row.statuses,
    congresses: row.congresses.map((c) => ({ id: c.id, opensOn: c.opensOn, ordinal: c.ordinal, name: { en: c.nameEn, zh: c.nameZh } })),
    tags: row.tags.map((t) => ({ key: t.key, name: { en: t.nameEn, zh: t.nameZh } })),
    relationship: rel
      ? {
          level: rel.level,
          since: rel.since,
          notes: rel.notes,
          leadUnit: rel.unitId ? { id: rel.unitId, name: { en: rel.unitNameEn ?? "", zh: rel.unitNameZh ?? "" } } : null,
        }
      : null,
    relations: row.relations.map((r) => ({
      id: r.id,
      kind: r.kind,
      direction: r.direction,
      organisation: { id: r.otherId, name: { en: r.otherNameEn, zh: r.otherNameZh } },
      startDate: r.startDate,
      endDate: r.endDate,
      note: r.note,
    })),
    people: row.people.map((p) => ({
      positionId: p.id,
      person: { id: p.personId, name: { en: p.nameEn, zh: p.nameZh } },
      title: { en: p.titleEn, zh: p.titleZh },
      startDate: p.startDate,
      endDate: p.endDate,
    })),
    source: row.source,
    createdAt: iso(row.createdAt),
  };
}
