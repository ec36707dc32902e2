import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { type Action, authorize } from "../access/policy.ts";
import type { ShareableEntity } from "../access/scope.ts";
import { notifyUsers } from "../notifications/service.ts";
import type { Actor } from "../shared/actor.ts";
import { invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, ownedBy, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { assertUnitExists } from "../units/store.ts";
import { type ShareOutput, shareInput } from "./schema.ts";

/** How each shareable record is read, locked for sharing, and named in a notification. */
const records: Record<
  ShareableEntity,
  {
    readAction: Action;
    /** Locks the record for sharing; says which unit owns it and how it is classified. */
    lock(trx: Trx, scope: DataContext, id: number): Promise<{ unitId: number; classification: string }>;
    label: { en: string; zh: string };
  }
> = {
  engagement: {
    readAction: "engagements.read",
    lock: async (trx, scope, id) => {
      const row = await scope.lockEngagement(trx, id, "records.share");
      return { unitId: row.leadUnitId, classification: row.classification };
    },
    label: { en: "an engagement", zh: "一项交往记录" },
  },
  note: {
    readAction: "notes.read",
    lock: async (trx, scope, id) => {
      const row = await scope.lockNote(trx, id, "records.share");
      return { unitId: row.unitId, classification: row.classification };
    },
    label: { en: "a note", zh: "一条备注" },
  },
};

/** Refuses a record the actor may not read, as "not found". */
async function assertReadable(executor: Executor, scope: DataContext, entity: ShareableEntity, id: number): Promise<void> {
  const found =
    entity === "engagement"
      ? await scope.engagements(executor).select("e.id").where("e.id", "=", id).executeTakeFirst()
      : await scope.notes(executor).select("n.id").where("n.id", "=", id).executeTakeFirst();
  if (!found) throw notFound(entity, id);
}

function sharesQuery(executor: Executor, scope: DataContext, entity: ShareableEntity, recordId: number) {
  return scope
    .shares(executor, entity, recordId)
    .innerJoin("units as u", "u.id", "s.unitId")
    .leftJoin("users as by", "by.id", "s.sharedBy")
    .select(["u.id as unitId", "u.nameEn", "u.nameZh", "by.id as byId", "by.displayName as byName", "s.sharedAt"])
    .orderBy("u.id");
}

async function loadShares(executor: Executor, scope: DataContext, entity: ShareableEntity, recordId: number): Promise<ShareOutput[]> {
  const rows = await sharesQuery(executor, scope, entity, recordId).execute();
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
  const scope = forActor(actor);
  await assertReadable(db(), scope, entity, id);
  return loadShares(db(), scope, entity, id);
}

/**
 * Shares an owned record with another unit, which may then read it (never change it).
 * Only those who may change the record share it; the other unit's editors are told.
 */
export async function shareRecord(actor: Actor, entity: ShareableEntity, recordId: number, input: unknown): Promise<ShareOutput[]> {
  authorize(actor, "records.share");
  const id = parseInput(idSchema, recordId);
  const { unitId } = parseInput(shareInput, input);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    const record = await records[entity].lock(trx, scope, id);
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
        { roles: ["editor", "coordinator", "viewer"], unitIds: [unitId], restricted: record.classification === "restricted" },
        {
          kind: "record_shared",
          engagementId: entity === "engagement" ? id : null,
          en: `${actor.username} shared ${label.en} with your unit.`,
          zh: `${actor.username} 与贵单位共享了${label.zh}。`,
        },
      );
    }
    return {
      result: await loadShares(trx, scope, entity, id),
      // Sharing again with the same unit changes nothing, and so leaves no audit row.
      audit: added ? { entity: `${entity}_share`, entityId: id, action: "create", after: { unitId }, ...ownedBy(record) } : [],
    };
  });
}

/** Stops sharing a record with a unit. */
export async function unshareRecord(actor: Actor, entity: ShareableEntity, recordId: number, unitId: number): Promise<void> {
  authorize(actor, "records.share");
  const id = parseInput(idSchema, recordId);
  const unit = parseInput(idSchema, unitId);
  const scope = forActor(actor);
  await mutate(actor, async (trx) => {
    const record = await records[entity].lock(trx, scope, id);
    const removed = await scope.deleteShares(trx, entity, id).where("s.unitId", "=", unit).returning("s.unitId").executeTakeFirst();
    if (!removed) throw invalidField("unitId", `The record is not shared with unit ${unit}.`);
    return {
      result: undefined,
      audit: { entity: `${entity}_share`, entityId: id, action: "delete", before: { unitId: unit }, ...ownedBy(record) },
    };
  });
}
