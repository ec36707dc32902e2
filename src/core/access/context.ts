import { type Expression, type RawBuilder, sql } from "kysely";
import { planEachTime } from "../../db/prepared.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import type { Executor, Trx } from "../shared/mutation.ts";
import { type Action, rolesAllowed } from "./policy.ts";
import { reachesEveryUnit, type ShareableEntity, unitAllows } from "./scope.ts";

/**
 * The actor's view of the owned tables: engagements (and, through them, their attachments),
 * notes, contact details, report snapshots, notifications, shares and the audit log. Every
 * query of an owned table starts here, so scope and clearance are part of its SQL from the
 * first clause: a record outside them is simply not there ("not found"). A source test
 * (`structure.test.ts`) fails when an owned table is reached any other way.
 *
 * Reading is decided by the roles that allow reading in the record's unit; changing by the
 * roles that allow the change there. Sharing lets another unit read, never change.
 */
export class DataContext {
  constructor(readonly actor: Actor) {}

  /** SQL: the unit in `column` is one where the actor may take `action`. */
  unitAllows(action: Action, column: Expression<number | null>): RawBuilder<boolean> {
    return unitAllows(this.actor, action, column);
  }

  /** True when `action` reaches every unit for the actor (administrators; a coordinator of the whole tree). */
  reachesEveryUnit(action: Action): boolean {
    return reachesEveryUnit(this.actor, action);
  }

  private cleared(alias: string): RawBuilder<boolean> {
    return this.actor.clearance ? sql<boolean>`true` : sql<boolean>`${sql.ref(`${alias}.classification`)} <> 'restricted'`;
  }

  private sharedWithReach(entity: ShareableEntity, alias: string, action: Action): RawBuilder<boolean> {
    return sql<boolean>`EXISTS (SELECT 1 FROM record_shares rs WHERE rs.entity = ${entity}
      AND rs.record_id = ${sql.ref(`${alias}.id`)} AND ${this.unitAllows(action, sql.ref("rs.unit_id"))})`;
  }

  // ---- Engagements -------------------------------------------------------------------

  /**
   * "The actor may read engagement `alias`": not restricted unless cleared, and its lead
   * unit, one of its co-units, or a unit it was shared with is one where the actor reads.
   */
  engagementReadable(alias: string): RawBuilder<boolean> {
    if (this.reachesEveryUnit("engagements.read")) return this.cleared(alias);
    const coUnit = sql<boolean>`EXISTS (SELECT 1 FROM engagement_units eu
      WHERE eu.engagement_id = ${sql.ref(`${alias}.id`)} AND ${this.unitAllows("engagements.read", sql.ref("eu.unit_id"))})`;
    const ways = [
      this.unitAllows("engagements.read", sql.ref(`${alias}.lead_unit_id`)),
      coUnit,
      this.sharedWithReach("engagement", alias, "engagements.read"),
    ];
    return sql<boolean>`(${this.cleared(alias)} AND (${sql.join(ways, sql` OR `)}))`;
  }

  /** The engagements the actor may read, as a Kysely source aliased `e`. */
  engagements(executor: Executor) {
    return executor.selectFrom(this.readableEngagements(executor).as("e"));
  }

  /** The same as a sub-query, for a join or a `jsonArrayFrom` (alias it yourself). */
  readableEngagements(executor: Executor) {
    return executor.selectFrom("engagements as x").selectAll("x").where(this.engagementReadable("x"));
  }

  /** The engagements the actor may read, as a parenthesised sub-query for raw SQL: `FROM ${data.engagementsSql} e`. */
  get engagementsSql(): RawBuilder<unknown> {
    return sql`(SELECT * FROM engagements x WHERE ${this.engagementReadable("x")})`;
  }

