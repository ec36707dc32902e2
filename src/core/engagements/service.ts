import type { Readable } from "node:stream";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { assertMayClassify, authorize } from "../access/policy.ts";
import { assertCountryExists } from "../countries/store.ts";
import { acceptedType, checkAttachment, discardStaged, stageUpload } from "../files/checks.ts";
import { fileStore } from "../files/storage.ts";
import { notifyUsers } from "../notifications/service.ts";
import { buildSearchText } from "../search/text.ts";
import { keepWordShares } from "../search/word-shares.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, type FieldIssue, invalidField, notFound } from "../shared/errors.ts";
import { type AuditEntry, type Executor, mutate, ownedBy, type Trx } from "../shared/mutation.ts";
import { fieldIssues, id as idSchema, listCountCap, type Page, pageTotal, parseInput, searchCountCap } from "../shared/schema.ts";
import { chineseDate, cleanMultiline, cleanText, englishDate } from "../shared/text.ts";
import { coordinationWindowDays, findClashes } from "./alerts.ts";
import { asRecorded, presentEngagement, presentEngagementListItem } from "./presenter.ts";
import { captureRollups, rebuildRollups } from "./rollup.ts";
import {
  type AttachmentOutput,
  detailsByType,
  type EngagementDetail,
  type EngagementListItem,
  type EngagementType,
  engagementCreateInput,
  engagementListQuery,
  engagementUpdateInput,
  rulesByType,
  timelineQuery as timelineInput,
} from "./schema.ts";
import { countMatchingEngagements, engagementDetailQuery, engagementPageQuery, timelineQuery } from "./store.ts";

/** An engagement as the audit files it: under its lead unit, with its classification. */
const ownership = (e: EngagementDetail) => ({ unitId: e.leadUnit.id, classification: e.classification });

async function loadEngagement(executor: Executor, data: DataContext, engagementId: number): Promise<EngagementDetail> {
  const row = await engagementDetailQuery(data, executor, engagementId).executeTakeFirst();
  if (!row) throw notFound("engagement", engagementId);
  return presentEngagement(row);
}

/** Planned visits (either way) and events we host go through approval. */
export function needsApproval(type: string, direction: string): boolean {
  return type === "visit" || (type === "event" && direction === "hosted");
}

/** Records one step of the approval workflow: who, for which unit, when. */
export async function recordStep(
  trx: Trx,
  actor: Actor,
  engagementId: number,
  step: "created" | "submitted" | "endorsed" | "approved" | "returned" | "done" | "reported" | "cancelled",
  note: string | null = null,
): Promise<void> {
  await trx
    .insertInto("engagementApprovalSteps")
    .values({ engagementId, step, actorId: actor.userId, unitId: actor.unitId, note })
    .execute();
}

/**
 * When a planned engagement meets a partner that another unit engaged, or plans to, within
 * the window, tells each side's editors and coordinators about their own engagement, naming
 * the partner, the other unit and its date (the pairs are at GET /api/alerts). Restricted work
 * takes no part: it is never disclosed to another unit, and so never the cause of an alert.
 */
async function alertOtherUnits(trx: Trx, actor: Actor, engagementId: number): Promise<void> {
  const own = await trx
    .selectFrom("engagements as e")
    .innerJoin("units as u", "u.id", "e.leadUnitId")
    .select(["e.leadUnitId", "e.startDate", "e.classification", "u.nameEn", "u.nameZh"])
    .where("e.id", "=", engagementId)
    .executeTakeFirstOrThrow();
  if (own.classification === "restricted") return;
  const clashes = await findClashes(
    trx,
    { engagementIds: [engagementId] },
    sql`(SELECT * FROM engagements x WHERE x.classification <> 'restricted')`,
    () => sql<boolean>`true`,
  );
  if (clashes.length === 0) return;
  const partnerZh = (c: (typeof clashes)[number]) => c.partner.name.zh ?? c.partner.name.en;
  const first = clashes[0] as (typeof clashes)[number];
  const more = clashes.length - 1;
  await notifyUsers(
    trx,
    actor,
    { roles: ["editor", "coordinator"], unitIds: [own.leadUnitId] },
    {
      kind: "coordination_alert",
      engagementId,
      en: `Coordination: ${first.other.unit.name.en} also engages ${first.partner.name.en} (${englishDate(first.other.startDate)})${more ? `, and ${more} more` : ""}.`,
      zh: `协调提示：${first.other.unit.name.zh}于${chineseDate(first.other.startDate)}也与${partnerZh(first)}有交往${more ? `，另有${more}项` : ""}。`,
    },
  );
  // Each other unit is pointed at its own engagement, which it can open, once per engagement.
  const told = new Set<number>();
  for (const c of clashes) {
    if (c.other.id === null || told.has(c.other.id)) continue;
    told.add(c.other.id);
    await notifyUsers(
      trx,
      actor,
      { roles: ["editor", "coordinator"], unitIds: [c.other.unit.id] },
      {
        kind: "coordination_alert",
        engagementId: c.other.id,
        en: `Coordination: ${own.nameEn} plans to engage ${c.partner.name.en} on ${englishDate(own.startDate)}, within ${coordinationWindowDays} days of your engagement of ${englishDate(c.other.startDate)}.`,
        zh: `协调提示：${own.nameZh}拟于${chineseDate(own.startDate)}与${partnerZh(c)}交往，与本单位${chineseDate(c.other.startDate)}的交往相距不足${coordinationWindowDays}天。`,
      },
    );
  }
}

