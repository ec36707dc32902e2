import { db } from "../../db/current.ts";
import { anyDependentRecord, forActor } from "../access/context.ts";
import { assertMayClassify, authorize } from "../access/policy.ts";
import { assertCountryExists } from "../countries/store.ts";
import { withPartnerChange } from "../engagements/rollup.ts";
import { personMatchKeys } from "../merge/keys.ts";
import { assertOrganisationExists } from "../organisations/store.ts";
import { buildSearchText } from "../search/text.ts";
import { keepWordShares } from "../search/word-shares.ts";
import type { Actor } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, ownedBy } from "../shared/mutation.ts";
import { id as idSchema, type Page, pageTotal, parseInput } from "../shared/schema.ts";
import { cleanMultiline, cleanText } from "../shared/text.ts";
import { presentContact, presentPerson, presentPersonListItem } from "./presenter.ts";
import {
  type ContactOutput,
  contactInput,
  type PersonDetail,
  type PersonListItem,
  personCreateInput,
  personListQuery,
  personUpdateInput,
  positionInput,
} from "./schema.ts";
import { personListQuery as listQuery, personDetailQuery, personTotalQuery } from "./store.ts";

interface PersonNames {
  familyNameEn: string | null;
  givenNameEn: string | null;
  nameEn: string;
  nameZh: string | null;
  nameNative: string | null;
  aliases: string[];
}

/** The display name, search text and duplicate keys, from the structured names. */
export function nameColumns(names: PersonNames) {
  return {
    ...names,
    searchText: buildSearchText([names.nameEn, names.familyNameEn, names.givenNameEn, names.nameZh, names.nameNative, ...names.aliases]),
    matchKeys: personMatchKeys(names),
  };
}

/** The structured names of a person, cleaned, with the English name made from the parts when not given. */
export function composeNames(input: {
  familyNameEn?: string | null | undefined;
  givenNameEn?: string | null | undefined;
  nameEn?: string | undefined;
  nameZh?: string | null | undefined;
  nameNative?: string | null | undefined;
  aliases?: string[] | undefined;
}): PersonNames {
  const familyNameEn = cleanText(input.familyNameEn);
  const givenNameEn = cleanText(input.givenNameEn);
  const nameEn = cleanText(input.nameEn) ?? [givenNameEn, familyNameEn].filter(Boolean).join(" ");
  if (!nameEn) throw invalidField("nameEn", "Give the English name, or the family and given names.");
  return {
    familyNameEn,
    givenNameEn,
    nameEn,
    nameZh: cleanText(input.nameZh),
    nameNative: cleanText(input.nameNative),
    aliases: [...new Set((input.aliases ?? []).map((a) => cleanText(a)).filter((a): a is string => a !== null))],
  };
}

/** A person as the API shows them, read with `executor` (a transaction sees its own changes). */
export async function loadPerson(executor: Executor, personId: number): Promise<PersonDetail> {
  const row = await personDetailQuery(executor, personId).executeTakeFirst();
  if (!row) throw notFound("person", personId);
  return presentPerson(row);
}

/** Lists people by name query, country or organisation. */
export async function listPeople(actor: Actor, input: unknown = {}): Promise<Page<PersonListItem>> {
  authorize(actor, "registry.read");
  const query = parseInput(personListQuery, input);
  if (query.q) await keepWordShares(db());
  const rows = await listQuery(db(), query).execute();
  const counted = await pageTotal(
    query,
    rows.length,
    async (cap) => (await personTotalQuery(db(), query, cap).executeTakeFirstOrThrow()).total,
  );
  return { items: rows.map(presentPersonListItem), ...counted, page: query.page, pageSize: query.pageSize };
}

/** One person's public profile with positions over time. */
export async function getPerson(actor: Actor, personId: number): Promise<PersonDetail> {
  authorize(actor, "registry.read");
  return loadPerson(db(), parseInput(idSchema, personId));
}

