import { AlignmentType, Document, Packer, type Paragraph } from "docx";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { EngagementDetail, EngagementListItem } from "../engagements/schema.ts";
import { getEngagement, organisationTimeline } from "../engagements/service.ts";
import { listNotes } from "../notes/service.ts";
import type { OrganisationDetail } from "../organisations/schema.ts";
import { getOrganisation } from "../organisations/service.ts";
import { type Classification, chineseOrdinals, docxTable, line, officialSection, type ReportTable, sizes } from "../reports/layout.ts";
import type { Actor } from "../shared/actor.ts";
import { today } from "../shared/dates.ts";
import { writeAudit } from "../shared/mutation.ts";
import { id, parseInput } from "../shared/schema.ts";
import { chineseDate, englishDate } from "../shared/text.ts";
import { engagementKinds, engagementTypes, families, organisationKinds, relationshipLevels } from "../shared/vocabulary.ts";

export const briefingQuery = z
  .object({
    organisationId: id.optional().describe("A partner's briefing paper."),
    engagementId: id.optional().describe("A visit's (or any engagement's) briefing paper, with each of its partners."),
  })
  .strict()
  .refine((v) => Boolean(v.organisationId) !== Boolean(v.engagementId), {
    path: ["organisationId"],
    message: "Name one partner (organisationId) or one engagement (engagementId).",
  });

type Lang = "zh" | "en";
type Bilingual = { en: string; zh: string | null };
/** How many of a partner's engagements the table lists (the newest). */
const historyRows = 15;
/** How many partners of an engagement get a section of their own. */
const partnersBriefed = 5;

const pick = (name: Bilingual | null | undefined, lang: Lang) => (name ? (lang === "zh" ? (name.zh ?? name.en) : name.en) : "");
const dateOf = (iso: string, lang: Lang) => (lang === "zh" ? chineseDate(iso) : englishDate(iso));
const labelOf = (table: Record<string, { en: string; zh: string }>, key: string | null | undefined, lang: Lang) =>
  key ? (table[key]?.[lang] ?? key) : "";
const kindOf = (e: { type: string; direction: string }, lang: Lang) =>
  (engagementKinds as Record<string, { en: string; zh: string }>)[`${e.type}:${e.direction}`]?.[lang] ??
  labelOf(engagementTypes, e.type, lang);

/** What the record knows of a partner, and the reader may see: the facts, our relationship, the exchanges, its people, the notes. */
interface PartnerFile {
  organisation: OrganisationDetail;
  history: EngagementListItem[];
  total: number;
  notes: Array<{ body: string; unit: { en: string; zh: string }; classification: string }>;
}

async function partnerFile(actor: Actor, organisationId: number, withNotes: boolean): Promise<PartnerFile> {
  const organisation = await getOrganisation(actor, organisationId);
  const timeline = await organisationTimeline(actor, organisationId, { pageSize: 100 });
  const notes = withNotes ? await listNotes(actor, { kind: "organisation", id: organisationId }) : [];
  // Exchanges are work done: plans (the visit being briefed among them) and cancellations are not.
  const done = timeline.items.filter((e) => e.status === "done");
  return {
    organisation,
    history: done,
    total: timeline.total > timeline.items.length ? timeline.total : done.length,
    notes: notes.map((n) => ({ body: n.body, unit: n.unit.name, classification: n.classification })),
  };
}

/** The partner's facts as one paragraph: 越南共产党（CPV），越南执政党，成立于1930年。 */
function factsOf(o: OrganisationDetail, lang: Lang): string {
  const zh = lang === "zh";
  const kind = labelOf(organisationKinds, o.kind, lang);
  const family = o.family ? labelOf(families, o.family, lang) : "";
  const country = pick(o.country?.name, lang);
  const parts = zh
    ? [
        `${pick(o.name, lang)}${o.abbreviation ? `（${o.abbreviation}）` : ""}，${country}${kind}`,
        family ? `属${family}` : "",
        o.foundedYear ? `成立于${o.foundedYear}年` : "",
        o.dissolvedYear ? `${o.dissolvedYear}年解散` : "",
      ]
    : [
        `${o.name.en}${o.abbreviation ? ` (${o.abbreviation})` : ""}: a ${kind.toLowerCase()} of ${country}`,
        family ? `of the ${family.toLowerCase()} family` : "",
        o.foundedYear ? `founded in ${o.foundedYear}` : "",
        o.dissolvedYear ? `dissolved in ${o.dissolvedYear}` : "",
      ];
  return zh ? `${parts.filter(Boolean).join("，")}。` : `${parts.filter(Boolean).join(", ")}.`;
}

