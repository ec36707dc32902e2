import type { Selectable } from "kysely";
import { db } from "../../db/current.ts";
import type { LabelTable } from "../../db/types.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { mutate } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { type LabelKind, type LabelOutput, labelCreateInput, labelUpdateInput } from "./schema.ts";

const entityOf = { tags: "tag", topics: "topic" } as const;

/** Shapes a tag or topic for output. */
export function presentLabel(row: Selectable<LabelTable>): LabelOutput {
  return { id: row.id, key: row.key, name: { en: row.nameEn, zh: row.nameZh } };
}

/** Lists the tags or the topics. */
export async function listLabels(actor: Actor, kind: LabelKind): Promise<LabelOutput[]> {
  authorize(actor, "registry.read");
  const rows = await db().selectFrom(kind).selectAll().orderBy("key").execute();
  return rows.map(presentLabel);
}

/** Creates a tag or topic. */
export async function createLabel(actor: Actor, kind: LabelKind, input: unknown): Promise<LabelOutput> {
  authorize(actor, "registry.write");
  const data = parseInput(labelCreateInput, input);
  return mutate(actor, async (trx) => {
    const row = await trx
      .insertInto(kind)
      .values(data)
      .onConflict((oc) => oc.column("key").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw new AppError("CONFLICT", `The ${entityOf[kind]} ${data.key} exists already.`, {
        fields: [{ path: "key", message: "Already taken." }],
      });
    }
    return { result: presentLabel(row), audit: { entity: entityOf[kind], entityId: row.id, action: "create", after: row } };
  });
}

/** Renames a tag or topic. */
export async function updateLabel(actor: Actor, kind: LabelKind, labelId: number, input: unknown): Promise<LabelOutput> {
  authorize(actor, "registry.write");
  const data = parseInput(labelUpdateInput, input);
  return mutate(actor, async (trx) => {
    const before = await trx.selectFrom(kind).selectAll().where("id", "=", labelId).forUpdate().executeTakeFirst();
    if (!before) throw notFound(entityOf[kind], labelId);
    if (data.key && data.key !== before.key) {
      const clash = await trx.selectFrom(kind).select("id").where("key", "=", data.key).executeTakeFirst();
      if (clash) throw new AppError("CONFLICT", `The key ${data.key} is taken.`, { fields: [{ path: "key", message: "Already taken." }] });
    }
    const after = await trx.updateTable(kind).set(data).where("id", "=", labelId).returningAll().executeTakeFirstOrThrow();
    return { result: presentLabel(after), audit: { entity: entityOf[kind], entityId: labelId, action: "update", before, after } };
  });
}

/**
 * Deletes a tag, taken off every organisation that carried it, or a topic that no engagement
 * carries (an engagement's topics are part of its record: one in use is a CONFLICT).
 */
export async function deleteLabel(actor: Actor, kind: LabelKind, labelId: number): Promise<void> {
  authorize(actor, "registry.delete");
  await mutate(actor, async (trx) => {
    if (kind === "topics") {
      const used = await trx
        .selectFrom("engagementTopics")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("topicId", "=", labelId)
        .executeTakeFirstOrThrow();
      if (Number(used.n) > 0) {
        throw new AppError("CONFLICT", `The topic is on ${used.n} engagement(s): take it off them before deleting it.`);
      }
    }
    const before = await trx.deleteFrom(kind).where("id", "=", labelId).returningAll().executeTakeFirst();
    if (!before) throw notFound(entityOf[kind], labelId);
    return { result: undefined, audit: { entity: entityOf[kind], entityId: labelId, action: "delete", before } };
  });
}
