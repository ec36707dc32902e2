import { createHash } from "node:crypto";
import { sql } from "kysely";
import { forActor } from "../access/context.ts";
import { findOverlap } from "../mechanisms/service.ts";
import { foldName } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, refused } from "../shared/errors.ts";
import type { AuditEntry, Trx } from "../shared/mutation.ts";
import {
  type ClassifiedRow,
  claimRowId,
  type ImportEngine,
  type PreparedRow,
  type RunOptions,
  type RunState,
  refuseRow,
  registryFinder,
  rowError,
  rowValues,
} from "./engine.ts";
import { type CountryLookup, memberFields } from "./fields.ts";
import type { ReadRow } from "./read.ts";

/**
 * Imports the members of mechanisms and platforms (a consultation mechanism's member parties, a
 * forum's network) with the dates they joined and left: one row a membership. The mechanism is
 * the one chosen for the file or the one a row names; the member is found in the registry by
 * any of its names. A membership already recorded for the same period is that membership: the
 * row fills what it lacks (the date a member left) and never rewrites what a user entered.
 */

interface MemberValues {
  mechanism?: string;
  organisation?: string;
  countryCode?: string;
  joinedOn?: string;
  leftOn?: string;
  note?: string;
}

interface PreparedMember extends PreparedRow {
  values: MemberValues;
}

interface ClassifiedMember extends PreparedMember, ClassifiedRow {
  mechanismId: number | null;
  /** The membership the row is (matched, updated, unchanged), or was created as. */
  membershipId: number | null;
}

/** What an import wrote to a membership, for the next import's comparison and for undo. */
interface Written {
  joinedOn: string;
  leftOn: string | null;
  note: string | null;
}

function prepare(
  row: ReadRow,
  headers: string[],
  columns: Array<string | null>,
  countries: CountryLookup,
  options: RunOptions,
): PreparedMember {
  const { values, sourceId, errors, fail } = rowValues<MemberValues>(row, headers, columns, memberFields, countries);
  values.joinedOn ??= options.defaults.joinedOn;
  if (!values.organisation) fail("organisation", { en: "The row names no member.", zh: "此行没有成员名称。" });
  if (!values.mechanism && !options.defaults.mechanismId)
    fail("mechanism", { en: "The row names no mechanism.", zh: "此行没有注明所属机制。" });
  if (!values.joinedOn)
    fail("joinedOn", {
      en: "The row gives no date joined (give one for the whole file if the list has none).",
      zh: "此行没有加入时间（名单中没有时，可为整个文件指定一个）。",
    });
  if (values.note && values.note.length > 500) fail("note", { en: "Longer than 500 characters.", zh: "超过500个字符。" });
  if (values.joinedOn && values.leftOn && values.leftOn < values.joinedOn)
    fail("leftOn", { en: "The member left before it joined.", zh: "退出时间早于加入时间。" });
  // The same member of the same mechanism since the same date is the same row, whatever else changed.
  const identity = JSON.stringify([
    values.mechanism ? foldName(values.mechanism) : `#${options.defaults.mechanismId}`,
    foldName(values.organisation ?? ""),
    values.countryCode ?? "",
    values.joinedOn ?? "",
  ]);
  const rowKey = sourceId ? `id:${options.scope}:${sourceId}` : `row:${createHash("sha256").update(identity).digest("hex").slice(0, 32)}`;
  const rowHash = createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 32);
  const name = [values.organisation, values.mechanism].filter(Boolean).join(" · ");
  return { line: row.line, name, values, errors, rowKey, rowHash };
}

