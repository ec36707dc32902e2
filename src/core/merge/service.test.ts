import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, actorInFreshUnit, administrator, freshUnit, insertOrganisation } from "../../../test/support/factories.ts";
import { rollupSnapshot } from "../../../test/support/rollups.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { rebuildRollups } from "../engagements/rollup.ts";
import { createEngagement, getEngagement } from "../engagements/service.ts";
import { getRecordHistory } from "../history/service.ts";
import { addMember, createMechanism, getMechanism } from "../mechanisms/service.ts";
import { createNote, listNotes } from "../notes/service.ts";
import {
  addOrganisationCongress,
  addOrganisationStatus,
  createOrganisation,
  getOrganisation,
  listOrganisations,
} from "../organisations/service.ts";
import { standingDrift } from "../organisations/store.ts";
import { addContact, addPosition, createPerson, getPerson, listContacts } from "../people/service.ts";
import { importReference } from "../reference/service.ts";
import { addPartnerRelation, setRelationship } from "../relationships/service.ts";
import type { Actor } from "../shared/actor.ts";
import { remainingReferences } from "./references.ts";
import { dismissDuplicate, listDuplicates, mergedInto, mergeOrganisations, mergePeople } from "./service.ts";

let database: Database;
let admin: Actor;
let coordinator: Actor;
let editor: Actor;
const partyByPfId = async (partyfactsId: number) =>
  (await db().selectFrom("organisations").select("id").where("partyfactsId", "=", partyfactsId).executeTakeFirstOrThrow()).id;
const party = async (actor: Actor, country: string, names: Array<[string, string, string]>) =>
  (
    await createOrganisation(actor, {
      kind: "political_party",
      countryCode: country,
      names: names.map(([kind, lang, value]) => ({ kind, lang, value })),
    })
  ).id;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importReference(admin);
  const unit = await freshUnit();
  coordinator = await actorIn(unit, "coordinator", { clearance: true });
  editor = await actorIn(unit, "editor");
}, 240_000);
afterAll(() => database.close());

