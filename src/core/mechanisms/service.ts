import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { assertOrganisationExists } from "../organisations/store.ts";
import type { Actor } from "../shared/actor.ts";
import { today } from "../shared/dates.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, type Trx } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanMultiline, cleanText } from "../shared/text.ts";
import {
  chairInput,
  type MechanismDetail,
  type MechanismOutput,
  type MembershipOutput,
  type MembersOn,
  mechanismCreateInput,
  mechanismUpdateInput,
  memberInput,
  membersOnQuery,
  memberUpdateInput,
} from "./schema.ts";

function mechanismRows(executor: Executor) {
  return executor
    .selectFrom("mechanisms as m")
    .innerJoin("units as u", "u.id", "m.leadUnitId")
    .selectAll("m")
    .select(["u.nameEn as unitNameEn", "u.nameZh as unitNameZh"]);
}
type MechanismRow = Awaited<ReturnType<ReturnType<typeof mechanismRows>["executeTakeFirstOrThrow"]>>;

function presentMechanism(row: MechanismRow): MechanismOutput {
  return {
    id: row.id,
    kind: row.kind,
    name: { en: row.nameEn, zh: row.nameZh },
    description: row.description,
    leadUnit: { id: row.leadUnitId, name: { en: row.unitNameEn, zh: row.unitNameZh } },
    foundedOn: row.foundedOn,
    demo: row.demo,
  };
}

const orgRef = (r: { organisationId: number; nameEn: string; nameZh: string | null; countryCode: string | null }) => ({
  id: r.organisationId,
  name: { en: r.nameEn, zh: r.nameZh },
  countryCode: r.countryCode,
});

function membersQuery(executor: Executor, mechanismId: number) {
  return executor
    .selectFrom("mechanismMembers as mm")
    .innerJoin("organisations as o", "o.id", "mm.organisationId")
    .select(["mm.id", "mm.organisationId", "o.nameEn", "o.nameZh", "o.countryCode", "mm.joinedOn", "mm.leftOn", "mm.note"])
    .where("mm.mechanismId", "=", mechanismId)
    .orderBy("mm.joinedOn")
    .orderBy("o.nameEn");
}
type MemberRow = Awaited<ReturnType<ReturnType<typeof membersQuery>["executeTakeFirstOrThrow"]>>;
const presentMember = (r: MemberRow) => ({ id: r.id, organisation: orgRef(r), joinedOn: r.joinedOn, leftOn: r.leftOn, note: r.note });

function chairsQuery(executor: Executor, mechanismId: number) {
  return executor
    .selectFrom("mechanismChairs as mc")
    .innerJoin("organisations as o", "o.id", "mc.organisationId")
    .select(["mc.id", "mc.organisationId", "o.nameEn", "o.nameZh", "o.countryCode", "mc.startDate", "mc.endDate"])
    .where("mc.mechanismId", "=", mechanismId)
    .orderBy("mc.startDate");
}
type ChairRow = Awaited<ReturnType<ReturnType<typeof chairsQuery>["executeTakeFirstOrThrow"]>>;
const presentChair = (r: ChairRow) => ({ id: r.id, organisation: orgRef(r), startDate: r.startDate, endDate: r.endDate });

async function loadMechanism(executor: Executor, actor: Actor, mechanismId: number): Promise<MechanismDetail> {
  const row = await mechanismRows(executor)
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom(forActor(actor).readableEngagements(executor).as("e"))
          .select([
            "e.id",
            "e.titleEn",
            "e.titleZh",
            "e.startDate",
            "e.status",
            "e.countryCode",
            "e.city",
            sql<number | null>`(e.details->>'edition')::int`.as("edition"),
          ])
          .whereRef("e.mechanismId", "=", "m.id")
          .orderBy("e.startDate"),
      ).as("sessions"),
    )
    .where("m.id", "=", mechanismId)
    .executeTakeFirst();
  if (!row) throw notFound("mechanism", mechanismId);
  const [members, chairs] = await Promise.all([
    membersQuery(executor, mechanismId).execute(),
    chairsQuery(executor, mechanismId).execute(),
  ]);
  return {
    ...presentMechanism(row),
    members: members.map(presentMember),
    chairs: chairs.map(presentChair),
    sessions: row.sessions.map((s) => ({
      id: s.id,
      title: { en: s.titleEn, zh: s.titleZh },
      startDate: s.startDate,
      edition: s.edition,
      status: s.status,
      place: { countryCode: s.countryCode, city: s.city },
    })),
  };
}

