import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { assertMayClassify, authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { notFound } from "../shared/errors.ts";
import { type Executor, mutate, ownedBy } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanMultiline } from "../shared/text.ts";
import { type NoteOutput, noteCreateInput, noteUpdateInput } from "./schema.ts";

function noteRows(executor: Executor, scope: DataContext) {
  return scope
    .notes(executor)
    .innerJoin("units as u", "u.id", "n.unitId")
    .leftJoin("users as by", "by.id", "n.createdBy")
    .leftJoin("organisations as o", "o.id", "n.organisationId")
    .leftJoin("people as p", "p.id", "n.personId")
    .select([
      "n.id",
      "n.organisationId",
      "n.personId",
      "n.classification",
      "n.body",
      "n.createdAt",
      "n.updatedAt",
      "u.id as unitId",
      "u.nameEn as unitNameEn",
      "u.nameZh as unitNameZh",
      "by.id as byId",
      "by.displayName as byName",
      sql<string>`coalesce(o.name_en, p.name_en)`.as("subjectNameEn"),
      sql<string | null>`coalesce(o.name_zh, p.name_zh)`.as("subjectNameZh"),
      scope.unitAllows("notes.write", sql.ref("n.unit_id")).as("editable"),
    ]);
}
type NoteRow = Awaited<ReturnType<ReturnType<typeof noteRows>["executeTakeFirstOrThrow"]>>;

function presentNote(row: NoteRow): NoteOutput {
  return {
    id: row.id,
    subject: {
      kind: row.organisationId !== null ? "organisation" : "person",
      id: (row.organisationId ?? row.personId) as number,
      name: { en: row.subjectNameEn, zh: row.subjectNameZh },
    },
    unit: { id: row.unitId, name: { en: row.unitNameEn, zh: row.unitNameZh } },
    classification: row.classification,
    body: row.body,
    createdBy: row.byId !== null && row.byName !== null ? { id: row.byId, displayName: row.byName } : null,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    editable: row.editable,
  };
}

/** A note as the audit files it: under its unit, with its classification. */
const noteOwnership = (n: NoteOutput) => ({ unitId: n.unit.id, classification: n.classification });

async function loadNote(executor: Executor, scope: DataContext, noteId: number): Promise<NoteOutput> {
  const row = await noteRows(executor, scope).where("n.id", "=", noteId).executeTakeFirst();
  if (!row) throw notFound("note", noteId);
  return presentNote(row);
}

type Subject = { kind: "organisation" | "person"; id: number };

async function assertSubjectExists(executor: Executor, subject: Subject): Promise<void> {
  const table = subject.kind === "organisation" ? "organisations" : "people";
  const row = await executor.selectFrom(table).select("id").where("id", "=", subject.id).executeTakeFirst();
  if (!row) throw notFound(subject.kind, subject.id);
}

/** The notes on an organisation or a person that the actor may read, newest first. */
export async function listNotes(actor: Actor, subject: Subject): Promise<NoteOutput[]> {
  authorize(actor, "notes.read");
  const target = { kind: subject.kind, id: parseInput(idSchema, subject.id) };
  await assertSubjectExists(db(), target);
  const column = target.kind === "organisation" ? "n.organisationId" : "n.personId";
  const rows = await noteRows(db(), forActor(actor)).where(column, "=", target.id).orderBy("n.id", "desc").limit(500).execute();
  return rows.map(presentNote);
}

/** One note, when the actor may read it. */
export async function getNote(actor: Actor, noteId: number): Promise<NoteOutput> {
  authorize(actor, "notes.read");
  return loadNote(db(), forActor(actor), parseInput(idSchema, noteId));
}

/** Writes a unit's note on an organisation or a person. */
export async function createNote(actor: Actor, subject: Subject, input: unknown): Promise<NoteOutput> {
  authorize(actor, "notes.write");
  const target = { kind: subject.kind, id: parseInput(idSchema, subject.id) };
  const data = parseInput(noteCreateInput, input);
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  // The note belongs to a unit where the actor writes notes: the one named, or their first such unit.
  const unitId = data.unitId ?? scope.defaultUnit("notes.write");
  return mutate(actor, async (trx) => {
    await assertSubjectExists(trx, target);
    await scope.assertUnitAllows(trx, "notes.write", unitId, "unitId");
    const row = await trx
      .insertInto("notes")
      .values({
        organisationId: target.kind === "organisation" ? target.id : null,
        personId: target.kind === "person" ? target.id : null,
        unitId,
        classification: data.classification,
        body: cleanMultiline(data.body) ?? data.body,
        createdBy: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const after = await loadNote(trx, scope, row.id);
    return { result: after, audit: { entity: "note", entityId: row.id, action: "create", after, ...ownedBy(noteOwnership(after)) } };
  });
}

/** Changes a note's text or classification (its unit only). */
export async function updateNote(actor: Actor, noteId: number, input: unknown): Promise<NoteOutput> {
  authorize(actor, "notes.write");
  const id = parseInput(idSchema, noteId);
  const data = parseInput(noteUpdateInput, input);
  assertMayClassify(actor, data.classification);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    await scope.lockNote(trx, id, "notes.write");
    const before = await loadNote(trx, scope, id);
    await scope
      .updateNotes(trx, "notes.write")
      .set({
        ...(data.body !== undefined ? { body: cleanMultiline(data.body) ?? data.body } : {}),
        ...(data.classification !== undefined ? { classification: data.classification } : {}),
        updatedAt: sql`now()`,
      })
      .where("x.id", "=", id)
      .execute();
    const after = await loadNote(trx, scope, id);
    return {
      result: after,
      audit: { entity: "note", entityId: id, action: "update", before, after, ...ownedBy(noteOwnership(before), noteOwnership(after)) },
    };
  });
}

/** Deletes a note (its unit only); its shares go with it. */
export async function deleteNote(actor: Actor, noteId: number): Promise<void> {
  authorize(actor, "notes.write");
  const id = parseInput(idSchema, noteId);
  const scope = forActor(actor);
  await mutate(actor, async (trx) => {
    await scope.lockNote(trx, id, "notes.write");
    const before = await loadNote(trx, scope, id);
    await scope.deleteNotes(trx, "notes.write").where("x.id", "=", id).execute();
    return { result: undefined, audit: { entity: "note", entityId: id, action: "delete", before, ...ownedBy(noteOwnership(before)) } };
  });
}