  /**
   * The done engagements the actor reads only because they were shared with a unit of theirs:
   * neither led by nor co-led with a unit where they read. The counts' rollups, sliced by lead
   * unit and co-units, hold everything else they read; these are added from the record. Found
   * from the shares' index, never by a scan of the record.
   */
  async doneEngagementsSharedOnly(executor: Executor): Promise<number[]> {
    if (this.reachesEveryUnit("engagements.read")) return [];
    const reads = (column: string) => this.unitAllows("engagements.read", sql.ref(column));
    const shared = await sql<{ id: number }>`SELECT rs.record_id AS id FROM record_shares rs
      WHERE rs.entity = 'engagement' AND ${reads("rs.unit_id")}`.execute(executor);
    if (shared.rows.length === 0) return [];
    // The candidates as a list planned with its length (a sub-query here is estimated as the whole table).
    const rows = await sql<{ id: number }>`${sql.raw(planEachTime)} SELECT x.id FROM unnest(${shared.rows.map((r) => r.id)}::int[]) AS c(id)
      JOIN engagements x ON x.id = c.id
      WHERE x.status = 'done' AND ${this.cleared("x")} AND NOT ${reads("x.lead_unit_id")}
        AND NOT EXISTS (SELECT 1 FROM engagement_units eu WHERE eu.engagement_id = x.id AND ${reads("eu.unit_id")})`.execute(executor);
    return rows.rows.map((r) => r.id);
  }

  /**
   * The engagements a coordination alert may mention: those the actor could be told exist
   * (a unit and a date, never the record), which is every engagement not restricted from
   * them. Coordination across units is the alert's purpose; restricted work stays hidden.
   */
  get disclosableEngagementsSql(): RawBuilder<unknown> {
    return sql`(SELECT * FROM engagements x WHERE ${this.cleared("x")})`;
  }

  /**
   * Locks one engagement for `action` and returns it: NOT_FOUND when the actor cannot read
   * it, FORBIDDEN when the action does not reach its lead unit (a co-unit or a unit it is
   * shared with reads it, never changes it).
   */
  async lockEngagement(trx: Trx, engagementId: number, action: Action) {
    const row = await trx
      .selectFrom(this.readableEngagements(trx).as("e"))
      .selectAll("e")
      .select(this.unitAllows(action, sql.ref("e.lead_unit_id")).as("allowed"))
      .where("e.id", "=", engagementId)
      .forUpdate()
      .executeTakeFirst();
    return allowedOrRefused(row, "engagement", engagementId, "Only the lead unit changes an engagement; others who see it only read it.");
  }