/** Lists engagements by type, period, unit, programme, partner, country or words of the title. */
export async function listEngagements(actor: Actor, input: unknown = {}): Promise<Page<EngagementListItem>> {
  authorize(actor, "engagements.read");
  const query = parseInput(engagementListQuery, input);
  const scope = forActor(actor);
  if (query.q) await keepWordShares(db());
  const rows = await engagementPageQuery(scope, db(), query).execute();
  const counted = await pageTotal(query, rows.length, (cap) => countMatchingEngagements(scope, db(), query, cap), listCountCap);
  return { items: rows.map(presentEngagementListItem), ...counted, page: query.page, pageSize: query.pageSize };
}

/** A partner organisation's engagements, newest first. */
export async function organisationTimeline(actor: Actor, organisationId: number, input: unknown = {}): Promise<Page<EngagementListItem>> {
  authorize(actor, "engagements.read");
  const orgId = parseInput(idSchema, organisationId);
  const query = parseInput(timelineInput, input);
  const org = await db().selectFrom("organisations").select("id").where("id", "=", orgId).executeTakeFirst();
  if (!org) throw notFound("organisation", orgId);
  const scope = forActor(actor);
  const rows = await timelineQuery(scope, db(), orgId, query.type, query.page, query.pageSize).execute();
  const counted = await pageTotal(
    query,
    rows.length,
    (cap) => countMatchingEngagements(scope, db(), { type: query.type, organisationId: orgId }, cap),
    // A busy partner's timeline says "1,000+"; the counts query gives the exact number.
    searchCountCap,
  );
  return { items: rows.map(presentEngagementListItem), ...counted, page: query.page, pageSize: query.pageSize };
}

/** One engagement with its participants, the countries they reach, details and files. */
export async function getEngagement(actor: Actor, engagementId: number): Promise<EngagementDetail> {
  authorize(actor, "engagements.read");
  return loadEngagement(db(), forActor(actor), parseInput(idSchema, engagementId));
}

type Fields = {
  type: EngagementType;
  direction: string;
  subtype: string | null;
  details: Record<string, unknown>;
  mechanismId: number | null;
  inReplyToId: number | null;
  thankYouLetterId: number | null;
};

/** The checks zod cannot make alone: what each type allows, and type-specific details. */
function checkTypeRules(fields: Fields): Record<string, unknown> {
  const rules = rulesByType[fields.type];
  const issues: FieldIssue[] = [];
  if (!rules.directions.includes(fields.direction)) {
    issues.push({ path: "direction", message: `A ${fields.type} is one of: ${rules.directions.join(", ")}.` });
  }
  if (rules.subtypes === null && fields.subtype) issues.push({ path: "subtype", message: `A ${fields.type} has no subtype.` });
  if (rules.subtypes && fields.subtype && !rules.subtypes.includes(fields.subtype)) {
    issues.push({ path: "subtype", message: `A ${fields.type} subtype is one of: ${rules.subtypes.join(", ")}.` });
  }
  if (fields.mechanismId && fields.type !== "event")
    issues.push({ path: "mechanismId", message: "Only events are sessions of a mechanism." });
  if (fields.inReplyToId && fields.type !== "correspondence") issues.push({ path: "inReplyToId", message: "Only correspondence replies." });
  if (fields.thankYouLetterId && fields.type !== "visit")
    issues.push({ path: "thankYouLetterId", message: "Only visits have a thank-you letter." });
  const details = detailsByType[fields.type].safeParse(fields.details);
  if (!details.success)
    issues.push(...fieldIssues(details.error).map((i) => ({ ...i, path: i.path === "(root)" ? "details" : `details.${i.path}` })));
  if (issues.length > 0) throw new AppError("VALIDATION_FAILED", `${issues[0]?.path}: ${issues[0]?.message}`, { fields: issues });
  return details.data as Record<string, unknown>;
}