async function classify(
  trx: Trx,
  batch: PreparedMember[],
  options: RunOptions,
  state: RunState,
  actor: Actor,
): Promise<ClassifiedMember[]> {
  const valid = batch.filter((r) => r.errors.length === 0);
  const scope = forActor(actor);
  // Every mechanism (a short list), with whether the importer may change it: the lead unit's coordinators may.
  const mechanisms = await trx
    .selectFrom("mechanisms as m")
    .innerJoin("units as u", "u.id", "m.leadUnitId")
    .select([
      "m.id",
      "m.nameEn",
      "m.nameZh",
      "u.nameZh as unitZh",
      "u.nameEn as unitEn",
      scope.unitAllows("programmes.write", sql.ref("m.lead_unit_id")).as("allowed"),
    ])
    .execute();
  const mechanismByName = new Map(mechanisms.flatMap((m) => [[foldName(m.nameZh), m] as const, [foldName(m.nameEn), m] as const]));
  const known = valid.length
    ? await trx
        .selectFrom("importRows as r")
        .innerJoin("mechanismMembers as m", "m.id", "r.entityId")
        .select(["r.rowKey", "r.entityId", "r.rowHash", "m.mechanismId", "m.organisationId"])
        .where(sql<boolean>`r.kind = 'members' AND r.row_key = ANY(${valid.map((r) => r.rowKey)}::text[])`)
        .execute()
    : [];
  const byRowKey = new Map(known.map((k) => [k.rowKey, k]));
  const organisationOf = await registryFinder(trx, [
    ...new Set(valid.flatMap((r) => (r.values.organisation ? [r.values.organisation] : []))),
  ]);
  const chosen = Object.values(options.choices).filter((v): v is number => typeof v === "number");
  const chosenExisting = new Set(
    chosen.length ? (await trx.selectFrom("organisations").select("id").where("id", "in", chosen).execute()).map((r) => r.id) : [],
  );
  // Each row's mechanism and member, found once.
  const resolved = new Map(valid.map((row) => [row.line, resolve(row)] as const));
  // Memberships already recorded of the members the rows name, in the mechanisms they name.
  const pairs = [...resolved.values()].flatMap((r) =>
    r.mechanism && r.organisations.length === 1 ? [[r.mechanism.id, r.organisations[0]?.id]] : [],
  );
  const existing = pairs.length
    ? await trx
        .selectFrom("mechanismMembers")
        .select(["id", "mechanismId", "organisationId", "joinedOn", "leftOn", "note"])
        .where(
          sql<boolean>`(mechanism_id, organisation_id) IN (SELECT * FROM unnest(${pairs.map((p) => p[0])}::int[], ${pairs.map((p) => p[1])}::int[]))`,
        )
        .execute()
    : [];
  return batch.map(classifyRow);

  function resolve(row: PreparedMember) {
    return { mechanism: mechanismOf(row), organisations: organisationsOf(row) };
  }
  function mechanismOf(row: PreparedMember) {
    return row.values.mechanism
      ? mechanismByName.get(foldName(row.values.mechanism))
      : mechanisms.find((m) => m.id === options.defaults.mechanismId);
  }
  function organisationsOf(row: PreparedMember) {
    const choice = options.choices[String(row.line)];
    if (typeof choice === "number" && chosenExisting.has(choice)) return [{ id: choice, nameEn: "", nameZh: null, countryCode: null }];
    return row.values.organisation ? organisationOf(row.values.organisation, row.values.countryCode) : [];
  }
  function classifyRow(row: PreparedMember): ClassifiedMember {
    const base: ClassifiedMember = { ...row, status: "new", organisationId: null, candidates: [], mechanismId: null, membershipId: null };
    if (row.errors.length > 0) return { ...base, status: "invalid" };
    const repeated = claimRowId(state, row);
    if (repeated) return refuseRow(base, repeated);
    const { mechanism, organisations: found } = resolved.get(row.line) ?? resolve(row);
    if (!mechanism)
      return refuseRow(base, {
        en: `No mechanism named “${row.values.mechanism ?? options.defaults.mechanismId}”: add it under Programmes first.`,
        zh: `没有名为“${row.values.mechanism ?? options.defaults.mechanismId}”的机制：请先在“机制与项目”中添加。`,
      });
    if (!mechanism.allowed)
      return refuseRow(base, {
        en: `Only coordinators of ${mechanism.unitEn}, which leads ${mechanism.nameEn}, record its members.`,
        zh: `${mechanism.nameZh}的成员由牵头单位${mechanism.unitZh}的协调员登记。`,
      });
    if (found.length === 0)
      return refuseRow(base, {
        en: `No organisation named “${row.values.organisation}” in the registry: add it (or import the partner list) first.`,
        zh: `名录中没有名为“${row.values.organisation}”的组织：请先添加（或先导入伙伴名单）。`,
      });
    if (found.length > 1)
      return {
        ...base,
        status: "ambiguous",
        candidates: found.slice(0, 10).map((o) => ({ id: o.id, name: { en: o.nameEn, zh: o.nameZh }, country: o.countryCode })),
      };
    const organisationId = (found[0] as (typeof found)[number]).id;
    const withIds = { ...base, mechanismId: mechanism.id, organisationId };
    const previous = byRowKey.get(row.rowKey);
    // A row's own id is its membership's only while it names that membership's mechanism and member.
    if (previous && (previous.mechanismId !== mechanism.id || previous.organisationId !== organisationId))
      return refuseRow(base, {
        en: "The row's id was imported before for another mechanism or member: give this membership an id of its own.",
        zh: "此行的编号先前已用于另一机制或成员：请为此条成员记录另编编号。",
      });
    if (previous)
      return { ...withIds, status: previous.rowHash === row.rowHash ? "unchanged" : "updated", membershipId: previous.entityId };
    // The same member in the same mechanism twice in the file: the earlier row's.
    const seenKey = `m#${mechanism.id}#${organisationId}#${row.values.joinedOn}`;
    const earlier = state.seen.get(seenKey);
    if (earlier) return { ...withIds, status: "unchanged", sameAs: earlier.line };
    state.seen.set(seenKey, { line: row.line, organisationId });
    // A membership recorded for a period that overlaps the row's is that membership.
    const joinedOn = row.values.joinedOn as string;
    const leftOn = row.values.leftOn ?? null;
    const same = existing.find(
      (m) =>
        m.mechanismId === mechanism.id &&
        m.organisationId === organisationId &&
        m.joinedOn <= (leftOn ?? "9999-12-31") &&
        joinedOn <= (m.leftOn ?? "9999-12-31"),
    );
    return same ? { ...withIds, status: "matched", membershipId: same.id } : withIds;
  }
}