function relationshipOf(o: OrganisationDetail, lang: Lang): string {
  const zh = lang === "zh";
  const r = o.relationship;
  if (!r) return zh ? "尚未建立关系记录。" : "No relationship is recorded.";
  const level = labelOf(relationshipLevels, r.level, lang);
  const since = r.since ? (zh ? `，自${r.since.slice(0, 4)}年起` : `, since ${r.since.slice(0, 4)}`) : "";
  const lead = r.leadUnit ? (zh ? `，由${r.leadUnit.name.zh}牵头` : `, led by ${r.leadUnit.name.en}`) : "";
  return zh
    ? `关系层级：${level}${since}${lead}。${r.notes ? r.notes : ""}`
    : `Relationship: ${level}${since}${lead}.${r.notes ? ` ${r.notes}` : ""}`;
}

/** The exchanges in a sentence: 共有交往记录12次，其中访问3次、函电9次；最近一次为2025年10月1日…。 */
function exchangesOf(file: PartnerFile, lang: Lang): string {
  const zh = lang === "zh";
  if (file.total === 0) return zh ? "记录中尚无交往。" : "No exchanges are recorded.";
  const byType = new Map<string, number>();
  for (const e of file.history) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  const counted = [...byType.entries()].sort((a, b) => b[1] - a[1]);
  const first = file.history.at(-1)?.startDate.slice(0, 4);
  const latest = file.history[0] as EngagementListItem;
  const shown = file.total > file.history.length;
  if (zh) {
    const parts = counted.map(([type, n]) => `${labelOf(engagementTypes, type, "zh")}${n}次`).join("、");
    return `${shown ? "" : first ? `自${first}年以来，` : ""}共有交往记录${file.total}次${shown ? "" : `，其中${parts}`}；最近一次是${chineseDate(latest.startDate)}${latest.leadUnit.name.zh}的“${pick(latest.title, "zh")}”。`;
  }
  const parts = counted.map(([type, n]) => `${n} ${labelOf(engagementTypes, type, "en").toLowerCase()}`).join(", ");
  return `${shown ? "" : first ? `Since ${first}, ` : ""}${file.total} exchanges are recorded${shown ? "" : ` (${parts})`}; the latest, on ${englishDate(latest.startDate)}, was “${latest.title.en}” (${latest.leadUnit.name.en}).`;
}

function historyTable(file: PartnerFile): ReportTable {
  return {
    key: "history",
    title: { zh: "近期交往", en: "Recent exchanges" },
    columns: [
      { zh: "日期", en: "Date", width: 2 },
      { zh: "类别", en: "Kind", width: 2 },
      { zh: "事项", en: "Engagement", width: 5 },
      { zh: "主责单位", en: "Lead unit", width: 2 },
    ],
    // Both languages' cells, side by side: docxTable keeps the document's language.
    rows: file.history
      .slice(0, historyRows)
      .map((e) => [chineseDate(e.startDate), kindOf(e, "zh"), pick(e.title, "zh"), e.leadUnit.name.zh ?? ""]),
  };
}

function historyTableEn(file: PartnerFile): ReportTable {
  return {
    ...historyTable(file),
    rows: file.history.slice(0, historyRows).map((e) => [englishDate(e.startDate), kindOf(e, "en"), e.title.en, e.leadUnit.name.en]),
  };
}

function peopleOf(o: OrganisationDetail, lang: Lang): string[] {
  const current = o.people.filter((p) => !p.endDate);
  return current.slice(0, 12).map((p) => {
    const title = lang === "zh" ? (p.title.zh ?? p.title.en) : p.title.en;
    return lang === "zh" ? `${pick(p.person.name, "zh")}：${title}` : `${p.person.name.en}: ${title}`;
  });
}

