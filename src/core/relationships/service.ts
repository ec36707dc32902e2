import { authorize } from "../access/policy.ts";
import type { OrganisationDetail } from "../organisations/schema.ts";
import { getOrganisation } from "../organisations/service.ts";
import { assertOrganisationExists } from "../organisations/store.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { mutate, type Trx } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { cleanMultiline } from "../shared/text.ts";
import { assertUnitExists } from "../units/store.ts";
import { partnerRelationInput, relationshipInput } from "./schema.ts";

async function lockOrganisation(trx: Trx, organisationId: number) {
  const org = await trx.selectFrom("organisations").select("id").where("id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!org) throw notFound("organisation", organisationId);
}

/** Sets our relationship with a partner: level, since when, lead unit and notes. */
export async function setRelationship(actor: Actor, organisationId: number, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(relationshipInput, input);
  await mutate(actor, async (trx) => {
    await lockOrganisation(trx, organisationId);
    await assertUnitExists(trx, data.leadUnitId);
    const before = await trx.selectFrom("relationships").selectAll().where("organisationId", "=", organisationId).executeTakeFirst();
    const values = {
      level: data.level,
      since: data.since ?? null,
      leadUnitId: data.leadUnitId ?? null,
      notes: cleanMultiline(data.notes),
      updatedAt: new Date(),
    };
    const after = await trx
      .insertInto("relationships")
      // A relationship someone edits is theirs: the demo's removal leaves it alone.
      .values({ organisationId, ...values, demo: false })
      .onConflict((oc) => oc.column("organisationId").doUpdateSet({ ...values, demo: false }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: undefined,
      audit: {
        entity: "relationship",
        entityId: organisationId,
        action: before ? "update" : "create",
        before,
        after,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
  return getOrganisation(actor, organisationId);
}

/** Records a relation between two partners, e.g. a party that is a member of an international. */
export async function addPartnerRelation(actor: Actor, organisationId: number, input: unknown): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(partnerRelationInput, input);
  if (data.toOrganisationId === organisationId) throw invalidField("toOrganisationId", "An organisation cannot be related to itself.");
  await mutate(actor, async (trx) => {
    await lockOrganisation(trx, organisationId);
    await assertOrganisationExists(trx, data.toOrganisationId, "toOrganisationId");
    const duplicate = await trx
      .selectFrom("partnerRelations")
      .select("id")
      .where("fromOrganisationId", "=", organisationId)
      .where("toOrganisationId", "=", data.toOrganisationId)
      .where("kind", "=", data.kind)
      .where("startDate", data.startDate ? "=" : "is", data.startDate ?? null)
      .executeTakeFirst();
    if (duplicate) throw new AppError("CONFLICT", "This relation is recorded already.", { relationId: duplicate.id });
    const row = await trx
      .insertInto("partnerRelations")
      .values({
        fromOrganisationId: organisationId,
        toOrganisationId: data.toOrganisationId,
        kind: data.kind,
        startDate: data.startDate ?? null,
        endDate: data.endDate ?? null,
        note: data.note ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      result: undefined,
      audit: {
        entity: "partner_relation",
        entityId: row.id,
        action: "create",
        after: row,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
  return getOrganisation(actor, organisationId);
}

/** Removes a relation between partners. */
export async function removePartnerRelation(actor: Actor, organisationId: number, relationId: number): Promise<OrganisationDetail> {
  authorize(actor, "registry.write");
  await mutate(actor, async (trx) => {
    const before = await trx
      .deleteFrom("partnerRelations")
      .where("id", "=", relationId)
      .where((eb) => eb.or([eb("fromOrganisationId", "=", organisationId), eb("toOrganisationId", "=", organisationId)]))
      .returningAll()
      .executeTakeFirst();
    if (!before) throw notFound("relation", relationId);
    return {
      result: undefined,
      audit: {
        entity: "partner_relation",
        entityId: relationId,
        action: "delete",
        before,
        subject: { kind: "organisation", id: organisationId },
      },
    };
  });
  return getOrganisation(actor, organisationId);
}