async function write(trx: Trx, importId: number, rows: ClassifiedMember[], options: RunOptions): Promise<AuditEntry[]> {
  const audit: AuditEntry[] = [];
  // The mechanisms the batch writes in, locked as a hand edit locks them (in one order): no one
  // changes their members meanwhile.
  const touched = [...new Set(rows.flatMap((r) => (r.mechanismId !== null ? [r.mechanismId] : [])))].sort((a, b) => a - b);
  const leadUnits = new Map(
    (
      await trx
        .selectFrom("mechanisms")
        .select(["id", "leadUnitId"])
        .where(sql<boolean>`id = ANY(${touched}::int[])`)
        .orderBy("id")
        .forUpdate()
        .execute()
    ).map((m) => [m.id, m.leadUnitId] as const),
  );
  for (const row of rows) {
    if (row.status === "invalid" || row.status === "ambiguous" || row.status === "unchanged") continue;
    const v = row.values;
    const unitId = leadUnits.get(row.mechanismId as number) ?? null;
    const written: Written = { joinedOn: v.joinedOn as string, leftOn: v.leftOn ?? null, note: v.note ?? null };
    if (row.status === "new") {
      // A membership an earlier row of the batch recorded for an overlapping period (the file
      // gives the same member twice with other dates) is that one's: never two at once.
      const overlapping = await findOverlap(trx, "mechanismMembers", row.mechanismId as number, {
        organisationId: row.organisationId as number,
        from: written.joinedOn,
        to: written.leftOn,
      });
      if (overlapping !== null) {
        row.status = "matched";
        row.membershipId = overlapping;
      }
    }
    if (row.status === "new") {
      const inserted = await trx
        .insertInto("mechanismMembers")
        .values({ mechanismId: row.mechanismId as number, organisationId: row.organisationId as number, ...written, importId })
        .returning(["id", "mechanismId", "organisationId", "joinedOn", "leftOn", "note"])
        .executeTakeFirstOrThrow();
      row.membershipId = inserted.id;
      audit.push({ entity: "mechanism_member", entityId: inserted.id, action: "create", after: { ...inserted, importId }, unitId });
      await recordRow(trx, row, importId, true, written);
      continue;
    }
    // An existing membership: a field the row gives is written where the record has none, or
    // where it still holds what an earlier import wrote (a user's change since stays), or when asked.
    const current = await trx
      .selectFrom("mechanismMembers")
      .select(["id", "joinedOn", "leftOn", "note"])
      .where("id", "=", row.membershipId as number)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const previous = await trx
      .selectFrom("importRows")
      .select("written")
      .where("kind", "=", "members")
      .where("rowKey", "=", row.rowKey)
      .executeTakeFirst();
    // What the file's row wrote before (a membership it only matched: nothing).
    const earlier = (previous?.written ?? {}) as Partial<Written>;
    const set: Partial<Written> = {};
    for (const field of ["joinedOn", "leftOn", "note"] as const) {
      const value = written[field];
      if (value === null || value === current[field]) continue;
      const untouched = field in earlier ? earlier[field] === current[field] : current[field] === null;
      if (untouched || options.overwrite) set[field] = value;
    }
    const joinedOn = set.joinedOn ?? current.joinedOn;
    const leftOn = set.leftOn !== undefined ? set.leftOn : current.leftOn;
    const datesChange = set.joinedOn !== undefined || set.leftOn !== undefined;
    const period = { organisationId: row.organisationId as number, from: joinedOn, to: leftOn };
    if (
      datesChange &&
      ((leftOn && leftOn < joinedOn) ||
        (await findOverlap(trx, "mechanismMembers", row.mechanismId as number, period, current.id)) !== null)
    ) {
      // New dates that would make the member belong twice at once are not written; the rest of the row is.
      delete set.joinedOn;
      delete set.leftOn;
      row.errors.push(
        rowError({
          en: "Its dates would overlap another membership of the same member: they were left as recorded.",
          zh: "此行的日期会与该成员的另一段成员资格重叠，未予修改。",
        }),
      );
    }
    if (Object.keys(set).length > 0) {
      await trx.updateTable("mechanismMembers").set(set).where("id", "=", current.id).execute();
      const before = Object.fromEntries(Object.keys(set).map((k) => [k, current[k as keyof Written]]));
      audit.push({
        entity: "mechanism_member",
        entityId: current.id,
        action: "update",
        before,
        after: { ...set, importId, line: row.line },
        unitId,
      });
      await recordRow(trx, row, importId, false, { ...earlier, ...set });
      // The change is this import's own to undo, whichever import the row first came with.
      await trx
        .insertInto("importRows")
        .values({
          kind: "member_changes",
          rowKey: `${importId}:${current.id}:${row.line}`,
          importId,
          entityId: current.id,
          created: false,
          rowHash: row.rowHash,
          written: JSON.stringify(set),
          before: JSON.stringify({ fields: before, rowKey: row.rowKey, line: row.line }),
        })
        .execute();
    } else await recordRow(trx, row, importId, false, earlier);
  }
  return audit;
}

