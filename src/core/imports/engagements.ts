import { createHash } from "node:crypto";
import { sql } from "kysely";
import { forActor } from "../access/context.ts";
import { captureRollups } from "../engagements/rollup.ts";
import { rulesByType } from "../engagements/schema.ts";
import { changeEngagement, type EngagementChange, type EngagementCreate, insertEngagement } from "../engagements/service.ts";
import { foldName } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { today } from "../shared/dates.ts";
import { AppError, refused } from "../shared/errors.ts";
import { type AuditEntry, ownedBy, type Trx } from "../shared/mutation.ts";
import { engagementKinds, type engagementTypes } from "../shared/vocabulary.ts";
import {
  type ClassifiedRow,
  claimRowId,
  type ImportEngine,
  mappedCells,
  type PreparedRow,
  peopleFinder,
  type RunOptions,
  type RunState,
  refuseRow,
  registryFinder,
  rowError,
} from "./engine.ts";
import { type CountryLookup, engagementFields, parseCell, type Reason } from "./fields.ts";
import type { ReadRow } from "./read.ts";

/**
 * Imports an office's registers of engagements: delegations received and sent, talks, events,
 * letters and messages (a register of congratulatory messages is one), one row an engagement.
 * Each partner named must be in the registry (found by any of its names, folded, in any
 * script); a name several parties share is asked about. Rows are written through the same
 * path as the form, so the checks, the rollups and the audit are the form's.
 */

type EngagementType = keyof typeof engagementTypes;

/** An engagement's values as one row gives them. */
interface EngagementValues {
  startDate?: string;
  endDate?: string;
  type?: EngagementType;
  direction?: string;
  subtype?: string | null;
  partners: string[];
  /** People who took part (a delegation's members in protocol order, a letter's signatory), found in the registry. */
  people?: string[];
  countryCode?: string;
  city?: string;
  titleZh?: string;
  titleEn?: string;
  summaryZh?: string;
  summaryEn?: string;
  occasion?: string;
}

interface PreparedEngagement extends PreparedRow {
  values: EngagementValues;
}

interface ClassifiedEngagement extends PreparedEngagement, ClassifiedRow {
  /** Each partner's organisation, in the row's order (when every partner is found). */
  partnerIds: number[];
  /** Each person named, in the row's order. */
  personIds: number[];
}

/** The role a partner has in each kind of engagement: who sent the delegation, who wrote the letter. */
function partnerRole(type: EngagementType, direction: string): string {
  if (type === "visit") return direction === "received" ? "delegation_leader" : "host";
  if (type === "correspondence") return direction === "received" ? "sender" : "recipient";
  if (type === "statement") return "author";
  if (type === "talks" || type === "event") return "guest";
  return "participant";
}

/** The role a person named has: a delegation received is led by the first and the rest are its members, in that order. */
function personRole(type: EngagementType, direction: string, index: number): string {
  if (type === "visit" && direction === "received") return index === 0 ? "delegation_leader" : "member";
  return partnerRole(type, direction);
}

/** Partners named in a title: three, then 等 ("and others"). */
const listed = (names: string[], zh: boolean) =>
  names.length <= 3 ? names.join(zh ? "、" : ", ") : `${names.slice(0, 3).join(zh ? "、" : ", ")}${zh ? "等" : " and others"}`;

/**
 * A title where the register gives none, as a desk officer would write it: 越南共产党发来贺电,
 * 接待老挝人民革命党代表团, Congratulatory message from the Communist Party of Vietnam.
 */