/** Locks a mechanism for a change by a coordinator of its lead unit (others: FORBIDDEN). */
async function lockMechanism(trx: Trx, actor: Actor, mechanismId: number): Promise<void> {
  const scope = forActor(actor);
  const found = await trx
    .selectFrom("mechanisms as m")
    .select(["m.id", scope.unitAllows("programmes.write", sql.ref("m.lead_unit_id")).as("allowed")])
    .where("m.id", "=", mechanismId)
    .forUpdate()
    .executeTakeFirst();
  if (!found) throw notFound("mechanism", mechanismId);
  if (!found.allowed) throw new AppError("FORBIDDEN", "Only coordinators of the mechanism's lead unit change it.", { mechanismId });
}

/** Lists mechanisms and platforms. */
export async function listMechanisms(actor: Actor): Promise<MechanismOutput[]> {
  authorize(actor, "engagements.read");
  return (await mechanismRows(db()).orderBy("m.nameEn").execute()).map(presentMechanism);
}

/** An organisation's memberships in mechanisms, over time, with the terms it chaired. */
export async function listMemberships(actor: Actor, organisationId: number): Promise<MembershipOutput[]> {
  authorize(actor, "engagements.read");
  const orgId = parseInput(idSchema, organisationId);
  const org = await db().selectFrom("organisations").select("id").where("id", "=", orgId).executeTakeFirst();
  if (!org) throw notFound("organisation", orgId);
  const rows = await db()
    .selectFrom("mechanismMembers as mm")
    .innerJoin("mechanisms as m", "m.id", "mm.mechanismId")
    .select((eb) => [
      "mm.id",
      "mm.joinedOn",
      "mm.leftOn",
      "m.id as mechanismId",
      "m.kind",
      "m.nameEn",
      "m.nameZh",
      jsonArrayFrom(
        eb
          .selectFrom("mechanismChairs as mc")
          .select(["mc.startDate", "mc.endDate"])
          .whereRef("mc.mechanismId", "=", "m.id")
          .whereRef("mc.organisationId", "=", "mm.organisationId")
          .orderBy("mc.startDate"),
      ).as("chaired"),
    ])
    .where("mm.organisationId", "=", orgId)
    .orderBy("mm.joinedOn", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    mechanism: { id: r.mechanismId, kind: r.kind, name: { en: r.nameEn, zh: r.nameZh } },
    joinedOn: r.joinedOn,
    leftOn: r.leftOn,
    chaired: r.chaired,
  }));
}

/** One mechanism with its memberships, chairs and sessions. */
export async function getMechanism(actor: Actor, mechanismId: number): Promise<MechanismDetail> {
  authorize(actor, "engagements.read");
  return loadMechanism(db(), actor, parseInput(idSchema, mechanismId));
}

/** The members on a date (joined on or before it, not yet left), and who chaired then. */
export async function membersOn(actor: Actor, mechanismId: number, input: unknown = {}): Promise<MembersOn> {
  authorize(actor, "engagements.read");
  const id = parseInput(idSchema, mechanismId);
  const on = parseInput(membersOnQuery, input).on ?? today();
  const found = await db().selectFrom("mechanisms").select("id").where("id", "=", id).executeTakeFirst();
  if (!found) throw notFound("mechanism", id);
  const members = await membersQuery(db(), id)
    .where("mm.joinedOn", "<=", on)
    .where((eb) => eb.or([eb("mm.leftOn", "is", null), eb("mm.leftOn", ">=", on)]))
    .execute();
  const chair = await chairsQuery(db(), id)
    .where("mc.startDate", "<=", on)
    .where((eb) => eb.or([eb("mc.endDate", "is", null), eb("mc.endDate", ">=", on)]))
    .executeTakeFirst();
  return { on, members: members.map(presentMember), chair: chair ? presentChair(chair) : null };
}