/** Refuses references to records that do not exist, as field errors. */
async function checkReferences(
  trx: Trx,
  actor: Actor,
  data: {
    leadUnitId?: number | undefined;
    coUnitIds?: number[] | undefined;
    programmeId?: number | null | undefined;
    mechanismId?: number | null | undefined;
    inReplyToId?: number | null | undefined;
    thankYouLetterId?: number | null | undefined;
    partOfId?: number | null | undefined;
    countryCode?: string | null | undefined;
    participants?: Array<{ organisationId?: number | null | undefined; personId?: number | null | undefined }> | undefined;
    topicIds?: number[] | undefined;
  },
): Promise<void> {
  await assertCountryExists(trx, data.countryCode);
  const scope = forActor(actor);
  // The lead unit is where the engagement belongs: the actor must be allowed to record it there.
  if (data.leadUnitId !== undefined) await scope.assertUnitAllows(trx, "engagements.write", data.leadUnitId, "leadUnitId");
  const missing = async (
    table: "units" | "topics" | "organisations" | "people" | "programmes" | "mechanisms",
    ids: number[],
    path: string,
  ) => {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    const found = await trx.selectFrom(table).select("id").where("id", "in", unique).execute();
    const have = new Set(found.map((r) => r.id));
    const absent = unique.filter((i) => !have.has(i));
    if (absent.length > 0) throw invalidField(path, `No ${table.replace(/s$/, "")} with id ${absent.join(", ")}.`);
  };
  await missing("units", data.coUnitIds ?? [], "coUnitIds");
  await missing("topics", data.topicIds ?? [], "topicIds");
  await missing(
    "organisations",
    (data.participants ?? []).flatMap((p) => (p.organisationId ? [p.organisationId] : [])),
    "participants",
  );
  await missing(
    "people",
    (data.participants ?? []).flatMap((p) => (p.personId ? [p.personId] : [])),
    "participants",
  );
  await missing("programmes", data.programmeId ? [data.programmeId] : [], "programmeId");
  await missing("mechanisms", data.mechanismId ? [data.mechanismId] : [], "mechanismId");
  for (const path of ["inReplyToId", "thankYouLetterId"] as const) {
    const target = data[path];
    if (!target) continue;
    const found = await scope.engagements(trx).select(["e.id", "e.type"]).where("e.id", "=", target).executeTakeFirst();
    if (!found) throw invalidField(path, `No engagement ${target}.`);
    if (found.type !== "correspondence") throw invalidField(path, `Engagement ${target} is not correspondence.`);
  }
  if (data.partOfId) {
    // One level: talks during a visit, a session during a forum; never a chain, so never a loop.
    const whole = await scope
      .engagements(trx)
      .select(["e.id", "e.type", "e.partOfId"])
      .where("e.id", "=", data.partOfId)
      .executeTakeFirst();
    if (!whole) throw invalidField("partOfId", `No engagement ${data.partOfId}.`);
    if (whole.type !== "visit" && whole.type !== "event")
      throw invalidField("partOfId", `Engagement ${data.partOfId} is not a visit or an event.`);
    if (whole.partOfId) throw invalidField("partOfId", `Engagement ${data.partOfId} is itself part of another.`);
  }
}

/**
 * The English title as stored: the one given, or the Chinese one standing in for it (a desk
 * officer may record a visit with 标题（中文） alone; English readers then see the Chinese title,
 * as they see a partner's Chinese name when it has no English one).
 */
function titleEnOf(titleEn: string | null, titleZh: string | null): string {
  const title = titleEn ?? titleZh;
  if (!title) throw invalidField("titleZh", "Give a title, in Chinese or in English. / 请填写标题（中文或英文）。");
  return title;
}