function titlesOf(v: Required<Pick<EngagementValues, "type" | "direction">> & EngagementValues, zhNames: string[], enNames: string[]) {
  const zh = listed(zhNames, true);
  const en = listed(enNames, false);
  const received = v.direction === "received";
  const congratulations = v.subtype === "congratulatory_message";
  switch (v.type) {
    case "visit":
      return received
        ? { zh: `接待${zh}代表团`, en: `Delegation of ${en} received` }
        : { zh: `派团访问${zh}`, en: `Delegation sent to ${en}` };
    case "talks":
      return { zh: `会见${zh}`, en: `Talks with ${en}` };
    case "event":
      return v.direction === "hosted"
        ? { zh: `主办活动，${zh}出席`, en: `Event hosted, with ${en}` }
        : { zh: `出席${zh}举办的活动`, en: `Event of ${en} attended` };
    case "correspondence":
      if (congratulations)
        return received
          ? { zh: `${zh}发来贺电`, en: `Congratulatory message from ${en}` }
          : { zh: `致${zh}贺电`, en: `Congratulatory message to ${en}` };
      return received ? { zh: `${zh}来函`, en: `Letter from ${en}` } : { zh: `致${zh}函`, en: `Letter to ${en}` };
    case "statement":
      return { zh: `${zh}表态`, en: `Statement by ${en}` };
    case "assistance":
      return received ? { zh: `接受${zh}援助`, en: `Assistance from ${en}` } : { zh: `向${zh}提供援助`, en: `Assistance to ${en}` };
    case "training":
      return { zh: `${zh}参加培训`, en: `Training with ${en}` };
  }
}

/** Text cut to a limit at a whole character (never half of a surrogate pair), with … where it was cut. */
const cut = (text: string, max: number) => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
};

/** The unit an actor's imported engagements go to: the first where they may write engagements. */
export const leadUnit = (actor: Actor) => forActor(actor).defaultUnit("engagements.write");

/**
 * Whether an engagement exists at all, whoever's it is: an import row pointing at a record the
 * importer may not see must not be taken over (nor counted away by an undo). Integrity, not reading.
 */
const engagementExists = (id: ReturnType<typeof sql.ref>) => sql<boolean>`EXISTS (SELECT 1 FROM engagements x WHERE x.id = ${id})`;

const kindLabel = (type: string, direction: string) => engagementKinds[`${type}:${direction}` as keyof typeof engagementKinds];

function prepare(
  row: ReadRow,
  headers: string[],
  columns: Array<string | null>,
  countries: CountryLookup,
  options: RunOptions,
): PreparedEngagement {
  const { values: cells, errors } = mappedCells(row, headers, columns, engagementFields, (field, raw) =>
    parseCell(field.type, raw, countries),
  );
  const values: EngagementValues = { partners: [] };
  let sourceId: string | null = null;
  let kind: string | null = null;
  for (const { field, value } of cells) {
    if (field === "date") values.startDate = value as string;
    else if (field === "endDate") values.endDate = value as string;
    else if (field === "kind") kind = value as string;
    else if (field === "direction") values.direction = value as string;
    else if (field === "partners") values.partners = [...new Set(value as string[])];
    else if (field === "people") {
      if ((value as string[]).length) values.people = [...new Set(value as string[])];
    } else if (field === "country") values.countryCode = value as string;
    else if (field === "sourceId") sourceId = value as string;
    else (values as unknown as Record<string, unknown>)[field] = value;
  }
  const fail = (field: string, reason: Reason) => {
    const column = columns.indexOf(field);
    errors.push({ column: column + 1, header: headers[column] ?? "", field, reason });
  };
  // The kind: the row's, else the import's default; a direction column says what the kind leaves open.
  const [type, kindDirection, subtype] = (kind ?? options.defaults.engagementKind ?? "::").split(":");
  if (type) {
    values.type = type as EngagementType;
    values.direction = kindDirection || values.direction;
    values.subtype = subtype || null;
    const rules = rulesByType[values.type];
    if (!values.direction && rules.directions.length === 1) values.direction = rules.directions[0];
    if (!values.direction)
      fail("direction", {
        en: `Say whether it was ${rules.directions.join(" or ")} (a direction column, or a kind such as “visit received”).`,
        zh: "请注明来往方向（如“来访”“出访”“收到”“发出”），或在类型中写明（如“接待来访”“收到贺电”）。",
      });
    else if (!rules.directions.includes(values.direction))
      fail("direction", {
        en: `A ${type} cannot be ${values.direction}: it is ${rules.directions.join(" or ")}.`,
        zh: `此类型的来往方向只能是${rules.directions.map((d) => kindLabel(type, d)?.zh ?? d).join("或")}。`,
      });
    if (values.subtype && !rules.subtypes?.includes(values.subtype))
      fail("kind", { en: `A ${type} cannot be a ${values.subtype}.`, zh: "类型与其细分不符。" });
  } else if (errors.length === 0) {
    fail("kind", { en: "The row gives no kind (visit, talks, letter…).", zh: "此行没有类型（如来访、会见、贺电）。" });
  }
  if (!values.startDate && !errors.some((e) => e.field === "date")) fail("date", { en: "The row gives no date.", zh: "此行没有日期。" });
  if (values.startDate && values.endDate && values.endDate < values.startDate)
    fail("endDate", { en: "The last day is before the first.", zh: "结束日期早于开始日期。" });
  if (values.partners.length === 0 && !values.people && !values.titleZh && !values.titleEn && errors.length === 0)
    errors.push(rowError({ en: "The row names no partner and no title.", zh: "此行既没有外方，也没有标题。" }));
  if (values.partners.length > 200) fail("partners", { en: "More than 200 partners in one row.", zh: "一行的外方超过200个。" });
  if ((values.people?.length ?? 0) > 200) fail("people", { en: "More than 200 people in one row.", zh: "一行的人员超过200个。" });
  const content = JSON.stringify({ ...values, partners: values.partners.map(foldName) });
  const rowHash = createHash("sha256").update(content).digest("hex").slice(0, 32);
  // The office's own id, else the row's content — within the importing unit: another unit's
  // register of the same letter is its own record.
  const rowKey = sourceId ? `id:${options.scope}:${sourceId}` : `row:${options.scope}:${rowHash}`;
  const name = [values.startDate, values.titleZh ?? values.titleEn ?? listed(values.partners, true)].filter(Boolean).join(" ");
  return { line: row.line, name, values, errors, rowKey, rowHash };
}