/** Creates a consultation mechanism, party forum or other standing platform. */
export async function createMechanism(actor: Actor, input: unknown): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const data = parseInput(mechanismCreateInput, input);
  return mutate(actor, async (trx) => {
    if (data.leadUnitId !== undefined) await forActor(actor).assertUnitAllows(trx, "programmes.write", data.leadUnitId, "leadUnitId");
    const row = await trx
      .insertInto("mechanisms")
      .values({ ...data, description: cleanMultiline(data.description), foundedOn: data.foundedOn ?? null })
      .returning("id")
      .executeTakeFirstOrThrow();
    const result = await loadMechanism(trx, actor, row.id);
    return { result, audit: { entity: "mechanism", entityId: row.id, action: "create", after: result, unitId: result.leadUnit.id } };
  });
}

/** Changes a mechanism's name, kind, lead unit or founding date. */
export async function updateMechanism(actor: Actor, mechanismId: number, input: unknown): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  const data = parseInput(mechanismUpdateInput, input);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const before = await loadMechanism(trx, actor, id);
    if (data.leadUnitId !== undefined) await forActor(actor).assertUnitAllows(trx, "programmes.write", data.leadUnitId, "leadUnitId");
    await trx
      .updateTable("mechanisms")
      .set({
        ...data,
        ...(data.description !== undefined ? { description: cleanMultiline(data.description) } : {}),
        updatedAt: new Date(),
      })
      .where("id", "=", id)
      .execute();
    const after = await loadMechanism(trx, actor, id);
    return { result: after, audit: { entity: "mechanism", entityId: id, action: "update", before, after, unitId: after.leadUnit.id } };
  });
}

/**
 * Deletes a mechanism with its memberships; its sessions stay as events, unlinked, when the
 * actor may change every one of them. Sessions of units the actor may not change refuse it.
 */
export async function deleteMechanism(actor: Actor, mechanismId: number): Promise<void> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  const scope = forActor(actor);
  await mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const before = await loadMechanism(trx, actor, id);
    if (!(await scope.mayChangeEverySession(trx, id, "engagements.write"))) {
      throw new AppError(
        "CONFLICT",
        "Events of other units (some perhaps outside what you see) are sessions of this mechanism; have them unlinked first.",
      );
    }
    const unlinked = await scope
      .updateEngagements(trx, "engagements.write")
      .set({ mechanismId: null })
      .where("x.mechanismId", "=", id)
      .returning("x.id")
      .execute();
    await trx.deleteFrom("mechanisms").where("id", "=", id).execute();
    return {
      result: undefined,
      audit: {
        entity: "mechanism",
        entityId: id,
        action: "delete",
        before,
        after: { unlinkedSessions: unlinked.map((e) => e.id) },
        unitId: before.leadUnit.id,
      },
    };
  });
}

type Period = { organisationId: number; from: string; to: string | null };

/**
 * A membership of the same organisation (or, for chairs, any other chair) whose period overlaps
 * this one, other than `exceptId`: its id, or null. The one overlap rule for the forms and imports.
 */
export async function findOverlap(
  trx: Trx,
  table: "mechanismMembers" | "mechanismChairs",
  mechanismId: number,
  period: Period,
  exceptId?: number,
): Promise<number | null> {
  const [fromColumn, toColumn] = table === "mechanismMembers" ? (["joined_on", "left_on"] as const) : (["start_date", "end_date"] as const);
  const sameOrg = table === "mechanismMembers" ? sql`AND organisation_id = ${period.organisationId}` : sql``;
  const clash = await sql<{
    id: number;
  }>`SELECT id FROM ${sql.table(table === "mechanismMembers" ? "mechanism_members" : "mechanism_chairs")}
    WHERE mechanism_id = ${mechanismId} ${sameOrg} AND id <> ${exceptId ?? 0}
      AND daterange(${sql.ref(fromColumn)}, ${sql.ref(toColumn)}, '[]') && daterange(${period.from}::date, ${period.to}::date, '[]')
    LIMIT 1`.execute(trx);
  return clash.rows[0]?.id ?? null;
}

/** Refuses a period that overlaps another of the same organisation (or, for chairs, any other chair). */
async function assertNoOverlap(
  trx: Trx,
  table: "mechanismMembers" | "mechanismChairs",
  mechanismId: number,
  period: Period,
  exceptId?: number,
) {
  if ((await findOverlap(trx, table, mechanismId, period, exceptId)) !== null) {
    throw new AppError(
      "CONFLICT",
      table === "mechanismMembers" ? "This organisation is already a member in that period." : "Another chair holds office in that period.",
    );
  }
}

