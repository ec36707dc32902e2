import { codeRef } from "../countries/presenter.ts";
import type { EngagementDetail, EngagementListItem } from "./schema.ts";
import type { EngagementDetailRow, EngagementRow } from "./store.ts";

const iso = (value: Date | string) => new Date(value).toISOString();

/** Shapes an engagement for lists and timelines. */
export function presentEngagementListItem(row: EngagementRow): EngagementListItem {
  return {
    id: row.id,
    type: row.type,
    direction: row.direction,
    subtype: row.subtype,
    status: row.status,
    title: { en: row.titleEn, zh: row.titleZh },
    startDate: row.startDate,
    endDate: row.endDate,
    place: { country: codeRef(row.countryCode, row.countryNameEn, row.countryNameZh), city: row.city },
    leadUnit: { id: row.unitId, name: { en: row.unitNameEn, zh: row.unitNameZh } },
    participantCount: row.participantCount ?? 0,
    approval: row.approval,
    classification: row.classification,
    demo: row.demo,
  };
}

const titled = (r: { id: number; titleEn: string; titleZh: string | null } | null) =>
  r ? { id: r.id, title: { en: r.titleEn, zh: r.titleZh } } : null;

/** Shapes one engagement with its participants, the countries they reach, and its files. */
export function presentEngagement(row: EngagementDetailRow): EngagementDetail {
  const participants = row.participants.map((p) => ({
    id: p.id,
    role: p.role,
    rank: p.rank,
    precedence: p.precedence,
    organisation:
      p.organisationId === null
        ? null
        : {
            id: p.organisationId,
            name: { en: p.organisationNameEn ?? "", zh: p.organisationNameZh },
            nameZhSuggested: p.organisationNameZhStatus === "suggested",
            kind: p.organisationKind ?? "other",
            country: codeRef(p.countryCode, p.countryNameEn, p.countryNameZh),
          },
    person: p.personId === null ? null : { id: p.personId, name: { en: p.personNameEn ?? "", zh: p.personNameZh } },
  }));
  const reached = new Map<string, { code: string; name: { en: string; zh: string } }>();
  for (const p of row.participants) {
    const c = codeRef(p.countryCode, p.countryNameEn, p.countryNameZh);
    if (c) reached.set(c.code, c);
  }
  return {
    ...presentEngagementListItem(row),
    summary: { en: row.summaryEn ?? "", zh: row.summaryZh },
    timezone: row.timezone,
    coUnits: row.coUnits.map((u) => ({ id: u.id, name: { en: u.nameEn, zh: u.nameZh } })),
    programme: row.programme ? { id: row.programme.id, name: { en: row.programme.nameEn, zh: row.programme.nameZh } } : null,
    mechanism: row.mechanism ? { id: row.mechanism.id, name: { en: row.mechanism.nameEn, zh: row.mechanism.nameZh } } : null,
    inReplyTo: titled(row.inReplyTo),
    replies: row.replies.map((r) => ({ id: r.id, title: { en: r.titleEn, zh: r.titleZh } })),
    thankYouLetter: titled(row.thankYouLetter),
    partOf: titled(row.partOf),
    parts: row.parts.map((p) => ({
      id: p.id,
      title: { en: p.titleEn, zh: p.titleZh },
      type: p.type,
      startDate: String(p.startDate).slice(0, 10),
    })),
    participants,
    countriesReached: [...reached.values()].sort((a, b) => a.name.en.localeCompare(b.name.en)),
    topics: row.topics.map((t) => ({ id: t.id, key: t.key, name: { en: t.nameEn, zh: t.nameZh } })),
    details: row.details,
    attachments: row.attachments.map((a) => ({
      id: a.id,
      fileName: a.fileName,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      sha256: a.sha256,
      createdAt: iso(a.createdAt),
    })),
    approvalSteps: row.approvalSteps.map((a) => ({
      step: a.step,
      at: iso(a.at),
      by: a.userId === null ? null : { id: a.userId, name: a.displayName ?? "" },
      note: a.note,
    })),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    may: { edit: row.mayEdit, readGifts: row.mayReadGifts, keepGifts: row.mayKeepGifts },
  };
}

/** An engagement as its audit rows keep it: the record, without what the reader's roles allow on it. */
export function asRecorded(detail: EngagementDetail): Omit<EngagementDetail, "may"> {
  const { may: _may, ...recorded } = detail;
  return recorded;
}
