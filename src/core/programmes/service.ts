import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { anyDependentRecord, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { countEngagements } from "../engagements/counts.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanMultiline } from "../shared/text.ts";
import { type ProgrammeDetail, type ProgrammeOutput, programmeCreateInput, programmeUpdateInput } from "./schema.ts";

function programmeRows(executor: Executor) {
  return executor
    .selectFrom("programmes as p")
    .innerJoin("units as u", "u.id", "p.leadUnitId")
    .selectAll("p")
    .select(["u.nameEn as unitNameEn", "u.nameZh as unitNameZh"]);
}
type ProgrammeRow = Awaited<ReturnType<ReturnType<typeof programmeRows>["executeTakeFirstOrThrow"]>>;

/** Shapes a programme for output. */
export function presentProgramme(row: ProgrammeRow): ProgrammeOutput {
  return {
    id: row.id,
    name: { en: row.nameEn, zh: row.nameZh },
    description: row.description,
    leadUnit: { id: row.leadUnitId, name: { en: row.unitNameEn, zh: row.unitNameZh } },
    startDate: row.startDate,
    endDate: row.endDate,
    targets: row.targets as Record<string, number>,
    demo: row.demo,
  };
}

async function loadProgramme(executor: Executor, programmeId: number): Promise<ProgrammeOutput> {
  const row = await programmeRows(executor).where("p.id", "=", programmeId).executeTakeFirst();
  if (!row) throw notFound("programme", programmeId);
  return presentProgramme(row);
}

/** Locks a programme for a change by a coordinator of its lead unit (others: FORBIDDEN) and returns it. */
async function lockProgramme(trx: Trx, actor: Actor, programmeId: number): Promise<ProgrammeOutput> {
  const found = await trx
    .selectFrom("programmes as p")
    .select(["p.id", forActor(actor).unitAllows("programmes.write", sql.ref("p.lead_unit_id")).as("allowed")])
    .where("p.id", "=", programmeId)
    .forUpdate()
    .executeTakeFirst();
  if (!found) throw notFound("programme", programmeId);
  if (!found.allowed) throw new AppError("FORBIDDEN", "Only coordinators of the programme's lead unit change it.", { programmeId });
  return loadProgramme(trx, programmeId);
}

/** Lists programmes, newest first. */
export async function listProgrammes(actor: Actor): Promise<ProgrammeOutput[]> {
  authorize(actor, "engagements.read");
  const rows = await programmeRows(db()).orderBy("p.startDate", "desc").orderBy("p.id", "desc").execute();
  return rows.map(presentProgramme);
}

/** One programme with its running totals: engagements, partners, countries, delegations and events. */
export async function getProgramme(actor: Actor, programmeId: number): Promise<ProgrammeDetail> {
  authorize(actor, "engagements.read");
  const programme = await loadProgramme(db(), parseInput(idSchema, programmeId));
  const counts = await countEngagements(actor, { programmeId: programme.id, by: "type" });
  const sum = (keys: string[]) => counts.rows.filter((r) => keys.includes(r.key)).reduce((n, r) => n + r.engagements, 0);
  return {
    ...programme,
    totals: {
      ...counts.total,
      delegationsSent: sum(["visit:sent"]),
      events: sum(["event:hosted", "event:attended"]),
      byType: counts.rows,
    },
  };
}

/** Creates a programme: a named campaign that groups engagements. */
export async function createProgramme(actor: Actor, input: unknown): Promise<ProgrammeOutput> {
  authorize(actor, "programmes.write");
  const data = parseInput(programmeCreateInput, input);
  return mutate(actor, async (trx) => {
    if (data.leadUnitId !== undefined) await forActor(actor).assertUnitAllows(trx, "programmes.write", data.leadUnitId, "leadUnitId");
    const row = await trx
      .insertInto("programmes")
      .values({
        nameEn: data.nameEn,
        nameZh: data.nameZh,
        description: cleanMultiline(data.description),
        leadUnitId: data.leadUnitId,
        startDate: data.startDate ?? null,
        endDate: data.endDate ?? null,
        targets: JSON.stringify(data.targets ?? {}),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const result = await loadProgramme(trx, row.id);
    return { result, audit: { entity: "programme", entityId: row.id, action: "create", after: result, unitId: result.leadUnit.id } };
  });
}

/** Changes a programme. */
export async function updateProgramme(actor: Actor, programmeId: number, input: unknown): Promise<ProgrammeOutput> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, programmeId);
  const data = parseInput(programmeUpdateInput, input);
  return mutate(actor, async (trx) => {
    const before = await lockProgramme(trx, actor, id);
    if (data.leadUnitId !== undefined) await forActor(actor).assertUnitAllows(trx, "programmes.write", data.leadUnitId, "leadUnitId");
    const startDate = data.startDate === undefined ? before.startDate : data.startDate;
    const endDate = data.endDate === undefined ? before.endDate : data.endDate;
    if (startDate && endDate && endDate < startDate) throw invalidField("endDate", "Cannot be before startDate.");
    await trx
      .updateTable("programmes")
      .set({
        ...(data.nameEn !== undefined ? { nameEn: data.nameEn } : {}),
        ...(data.nameZh !== undefined ? { nameZh: data.nameZh } : {}),
        ...(data.description !== undefined ? { description: cleanMultiline(data.description) } : {}),
        ...(data.leadUnitId !== undefined ? { leadUnitId: data.leadUnitId } : {}),
        startDate: startDate ?? null,
        endDate: endDate ?? null,
        ...(data.targets !== undefined ? { targets: JSON.stringify(data.targets) } : {}),
        updatedAt: new Date(),
      })
      .where("id", "=", id)
      .execute();
    const after = await loadProgramme(trx, id);
    return { result: after, audit: { entity: "programme", entityId: id, action: "update", before, after, unitId: after.leadUnit.id } };
  });
}

/** Deletes a programme that no engagement belongs to any more. */
export async function deleteProgramme(actor: Actor, programmeId: number): Promise<void> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, programmeId);
  await mutate(actor, async (trx) => {
    const before = await lockProgramme(trx, actor, id);
    if (await anyDependentRecord(trx, { programmeId: id })) {
      throw new AppError("CONFLICT", "Engagements (some perhaps of other units) still belong to this programme; have them moved first.");
    }
    await trx.deleteFrom("programmes").where("id", "=", id).execute();
    return { result: undefined, audit: { entity: "programme", entityId: id, action: "delete", before, unitId: before.leadUnit.id } };
  });
}
