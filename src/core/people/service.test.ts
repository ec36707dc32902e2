import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createOrganisation, getOrganisation } from "../organisations/service.ts";
import { importGeography } from "../reference/service.ts";
import {
  addContact,
  addPosition,
  createPerson,
  deletePerson,
  getPerson,
  listContacts,
  listPeople,
  removeContact,
  removePosition,
  updatePerson,
  updatePosition,
} from "./service.ts";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
  await importGeography(await administrator());
});
afterAll(() => database.close());

describe("people", () => {
  it("creates a person with structured bilingual names and finds them by any name", async () => {
    const editor = await actorInFreshUnit("editor");
    const family = unique("Nguyen");
    const person = await createPerson(editor, {
      familyNameEn: family,
      givenNameEn: "Van An",
      nameZh: "阮文安",
      nameNative: `${family} Văn An`,
      nativeLang: "vi",
      aliases: ["Anh Ba"],
      gender: "male",
      countryCode: "VNM",
    });
    expect(person).toMatchObject({
      name: { en: `Van An ${family}`, zh: "阮文安" },
      familyNameEn: family,
      gender: "male",
      country: { code: "VNM", name: { zh: "越南" } },
      aliases: ["Anh Ba"],
      positions: [],
    });
    for (const q of [family, "阮文安", "van an", "anh ba", "ruanwenan"]) {
      expect(
        (await listPeople(editor, { q })).items.map((p) => p.id),
        q,
      ).toContain(person.id);
    }
    const renamed = await updatePerson(editor, person.id, { nameZh: "阮文平", gender: "other" });
    expect(renamed).toMatchObject({ name: { en: `Van An ${family}`, zh: "阮文平" }, gender: "other" });
    expect((await listPeople(editor, { q: "阮文平" })).items.map((p) => p.id)).toContain(person.id);
    await expect(createPerson(editor, { gender: "female" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "nameEn" }] },
    });
  });

  it("records positions over time on both the person and the organisation", async () => {
    const editor = await actorInFreshUnit("editor");
    const party = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "ZAF",
      names: [{ kind: "official", lang: "en", value: unique("Congress ") }],
    });
    const person = await createPerson(editor, { nameEn: unique("Thabo ") });
    await addPosition(editor, person.id, {
      organisationId: party.id,
      titleEn: "Deputy Secretary-General",
      startDate: "2012-12-18",
      endDate: "2017-12-18",
    });
    const withTwo = await addPosition(editor, person.id, {
      organisationId: party.id,
      titleEn: "Secretary-General",
      titleZh: "总书记",
      startDate: "2017-12-18",
    });
    expect(withTwo.positions.map((p) => p.title.en)).toEqual(["Secretary-General", "Deputy Secretary-General"]);
    const org = await getOrganisation(editor, party.id);
    expect(org.people.map((p) => [p.person.id, p.title.en])).toEqual([
      [person.id, "Secretary-General"],
      [person.id, "Deputy Secretary-General"],
    ]);
    const positionId = withTwo.positions[1]?.id as number;
    const changed = await updatePosition(editor, person.id, positionId, {
      organisationId: party.id,
      titleEn: "Deputy SG",
      startDate: "2012-12-18",
      endDate: "2017-12-17",
    });
    expect(changed.positions[1]?.title.en).toBe("Deputy SG");
    await expect(
      addPosition(editor, person.id, { organisationId: party.id, titleEn: "X", startDate: "2020-01-01", endDate: "2019-01-01" }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", details: { fields: [{ path: "endDate" }] } });
    await expect(addPosition(editor, person.id, { organisationId: 99999999, titleEn: "X" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect((await removePosition(editor, person.id, positionId)).positions).toHaveLength(1);
    expect((await listPeople(editor, { organisationId: party.id })).items.map((p) => p.id)).toEqual([person.id]);
  });

  it("keeps contact details apart from the profile and within the recording unit's scope", async () => {
    const unitA = await actorInFreshUnit("editor");
    const unitB = await actorInFreshUnit("editor");
    const viewer = await actorInFreshUnit("viewer");
    const person = await createPerson(unitA, { nameEn: unique("Maria ") });
    const contact = await addContact(unitA, person.id, { kind: "email", value: "maria@example.org" });
    expect(contact).toMatchObject({ unitId: unitA.unitId, kind: "email", value: "maria@example.org" });
    expect(JSON.stringify(await getPerson(unitB, person.id))).not.toContain("maria@example.org");
    expect(await listContacts(unitA, person.id)).toHaveLength(1);
    expect(await listContacts(unitB, person.id)).toEqual([]);
    const admin = await administrator();
    expect(await listContacts(admin, person.id)).toHaveLength(1);
    await expect(listContacts(viewer, person.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(removeContact(unitB, person.id, contact.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const audit = await db()
      .selectFrom("auditLog")
      .selectAll()
      .where("entity", "=", "person_contact")
      .where("entityId", "=", String(contact.id))
      .execute();
    expect(JSON.stringify(audit)).not.toContain("maria@example.org");
    await removeContact(unitA, person.id, contact.id);
    expect(await listContacts(unitA, person.id)).toEqual([]);
  });

  it("deletes a person with their positions; only coordinators and administrators may", async () => {
    const editor = await actorInFreshUnit("editor");
    const person = await createPerson(editor, { nameEn: unique("Gone ") });
    await expect(deletePerson(editor, person.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await deletePerson(await administrator(), person.id);
    await expect(getPerson(editor, person.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