function searchTextOf(titleEn: string, titleZh: string | null, city: string | null, details: Record<string, unknown>): string {
  const series = [details.seriesEn, details.seriesZh, details.issueEn, details.issueZh].filter((v): v is string => typeof v === "string");
  return buildSearchText([titleEn, titleZh, city, ...series]);
}

type ParticipantInput = NonNullable<ReturnType<typeof engagementCreateInput.parse>["participants"]>[number];

async function writeChildren(
  trx: Trx,
  engagementId: number,
  startDate: string,
  children: { participants?: ParticipantInput[] | undefined; coUnitIds?: number[] | undefined; topicIds?: number[] | undefined },
): Promise<void> {
  if (children.participants) {
    await trx.deleteFrom("engagementParticipants").where("engagementId", "=", engagementId).execute();
    if (children.participants.length > 0) {
      await trx
        .insertInto("engagementParticipants")
        .values(
          children.participants.map((p) => ({
            engagementId,
            organisationId: p.organisationId ?? null,
            personId: p.personId ?? null,
            role: p.role,
            rank: cleanText(p.rank),
            precedence: p.precedence ?? null,
            startDate,
          })),
        )
        .execute();
    }
  }
  if (children.coUnitIds) {
    await trx.deleteFrom("engagementUnits").where("engagementId", "=", engagementId).execute();
    const units = [...new Set(children.coUnitIds)];
    if (units.length > 0)
      await trx
        .insertInto("engagementUnits")
        .values(units.map((unitId) => ({ engagementId, unitId })))
        .execute();
  }
  if (children.topicIds) {
    await trx.deleteFrom("engagementTopics").where("engagementId", "=", engagementId).execute();
    const topics = [...new Set(children.topicIds)];
    if (topics.length > 0)
      await trx
        .insertInto("engagementTopics")
        .values(topics.map((topicId) => ({ engagementId, topicId })))
        .execute();
  }
}

/** Records an engagement with its participants, co-units, topics and type-specific details. */
export async function createEngagement(actor: Actor, input: unknown, options: { demo?: boolean } = {}): Promise<EngagementDetail> {
  authorize(actor, "engagements.write");
  const data = parseInput(engagementCreateInput, input);
  return mutate(actor, (trx) => insertEngagement(trx, actor, data, options));
}

/** An engagement as its input schema gives it (parsed). */
export type EngagementCreate = ReturnType<typeof engagementCreateInput.parse>;

/**
 * Writes one engagement inside the caller's transaction, with every check a single create
 * makes (classification, type rules, references in the actor's scope) and the rollups kept
 * exact: the one path for the form, the API and an import. Gives the record and its audit row.
 */
export async function insertEngagement(
  trx: Trx,
  actor: Actor,
  data: EngagementCreate,
  options: { demo?: boolean; importId?: number; rollupsByCaller?: boolean } = {},
): Promise<{ result: EngagementDetail; audit: AuditEntry }> {
  authorize(actor, "engagements.write");
  assertMayClassify(actor, data.classification);
  const details = checkTypeRules({
    type: data.type,
    direction: data.direction,
    subtype: data.subtype ?? null,
    details: data.details ?? {},
    mechanismId: data.mechanismId ?? null,
    inReplyToId: data.inReplyToId ?? null,
    thankYouLetterId: data.thankYouLetterId ?? null,
  });
  await checkReferences(trx, actor, data);
  // A caller writing many (an import) moves the rollups once for all of them: see captureRollups.
  const rollups = options.rollupsByCaller ? null : await captureRollups(trx, []);
  const titleZh = cleanText(data.titleZh);
  const titleEn = titleEnOf(cleanText(data.titleEn), titleZh);
  const city = cleanText(data.city);
  const row = await trx
    .insertInto("engagements")
    .values({
      type: data.type,
      direction: data.direction,
      subtype: data.subtype ?? null,
      status: data.status,
      titleEn,
      titleZh,
      summaryEn: cleanMultiline(data.summaryEn),
      summaryZh: cleanMultiline(data.summaryZh),
      startDate: data.startDate,
      endDate: data.endDate ?? data.startDate,
      timezone: data.timezone ?? null,
      countryCode: data.countryCode ?? null,
      city,
      leadUnitId: data.leadUnitId,
      programmeId: data.programmeId ?? null,
      mechanismId: data.mechanismId ?? null,
      inReplyToId: data.inReplyToId ?? null,
      thankYouLetterId: data.thankYouLetterId ?? null,
      partOfId: data.partOfId ?? null,
      details: JSON.stringify(details),
      searchText: searchTextOf(titleEn, titleZh, city, details),
      demo: options.demo ?? false,
      approval: needsApproval(data.type, data.direction) && data.status === "planned" ? "draft" : null,
      classification: data.classification,
      createdBy: actor.userId,
      importId: options.importId ?? null,
    })
    .returning(["id", "approval"])
    .executeTakeFirstOrThrow();
  if (row.approval) await recordStep(trx, actor, row.id, "created");
  await writeChildren(trx, row.id, data.startDate, data);
  if (data.status === "planned") await alertOtherUnits(trx, actor, row.id);
  await rollups?.apply([row.id]);
  const result = await loadEngagement(trx, forActor(actor), row.id);
  return {
    result,
    audit: { entity: "engagement", entityId: row.id, action: "create", after: asRecorded(result), ...ownedBy(ownership(result)) },
  };
}

