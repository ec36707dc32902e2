import type { Kysely, Transaction } from "kysely";
import { insertMany } from "../../db/bulk.ts";
import { onPrimary, primaryDb } from "../../db/current.ts";
import { storageState } from "../../db/storage.ts";
import type { DB } from "../../db/types.ts";
import { forgetCredentials } from "../auth/credential-cache.ts";
import type { Actor } from "./actor.ts";

export type Trx = Transaction<DB>;
export type Executor = Kysely<DB> | Trx;

/** One audit row: what changed, by whom, for which unit. */
export interface AuditEntry {
  entity: string;
  entityId: string | number | null;
  action: string;
  before?: unknown;
  after?: unknown;
  /** The unit the record belongs to (its coordinators read the row); the actor's own unit when absent. */
  unitId?: number | null;
  /** The record is (or was) restricted: the uncleared see that it changed, not which or how. */
  restricted?: boolean;
  /**
   * The registry record whose history the row belongs to (a status, a position or a relation
   * is part of an organisation's or a person's); an organisation's or a person's own rows
   * name themselves when absent.
   */
  subject?: { kind: "organisation" | "person"; id: number };
}

/** The record whose history an audit row is part of. */
function subjectOf(entry: AuditEntry): AuditEntry["subject"] | null {
  if (entry.subject) return entry.subject;
  if ((entry.entity === "organisation" || entry.entity === "person") && typeof entry.entityId === "number") {
    return { kind: entry.entity, id: entry.entityId };
  }
  return null;
}

const secretKeys = new Set(["password", "passwordHash", "token", "tokenHash", "secret"]);

function withoutSecrets(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (key, v) => (secretKeys.has(key) ? undefined : v));
}

/** The audit fields of a record that belongs to a unit: filed under that unit, and marked when restricted. */
export function ownedBy(
  ...records: Array<{ unitId: number; classification: string } | undefined>
): Pick<AuditEntry, "unitId" | "restricted"> {
  const known = records.filter((r): r is { unitId: number; classification: string } => r !== undefined);
  return { unitId: known.at(-1)?.unitId ?? null, restricted: known.some((r) => r.classification === "restricted") };
}

/** Writes an audit row inside the caller's transaction. */
export async function writeAudit(trx: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
  await writeAudits(trx, actor, [entry]);
}

/** Writes audit rows inside the caller's transaction, in one statement (an import's batch writes a thousand). */
export async function writeAudits(trx: Executor, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await insertMany(
    trx,
    "auditLog",
    auditColumns,
    entries.map((entry) => auditRow({ userId: actor.userId, unitId: entry.unitId !== undefined ? entry.unitId : actor.unitId }, entry)),
  );
}

/** Writes an audit row for someone who may not be signed in (a failed login names no actor). */
export async function writeAuditAs(trx: Executor, who: { userId: number | null; unitId: number | null }, entry: AuditEntry): Promise<void> {
  await insertMany(trx, "auditLog", auditColumns, [auditRow(who, entry)]);
}

const auditColumns = {
  actorId: "int",
  unitId: "int",
  entity: "text",
  entityId: "text",
  action: "text",
  before: "jsonb",
  after: "jsonb",
  restricted: "bool",
  subjectKind: "text",
  subjectId: "int",
} as const;

function auditRow(who: { userId: number | null; unitId: number | null }, entry: AuditEntry) {
  return {
    actorId: who.userId,
    unitId: who.unitId,
    entity: entry.entity,
    entityId: entry.entityId === null ? null : String(entry.entityId),
    action: entry.action,
    before: withoutSecrets(entry.before),
    after: withoutSecrets(entry.after),
    restricted: entry.restricted ?? false,
    subjectKind: subjectOf(entry)?.kind ?? null,
    subjectId: subjectOf(entry)?.id ?? null,
  };
}

/** What a change audited as one of these can alter: whether a token or session holds (a sign-out is audited as "login"), and what it grants. */
const credentialEntities = new Set(["api_token", "session", "login", "user", "unit", "demo"]);

/**
 * Runs a mutation in one transaction. The work returns its result and the audit
 * entries it owes; they are written in the same transaction, so a rollback leaves none.
 */
export async function mutate<T>(actor: Actor, work: (trx: Trx) => Promise<{ result: T; audit: AuditEntry | AuditEntry[] }>): Promise<T> {
  let touchesCredentials = false;
  // On the primary, even when called from a read routed to a replica.
  const result = await onPrimary(() =>
    primaryDb()
      .transaction()
      .execute(async (trx) => {
        const { result, audit } = await work(trx);
        const entries = Array.isArray(audit) ? audit : [audit];
        await writeAudits(trx, actor, entries);
        touchesCredentials = entries.some((entry) => credentialEntities.has(entry.entity));
        return result;
      }),
  );
  // This process's own change to who may do what holds for its very next request; other
  // processes hear of it from the database's notice (migration 0034).
  if (touchesCredentials) forgetCredentials();
  // A committed write proves the storage takes writes again (after a full disk was freed).
  storageState.recordWrite();
  return result;
}
