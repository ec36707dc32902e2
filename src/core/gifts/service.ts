import ExcelJS from "exceljs";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, ownedBy, writeAudit } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanMultiline, cleanText } from "../shared/text.ts";
import { type GiftFields, type GiftOutput, giftCreateInput, giftExportQuery, giftListQuery, giftUpdateInput } from "./schema.ts";

function giftRows(executor: Executor, scope: DataContext) {
  return scope
    .gifts(executor)
    .innerJoin("engagements as e", "e.id", "g.engagementId")
    .innerJoin("units as u", "u.id", "e.leadUnitId")
    .leftJoin("users as by", "by.id", "g.createdBy")
    .select([
      "g.id",
      "g.given",
      "g.description",
      "g.valueBand",
      "g.giver",
      "g.recipient",
      "g.handling",
      "g.note",
      "g.createdAt",
      sql<string>`coalesce(g.gift_date, e.start_date)::text`.as("giftDate"),
      "e.id as engagementId",
      "e.titleEn",
      "e.titleZh",
      "e.type",
      "e.classification",
      sql<string>`e.start_date::text`.as("startDate"),
      "u.id as unitId",
      "u.nameEn as unitEn",
      "u.nameZh as unitZh",
      "by.id as byId",
      "by.displayName as byName",
      scope.unitAllows("gifts.write", sql.ref("e.lead_unit_id")).as("editable"),
    ]);
}
type GiftRow = Awaited<ReturnType<ReturnType<typeof giftRows>["executeTakeFirstOrThrow"]>>;

function presentGift(row: GiftRow): GiftOutput {
  return {
    id: row.id,
    given: row.given,
    description: row.description,
    valueBand: row.valueBand,
    giver: row.giver,
    recipient: row.recipient,
    handling: row.handling,
    giftDate: row.giftDate,
    note: row.note,
    engagement: { id: row.engagementId, title: { en: row.titleEn, zh: row.titleZh }, startDate: row.startDate, type: row.type },
    unit: { id: row.unitId, name: { en: row.unitEn, zh: row.unitZh } },
    createdBy: row.byId !== null && row.byName !== null ? { id: row.byId, name: row.byName } : null,
    createdAt: new Date(row.createdAt).toISOString(),
    editable: row.editable,
  };
}

/** A gift and its engagement's classification, which its audit rows carry. */
async function loadGift(executor: Executor, scope: DataContext, giftId: number) {
  const row = await giftRows(executor, scope).where("g.id", "=", giftId).executeTakeFirst();
  if (!row) throw notFound("gift", giftId);
  return { gift: presentGift(row), owner: { unitId: row.unitId, classification: row.classification } };
}

/** A gift's description, cleaned; one of invisible marks alone is none. */
function describedAs(description: string): string {
  const cleaned = cleanText(description);
  if (!cleaned) throw invalidField("description", "Must not be empty.");
  return cleaned;
}

/** The stored form of a gift's fields, its texts cleaned as every other text is. */
function giftValues(data: GiftFields) {
  const text = (value: string | null | undefined) => (value === undefined ? {} : { value: cleanText(value) });
  const pick = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    ...pick("given", data.given),
    ...pick("description", data.description === undefined ? undefined : describedAs(data.description)),
    ...pick("valueBand", data.valueBand === undefined ? undefined : (data.valueBand ?? null)),
    ...pick("giver", text(data.giver).value),
    ...pick("recipient", text(data.recipient).value),
    ...pick("handling", data.handling === undefined ? undefined : (data.handling ?? null)),
    ...pick("giftDate", data.giftDate === undefined ? undefined : (data.giftDate ?? null)),
    ...pick("note", data.note === undefined ? undefined : cleanMultiline(data.note)),
  };
}

/**
 * Records a gift given or received at an engagement, in the register of its lead unit. Gifts
 * are recorded after the event: the engagement's approval is not touched.
 */
export async function createGift(actor: Actor, input: unknown): Promise<GiftOutput> {
  authorize(actor, "gifts.write");
  const data = parseInput(giftCreateInput, input);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    const engagement = await scope.engagements(trx).select(["e.leadUnitId"]).where("e.id", "=", data.engagementId).executeTakeFirst();
    if (!engagement) throw notFound("engagement", data.engagementId);
    await scope.assertUnitAllows(trx, "gifts.write", engagement.leadUnitId, "engagementId");
    const { engagementId, ...fields } = data;
    const row = await trx
      .insertInto("gifts")
      .values({ engagementId, given: data.given, description: data.description, ...giftValues(fields), createdBy: actor.userId })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { gift, owner } = await loadGift(trx, scope, row.id);
    return { result: gift, audit: { entity: "gift", entityId: row.id, action: "create", after: gift, ...ownedBy(owner) } };
  });
}