async function classify(
  trx: Trx,
  batch: PreparedEngagement[],
  options: RunOptions,
  state: RunState,
  actor: Actor,
): Promise<ClassifiedEngagement[]> {
  await sql`SET LOCAL enable_seqscan = off`.execute(trx);
  const valid = batch.filter((r) => r.errors.length === 0);
  const scope = forActor(actor);
  // Rows imported before: whether their engagement is still there, and whether the importer sees it.
  const known = valid.length
    ? await trx
        .selectFrom("importRows as r")
        .leftJoin(scope.readableEngagements(trx).as("e"), "e.id", "r.entityId")
        .select([
          "r.rowKey",
          "r.entityId",
          "r.rowHash",
          "r.created",
          sql<boolean>`e.id IS NOT NULL`.as("readable"),
          sql<boolean>`${engagementExists(sql.ref("r.entity_id"))}`.as("exists"),
          sql<boolean>`date_trunc('milliseconds', e.updated_at) > r.imported_at`.as("editedSince"),
          "e.type",
        ])
        .where(sql<boolean>`r.kind = 'engagements' AND r.row_key = ANY(${valid.map((r) => r.rowKey)}::text[])`)
        .execute()
    : [];
  const byRowKey = new Map(known.map((k) => [k.rowKey, k]));
  const candidatesOf = await registryFinder(
    trx,
    valid.flatMap((r) => r.values.partners),
  );
  const peopleOf = await peopleFinder(
    trx,
    valid.flatMap((r) => r.values.people ?? []),
  );
  // Engagements recorded by hand that a row is: same day, kind and partners, in the importer's unit.
  const dates = [...new Set(valid.map((r) => r.values.startDate as string))];
  const recorded = dates.length
    ? await scope
        .engagements(trx)
        .leftJoin("engagementParticipants as p", "p.engagementId", "e.id")
        .select([
          "e.id",
          "e.startDate",
          "e.type",
          "e.direction",
          sql<number[]>`array_remove(array_agg(p.organisation_id), NULL)`.as("partners"),
        ])
        .where("e.leadUnitId", "=", leadUnit(actor))
        // By hand: an imported engagement is its own row's, however alike another row is.
        .where("e.importId", "is", null)
        .where(sql<boolean>`e.start_date = ANY(${dates}::date[])`)
        .groupBy(["e.id", "e.startDate", "e.type", "e.direction"])
        .execute()
    : [];
  await sql`SET LOCAL enable_seqscan = on`.execute(trx);
  const chosen = Object.values(options.choices).filter((v): v is number => v !== "new");
  const chosenExisting = new Set(
    chosen.length ? (await trx.selectFrom("organisations").select("id").where("id", "in", chosen).execute()).map((r) => r.id) : [],
  );
  return batch.map((row) => {
    const classified = classifyRow(row);
    // A later row of the file repeating this one is this one.
    if (classified.status !== "invalid" && classified.status !== "ambiguous" && !state.seen.has(`e#${row.rowKey}`))
      state.seen.set(`e#${row.rowKey}`, { line: row.line, organisationId: classified.engagementId ?? null });
    return classified;
  });
  function classifyRow(row: PreparedEngagement): ClassifiedEngagement {
    const base: ClassifiedEngagement = {
      ...row,
      status: "new",
      organisationId: null,
      engagementId: null,
      candidates: [],
      partnerIds: [],
      personIds: [],
    };
    if (row.errors.length > 0) return { ...base, status: "invalid" };
    const repeated = claimRowId(state, row);
    if (repeated) return refuseRow(base, repeated);
    // Each partner, found once; a name several share is asked about (a choice answers one of them).
    const choice = options.choices[String(row.line)];
    const partnerIds: number[] = [];
    for (const name of row.values.partners) {
      let found = candidatesOf(name, row.values.countryCode);
      if (found.length > 1 && typeof choice === "number" && found.some((o) => o.id === choice) && chosenExisting.has(choice))
        found = found.filter((o) => o.id === choice);
      if (found.length === 0)
        return refuseRow(base, {
          en: `No partner named “${name}” in the registry: add it (or import the partner list) first.`,
          zh: `名录中没有名为“${name}”的伙伴：请先添加（或先导入伙伴名单）。`,
        });
      if (found.length > 1)
        return {
          ...base,
          status: "ambiguous",
          candidates: found.slice(0, 10).map((o) => ({ id: o.id, name: { en: o.nameEn, zh: o.nameZh }, country: o.countryCode })),
        };
      partnerIds.push((found[0] as (typeof found)[number]).id);
    }
    // Each person, found by any of their names (Chinese, English, their own, an alias); one several share is refused with the reason.
    const personIds: number[] = [];
    for (const name of row.values.people ?? []) {
      const found = peopleOf(name, row.values.countryCode);
      if (found.length === 0)
        return refuseRow(base, {
          en: `No one named “${name}” among the people: add them (or import the contact sheet) first.`,
          zh: `人物名录中没有“${name}”：请先添加（或先导入人物名单）。`,
        });
      if (found.length > 1)
        return refuseRow(base, {
          en: `Several people are named “${name}” (${found
            .slice(0, 5)
            .map((p) => `#${p.id}`)
            .join(", ")}): add a country column, or record this one by hand.`,
          zh: `人物名录中有${found.length}人名为“${name}”：请增加“国家”列，或手工录入此条。`,
        });
      personIds.push((found[0] as (typeof found)[number]).id);
    }
    const withPartners = { ...base, partnerIds: [...new Set(partnerIds)], personIds: [...new Set(personIds)] };
    const found = byRowKey.get(row.rowKey);
    // A record this row was, that the importer may not see (restricted, or moved to another unit): not theirs to write again.
    if (found?.exists && !found.readable)
      return refuseRow(base, {
        en: "The record this row was imported as is not one you can see (restricted, or moved to another unit); it is left as it is.",
        zh: "此行先前导入的记录您无权查看（为限制级，或已移交其他单位），此行未予处理。",
      });
    // A record since deleted: the row is new again.
    const previous = found?.readable ? found : undefined;
    if (previous?.rowHash === row.rowHash) return { ...withPartners, status: "unchanged", engagementId: previous.entityId };
    if (previous && previous.type !== row.values.type)
      return refuseRow(
        { ...withPartners, engagementId: previous.entityId },
        {
          en: `The row's kind changed from that of engagement ${previous.entityId}: change it in the record, or delete the record and import again.`,
          zh: `此行的类型与交往记录${previous.entityId}不同：请在该记录中修改，或删除后重新导入。`,
        },
      );
    // A record the office entered by hand and the file matched: the file never rewrites it (unless asked).
    if (previous && !previous.created && !options.overwrite)
      return refuseRow(
        { ...withPartners, engagementId: previous.entityId },
        {
          en: `Engagement ${previous.entityId} was recorded by hand: the file's changed row does not rewrite it (import with overwrite to apply it).`,
          zh: `交往记录${previous.entityId}为手工录入，文件中此行的改动未予写入（如需以文件为准，请选择覆盖）。`,
        },
      );
    // A changed row replaces what the file gave, never what someone wrote into the record since (unless asked).
    if (previous?.editedSince && !options.overwrite)
      return refuseRow(
        { ...withPartners, engagementId: previous.entityId },
        {
          en: `Engagement ${previous.entityId} was changed since it was imported: its row is not applied (import with overwrite to apply it).`,
          zh: `交往记录${previous.entityId}在导入后已有人修改，此行未予更新（如需以文件为准，请选择覆盖）。`,
        },
      );
    if (previous) return { ...withPartners, status: "updated", engagementId: previous.entityId };
    const earlier = state.seen.get(`e#${row.rowKey}`);
    if (earlier) return { ...withPartners, status: "unchanged", engagementId: earlier.organisationId, sameAs: earlier.line };
    const same = recorded.find(
      (e) =>
        e.startDate === row.values.startDate &&
        e.type === row.values.type &&
        e.direction === row.values.direction &&
        withPartners.partnerIds.length > 0 &&
        withPartners.partnerIds.every((id) => e.partners.includes(id)),
    );
    if (same) return { ...withPartners, status: "matched", engagementId: same.id };
    return withPartners;
  }
}