/** Keeps what the file's row last wrote to its membership: for the next import's comparison, and for undo. */
async function recordRow(trx: Trx, row: ClassifiedMember, importId: number, created: boolean, written: Partial<Written>) {
  const values = {
    importId,
    entityId: row.membershipId as number,
    created,
    rowHash: row.rowHash,
    written: JSON.stringify(written),
    before: null,
    importedAt: new Date(),
  };
  await trx
    .insertInto("importRows")
    .values({ kind: "members", rowKey: row.rowKey, ...values })
    // The row stays the import's that created its membership; a later import updates what it wrote.
    .onConflict((oc) =>
      oc
        .columns(["kind", "rowKey"])
        .doUpdateSet(created ? values : { rowHash: row.rowHash, written: values.written, importedAt: new Date() }),
    )
    .execute();
}

/**
 * Undoes a members import: the fields it changed in memberships get back their values where
 * nobody changed them since (and no overlap would follow), then the memberships it created go
 * unless changed since, by a user or by a later import. The undoer must keep every mechanism
 * touched (its lead unit's coordinators): an undo is whole, or not at all.
 */
async function undo(trx: Trx, actor: Actor, importId: number) {
  const scope = forActor(actor);
  const rows = await trx
    .selectFrom("importRows as r")
    .innerJoin("mechanismMembers as m", "m.id", "r.entityId")
    .innerJoin("mechanisms as k", "k.id", "m.mechanismId")
    .select([
      "r.kind",
      "r.rowKey",
      "r.entityId",
      "r.created",
      "r.written",
      "r.before",
      "r.importedAt",
      "m.joinedOn",
      "m.leftOn",
      "m.note",
      "m.mechanismId",
      "m.organisationId",
      "k.leadUnitId",
      scope.unitAllows("programmes.write", sql.ref("k.lead_unit_id")).as("allowed"),
      // Changed by a later import since (its own change record, not undone).
      sql<boolean>`EXISTS (SELECT 1 FROM import_rows c WHERE c.kind = 'member_changes' AND c.entity_id = r.entity_id
        AND c.import_id <> ${importId})`.as("changedSince"),
    ])
    .where("r.importId", "=", importId)
    .where("r.kind", "in", ["members", "member_changes"])
    .execute();
  if (rows.some((r) => !r.allowed))
    throw new AppError("FORBIDDEN", "Only coordinators of the lead units of every mechanism this import changed may undo it.");
  const audit: AuditEntry[] = [];
  let undone = 0;
  let kept = 0;
  const lineOf = (r: (typeof rows)[number]) => (r.before as { line?: number } | null)?.line ?? 0;
  // The latest change first (in a batch, the later row), so that each gives back what was there before it.
  const changes = rows
    .filter((r) => r.kind === "member_changes")
    .sort((a, b) => new Date(b.importedAt).getTime() - new Date(a.importedAt).getTime() || lineOf(b) - lineOf(a));
  for (const row of changes) {
    const wrote = row.written as unknown as Partial<Written>;
    const { fields, rowKey } = row.before as unknown as { fields: Partial<Written>; rowKey: string };
    const current: Written = { joinedOn: row.joinedOn, leftOn: row.leftOn, note: row.note };
    const restore = Object.fromEntries(
      Object.entries(fields).filter(([field]) => current[field as keyof Written] === wrote[field as keyof Written]),
    ) as Partial<Written>;
    if (Object.keys(restore).length === 0) continue;
    const restored = { ...current, ...restore };
    if (restored.leftOn && restored.leftOn < restored.joinedOn) continue;
    if (
      (restore.joinedOn !== undefined || restore.leftOn !== undefined) &&
      (await findOverlap(
        trx,
        "mechanismMembers",
        row.mechanismId,
        { organisationId: row.organisationId, from: restored.joinedOn, to: restored.leftOn },
        row.entityId,
      )) !== null
    )
      continue;
    await trx.updateTable("mechanismMembers").set(restore).where("id", "=", row.entityId).execute();
    for (const other of rows) if (other.entityId === row.entityId) Object.assign(other, restore);
    // The row's record says what is there now, for the next import's comparison.
    await trx
      .updateTable("importRows")
      .set({ written: sql`written || ${JSON.stringify(restore)}::jsonb` })
      .where("kind", "=", "members")
      .where("rowKey", "=", rowKey)
      .execute();
    const rowWritten = rows.find((r) => r.kind === "members" && r.rowKey === rowKey);
    if (rowWritten) rowWritten.written = { ...(rowWritten.written as object), ...restore } as never;
    audit.push({
      entity: "mechanism_member",
      entityId: row.entityId,
      action: "update",
      before: current,
      after: { ...restore, importId },
      unitId: row.leadUnitId,
    });
  }
  for (const row of rows.filter((r) => r.kind === "members" && r.created)) {
    const written = row.written as unknown as Written;
    const current: Written = { joinedOn: row.joinedOn, leftOn: row.leftOn, note: row.note };
    const untouched = current.joinedOn === written.joinedOn && current.leftOn === written.leftOn && current.note === written.note;
    if (!untouched || row.changedSince) {
      kept++;
      continue;
    }
    await trx.deleteFrom("mechanismMembers").where("id", "=", row.entityId).where("importId", "=", importId).execute();
    audit.push({
      entity: "mechanism_member",
      entityId: row.entityId,
      action: "delete",
      before: { ...current, importId },
      unitId: row.leadUnitId,
    });
    undone++;
  }
  await trx.deleteFrom("importRows").where("importId", "=", importId).where("kind", "in", ["members", "member_changes"]).execute();
  return { undone, kept, audit };
}