  /**
   * Whether the actor may take `action` on every engagement that is a session of a mechanism
   * (all of them, whoever's, restricted ones too): only then may it change them all at once.
   */
  async mayChangeEverySession(executor: Executor, mechanismId: number, action: Action): Promise<boolean> {
    const row = await sql<{ all: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM engagements x WHERE x.mechanism_id = ${mechanismId}
      AND NOT (${this.engagementReadable("x")} AND ${this.unitAllows(action, sql.ref("x.lead_unit_id"))})) AS "all"`.execute(executor);
    return row.rows[0]?.all === true;
  }

  /** An UPDATE of the engagements the actor may take `action` on (its WHERE holds the scope). */
  updateEngagements(trx: Trx, action: Action) {
    return trx
      .updateTable("engagements as x")
      .where(this.engagementReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.lead_unit_id")));
  }

  /** A DELETE of the engagements the actor may take `action` on. */
  deleteEngagements(trx: Trx, action: Action) {
    return trx
      .deleteFrom("engagements as x")
      .where(this.engagementReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.lead_unit_id")));
  }

  /** The attachments of engagements the actor may read, aliased `a`, with their engagement as `e`. */
  attachments(executor: Executor) {
    return executor
      .selectFrom("engagementAttachments as a")
      .innerJoin(this.readableEngagements(executor).as("e"), "e.id", "a.engagementId");
  }

  // ---- Notes -------------------------------------------------------------------------

  /** "The actor may read note `alias`": not restricted unless cleared; its unit or a unit it is shared with is one where the actor reads notes. */
  noteReadable(alias: string): RawBuilder<boolean> {
    if (this.reachesEveryUnit("notes.read")) return this.cleared(alias);
    const ways = [this.unitAllows("notes.read", sql.ref(`${alias}.unit_id`)), this.sharedWithReach("note", alias, "notes.read")];
    return sql<boolean>`(${this.cleared(alias)} AND (${sql.join(ways, sql` OR `)}))`;
  }

  /** The notes the actor may read, aliased `n`. */
  notes(executor: Executor) {
    return executor.selectFrom(executor.selectFrom("notes as x").selectAll("x").where(this.noteReadable("x")).as("n"));
  }

  /** Locks one note for `action`: NOT_FOUND when unreadable, FORBIDDEN when the action does not reach its unit. */
  async lockNote(trx: Trx, noteId: number, action: Action) {
    const row = await trx
      .selectFrom(trx.selectFrom("notes as x").selectAll("x").where(this.noteReadable("x")).as("n"))
      .selectAll("n")
      .select(this.unitAllows(action, sql.ref("n.unit_id")).as("allowed"))
      .where("n.id", "=", noteId)
      .forUpdate()
      .executeTakeFirst();
    return allowedOrRefused(row, "note", noteId, "Only the owning unit changes a note; units it is shared with read it.");
  }

  /** An UPDATE of the notes the actor may take `action` on. */
  updateNotes(trx: Trx, action: Action) {
    return trx
      .updateTable("notes as x")
      .where(this.noteReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.unit_id")));
  }

  /** A DELETE of the notes the actor may take `action` on. */
  deleteNotes(trx: Trx, action: Action) {
    return trx
      .deleteFrom("notes as x")
      .where(this.noteReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.unit_id")));
  }

  // ---- Tasks -------------------------------------------------------------------------

  /**
   * "The actor may read task `alias`": not restricted unless cleared, its unit one where the
   * actor reads tasks (or the actor owns it), and, for an engagement's task, the engagement
   * one the actor reads (a task never tells of work the reader may not see).
   */
  taskReadable(alias: string): RawBuilder<boolean> {
    const unit = this.reachesEveryUnit("tasks.read")
      ? sql<boolean>`true`
      : sql<boolean>`(${this.unitAllows("tasks.read", sql.ref(`${alias}.unit_id`))} OR ${sql.ref(`${alias}.owner_id`)} = ${this.actor.userId})`;
    const engagement = sql<boolean>`(${sql.ref(`${alias}.engagement_id`)} IS NULL OR EXISTS (SELECT 1 FROM engagements te
      WHERE te.id = ${sql.ref(`${alias}.engagement_id`)} AND ${this.engagementReadable("te")}))`;
    return sql<boolean>`(${this.cleared(alias)} AND ${unit} AND ${engagement})`;
  }

  /** The tasks the actor may read, aliased `t`. */
  tasks(executor: Executor) {
    return executor.selectFrom(executor.selectFrom("tasks as x").selectAll("x").where(this.taskReadable("x")).as("t"));
  }

  /** Locks one task for `action`: NOT_FOUND when unreadable, FORBIDDEN when the action does not reach its unit. */
  async lockTask(trx: Trx, taskId: number, action: Action) {
    const row = await trx
      .selectFrom(trx.selectFrom("tasks as x").selectAll("x").where(this.taskReadable("x")).as("t"))
      .selectAll("t")
      .select(this.unitAllows(action, sql.ref("t.unit_id")).as("allowed"))
      .where("t.id", "=", taskId)
      .forUpdate()
      .executeTakeFirst();
    return allowedOrRefused(row, "task", taskId, "Only the task's unit changes it.");
  }

  /** An UPDATE of the tasks the actor may take `action` on. */
  updateTasks(trx: Trx, action: Action) {
    return trx
      .updateTable("tasks as x")
      .where(this.taskReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.unit_id")));
  }

  /** A DELETE of the tasks the actor may take `action` on. */
  deleteTasks(trx: Trx, action: Action) {
    return trx
      .deleteFrom("tasks as x")
      .where(this.taskReadable("x"))
      .where(this.unitAllows(action, sql.ref("x.unit_id")));
  }

  // ---- Gifts -------------------------------------------------------------------------

  /**
   * "The actor may read gift `alias`": its engagement is one the actor reads (scope and
   * clearance), and the actor reads gifts in the engagement's lead unit: the register is the
   * lead unit's, not shown to units an engagement is merely shared with.
   */
  giftReadable(alias: string): RawBuilder<boolean> {
    const unit = this.reachesEveryUnit("gifts.read") ? sql<boolean>`true` : this.unitAllows("gifts.read", sql.ref("ge.lead_unit_id"));
    return sql<boolean>`EXISTS (SELECT 1 FROM engagements ge WHERE ge.id = ${sql.ref(`${alias}.engagement_id`)}
      AND ${this.engagementReadable("ge")} AND ${unit})`;
  }

  /** The gifts the actor may read, aliased `g`. */
  gifts(executor: Executor) {
    return executor.selectFrom(executor.selectFrom("gifts as x").selectAll("x").where(this.giftReadable("x")).as("g"));
  }

  /** "The actor may take `action` on gift `alias`": `action` reaches its engagement's lead unit. */
  private giftAllows(action: Action, alias: string): RawBuilder<boolean> {
    return sql<boolean>`EXISTS (SELECT 1 FROM engagements ge WHERE ge.id = ${sql.ref(`${alias}.engagement_id`)}
      AND ${this.unitAllows(action, sql.ref("ge.lead_unit_id"))})`;
  }

  /** Locks one gift for `action`: NOT_FOUND when unreadable, FORBIDDEN when the action does not reach its engagement's unit. */
  async lockGift(trx: Trx, giftId: number, action: Action) {
    const row = await trx
      .selectFrom(trx.selectFrom("gifts as x").selectAll("x").where(this.giftReadable("x")).as("g"))
      .selectAll("g")
      .select(this.giftAllows(action, "g").as("allowed"))
      .where("g.id", "=", giftId)
      .forUpdate()
      .executeTakeFirst();
    return allowedOrRefused(row, "gift", giftId, "Only the engagement's lead unit keeps its gifts register.");
  }

  /** An UPDATE of the gifts the actor may take `action` on. */
  updateGifts(trx: Trx, action: Action) {
    return trx.updateTable("gifts as x").where(this.giftReadable("x")).where(this.giftAllows(action, "x"));
  }

  /** A DELETE of the gifts the actor may take `action` on. */
  deleteGifts(trx: Trx, action: Action) {
    return trx.deleteFrom("gifts as x").where(this.giftReadable("x")).where(this.giftAllows(action, "x"));
  }

  // ---- Shares ------------------------------------------------------------------------

  /** "The actor may read this shareable record", as SQL over `alias`. */
  shareableReadable(entity: ShareableEntity, alias: string): RawBuilder<boolean> {
    return entity === "engagement" ? this.engagementReadable(alias) : this.noteReadable(alias);
  }

  /** The shares of a record (or of several) the actor may read, aliased `s` (none of one it may not). */
  shares(executor: Executor, entity: ShareableEntity, recordId: number | number[]) {
    const table = entity === "engagement" ? "engagements" : "notes";
    return executor
      .selectFrom("recordShares as s")
      .where("s.entity", "=", entity)
      .where("s.recordId", "in", Array.isArray(recordId) ? recordId : [recordId])
      .where(
        sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(table)} r WHERE r.id = s.record_id AND ${this.shareableReadable(entity, "r")})`,
      );
  }

  /** A DELETE of the shares of records the actor may share (`records.share` in the record's owning unit). */
  deleteShares(trx: Trx, entity: ShareableEntity, recordId: number) {
    const table = entity === "engagement" ? "engagements" : "notes";
    const unit = entity === "engagement" ? "lead_unit_id" : "unit_id";
    return trx
      .deleteFrom("recordShares as s")
      .where("s.entity", "=", entity)
      .where("s.recordId", "=", recordId)
      .where(
        sql<boolean>`EXISTS (SELECT 1 FROM ${sql.table(table)} r WHERE r.id = s.record_id AND ${this.shareableReadable(entity, "r")}
          AND ${this.unitAllows("records.share", sql.ref(`r.${unit}`))})`,
      );
  }

  // ---- Contact details ---------------------------------------------------------------

  /** The contact details the actor may read (`contacts.read`) or change (`contacts.write`), aliased `pc`. */
  contacts(executor: Executor, action: "contacts.read" | "contacts.write") {
    return executor
      .selectFrom("personContacts as pc")
      .where(this.unitAllows(action, sql.ref("pc.unit_id")))
      .where(this.cleared("pc"));
  }

  /** A DELETE of the contact details the actor may change. */
  deleteContacts(trx: Trx) {
    return trx
      .deleteFrom("personContacts as pc")
      .where(this.unitAllows("contacts.write", sql.ref("pc.unit_id")))
      .where(this.cleared("pc"));
  }

  // ---- Report snapshots --------------------------------------------------------------

  /**
   * The report snapshots the actor may read, aliased `s`: their own, and those made in units
   * where they review reports (coordinators, administrators); a cleared author's only by the cleared.
   */
  snapshots(executor: Executor) {
    // A reviewer must review every unit its author could read when it was made, or its frozen
    // figures would tell them of work they cannot see (null: its author read every unit).
    const coversScope = this.reachesEveryUnit("reports.review")
      ? sql<boolean>`true`
      : sql<boolean>`(s.scope_unit_ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest(s.scope_unit_ids) AS su(id)
          WHERE NOT ${this.unitAllows("reports.review", sql.ref("su.id"))}))`;
    const reviewed = sql<boolean>`(${coversScope} AND ${this.actor.clearance ? sql`true` : sql`NOT s.clearance`})`;
    return executor.selectFrom("reportSnapshots as s").where(sql<boolean>`(s.created_by = ${this.actor.userId} OR ${reviewed})`);
  }

  /** The units where the actor may take `action`, as ids; null when that is every unit. */
  async readableUnits(executor: Executor, action: Action): Promise<number[] | null> {
    if (this.reachesEveryUnit(action)) return null;
    const rows = await executor
      .selectFrom("units as u")
      .select("u.id")
      .where(this.unitAllows(action, sql.ref("u.id")))
      .orderBy("u.id")
      .execute();
    return rows.map((r) => r.id);
  }

  // ---- Notifications -----------------------------------------------------------------

  /**
   * The actor's own notifications, aliased `n`, without those about an engagement they can
   * no longer read (a role removed, a record made restricted since).
   */
  notifications(executor: Executor) {
    return executor
      .selectFrom("notifications as n")
      .where("n.userId", "=", this.actor.userId)
      .where(
        sql<boolean>`(n.engagement_id IS NULL OR EXISTS (SELECT 1 FROM engagements x WHERE x.id = n.engagement_id AND ${this.engagementReadable("x")}))`,
      );
  }

  /** The actor's own calendar feeds, aliased `f`. */
  calendarFeeds(executor: Executor) {
    return executor.selectFrom("calendarFeeds as f").where("f.userId", "=", this.actor.userId);
  }

  /** An UPDATE of the actor's own calendar feeds. */
  updateCalendarFeeds(trx: Trx) {
    return trx.updateTable("calendarFeeds").where("userId", "=", this.actor.userId);
  }

  /** An UPDATE of the actor's own notifications. */
  updateNotifications(trx: Trx) {
    return trx.updateTable("notifications").where("userId", "=", this.actor.userId);
  }

  // ---- Audit log ---------------------------------------------------------------------

  /** The audit rows the actor may read, aliased `a`: administrators all; coordinators those written for units they coordinate. */
  auditEntries(executor: Executor) {
    return executor.selectFrom("auditLog as a").where(this.unitAllows("audit.read", sql.ref("a.unit_id")));
  }

  /**
   * The history of one registry record, aliased `a`: every change to the shared record is
   * anyone's to read; a unit's contact details, only where the actor reads them; a change to
   * something restricted, only the cleared.
   */
  recordHistory(executor: Executor, kind: "organisation" | "person", id: number) {
    return executor
      .selectFrom("auditLog as a")
      .where("a.subjectKind", "=", kind)
      .where("a.subjectId", "=", id)
      .where(sql<boolean>`(a.entity <> 'person_contact' OR ${this.unitAllows("contacts.read", sql.ref("a.unit_id"))})`)
      .$if(!this.actor.clearance, (q) => q.where("a.restricted", "=", false));
  }

  // ---- Units -------------------------------------------------------------------------

  /** Whether the actor may take `action` in this unit (a role held there, or above it for sub-units). */
  async allowsIn(executor: Executor, action: Action, unitId: number): Promise<boolean> {
    const row = await executor
      .selectFrom("units as u")
      .select(this.unitAllows(action, sql.ref("u.id")).as("allowed"))
      .where("u.id", "=", unitId)
      .executeTakeFirst();
    return row?.allowed === true;
  }

  /**
   * Refuses a unit the record would belong to when the actor may not take `action` there:
   * an unknown unit is a field error (400), a known one outside the actor's reach FORBIDDEN.
   */
  async assertUnitAllows(executor: Executor, action: Action, unitId: number, path: string): Promise<void> {
    const row = await executor
      .selectFrom("units as u")
      .select(["u.id", "u.nameEn", this.unitAllows(action, sql.ref("u.id")).as("allowed")])
      .where("u.id", "=", unitId)
      .executeTakeFirst();
    if (!row) throw invalidField(path, `No unit ${unitId}.`);
    if (!row.allowed) {
      const message = `Your roles do not allow this in ${row.nameEn} (unit ${unitId}).`;
      throw new AppError("FORBIDDEN", message, { action, fields: [{ path, message }] });
    }
  }

  /** The unit a new record of the actor's goes to when none is named: the first where `action` is allowed. */
  defaultUnit(action: Action): number {
    const allowed = rolesAllowed(action);
    const grant = this.actor.roles.find((g) => allowed.includes(g.role));
    return grant?.unitId ?? this.actor.unitId;
  }
}

