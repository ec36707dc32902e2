import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { countEngagements } from "../engagements/counts.ts";
import { createEngagement, deleteEngagement, getEngagement, listEngagements, updateEngagement } from "../engagements/service.ts";
import { listNotifications } from "../notifications/service.ts";
import { createOrganisation } from "../organisations/service.ts";
import { addContact, createPerson, listContacts } from "../people/service.ts";
import type { Actor } from "../shared/actor.ts";
import { listShares, shareRecord, unshareRecord } from "../sharing/service.ts";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "./service.ts";

let database: Database;
let editorA: Actor;
let viewerA: Actor;
let editorB: Actor;
let clearedA: Actor;
let orgId: number;
let personId: number;

beforeAll(async () => {
  database = await openTestDatabase();
  editorA = await actorInFreshUnit("editor");
  editorB = await actorInFreshUnit("editor");
  const viewer = await actorInFreshUnit("viewer");
  // The viewer and the cleared editor work in A's unit.
  await db().updateTable("userRoles").set({ unitId: editorA.unitId }).where("userId", "=", viewer.userId).execute();
  viewerA = { ...viewer, unitId: editorA.unitId, roles: [{ unitId: editorA.unitId, role: "viewer" }] };
  clearedA = { ...editorA, clearance: true };
  const admin = await administrator();
  orgId = (await createOrganisation(admin, { kind: "political_party", names: [{ kind: "official", lang: "en", value: "Party of Notes" }] }))
    .id;
  personId = (await createPerson(admin, { nameEn: "Ana Contact" })).id;
});
afterAll(() => database.close());

describe("notes", () => {
  it("belong to a unit: its scope reads them, others do not find them, only the unit changes them", async () => {
    const note = await createNote(editorA, { kind: "organisation", id: orgId }, { body: "  Prefers meetings in the morning.  " });
    expect(note).toMatchObject({ body: "Prefers meetings in the morning.", unit: { id: editorA.unitId }, editable: true });
    expect(note.subject).toMatchObject({ kind: "organisation", id: orgId, name: { en: "Party of Notes" } });
    expect((await listNotes(viewerA, { kind: "organisation", id: orgId })).map((n) => n.id)).toEqual([note.id]);
    expect(await listNotes(editorB, { kind: "organisation", id: orgId })).toEqual([]);
    await expect(getNote(editorB, note.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(updateNote(editorB, note.id, { body: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(updateNote(viewerA, note.id, { body: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await updateNote(editorA, note.id, { body: "Mornings, and tea." })).body).toBe("Mornings, and tea.");
    await expect(createNote(editorA, { kind: "person", id: 424242 }, { body: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a unit outside the writer's scope and restricted classification without clearance", async () => {
    await expect(createNote(editorA, { kind: "person", id: personId }, { body: "x", unitId: editorB.unitId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      details: { fields: [{ path: "unitId" }] },
    });
    await expect(createNote(editorA, { kind: "person", id: personId }, { body: "x", unitId: 424242 })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "unitId" }] },
    });
    await expect(createNote(editorA, { kind: "person", id: personId }, { body: "x", classification: "restricted" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const secret = await createNote(clearedA, { kind: "person", id: personId }, { body: "Private line", classification: "restricted" });
    expect((await listNotes(clearedA, { kind: "person", id: personId })).map((n) => n.id)).toContain(secret.id);
    expect((await listNotes(editorA, { kind: "person", id: personId })).map((n) => n.id)).not.toContain(secret.id);
    await expect(getNote(editorA, secret.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("sharing", () => {
  it("lets another unit read a shared engagement but not change it, and stops when unshared", async () => {
    const e = await createEngagement(editorA, {
      type: "talks",
      direction: "none",
      titleEn: "Talks shared later",
      startDate: "2024-05-05",
      leadUnitId: editorA.unitId,
      participants: [{ organisationId: orgId, role: "participant" }],
    });
    await expect(getEngagement(editorB, e.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(shareRecord(editorB, "engagement", e.id, { unitId: editorB.unitId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(shareRecord(viewerA, "engagement", e.id, { unitId: editorB.unitId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(shareRecord(editorA, "engagement", e.id, { unitId: 424242 })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });

    const shares = await shareRecord(editorA, "engagement", e.id, { unitId: editorB.unitId });
    expect(shares).toMatchObject([{ unit: { id: editorB.unitId }, sharedBy: { id: editorA.userId } }]);
    // Sharing twice changes nothing.
    expect(await shareRecord(editorA, "engagement", e.id, { unitId: editorB.unitId })).toHaveLength(1);
    expect((await getEngagement(editorB, e.id)).id).toBe(e.id);
    expect((await listEngagements(editorB)).items.map((i) => i.id)).toEqual([e.id]);
    expect((await listShares(editorB, "engagement", e.id)).map((s) => s.unit.id)).toEqual([editorB.unitId]);
    const bCounts = await countEngagements(editorB, { by: "type", from: "2024-01-01", to: "2024-12-31" });
    expect(bCounts.total.engagements).toBe(1);
    await expect(updateEngagement(editorB, e.id, { titleEn: "Changed by B" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteEngagement(editorB, e.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const told = await listNotifications(editorB);
    expect(told.items.map((n) => [n.kind, n.engagementId])).toContainEqual(["record_shared", e.id]);

    await expect(unshareRecord(editorB, "engagement", e.id, editorB.unitId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await unshareRecord(editorA, "engagement", e.id, editorB.unitId);
    await expect(getEngagement(editorB, e.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(unshareRecord(editorA, "engagement", e.id, editorB.unitId)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("shares notes read-only, and a deleted record takes its shares with it", async () => {
    const note = await createNote(editorA, { kind: "organisation", id: orgId }, { body: "Shared with B" });
    await shareRecord(editorA, "note", note.id, { unitId: editorB.unitId });
    expect(await getNote(editorB, note.id)).toMatchObject({ id: note.id, editable: false });
    await expect(updateNote(editorB, note.id, { body: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteNote(editorB, note.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await deleteNote(editorA, note.id);
    const left = await db()
      .selectFrom("recordShares")
      .select("recordId")
      .where("entity", "=", "note")
      .where("recordId", "=", note.id)
      .execute();
    expect(left).toEqual([]);
  });

  it("keeps restricted records restricted when shared", async () => {
    const e = await createEngagement(clearedA, {
      type: "talks",
      direction: "none",
      titleEn: "Restricted talks",
      startDate: "2024-06-06",
      leadUnitId: editorA.unitId,
      classification: "restricted",
    });
    await shareRecord(clearedA, "engagement", e.id, { unitId: editorB.unitId });
    await expect(getEngagement(editorB, e.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getEngagement({ ...editorB, clearance: true }, e.id)).resolves.toMatchObject({ id: e.id });
  });
});

describe("contact details", () => {
  it("leaves restricted contact details out for readers without clearance", async () => {
    const open = await addContact(editorA, personId, { kind: "email", value: "ana@example.org" });
    expect(open.classification).toBe("internal");
    await expect(
      addContact(editorA, personId, { kind: "phone", value: "+1 555 0100", classification: "restricted" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const secret = await addContact(clearedA, personId, { kind: "phone", value: "+1 555 0100", classification: "restricted" });
    expect((await listContacts(clearedA, personId)).map((c) => c.id)).toEqual([open.id, secret.id]);
    expect((await listContacts(editorA, personId)).map((c) => c.id)).toEqual([open.id]);
    expect(await listContacts(editorB, personId)).toEqual([]);
  });
});