/** The members import: lists of a mechanism's members, with the dates they joined and left. */
export const memberImport: ImportEngine = {
  permission: "programmes.write",
  undoPermission: "programmes.write",
  fields: memberFields,
  checkColumns(columns, options) {
    if (!columns.includes("organisation"))
      throw refused({ zh: "请把一列对应为“成员组织”。", en: "Map a column to the member organisation." }, "columns");
    if (!columns.includes("mechanism") && !options.defaults.mechanismId)
      throw refused(
        {
          zh: "请选择这些成员所属的机制，或把一列对应为“机制或平台”。",
          en: "Choose the mechanism these are members of, or map a column to it.",
        },
        "columns",
      );
    if (!columns.includes("joinedOn") && !options.defaults.joinedOn)
      throw refused(
        {
          zh: "名单中没有加入时间：请指定成员自何时起为成员。",
          en: "The list gives no date joined: say since when the members are members.",
        },
        "columns",
      );
  },
  prepare,
  classify(trx, batch, options, state, actor) {
    return classify(trx, batch as PreparedMember[], options, state, actor);
  },
  write(trx, _actor, importId, rows, options) {
    return write(trx, importId, rows as ClassifiedMember[], options);
  },
  undo(trx, actor, importId) {
    return undo(trx, actor, importId);
  },
};