/** Creates a person in the shared registry. */
export async function createPerson(actor: Actor, input: unknown): Promise<PersonDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(personCreateInput, input);
  return mutate(actor, async (trx) => {
    await assertCountryExists(trx, data.countryCode);
    const row = await trx
      .insertInto("people")
      .values({
        ...nameColumns(composeNames(data)),
        nativeLang: data.nativeLang ?? null,
        gender: data.gender ?? "unknown",
        birthYear: data.birthYear ?? null,
        countryCode: data.countryCode ?? null,
        biography: cleanMultiline(data.biography),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const result = await loadPerson(trx, row.id);
    return { result, audit: { entity: "person", entityId: row.id, action: "create", after: result } };
  });
}

/** Changes a person's public profile. */
export async function updatePerson(actor: Actor, personId: number, input: unknown): Promise<PersonDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(personUpdateInput, input);
  return mutate(actor, async (trx) => {
    const row = await trx.selectFrom("people").selectAll().where("id", "=", personId).forUpdate().executeTakeFirst();
    if (!row) throw notFound("person", personId);
    const before = await loadPerson(trx, personId);
    await assertCountryExists(trx, data.countryCode);
    const names = composeNames({
      familyNameEn: data.familyNameEn === undefined ? row.familyNameEn : data.familyNameEn,
      givenNameEn: data.givenNameEn === undefined ? row.givenNameEn : data.givenNameEn,
      nameEn: data.nameEn ?? (data.familyNameEn !== undefined || data.givenNameEn !== undefined ? undefined : row.nameEn),
      nameZh: data.nameZh === undefined ? row.nameZh : data.nameZh,
      nameNative: data.nameNative === undefined ? row.nameNative : data.nameNative,
      aliases: data.aliases ?? row.aliases,
    });
    const update = () =>
      trx
        .updateTable("people")
        .set({
          ...nameColumns(names),
          ...(data.nativeLang !== undefined ? { nativeLang: data.nativeLang } : {}),
          ...(data.gender !== undefined ? { gender: data.gender } : {}),
          ...(data.birthYear !== undefined ? { birthYear: data.birthYear } : {}),
          ...(data.countryCode !== undefined ? { countryCode: data.countryCode } : {}),
          ...(data.biography !== undefined ? { biography: cleanMultiline(data.biography) } : {}),
          updatedAt: new Date(),
        })
        .where("id", "=", personId)
        .execute();
    // A person who came without an organisation is counted in their country.
    if (data.countryCode !== undefined) await withPartnerChange(trx, { personId }, update);
    else await update();
    const after = await loadPerson(trx, personId);
    return { result: after, audit: { entity: "person", entityId: personId, action: "update", before, after } };
  });
}

/** Deletes a person with their positions and contact details. */
export async function deletePerson(actor: Actor, personId: number): Promise<void> {
  authorize(actor, "registry.delete");
  await mutate(actor, async (trx) => {
    const before = await loadPerson(trx, personId);
    // Units' contact details, notes and engagements depend on the person, some perhaps outside what the actor sees.
    if (await anyDependentRecord(trx, { personId })) {
      throw new AppError(
        "CONFLICT",
        "Engagements, notes or contact details (some perhaps of other units) name this person; merge them into another record instead, or have those removed first.",
      );
    }
    await trx.deleteFrom("people").where("id", "=", personId).execute();
    return { result: undefined, audit: { entity: "person", entityId: personId, action: "delete", before } };
  });
}