/** The record a row becomes: its kind, dates, place, titles (made from the partners where none is given) and partners. */
async function recordOf(trx: Trx, actor: Actor, row: ClassifiedEngagement): Promise<EngagementCreate> {
  const v = row.values as EngagementValues & { type: EngagementType; direction: string; startDate: string };
  const names = row.partnerIds.length
    ? await trx.selectFrom("organisations").select(["id", "nameEn", "nameZh"]).where("id", "in", row.partnerIds).execute()
    : [];
  const ordered = row.partnerIds.map((id) => names.find((n) => n.id === id)).filter((n) => n !== undefined);
  const made = titlesOf(
    v,
    ordered.map((n) => n.nameZh ?? n.nameEn),
    ordered.map((n) => n.nameEn),
  );
  const day = today();
  return {
    type: v.type,
    direction: v.direction as EngagementCreate["direction"],
    subtype: v.subtype ?? null,
    status: v.startDate > day ? "planned" : "done",
    classification: "internal",
    titleEn: cut(v.titleEn ?? (ordered.length ? made.en : v.titleZh) ?? "", 500),
    titleZh: v.titleZh ?? (ordered.length ? cut(made.zh, 500) : null),
    summaryEn: v.summaryEn ?? null,
    summaryZh: v.summaryZh ?? null,
    startDate: v.startDate,
    endDate: v.endDate ?? v.startDate,
    countryCode: v.countryCode ?? null,
    city: v.city ? cut(v.city, 200) : null,
    leadUnitId: leadUnit(actor),
    participants: [
      ...row.partnerIds.map((organisationId) => ({ organisationId, role: partnerRole(v.type, v.direction) as "guest" })),
      ...row.personIds.map((personId, index) => ({
        personId,
        role: personRole(v.type, v.direction, index) as "guest",
        ...(v.type === "visit" ? { precedence: index + 1 } : {}),
      })),
    ],
    ...(v.type === "correspondence" && v.occasion ? { details: { occasion: v.occasion } } : {}),
    // A statement is on an issue: the register's title (or the one made from the partners) names it.
    ...(v.type === "statement"
      ? { details: { issueEn: cut(v.titleEn ?? made.en, 300), issueZh: v.titleZh ? cut(v.titleZh, 300) : null } }
      : {}),
  };
}