/** Changes a gift's entry in the register: what became of it, its value band, a correction. */
export async function updateGift(actor: Actor, giftId: number, input: unknown): Promise<GiftOutput> {
  authorize(actor, "gifts.write");
  const id = parseInput(idSchema, giftId);
  const data = parseInput(giftUpdateInput, input);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    await scope.lockGift(trx, id, "gifts.write");
    const before = await loadGift(trx, scope, id);
    await scope
      .updateGifts(trx, "gifts.write")
      .set({ ...giftValues(data), updatedAt: new Date() })
      .where("x.id", "=", id)
      .execute();
    const after = await loadGift(trx, scope, id);
    return {
      result: after.gift,
      audit: {
        entity: "gift",
        entityId: id,
        action: "update",
        before: before.gift,
        after: after.gift,
        ...ownedBy(before.owner, after.owner),
      },
    };
  });
}

/** Removes a mistaken entry from the register (the audit keeps what it said). */
export async function deleteGift(actor: Actor, giftId: number): Promise<void> {
  authorize(actor, "gifts.write");
  const id = parseInput(idSchema, giftId);
  const scope = forActor(actor);
  await mutate(actor, async (trx) => {
    await scope.lockGift(trx, id, "gifts.write");
    const before = await loadGift(trx, scope, id);
    await scope.deleteGifts(trx, "gifts.write").where("x.id", "=", id).execute();
    return { result: undefined, audit: { entity: "gift", entityId: id, action: "delete", before: before.gift, ...ownedBy(before.owner) } };
  });
}

function registerQuery(actor: Actor, query: Omit<ReturnType<typeof giftListQuery.parse>, "limit">) {
  let rows = giftRows(db(), forActor(actor));
  if (query.engagementId) rows = rows.where("g.engagementId", "=", query.engagementId);
  if (query.unitId) rows = rows.where("e.leadUnitId", "=", query.unitId);
  if (query.given) rows = rows.where("g.given", "=", query.given === "true");
  if (query.from) rows = rows.where(sql<boolean>`coalesce(g.gift_date, e.start_date) >= ${query.from}::date`);
  if (query.to) rows = rows.where(sql<boolean>`coalesce(g.gift_date, e.start_date) <= ${query.to}::date`);
  return rows.orderBy(sql`coalesce(g.gift_date, e.start_date)`, "desc").orderBy("g.id");
}

/** The gifts register the actor may read: one engagement's, or a unit's over a period, latest first. */
export async function listGifts(actor: Actor, input: unknown = {}): Promise<GiftOutput[]> {
  authorize(actor, "gifts.read");
  const { limit, ...query } = parseInput(giftListQuery, input);
  const rows = await registerQuery(actor, query).limit(limit).execute();
  return rows.map(presentGift);
}

const registerHeadings = {
  "zh-CN": ["日期", "赠送/收受", "礼品", "价值", "赠送方", "受赠方", "处置", "活动", "牵头单位", "备注"],
  en: ["Date", "Given or received", "Gift", "Value", "Giver", "Recipient", "Handling", "Engagement", "Lead unit", "Note"],
} as const;
const registerWords = {
  "zh-CN": {
    given: "赠送",
    received: "收受",
    token: "纪念品",
    modest: "一般",
    substantial: "贵重",
    unknown: "不详",
    handed_in: "已上交",
    kept_by_unit: "本单位留存",
    displayed: "陈列",
    returned: "已退还",
    other: "其他",
  },
  en: {
    given: "Given",
    received: "Received",
    token: "Token",
    modest: "Modest",
    substantial: "Substantial",
    unknown: "Not known",
    handed_in: "Handed in",
    kept_by_unit: "Kept by the unit",
    displayed: "On display",
    returned: "Returned",
    other: "Other",
  },
} as const;

/**
 * The gifts register as an XLSX sheet, in the reader's language (Chinese by default): every
 * gift the actor may read over the period, oldest first. The export is audited.
 */
export async function prepareGiftRegister(actor: Actor, input: unknown): Promise<{ contentType: string; fileName: string; body: Buffer }> {
  authorize(actor, "gifts.read");
  const { locale, ...query } = parseInput(giftExportQuery, input);
  const rows = (await registerQuery(actor, query).execute()).map(presentGift).reverse();
  const words = registerWords[locale];
  const zh = locale === "zh-CN";
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(zh ? "礼品登记" : "Gifts register");
  sheet.addRow([...registerHeadings[locale]]).font = { bold: true };
  for (const g of rows) {
    sheet.addRow([
      g.giftDate,
      g.given ? words.given : words.received,
      g.description,
      g.valueBand ? words[g.valueBand] : "",
      g.giver ?? "",
      g.recipient ?? "",
      g.handling ? words[g.handling] : "",
      zh ? (g.engagement.title.zh ?? g.engagement.title.en) : g.engagement.title.en,
      zh ? g.unit.name.zh : g.unit.name.en,
      g.note ?? "",
    ]);
  }
  sheet.columns.forEach((column, i) => {
    column.width = [12, 10, 30, 10, 20, 20, 12, 36, 20, 30][i] ?? 16;
  });
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  await writeAudit(db(), actor, {
    entity: "export",
    entityId: null,
    action: "export_gift_register",
    after: { query, rows: rows.length },
    restricted: actor.clearance ?? false,
  });
  const period = [query.from, query.to].filter(Boolean).join("-");
  return {
    contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    fileName: `liaison-gifts${period ? `-${period}` : ""}.xlsx`,
    body: Buffer.from(await book.xlsx.writeBuffer()),
  };
}