/** Changes an engagement; participants, co-units and topics, when given, replace the old lists. */
export async function updateEngagement(actor: Actor, engagementId: number, input: unknown): Promise<EngagementDetail> {
  authorize(actor, "engagements.write");
  const id = parseInput(idSchema, engagementId);
  const data = parseInput(engagementUpdateInput, input);
  return mutate(actor, (trx) => changeEngagement(trx, actor, id, data));
}

/** An engagement's changes as its update schema gives them (parsed). */
export type EngagementChange = ReturnType<typeof engagementUpdateInput.parse>;

/**
 * Changes one engagement inside the caller's transaction, with every check a single update
 * makes and the rollups kept exact: the one path for the form, the API and an import.
 */
export async function changeEngagement(
  trx: Trx,
  actor: Actor,
  id: number,
  data: EngagementChange,
): Promise<{ result: EngagementDetail; audit: AuditEntry }> {
  authorize(actor, "engagements.write");
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  const current = await scope.lockEngagement(trx, id, "engagements.write");
  const before = await loadEngagement(trx, scope, id);
  const merged = {
    type: current.type as EngagementType,
    direction: data.direction ?? current.direction,
    subtype: data.subtype === undefined ? current.subtype : data.subtype,
    details: data.details ?? current.details,
    mechanismId: data.mechanismId === undefined ? current.mechanismId : data.mechanismId,
    inReplyToId: data.inReplyToId === undefined ? current.inReplyToId : data.inReplyToId,
    thankYouLetterId: data.thankYouLetterId === undefined ? current.thankYouLetterId : data.thankYouLetterId,
  };
  const details = checkTypeRules(merged);
  if (data.status === "done" && current.status !== "done") {
    if (current.approval && current.approval !== "approved") {
      throw new AppError("CONFLICT", "This engagement is not approved yet: it cannot be marked done. / 尚未批准，不能标记为已完成。", {
        approval: current.approval,
      });
    }
    if (current.approval) await recordStep(trx, actor, id, "done");
  }
  const startDate = data.startDate ?? current.startDate;
  const endDate = data.endDate === undefined || data.endDate === null ? (data.startDate ? startDate : current.endDate) : data.endDate;
  if (endDate < startDate) throw invalidField("endDate", "Cannot be before startDate.");
  if (merged.inReplyToId === id) throw invalidField("inReplyToId", "An engagement cannot reply to itself.");
  if (data.partOfId === id) throw invalidField("partOfId", "An engagement cannot be part of itself.");
  if (data.partOfId) {
    const hasParts = await trx.selectFrom("engagements").select("id").where("partOfId", "=", id).limit(1).executeTakeFirst();
    if (hasParts) throw invalidField("partOfId", "Engagements took place during this one: it cannot be part of another.");
  }
  await checkReferences(trx, actor, data);
  const rollups = await captureRollups(trx, [id]);
  const titleZh = data.titleZh === undefined ? current.titleZh : cleanText(data.titleZh);
  // An English title that only stood in for the Chinese one follows it when the Chinese changes.
  const standIn = current.titleEn === current.titleZh;
  const titleEn = titleEnOf(
    data.titleEn === undefined ? (standIn && data.titleZh !== undefined ? null : current.titleEn) : cleanText(data.titleEn),
    titleZh,
  );
  const city = data.city === undefined ? current.city : cleanText(data.city);
  await scope
    .updateEngagements(trx, "engagements.write")
    .set({
      direction: merged.direction,
      subtype: merged.subtype,
      ...(data.status !== undefined ? { status: data.status } : {}),
      titleEn,
      titleZh,
      ...(data.summaryEn !== undefined ? { summaryEn: cleanMultiline(data.summaryEn) } : {}),
      ...(data.summaryZh !== undefined ? { summaryZh: cleanMultiline(data.summaryZh) } : {}),
      startDate,
      endDate,
      ...(data.timezone !== undefined ? { timezone: data.timezone } : {}),
      ...(data.countryCode !== undefined ? { countryCode: data.countryCode } : {}),
      city,
      ...(data.leadUnitId !== undefined ? { leadUnitId: data.leadUnitId } : {}),
      ...(data.programmeId !== undefined ? { programmeId: data.programmeId } : {}),
      mechanismId: merged.mechanismId,
      ...(data.classification !== undefined ? { classification: data.classification } : {}),
      inReplyToId: merged.inReplyToId,
      thankYouLetterId: merged.thankYouLetterId,
      ...(data.partOfId !== undefined ? { partOfId: data.partOfId } : {}),
      details: JSON.stringify(details),
      searchText: searchTextOf(titleEn, titleZh, city, details),
      updatedAt: new Date(),
    })
    .where("x.id", "=", id)
    .execute();
  if (startDate !== current.startDate) {
    await trx.updateTable("engagementParticipants").set({ startDate }).where("engagementId", "=", id).execute();
  }
  await writeChildren(trx, id, startDate, data);
  await rollups.apply();
  const after = await loadEngagement(trx, scope, id);
  return {
    result: after,
    audit: {
      entity: "engagement",
      entityId: id,
      action: "update",
      before: asRecorded(before),
      after: asRecorded(after),
      ...ownedBy(ownership(before), ownership(after)),
    },
  };
}