async function write(trx: Trx, actor: Actor, importId: number, rows: ClassifiedEngagement[]): Promise<AuditEntry[]> {
  const audit: AuditEntry[] = [];
  // The batch's new engagements move the rollups once, together (they contributed nothing before).
  const rollups = await captureRollups(trx, []);
  const newIds: number[] = [];
  for (const row of rows) {
    if (row.status === "invalid" || row.status === "ambiguous") continue;
    let engagementId = row.engagementId ?? null;
    let created = false;
    // When the import last wrote the record, by the record's own clock: a later change is someone else's.
    let stamp: Date | undefined;
    if (row.status === "new") {
      const written = await insertEngagement(trx, actor, await recordOf(trx, actor, row), { importId, rollupsByCaller: true });
      engagementId = written.result.id;
      newIds.push(engagementId);
      created = true;
      stamp = new Date(written.result.updatedAt);
      audit.push(written.audit);
    } else if (row.status === "updated" && engagementId !== null) {
      const record = await recordOf(trx, actor, row);
      const { type: _type, leadUnitId: _unit, status: _status, classification: _classification, ...change } = record;
      // Only what the row gives: a field the file leaves empty (or does not have) stays as the record has it.
      const given = row.values;
      const kept: Array<[keyof EngagementValues, keyof typeof change]> = [
        ["summaryZh", "summaryZh"],
        ["summaryEn", "summaryEn"],
        ["city", "city"],
        ["countryCode", "countryCode"],
        ["occasion", "details"],
      ];
      for (const [field, key] of kept) if (given[field] === undefined) delete change[key];
      const written = await changeEngagement(trx, actor, engagementId, change as EngagementChange);
      stamp = new Date(written.result.updatedAt);
      audit.push(written.audit);
    }
    // An unchanged row leaves its record as the import that wrote it left it (that import's undo still removes it).
    if (engagementId === null || row.status === "unchanged") continue;
    row.engagementId = engagementId;
    if (row.status === "updated") {
      await trx
        .updateTable("importRows")
        .set({ rowHash: row.rowHash, written: JSON.stringify({ partners: row.partnerIds }), importedAt: stamp ?? new Date() })
        .where("kind", "=", "engagements")
        .where("rowKey", "=", row.rowKey)
        .execute();
      continue;
    }
    // New or matched: the row is this engagement from now on (a key left pointing at a record since deleted is taken over).
    const values = {
      importId,
      entityId: engagementId,
      created,
      rowHash: row.rowHash,
      written: JSON.stringify({ partners: row.partnerIds }),
      importedAt: stamp ?? new Date(),
    };
    await trx
      .insertInto("importRows")
      .values({ kind: "engagements", rowKey: row.rowKey, before: null, ...values })
      .onConflict((oc) => oc.columns(["kind", "rowKey"]).doUpdateSet(values))
      .execute();
  }
  await rollups.apply(newIds);
  return audit;
}