/**
 * Integrity, not reading: whether any unit keeps a record that depends on this registry entry
 * or belongs to this programme — whoever's it is, restricted ones too. A delete that would
 * take such records with it is refused; the answer says only that some exist, never which.
 */
export async function anyDependentRecord(
  executor: Executor,
  on: { organisationId: number } | { personId: number } | { programmeId: number },
): Promise<boolean> {
  const checks =
    "organisationId" in on
      ? [
          sql`SELECT 1 FROM notes WHERE organisation_id = ${on.organisationId}`,
          sql`SELECT 1 FROM engagement_participants WHERE organisation_id = ${on.organisationId}`,
        ]
      : "personId" in on
        ? [
            sql`SELECT 1 FROM notes WHERE person_id = ${on.personId}`,
            sql`SELECT 1 FROM person_contacts WHERE person_id = ${on.personId}`,
            sql`SELECT 1 FROM engagement_participants WHERE person_id = ${on.personId}`,
          ]
        : [sql`SELECT 1 FROM engagements WHERE programme_id = ${on.programmeId}`];
  const found = await sql<{ found: boolean }>`SELECT ${sql.join(
    checks.map((check) => sql`EXISTS (${check})`),
    sql` OR `,
  )} AS found`.execute(executor);
  return found.rows[0]?.found === true;
}

/** A locked row the actor may read: NOT_FOUND when there is none, FORBIDDEN when the action is not allowed on it. */
function allowedOrRefused<T extends { allowed: boolean }>(
  row: T | undefined,
  entity: string,
  id: number,
  refusal: string,
): Omit<T, "allowed"> {
  if (!row) throw notFound(entity, id);
  if (!row.allowed) throw new AppError("FORBIDDEN", refusal, { entity, id });
  const { allowed: _allowed, ...rest } = row;
  return rest;
}

/** The actor's data context: the only way into the owned tables. */
export function forActor(actor: Actor): DataContext {
  return new DataContext(actor);
}