/** Deletes an engagement with its participants and attachments; replies to it stay, unlinked. */
export async function deleteEngagement(actor: Actor, engagementId: number): Promise<void> {
  authorize(actor, "engagements.delete");
  const id = parseInput(idSchema, engagementId);
  const scope = forActor(actor);
  const orphaned = await mutate(actor, async (trx) => {
    const current = await scope.lockEngagement(trx, id, "engagements.delete");
    // A plan in the coordinator's hands (or approved) is part of the approval trail: the unit
    // cancels it, saying why; only those who decide on its approval may delete it.
    if (
      current.approval &&
      current.approval !== "draft" &&
      current.approval !== "returned" &&
      // submitted, endorsed, approved or reported: in the approvers' hands
      !(await scope.allowsIn(trx, "approvals.decide", current.leadUnitId))
    )
      throw new AppError(
        "CONFLICT",
        "A plan submitted for approval, or approved, is cancelled (with its reason), not deleted. / 已报批或已批准的计划只能取消（并说明原因），不能删除。",
        { approval: current.approval },
      );
    const before = await loadEngagement(trx, scope, id);
    const rollups = await captureRollups(trx, [id]);
    const files = await scope.attachments(trx).select("a.storageKey").where("a.engagementId", "=", id).execute();
    // Its gifts go with it: the register's own audit says so, gift by gift.
    const gifts = await scope.gifts(trx).selectAll("g").where("g.engagementId", "=", id).execute();
    await scope.deleteEngagements(trx, "engagements.delete").where("x.id", "=", id).execute();
    await rollups.apply();
    const unused = await unusedKeys(
      trx,
      files.map((f) => f.storageKey),
    );
    return {
      result: unused,
      audit: [
        { entity: "engagement", entityId: id, action: "delete", before: asRecorded(before), ...ownedBy(ownership(before)) },
        ...gifts.map((gift) => ({ entity: "gift", entityId: gift.id, action: "delete", before: gift, ...ownedBy(ownership(before)) })),
      ],
    };
  });
  await removeFiles(orphaned);
}

/** Of these storage keys, those no attachment refers to any more. */
async function unusedKeys(trx: Trx, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const used = await trx.selectFrom("engagementAttachments").select("storageKey").where("storageKey", "in", keys).execute();
  const inUse = new Set(used.map((u) => u.storageKey));
  return keys.filter((k) => !inUse.has(k));
}

// Files go after the transaction commits: a rollback must not lose bytes a row still names.
async function removeFiles(keys: string[]): Promise<void> {
  for (const key of keys) await fileStore().remove(key);
}