/** Adds a membership: this organisation belonged from joinedOn (to leftOn). */
export async function addMember(actor: Actor, mechanismId: number, input: unknown): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  const data = parseInput(memberInput, input);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    await assertOrganisationExists(trx, data.organisationId, "organisationId");
    await assertNoOverlap(trx, "mechanismMembers", id, {
      organisationId: data.organisationId,
      from: data.joinedOn,
      to: data.leftOn ?? null,
    });
    const row = await trx
      .insertInto("mechanismMembers")
      .values({
        mechanismId: id,
        organisationId: data.organisationId,
        joinedOn: data.joinedOn,
        leftOn: data.leftOn ?? null,
        note: cleanText(data.note),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: await loadMechanism(trx, actor, id),
      audit: { entity: "mechanism_member", entityId: row.id, action: "create", after: row },
    };
  });
}

/** Changes a membership's dates, e.g. records that a member left. */
export async function updateMember(actor: Actor, mechanismId: number, memberId: number, input: unknown): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  const data = parseInput(memberUpdateInput, input);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const before = await trx
      .selectFrom("mechanismMembers")
      .selectAll()
      .where("id", "=", memberId)
      .where("mechanismId", "=", id)
      .executeTakeFirst();
    if (!before) throw notFound("membership", memberId);
    const joinedOn = data.joinedOn ?? before.joinedOn;
    const leftOn = data.leftOn === undefined ? before.leftOn : data.leftOn;
    if (leftOn && leftOn < joinedOn) throw invalidField("leftOn", "Cannot be before joinedOn.");
    await assertNoOverlap(trx, "mechanismMembers", id, { organisationId: before.organisationId, from: joinedOn, to: leftOn }, memberId);
    const after = await trx
      .updateTable("mechanismMembers")
      .set({ joinedOn, leftOn, ...(data.note !== undefined ? { note: cleanText(data.note) } : {}) })
      .where("id", "=", memberId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: await loadMechanism(trx, actor, id),
      audit: { entity: "mechanism_member", entityId: memberId, action: "update", before, after },
    };
  });
}

/** Removes a membership recorded in error (a member who left keeps its record, with leftOn). */
export async function removeMember(actor: Actor, mechanismId: number, memberId: number): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const before = await trx
      .deleteFrom("mechanismMembers")
      .where("id", "=", memberId)
      .where("mechanismId", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!before) throw notFound("membership", memberId);
    return {
      result: await loadMechanism(trx, actor, id),
      audit: { entity: "mechanism_member", entityId: memberId, action: "delete", before },
    };
  });
}

/** Records a chair's term; the chair must be a member when the term starts. */
export async function addChair(actor: Actor, mechanismId: number, input: unknown): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  const data = parseInput(chairInput, input);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const member = await trx
      .selectFrom("mechanismMembers")
      .select("id")
      .where("mechanismId", "=", id)
      .where("organisationId", "=", data.organisationId)
      .where("joinedOn", "<=", data.startDate)
      .where((eb) => eb.or([eb("leftOn", "is", null), eb("leftOn", ">=", data.startDate)]))
      .executeTakeFirst();
    if (!member) throw invalidField("organisationId", "The chair must be a member when the term starts.");
    await assertNoOverlap(trx, "mechanismChairs", id, {
      organisationId: data.organisationId,
      from: data.startDate,
      to: data.endDate ?? null,
    });
    const row = await trx
      .insertInto("mechanismChairs")
      .values({ mechanismId: id, organisationId: data.organisationId, startDate: data.startDate, endDate: data.endDate ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: await loadMechanism(trx, actor, id),
      audit: { entity: "mechanism_chair", entityId: row.id, action: "create", after: row },
    };
  });
}

/** Removes a chair's term. */
export async function removeChair(actor: Actor, mechanismId: number, chairId: number): Promise<MechanismDetail> {
  authorize(actor, "programmes.write");
  const id = parseInput(idSchema, mechanismId);
  return mutate(actor, async (trx) => {
    await lockMechanism(trx, actor, id);
    const before = await trx
      .deleteFrom("mechanismChairs")
      .where("id", "=", chairId)
      .where("mechanismId", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!before) throw notFound("chair term", chairId);
    return {
      result: await loadMechanism(trx, actor, id),
      audit: { entity: "mechanism_chair", entityId: chairId, action: "delete", before },
    };
  });
}