describe("duplicates", () => {
  it("finds the real registry's near-duplicates: one party listed twice by Party Facts, names equal after folding", async () => {
    const all = await listDuplicates(editor, "organisation", { pageSize: 200 });
    console.log(
      `duplicate candidates in the Party Facts registry: ${all.total} pairs; the surest: ${all.items
        .slice(0, 5)
        .map((c) => `${c.a.name.en} / ${c.b.name.en} (${c.score})`)
        .join("; ")}`,
    );
    const pairOf = async (x: number, y: number) => {
      const [a, b] = [await partyByPfId(x), await partyByPfId(y)].sort((p, q) => p - q);
      return all.items.find((c) => c.a.id === a && c.b.id === b);
    };
    // The Justicialist Party and the National Party of Australia each appear twice, with one Wikidata id.
    for (const [x, y] of [
      [623, 8059],
      [777, 1743],
    ] as const) {
      const pair = await pairOf(x, y);
      expect(pair, `${x}/${y}`).toBeDefined();
      expect(pair?.reasons.map((r) => r.rule)).toContain("wikidata");
      expect(pair?.score).toBeGreaterThanOrEqual(0.95);
    }
    // Two parties of one name in two countries are not one party: only a shared Wikidata id pairs across countries.
    for (const c of all.items.filter((x) => x.a.country?.code !== x.b.country?.code))
      expect(c.reasons.map((r) => r.rule)).toContain("wikidata");
    // Sorted surest first.
    const scores = all.items.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((p, q) => q - p));
  });

  it("matches across scripts and spellings: traditional and simplified, accents and punctuation, abbreviations; and forgets a dismissed pair", async () => {
    const a = await party(editor, "TWN", [
      ["official", "zh", "民主進步黨"],
      ["abbreviation", "en", "DPPX"],
    ]);
    const b = await party(editor, "TWN", [
      ["official", "zh", "民主进步党"],
      ["official", "en", "Democratic  Progressive Party (X)"],
    ]);
    const c = await party(editor, "FRA", [["official", "fr", "Rassemblement pour l'Égalité"]]);
    const d = await party(editor, "FRA", [
      ["official", "fr", "rassemblement pour legalite"],
      ["abbreviation", "fr", "RPE"],
    ]);
    const e = await party(editor, "FRA", [
      ["official", "fr", "Union des Égaux"],
      ["abbreviation", "fr", "RPE"],
    ]);
    const f = await party(editor, "FRA", [["official", "fr", "Rassemblement pour l'Egalite des Chances"]]);
    const of = async (id: number) => (await listDuplicates(editor, "organisation", { id })).items;
    const zh = await of(a);
    expect(zh.map((x) => [x.a.id, x.b.id])).toContainEqual([a, b].sort((p, q) => p - q));
    expect(zh.find((x) => x.a.id === Math.min(a, b))?.reasons.map((r) => r.rule)).toContain("chinese_name");
    const latin = await of(c);
    expect(latin.find((x) => [x.a.id, x.b.id].includes(d))?.reasons.map((r) => r.rule)).toContain("same_name");
    // An abbreviation alone is a weak reason, and names merely alike weaker than one in common.
    const abbreviation = (await of(d)).find((x) => [x.a.id, x.b.id].includes(e));
    expect(abbreviation?.reasons.map((r) => r.rule)).toEqual(["abbreviation"]);
    const alike = (await listDuplicates(editor, "organisation", { id: c, minScore: 0 })).items.find((x) => [x.a.id, x.b.id].includes(f));
    if (alike) expect(alike.score).toBeLessThan(latin.find((x) => [x.a.id, x.b.id].includes(d))?.score ?? 0);
    // A pair someone found to be two partners is not offered again.
    await dismissDuplicate(editor, "organisation", { aId: e, bId: d });
    expect((await of(d)).some((x) => [x.a.id, x.b.id].includes(e))).toBe(false);
    // People: the same name written in another order, or the same Chinese name.
    const p1 = (await createPerson(editor, { nameEn: "Nguyen Van An", countryCode: "VNM" })).id;
    const p2 = (await createPerson(editor, { nameEn: "An Nguyen Van", countryCode: "VNM" })).id;
    const p3 = (await createPerson(editor, { nameEn: "Someone Else", nameZh: "阮文安", countryCode: "VNM" })).id;
    const p4 = (await createPerson(editor, { nameEn: "Nguyen V. An", nameZh: "阮文安", countryCode: "VNM" })).id;
    const people = (await listDuplicates(editor, "person", { country: "VNM" })).items.map((x) => [x.a.id, x.b.id]);
    expect(people).toContainEqual([p1, p2]);
    expect(people).toContainEqual([p3, p4]);
  });
});

