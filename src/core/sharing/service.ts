import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { type Action, authorize } from "../access/policy.ts";
import type { ShareableEntity } from "../access/scope.ts";
import { engagementVisible, lockEditable } from "../engagements/service.ts";
import { lockEditableNote, noteVisible } from "../notes/service.ts";
import { notifyUsers } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { assertUnitExists } from "../units/store.ts";
import { type ShareOutput, shareInput } from "./schema.ts";

/** How each shareable record is found for reading and locked for a change. */
const records: Record<
  ShareableEntity,
  {
    readAction: Action;
    table: "engagements" | "notes";
    visible(actor: Actor, alias: string): RawBuilder<boolean>;
    lock(trx: Trx, actor: Actor, id: number): Promise<unknown>;
    label: { en: string; zh: string };
  }
> = {
  engagement: {
    readAction: "engagements.read",
    table: "engagements",
    visible: engagementVisible,
    lock: (trx, actor, id) => lockEditable(trx, actor, id),
    label: { en: "an engagement", zh: "一项交往记录" },
  },
  note: {
    readAction: "notes.read",
    table: "notes",
    visible: noteVisible,
    lock: (trx, actor, id) => lockEditableNote(trx, actor, id),
    label: { en: "a note", zh: "一条备注" },
  },
};

/** Refuses a record the actor may not read, as "not found". */
async function assertVisible(executor: Executor, actor: Actor, entity: ShareableEntity, id: number): Promise<void> {
  const { table, visible } = records[entity];
  const found = await sql`SELECT 1 FROM ${sql.table(table)} AS r WHERE r.id = ${id} AND ${visible(actor, "r")}`.execute(executor);
  if (found.rows.length === 0) throw notFound(entity, id);
}

function sharesQuery(executor: Executor, entity: ShareableEntity, recordId: number) {
  return executor
    .selectFrom("recordShares as s")
    .innerJoin("units as u", "u.id", "s.unitId")
    .leftJoin("users as by", "by.id", "s.sharedBy")
    .select(["u.id as unitId", "u.nameEn", "u.nameZh", "by.id as byId", "by.displayName as byName", "s.sharedAt"])
    .where("s.entity", "=", entity)
    .where("s.recordId", "=", recordId)
    .orderBy("u.id");
}

async function loadShares(executor: Executor, entity: ShareableEntity, recordId: number): Promise<ShareOutput[]> {
  const rows = await sharesQuery(executor, entity, recordId).execute();
  return rows.map((r) => ({
    unit: { id: r.unitId, name: { en: r.nameEn, zh: r.nameZh } },
    sharedBy: r.byId !== null && r.byName !== null ? { id: r.byId, displayName: r.byName } : null,
    sharedAt: new Date(r.sharedAt).toISOString(),
  }));
}

/** The units a record is shared with, for anyone who may read the record. */
export async function listShares(actor: Actor, entity: ShareableEntity, recordId: number): Promise<ShareOutput[]> {
  authorize(actor, records[entity].readAction);
  const id = parseInput(idSchema, recordId);
  await assertVisible(db(), actor, entity, id);
  return loadShares(db(), entity, id);
}

/**
 * Shares an owned record with another unit, which may then read it (never change it).
 * Only those who may change the record share it; the other unit's editors are told.
 */
export async function shareRecord(actor: Actor, entity: ShareableEntity, recordId: number, input: unknown): Promise<ShareOutput[]> {
  authorize(actor, "records.share");
  const id = parseInput(idSchema, recordId);
  const { unitId } = parseInput(shareInput, input);
  return mutate(actor, async (trx) => {
    await records[entity].lock(trx, actor, id);
    await assertUnitExists(trx, unitId, "unitId");
    const added = await trx
      .insertInto("recordShares")
      .values({ entity, recordId: id, unitId, sharedBy: actor.userId })
      .onConflict((oc) => oc.doNothing())
      .returning("unitId")
      .executeTakeFirst();
    if (added) {
      const label = records[entity].label;
      await notifyUsers(
        trx,
        actor,
        { roles: ["editor", "coordinator", "viewer"], unitIds: [unitId] },
        {
          kind: "record_shared",
          engagementId: entity === "engagement" ? id : null,
          en: `${actor.username} shared ${label.en} with your unit.`,
          zh: `${actor.username} 与贵单位共享了${label.zh}。`,
        },
      );
    }
    return {
      result: await loadShares(trx, entity, id),
      // Sharing again with the same unit changes nothing, and so leaves no audit row.
      audit: added ? { entity: `${entity}_share`, entityId: id, action: "create", after: { unitId } } : [],
    };
  });
}

/** Stops sharing a record with a unit. */
export async function unshareRecord(actor: Actor, entity: ShareableEntity, recordId: number, unitId: number): Promise<void> {
  authorize(actor, "records.share");
  const id = parseInput(idSchema, recordId);
  const unit = parseInput(idSchema, unitId);
  await mutate(actor, async (trx) => {
    await records[entity].lock(trx, actor, id);
    const removed = await trx
      .deleteFrom("recordShares")
      .where("entity", "=", entity)
      .where("recordId", "=", id)
      .where("unitId", "=", unit)
      .returning("unitId")
      .executeTakeFirst();
    if (!removed) throw invalidField("unitId", `The record is not shared with unit ${unit}.`);
    return { result: undefined, audit: { entity: `${entity}_share`, entityId: id, action: "delete", before: { unitId: unit } } };
  });
}