/** A partner's part of the paper: facts, relationship, exchanges (with the table), people, the units' notes. */
function partnerSection(
  file: PartnerFile,
  lang: Lang,
  heading: (text: string) => Paragraph,
  numbered: (i: number, text: string) => string,
) {
  const zh = lang === "zh";
  const people = peopleOf(file.organisation, lang);
  const parts: Array<[string, Array<Paragraph | ReturnType<typeof docxTable>>]> = [
    [
      zh ? "基本情况" : "The partner",
      [line(factsOf(file.organisation, lang), { indent: zh }), line(relationshipOf(file.organisation, lang), { indent: zh })],
    ],
    [
      zh ? "交往情况" : "Exchanges",
      [
        line(exchangesOf(file, lang), { indent: zh }),
        ...(file.history.length ? [docxTable(zh ? historyTable(file) : historyTableEn(file), lang)] : []),
      ],
    ],
    [
      zh ? "主要人物" : "Leading figures",
      people.length ? people.map((p) => line(p, { indent: zh })) : [line(zh ? "记录中尚无。" : "None recorded.", { indent: zh })],
    ],
  ];
  if (file.notes.length)
    parts.push([
      zh ? "各单位备注" : "Units' notes",
      file.notes.map((n) => line(`${zh ? n.unit.zh : n.unit.en}${zh ? "：" : ": "}${n.body}`, { indent: zh })),
    ]);
  return parts.flatMap(([title, body], i) => [heading(numbered(i, title)), ...body]);
}

/** The engagement's own part: what, when, where, who; its programme; the talking points. */
function engagementSection(e: EngagementDetail, lang: Lang, heading1: (text: string) => Paragraph, numberOf: (i: number) => string) {
  const zh = lang === "zh";
  const place = [e.place.city, pick(e.place.country?.name, lang)].filter(Boolean).join(zh ? "，" : ", ");
  const dates =
    e.endDate !== e.startDate ? `${dateOf(e.startDate, lang)}${zh ? "至" : " – "}${dateOf(e.endDate, lang)}` : dateOf(e.startDate, lang);
  const size = typeof e.details.delegationSize === "number" ? e.details.delegationSize : null;
  const summary = zh
    ? `${kindOf(e, "zh")}，${dates}${place ? `，${place}` : ""}，由${e.leadUnit.name.zh}主责${size ? `，代表团共${size}人` : ""}。`
    : `${kindOf(e, "en")}, ${dates}${place ? `, ${place}` : ""}, led by ${e.leadUnit.name.en}${size ? `; a delegation of ${size}` : ""}.`;
  const people = e.participants.map((p) =>
    [pick(p.person?.name ?? p.organisation?.name, lang), p.rank, p.person && p.organisation ? pick(p.organisation.name, lang) : null]
      .filter(Boolean)
      .join(zh ? "，" : ", "),
  );
  const itinerary = (Array.isArray(e.details.itinerary) ? (e.details.itinerary as Array<Record<string, unknown>>) : []).map((d) => {
    const text = (v: unknown) => (typeof v === "string" && v ? v : null);
    const at = [text(d.date) ? dateOf(text(d.date) as string, lang) : null, text(d.time), text(d.city), text(d.place)]
      .filter(Boolean)
      .join(" ");
    return `${at}${zh ? "：" : ": "}${text(d.description) ?? ""}`;
  });
  const points = typeof e.details.talkingPoints === "string" && e.details.talkingPoints ? e.details.talkingPoints.split(/\n+/) : [];
  // The files kept with it, by name: the paper says what else there is to read.
  const files = e.attachments.map((a) => a.fileName);
  const filed = files.length ? [line(`${zh ? "附件：" : "Files: "}${files.join(zh ? "、" : "; ")}`, { indent: zh })] : [];
  const sections: Array<[string, Paragraph[]]> = [
    [zh ? "活动概况" : "The engagement", [line(summary, { indent: zh }), ...people.map((p) => line(p, { indent: zh })), ...filed]],
  ];
  if (itinerary.length) sections.push([zh ? "日程安排" : "Programme", itinerary.map((t) => line(t, { indent: zh }))]);
  sections.push([
    zh ? "谈话要点" : "Talking points",
    points.length ? points.map((p) => line(p, { indent: zh })) : [line(zh ? "（待补充）" : "(to be written)", { indent: zh })],
  ]);
  return sections.flatMap(([title, body], i) => [heading1(`${numberOf(i)}${title}`), ...body]);
}