describe("merging two organisations", () => {
  it("moves every dependent row to the survivor, keeps the rollups exact, redirects the merged id and records it in both histories", async () => {
    const otherUnit = await freshUnit();
    const otherEditor = await actorIn(otherUnit, "editor", { clearance: true });
    const survivor = await party(editor, "KEN", [
      ["official", "en", "Kenya Unity Party"],
      ["official", "zh", "肯尼亚团结党"],
    ]);
    const merged = await party(otherEditor, "KEN", [
      ["official", "en", "Kenya Unity Party (KUP)"],
      ["abbreviation", "en", "KUP"],
      ["former", "en", "Unity Movement of Kenya"],
    ]);
    const third = await party(editor, "TZA", [["official", "en", "Tanzania Unity Party"]]);
    // Everything that can name an organisation, some of it another unit's and restricted.
    const both = await createEngagement(editor, {
      type: "talks",
      direction: "received",
      titleEn: "Talks with both records",
      leadUnitId: editor.unitId,
      startDate: "2024-03-01",
      status: "done",
      participants: [
        { organisationId: survivor, role: "participant" },
        { organisationId: merged, role: "participant" },
      ],
    });
    const restricted = await createEngagement(otherEditor, {
      type: "visit",
      direction: "sent",
      titleEn: "A restricted visit",
      leadUnitId: otherUnit,
      startDate: "2023-05-01",
      status: "done",
      classification: "restricted",
      participants: [{ organisationId: merged, role: "host" }],
    });
    const person = (await createPerson(editor, { nameEn: "Wanjiku Kamau", countryCode: "KEN" })).id;
    await addPosition(editor, person, { organisationId: merged, titleEn: "Secretary-General" });
    await createNote(otherEditor, { kind: "organisation", id: merged }, { body: "Met at the forum.", classification: "internal" });
    await addOrganisationStatus(editor, merged, { status: "in_government", validFrom: "2022-09-13" });
    await addOrganisationStatus(editor, survivor, { status: "in_government", validFrom: "2022-09-13", validTo: "2027-08-31" });
    await addOrganisationCongress(editor, merged, { opensOn: "2025-06-01", ordinal: 3 });
    await setRelationship(coordinator, merged, { level: "established", since: "2019-01-01" });
    await addPartnerRelation(editor, merged, { toOrganisationId: third, kind: "coalition_with" });
    await addPartnerRelation(editor, merged, { toOrganisationId: survivor, kind: "coalition_with" });
    const mechanism = await createMechanism(coordinator, {
      kind: "party_forum",
      nameEn: "East African forum",
      nameZh: "东非论坛",
      leadUnitId: coordinator.unitId,
    });
    await addMember(coordinator, mechanism.id, { organisationId: merged, joinedOn: "2020-01-01" });

    await expect(mergeOrganisations(editor, { survivorId: survivor, mergedId: merged })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const result = await mergeOrganisations(coordinator, { survivorId: survivor, mergedId: merged, choose: { foundedYear: "merged" } });
    expect(await remainingReferences(db(), "organisations", merged)).toBe(0);
    const movedTables = result.moved.map((m) => m.table);
    for (const table of [
      "engagement_participants",
      "positions",
      "notes",
      "organisation_congresses",
      "relationships",
      "partner_relations",
      "mechanism_members",
    ]) {
      expect(movedTables, table).toContain(table);
    }
    // The engagement that named both names the survivor once; the restricted one names it too.
    expect((await getEngagement(editor, both.id)).participants.filter((p) => p.organisation?.id === survivor)).toHaveLength(1);
    expect((await getEngagement(otherEditor, restricted.id)).participants[0]?.organisation?.id).toBe(survivor);
    // The survivor ranks as engaged, with the merged record's relationship and both records' days in government.
    expect(await standingDrift(db(), [survivor])).toEqual([]);
    const after = await getOrganisation(editor, survivor);
    // Names united: the survivor's official names, the merged record's as aliases, its former name and abbreviation kept.
    expect(after.name).toMatchObject({ en: "Kenya Unity Party", zh: "肯尼亚团结党" });
    expect(after.names.map((n) => [n.kind, n.value])).toEqual(
      expect.arrayContaining([
        ["alias", "Kenya Unity Party (KUP)"],
        ["abbreviation", "KUP"],
        ["former", "Unity Movement of Kenya"],
      ]),
    );
    // The same status on both records is one, spanning both; the relationship the survivor lacked came over.
    expect(after.statuses.filter((s) => s.status === "in_government")).toEqual([
      expect.objectContaining({ validFrom: "2022-09-13", validTo: null }),
    ]);
    expect(after.relationship?.level).toBe("established");
    expect(after.relations.map((r) => r.organisation.id)).toEqual([third]);
    expect(after.people.map((p) => p.person.id)).toContain(person);
    expect((await listNotes(otherEditor, { kind: "organisation", id: survivor })).map((n) => n.body)).toContain("Met at the forum.");
    expect((await getMechanism(coordinator, mechanism.id)).members.map((m) => m.organisation.id)).toContain(survivor);
    // The merged id answers with a pointer; searching its old name finds the survivor.
    await expect(getOrganisation(editor, merged)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await mergedInto("organisation", merged)).toBe(survivor);
    expect((await listOrganisations(editor, { q: "Unity Movement of Kenya" })).items[0]?.id).toBe(survivor);
    // Rollups: exactly what a rebuild from the records gives.
    const kept = await rollupSnapshot();
    await db()
      .transaction()
      .execute((trx) => rebuildRollups(trx));
    expect(await rollupSnapshot()).toEqual(kept);
    // Both histories tell it.
    const survivorHistory = await getRecordHistory(editor, "organisation", survivor);
    expect(survivorHistory.items[0]).toMatchObject({ action: "merge", changes: [{ field: "merged" }] });
    const mergedHistory = await getRecordHistory(editor, "organisation", merged);
    expect(mergedHistory.items[0]).toMatchObject({
      action: "merged_into",
      changes: [{ field: "survivor", after: expect.stringContaining(String(survivor)) }],
    });
    expect(mergedHistory.items.map((i) => i.entity)).toEqual(
      expect.arrayContaining(["organisation_status", "organisation_congress", "relationship", "partner_relation"]),
    );
  });

  it("refuses two records that contradict each other, and changes nothing", async () => {
    const a = await party(editor, "GHA", [["official", "en", "Ghana Progress Party"]]);
    const b = await party(editor, "GHA", [["official", "en", "Ghana Progress Party!"]]);
    await addOrganisationStatus(editor, a, { status: "in_government", validFrom: "2020-01-07" });
    await addOrganisationStatus(editor, b, { status: "opposition", validFrom: "2021-01-01" });
    await expect(mergeOrganisations(coordinator, { survivorId: a, mergedId: b })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await getOrganisation(editor, b)).statuses).toHaveLength(1);
    await expect(mergeOrganisations(coordinator, { survivorId: a, mergedId: a })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(mergeOrganisations(coordinator, { survivorId: a, mergedId: 999_999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("merges two records that hold no names of their own (written straight into the table), keeping the survivor's", async () => {
    const a = await insertOrganisation("political_party", "GHA", "Bare Party A");
    const b = await insertOrganisation("political_party", "GHA", "Bare Party B");
    await mergeOrganisations(coordinator, { survivorId: a, mergedId: b });
    expect((await getOrganisation(editor, a)).name.en).toBe("Bare Party A");
    await expect(getOrganisation(editor, b)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps a merged Party Facts party merged through a reload of the reference data", async () => {
    const [first, second] = [await partyByPfId(623), await partyByPfId(8059)];
    await mergeOrganisations(coordinator, { survivorId: first, mergedId: second });
    const count = async () =>
      (await db().selectFrom("organisations").select(db().fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    const before = Number(await count());
    await importReference(admin, { force: true });
    expect(Number(await count())).toBe(before);
    expect(await mergedInto("organisation", second)).toBe(first);
  }, 240_000);
});

describe("merging two people", () => {
  it("moves positions, engagements and each unit's contact details, keeps every name findable, and redirects", async () => {
    const org = await party(editor, "ZAF", [["official", "en", "South African Renewal Party"]]);
    const survivor = (await createPerson(editor, { nameEn: "Thabo Nkosi", countryCode: "ZAF" })).id;
    const merged = (await createPerson(editor, { nameEn: "Nkosi Thabo", nameZh: "塔博·恩科西", gender: "male", countryCode: "ZAF" })).id;
    await addPosition(editor, merged, { organisationId: org, titleEn: "Chairperson", startDate: "2020-01-01" });
    await addContact(editor, merged, { kind: "email", value: "thabo@example.org" });
    await addContact(editor, survivor, { kind: "email", value: "THABO@example.org" });
    const visit = await createEngagement(editor, {
      type: "visit",
      direction: "received",
      titleEn: "Visit of a delegation",
      leadUnitId: editor.unitId,
      startDate: "2024-04-01",
      status: "done",
      participants: [{ personId: merged, organisationId: org, role: "delegation_leader" }],
    });
    const viewer = await actorInFreshUnit("viewer");
    await expect(mergePeople(viewer, { survivorId: survivor, mergedId: merged })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await mergePeople(coordinator, { survivorId: survivor, mergedId: merged });
    expect(await remainingReferences(db(), "people", merged)).toBe(0);
    const after = await getPerson(editor, survivor);
    expect(after.name).toEqual({ en: "Thabo Nkosi", zh: "塔博·恩科西" });
    expect(after.gender).toBe("male");
    expect(after.aliases).toContain("Nkosi Thabo");
    expect(after.positions.map((p) => p.title.en)).toEqual(["Chairperson"]);
    expect((await listContacts(editor, survivor)).map((c) => c.value.toLowerCase())).toEqual(["thabo@example.org"]);
    expect((await getEngagement(editor, visit.id)).participants[0]?.person?.id).toBe(survivor);
    expect(await mergedInto("person", merged)).toBe(survivor);
    expect((await getRecordHistory(editor, "person", survivor)).items[0]?.action).toBe("merge");
  });
});