/**
 * Attaches a file. The actor's right to change the engagement is checked before a byte of
 * the upload is read; then the upload streams into a staging file (hashed, size-limited,
 * its content checked against its type), is stored under its SHA-256, and is recorded. A
 * failed record leaves at most an unreferenced file, never a record without bytes.
 */
export async function addAttachment(
  actor: Actor,
  engagementId: number,
  input: { fileName: unknown; contentType: string; data: Buffer | Readable },
): Promise<AttachmentOutput> {
  authorize(actor, "engagements.write");
  const id = parseInput(idSchema, engagementId);
  const fileName = cleanText(typeof input.fileName === "string" ? input.fileName.replace(/[/\\]/g, "_") : null);
  if (!fileName || fileName.length > 255) throw invalidField("fileName", "Give the file's name (at most 255 characters).");
  acceptedType(input.contentType);
  const scope = forActor(actor);
  // Checked before the bytes are read, and again, locked, before they are recorded.
  await db()
    .transaction()
    .execute((trx) => scope.lockEngagement(trx, id, "engagements.write"));
  const staged = await stageUpload(input.data);
  try {
    const contentType = await checkAttachment(input.contentType, staged);
    const storageKey = `attachments/${staged.sha256.slice(0, 2)}/${staged.sha256}`;
    const store = fileStore();
    await store.putFile(storageKey, staged.path, contentType);
    return await mutate(actor, async (trx) => {
      const engagement = await scope.lockEngagement(trx, id, "engagements.write");
      const row = await trx
        .insertInto("engagementAttachments")
        .values({
          engagementId: id,
          fileName,
          contentType,
          sizeBytes: staged.size,
          sha256: staged.sha256,
          storage: store.kind,
          storageKey,
          createdBy: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const result = {
        id: row.id,
        fileName: row.fileName,
        contentType: row.contentType,
        sizeBytes: row.sizeBytes,
        sha256: row.sha256,
        createdAt: new Date(row.createdAt).toISOString(),
      };
      return {
        result,
        audit: {
          entity: "attachment",
          entityId: row.id,
          action: "create",
          after: { ...result, engagementId: id },
          ...ownedBy({ unitId: engagement.leadUnitId, classification: engagement.classification }),
        },
      };
    });
  } finally {
    await discardStaged(staged);
  }
}

/** An attachment's bytes with its name and type. */
export async function getAttachment(
  actor: Actor,
  engagementId: number,
  attachmentId: number,
): Promise<{ fileName: string; contentType: string; data: Buffer }> {
  authorize(actor, "engagements.read");
  const row = await forActor(actor)
    .attachments(db())
    .select(["a.fileName", "a.contentType", "a.storageKey"])
    .where("a.id", "=", parseInput(idSchema, attachmentId))
    .where("a.engagementId", "=", parseInput(idSchema, engagementId))
    .executeTakeFirst();
  if (!row) throw notFound("attachment", attachmentId);
  return { fileName: row.fileName, contentType: row.contentType, data: await fileStore().get(row.storageKey) };
}

/** Removes an attachment; its bytes go when nothing else refers to them. */
export async function removeAttachment(actor: Actor, engagementId: number, attachmentId: number): Promise<void> {
  authorize(actor, "engagements.write");
  const scope = forActor(actor);
  const orphaned = await mutate(actor, async (trx) => {
    const row = await scope
      .attachments(trx)
      .selectAll("a")
      .where("a.id", "=", parseInput(idSchema, attachmentId))
      .where("a.engagementId", "=", parseInput(idSchema, engagementId))
      .executeTakeFirst();
    if (!row) throw notFound("attachment", attachmentId);
    const engagement = await scope.lockEngagement(trx, row.engagementId, "engagements.write");
    await trx.deleteFrom("engagementAttachments").where("id", "=", row.id).execute();
    return {
      result: await unusedKeys(trx, [row.storageKey]),
      audit: {
        entity: "attachment",
        entityId: row.id,
        action: "delete",
        before: row,
        ...ownedBy({ unitId: engagement.leadUnitId, classification: engagement.classification }),
      },
    };
  });
  await removeFiles(orphaned);
}

/** Recomputes the counts' rollups from the record, in one transaction. */
export async function rebuildEngagementRollups(actor: Actor): Promise<{ engagements: number; ms: number }> {
  authorize(actor, "demo.manage");
  return mutate(actor, async (trx) => {
    const result = await rebuildRollups(trx);
    return { result, audit: { entity: "rollups", entityId: null, action: "rebuild", after: result } };
  });
}