/**
 * A briefing paper, as a bilingual DOCX in the reports' official layout: for a partner, its
 * facts, our relationship, its exchanges with us (a sentence and the latest in a table), its
 * leading figures and the units' notes; for an engagement, the engagement itself (who, when,
 * where, the delegation), its programme and talking points, then each of its partners so. Only
 * what the reader may see; marked with the highest classification in it; audited.
 */
export async function prepareBriefing(actor: Actor, input: unknown): Promise<{ contentType: string; fileName: string; body: Buffer }> {
  authorize(actor, "engagements.export");
  const query = parseInput(briefingQuery, input);
  const engagement = query.engagementId ? await getEngagement(actor, query.engagementId) : null;
  const partnerIds = engagement
    ? [...new Set(engagement.participants.flatMap((p) => (p.organisation ? [p.organisation.id] : [])))].slice(0, partnersBriefed)
    : [query.organisationId as number];
  const files: PartnerFile[] = [];
  for (const organisationId of partnerIds) files.push(await partnerFile(actor, organisationId, engagement === null));
  const restricted =
    engagement?.classification === "restricted" ||
    files.some(
      (f) =>
        f.history.slice(0, historyRows).some((e) => e.classification === "restricted") ||
        f.notes.some((n) => n.classification === "restricted"),
    );
  const classification: Classification = restricted ? "restricted" : "internal";
  const day = today();
  const subject = engagement ? engagement.title : (files[0] as PartnerFile).organisation.name;
  const section = (lang: Lang) => {
    const zh = lang === "zh";
    const heading1 = (text: string) => line(text, { face: zh ? "heading1" : "body", bold: !zh, indent: zh });
    const heading2 = (text: string) => line(text, { face: zh ? "heading2" : "body", bold: !zh, indent: zh });
    const roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    const first = (i: number) => (zh ? `${chineseOrdinals[i] ?? i + 1}、` : `${roman[i] ?? i + 1}. `);
    const second = (i: number, text: string) => (zh ? `（${chineseOrdinals[i] ?? i + 1}）${text}` : `${i + 1}. ${text}`);
    let body: Paragraph[] | Array<Paragraph | ReturnType<typeof docxTable>>;
    if (engagement) {
      const own = engagementSection(engagement, lang, heading1, first);
      // The engagement's own sections (概况, 日程 when it has one, 谈话要点), then one per partner.
      const ownSections = 2 + (Array.isArray(engagement.details.itinerary) && engagement.details.itinerary.length ? 1 : 0);
      body = [
        ...own,
        ...files.flatMap((file, i) => [
          heading1(`${first(ownSections + i)}${zh ? "外方情况：" : "The partner: "}${pick(file.organisation.name, lang)}`),
          ...partnerSection(file, lang, heading2, second),
        ]),
      ];
    } else {
      body = partnerSection(files[0] as PartnerFile, lang, heading1, (i, text) => `${first(i)}${text}`);
    }
    return officialSection(lang, classification, [
      line(pick(subject, lang), { face: "title", size: sizes.title, align: AlignmentType.CENTER }),
      line(zh ? "背景材料" : "Briefing paper", { face: zh ? "heading2" : "body", align: AlignmentType.CENTER }),
      ...body,
      line(""),
      line(zh ? chineseDate(day) : englishDate(day), { align: AlignmentType.RIGHT }),
    ]);
  };
  const document = new Document({
    creator: "Liaison",
    title: `${pick(subject, "zh")} 背景材料 · Briefing paper`,
    sections: [section("zh"), section("en")],
  });
  const body = await Packer.toBuffer(document);
  await writeAudit(db(), actor, {
    entity: "export",
    entityId: null,
    action: "export_briefing",
    after: { organisationId: query.organisationId ?? null, engagementId: query.engagementId ?? null },
  });
  const name = engagement ? `engagement-${engagement.id}` : `organisation-${query.organisationId}`;
  return {
    contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    fileName: `liaison-briefing-${name}-${day}.docx`,
    body,
  };
}