/** Adds a position: this person held this title in this organisation, from–to. */
export async function addPosition(actor: Actor, personId: number, input: unknown): Promise<PersonDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(positionInput, input);
  return mutate(actor, async (trx) => {
    const person = await trx.selectFrom("people").select("id").where("id", "=", personId).forUpdate().executeTakeFirst();
    if (!person) throw notFound("person", personId);
    await assertOrganisationExists(trx, data.organisationId, "organisationId");
    const row = await trx
      .insertInto("positions")
      .values({
        personId,
        organisationId: data.organisationId,
        titleEn: data.titleEn,
        titleZh: data.titleZh ?? null,
        startDate: data.startDate ?? null,
        endDate: data.endDate ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const result = await loadPerson(trx, personId);
    return {
      result,
      audit: { entity: "position", entityId: row.id, action: "create", after: row, subject: { kind: "person", id: personId } },
    };
  });
}

/** Replaces a position's details. */
export async function updatePosition(actor: Actor, personId: number, positionId: number, input: unknown): Promise<PersonDetail> {
  authorize(actor, "registry.write");
  const data = parseInput(positionInput, input);
  return mutate(actor, async (trx) => {
    const before = await trx
      .selectFrom("positions")
      .selectAll()
      .where("id", "=", positionId)
      .where("personId", "=", personId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound("position", positionId);
    await assertOrganisationExists(trx, data.organisationId, "organisationId");
    const after = await trx
      .updateTable("positions")
      .set({
        organisationId: data.organisationId,
        titleEn: data.titleEn,
        titleZh: data.titleZh ?? null,
        startDate: data.startDate ?? null,
        endDate: data.endDate ?? null,
      })
      .where("id", "=", positionId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const result = await loadPerson(trx, personId);
    return {
      result,
      audit: { entity: "position", entityId: positionId, action: "update", before, after, subject: { kind: "person", id: personId } },
    };
  });
}

/** Removes a position. */
export async function removePosition(actor: Actor, personId: number, positionId: number): Promise<PersonDetail> {
  authorize(actor, "registry.write");
  return mutate(actor, async (trx) => {
    const before = await trx
      .deleteFrom("positions")
      .where("id", "=", positionId)
      .where("personId", "=", personId)
      .returningAll()
      .executeTakeFirst();
    if (!before) throw notFound("position", positionId);
    const result = await loadPerson(trx, personId);
    return {
      result,
      audit: { entity: "position", entityId: positionId, action: "delete", before, subject: { kind: "person", id: personId } },
    };
  });
}

/**
 * A person's contact details, kept apart from the public profile: only those recorded
 * by units within the actor's scope.
 */
export async function listContacts(actor: Actor, personId: number): Promise<ContactOutput[]> {
  authorize(actor, "contacts.read");
  const person = await db().selectFrom("people").select("id").where("id", "=", personId).executeTakeFirst();
  if (!person) throw notFound("person", personId);
  // Only those recorded by units where the actor reads contact details; restricted ones only for the cleared.
  const rows = await forActor(actor)
    .contacts(db(), "contacts.read")
    .selectAll("pc")
    .where("pc.personId", "=", personId)
    .orderBy("pc.id")
    .execute();
  return rows.map(presentContact);
}

/** Records a contact detail, owned by the actor's unit. */
export async function addContact(actor: Actor, personId: number, input: unknown): Promise<ContactOutput> {
  authorize(actor, "contacts.write");
  const data = parseInput(contactInput, input);
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  // The detail belongs to a unit where the actor keeps contact details: the one named, or their first such unit.
  const unitId = data.unitId ?? scope.defaultUnit("contacts.write");
  return mutate(actor, async (trx) => {
    const person = await trx.selectFrom("people").select("id").where("id", "=", personId).executeTakeFirst();
    if (!person) throw notFound("person", personId);
    await scope.assertUnitAllows(trx, "contacts.write", unitId, "unitId");
    const row = await trx
      .insertInto("personContacts")
      .values({
        personId,
        unitId,
        kind: data.kind,
        value: data.value,
        note: data.note ?? null,
        classification: data.classification,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The value itself stays out of the audit trail: it is restricted data.
    return {
      result: presentContact(row),
      audit: {
        entity: "person_contact",
        entityId: row.id,
        action: "create",
        after: { personId, kind: row.kind, unitId: row.unitId },
        ...ownedBy(row),
        subject: { kind: "person", id: personId },
      },
    };
  });
}

/** Removes a contact detail within the actor's scope. */
export async function removeContact(actor: Actor, personId: number, contactId: number): Promise<void> {
  authorize(actor, "contacts.write");
  await mutate(actor, async (trx) => {
    const before = await forActor(actor)
      .deleteContacts(trx)
      .where("pc.id", "=", contactId)
      .where("pc.personId", "=", personId)
      .returning(["pc.id", "pc.personId", "pc.kind", "pc.unitId", "pc.classification"])
      .executeTakeFirst();
    if (!before) throw notFound("contact", contactId);
    return {
      result: undefined,
      audit: {
        entity: "person_contact",
        entityId: contactId,
        action: "delete",
        before,
        ...ownedBy(before),
        subject: { kind: "person", id: personId },
      },
    };
  });
}