/** Undoes an engagement import: the engagements it created go, unless someone changed them since; those stay, counted. */
async function undo(trx: Trx, actor: Actor, importId: number) {
  const scope = forActor(actor);
  const created = await trx
    .selectFrom("importRows as r")
    .innerJoin(scope.readableEngagements(trx).as("e"), "e.id", "r.entityId")
    .select([
      "e.id",
      "e.titleEn",
      "e.titleZh",
      "e.startDate",
      "e.leadUnitId",
      "e.classification",
      sql<boolean>`date_trunc('milliseconds', e.updated_at) <= r.imported_at`.as("untouched"),
    ])
    .where("r.importId", "=", importId)
    .where("r.kind", "=", "engagements")
    .where("r.created", "=", true)
    .where("e.importId", "=", importId)
    .execute();
  // Those it created that are still there, whoever sees them (one deleted by hand since is gone already).
  const total = await trx
    .selectFrom("importRows as r")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("r.importId", "=", importId)
    .where("r.kind", "=", "engagements")
    .where("r.created", "=", true)
    .where(engagementExists(sql.ref("r.entity_id")))
    .executeTakeFirstOrThrow();
  const refuse = () => new AppError("FORBIDDEN", "Only the unit that imported these engagements may undo the import.");
  // Every engagement it created must be the actor's to delete: an undo is whole, or not at all.
  if (created.length < Number(total.n)) throw refuse();
  // Untouched: not changed, and nothing added since — an attachment or a share is someone's work too.
  const added = created.length
    ? new Set(
        (
          await scope
            .attachments(trx)
            .select("a.engagementId")
            .where(
              "a.engagementId",
              "in",
              created.map((e) => e.id),
            )
            .execute()
        ).map((a) => a.engagementId),
      )
    : new Set<number>();
  const shared = created.length
    ? new Set(
        (
          await scope
            .shares(
              trx,
              "engagement",
              created.map((e) => e.id),
            )
            .select("s.recordId")
            .execute()
        ).map((r) => r.recordId),
      )
    : new Set<number>();
  const removable = created.filter((e) => e.untouched && !added.has(e.id) && !shared.has(e.id)).map((e) => e.id);
  const rollups = await captureRollups(trx, removable);
  const deleted = removable.length
    ? await scope.deleteEngagements(trx, "engagements.delete").where("x.id", "in", removable).returning("x.id").execute()
    : [];
  if (deleted.length < removable.length) throw refuse();
  await rollups.apply();
  const gone = new Set(deleted.map((d) => d.id));
  await trx
    .deleteFrom("importRows")
    .where("importId", "=", importId)
    .where("kind", "=", "engagements")
    .where((eb) => eb.or([eb("created", "=", false), eb("entityId", "in", gone.size ? [...gone] : [-1])]))
    .execute();
  const audit: AuditEntry[] = created
    .filter((e) => gone.has(e.id))
    .map((e) => ({
      entity: "engagement",
      entityId: e.id,
      action: "delete",
      before: { titleEn: e.titleEn, titleZh: e.titleZh, startDate: e.startDate, importId },
      ...ownedBy({ unitId: e.leadUnitId, classification: e.classification }),
    }));
  return { undone: gone.size, kept: created.length - gone.size, audit };
}

/** The engagement import: its fields, and how its rows are read, met with the record, written and undone. */
export const engagementImport: ImportEngine = {
  permission: "engagements.write",
  undoPermission: "engagements.delete",
  fields: engagementFields,
  checkColumns(columns, options) {
    if (!columns.includes("date")) throw refused({ zh: "请把一列对应为“日期”。", en: "Map a column to the date." }, "columns");
    if (!columns.includes("kind") && !options.defaults.engagementKind)
      throw refused(
        {
          zh: "请把一列对应为“类型”，或为整个文件选定一种类型（如“收到函电”）。",
          en: "Map a column to the kind, or choose one kind for the whole file.",
        },
        "columns",
      );
    if (!columns.some((c) => c === "partners" || c === "people" || c === "titleZh" || c === "titleEn"))
      throw refused({ zh: "请把一列对应为“外方”或标题。", en: "Map a column to the partners or to a title." }, "columns");
  },
  prepare,
  classify(trx, batch, options, state, actor) {
    return classify(trx, batch as PreparedEngagement[], options, state, actor);
  },
  write(trx, actor, importId, rows) {
    return write(trx, actor, importId, rows as ClassifiedEngagement[]);
  },
  undo,
};
