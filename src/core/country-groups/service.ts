import type { Selectable } from "kysely";
import { db } from "../../db/current.ts";
import type { CountryGroupTable } from "../../db/types.ts";
import { authorize } from "../access/policy.ts";
import { dropBreakdown, fillCountryGroup, lockGroupMembers, withPartnerChange } from "../engagements/rollup.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { type CountryGroupOutput, countryGroupCreateInput, countryGroupUpdateInput } from "./schema.ts";

function present(row: Selectable<CountryGroupTable>, countryCodes: string[]): CountryGroupOutput {
  return { id: row.id, key: row.key, name: { en: row.nameEn, zh: row.nameZh }, description: row.description, countryCodes };
}

async function membersOf(executor: Executor, groupIds: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return map;
  const rows = await executor
    .selectFrom("countryGroupMembers")
    .select(["groupId", "countryCode"])
    .where("groupId", "in", groupIds)
    .orderBy("countryCode")
    .execute();
  for (const r of rows) map.get(r.groupId)?.push(r.countryCode);
  return map;
}

async function writeMembers(trx: Trx, groupId: number, codes: string[]) {
  const unique = [...new Set(codes)];
  await trx.deleteFrom("countryGroupMembers").where("groupId", "=", groupId).execute();
  if (unique.length === 0) return;
  const known = new Set((await trx.selectFrom("countries").select("code").where("code", "in", unique).execute()).map((r) => r.code));
  const index = codes.findIndex((c) => !known.has(c));
  if (index >= 0) {
    throw new AppError("VALIDATION_FAILED", `No country ${codes[index]}.`, {
      fields: [{ path: `countryCodes.${index}`, message: `No country ${codes[index]}.` }],
    });
  }
  await trx
    .insertInto("countryGroupMembers")
    .values(unique.map((countryCode) => ({ groupId, countryCode })))
    .execute();
}

/**
 * Changes a group's members (`change`), moving the counts' breakdown by the group with them: only
 * the engagements that reached a country joining or leaving are counted again, and only for this
 * group's rows (a new name, or the same members, moves nothing).
 */
async function withMembersChange(trx: Trx, groupId: number, before: string[], after: string[], change: () => Promise<void>) {
  const was = new Set(before);
  const is = new Set(after);
  const moved = [...new Set([...before.filter((c) => !is.has(c)), ...after.filter((c) => !was.has(c))])];
  if (moved.length === 0) return change();
  await lockGroupMembers(trx, true);
  return withPartnerChange(trx, { countryCodes: moved }, change, { dim: "group", value: String(groupId) });
}

async function findGroup(executor: Executor, idOrKey: string | number) {
  const q = executor.selectFrom("countryGroups").selectAll();
  return (typeof idOrKey === "number" ? q.where("id", "=", idOrKey) : q.where("key", "=", idOrKey)).executeTakeFirst();
}

/** Lists the country groups with their members. */
export async function listCountryGroups(actor: Actor): Promise<CountryGroupOutput[]> {
  authorize(actor, "registry.read");
  const rows = await db().selectFrom("countryGroups").selectAll().orderBy("key").execute();
  const members = await membersOf(
    db(),
    rows.map((r) => r.id),
  );
  return rows.map((r) => present(r, members.get(r.id) ?? []));
}

/** One country group, by id or key. */
export async function getCountryGroup(actor: Actor, idOrKey: string | number): Promise<CountryGroupOutput> {
  authorize(actor, "registry.read");
  const row = await findGroup(db(), idOrKey);
  if (!row) throw notFound("country group", idOrKey);
  return present(row, (await membersOf(db(), [row.id])).get(row.id) ?? []);
}

/** Creates a named, bilingual group of countries such as "SCO members". */
export async function createCountryGroup(actor: Actor, input: unknown): Promise<CountryGroupOutput> {
  authorize(actor, "registry.write");
  const data = parseInput(countryGroupCreateInput, input);
  return mutate(actor, async (trx) => {
    if (await findGroup(trx, data.key)) {
      throw new AppError("CONFLICT", `A group with key ${data.key} exists already.`, {
        fields: [{ path: "key", message: "Already taken." }],
      });
    }
    const row = await trx
      .insertInto("countryGroups")
      .values({ key: data.key, nameEn: data.nameEn, nameZh: data.nameZh, description: data.description ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await lockGroupMembers(trx, true);
    await writeMembers(trx, row.id, data.countryCodes);
    await fillCountryGroup(trx, row.id);
    const result = present(row, [...new Set(data.countryCodes)].sort());
    return { result, audit: { entity: "country_group", entityId: row.id, action: "create", after: result } };
  });
}

/** Renames a group or replaces its members. */
export async function updateCountryGroup(actor: Actor, groupId: number, input: unknown): Promise<CountryGroupOutput> {
  authorize(actor, "registry.write");
  const data = parseInput(countryGroupUpdateInput, input);
  return mutate(actor, async (trx) => {
    const row = await trx.selectFrom("countryGroups").selectAll().where("id", "=", groupId).forUpdate().executeTakeFirst();
    if (!row) throw notFound("country group", groupId);
    const before = present(row, (await membersOf(trx, [groupId])).get(groupId) ?? []);
    if (data.key && data.key !== row.key && (await findGroup(trx, data.key))) {
      throw new AppError("CONFLICT", `A group with key ${data.key} exists already.`, {
        fields: [{ path: "key", message: "Already taken." }],
      });
    }
    const { countryCodes, ...fields } = data;
    const updated = await trx
      .updateTable("countryGroups")
      .set({ ...fields, updatedAt: new Date() })
      .where("id", "=", groupId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (countryCodes)
      await withMembersChange(trx, groupId, before.countryCodes, countryCodes, () => writeMembers(trx, groupId, countryCodes));
    const after = present(updated, (await membersOf(trx, [groupId])).get(groupId) ?? []);
    return { result: after, audit: { entity: "country_group", entityId: groupId, action: "update", before, after } };
  });
}

/** Deletes a country group (the countries stay). */
export async function deleteCountryGroup(actor: Actor, groupId: number): Promise<void> {
  authorize(actor, "registry.delete");
  await mutate(actor, async (trx) => {
    await lockGroupMembers(trx, true);
    const before = await trx.deleteFrom("countryGroups").where("id", "=", groupId).returningAll().executeTakeFirst();
    if (!before) throw notFound("country group", groupId);
    await dropBreakdown(trx, "group", String(groupId));
    return { result: undefined, audit: { entity: "country_group", entityId: groupId, action: "delete", before } };
  });
}
