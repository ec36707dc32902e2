import type { Actor, Role } from "../shared/actor.ts";
import { AppError } from "../shared/errors.ts";

/**
 * The declared role × action table. Anything not listed here is denied: an action a
 * service asks about that is missing from this table is a programming error and fails.
 */
export const permissions = {
  "registry.read": ["administrator", "coordinator", "editor", "viewer"],
  "registry.write": ["administrator", "coordinator", "editor"],
  "registry.delete": ["administrator", "coordinator"],
  // A merge moves every unit's records from one partner to another and removes one record.
  "registry.merge": ["administrator", "coordinator"],
  "geography.write": ["administrator"],
  "units.read": ["administrator", "coordinator", "editor", "viewer"],
  "units.write": ["administrator"],
  "users.read": ["administrator", "coordinator"],
  "users.write": ["administrator"],
  "contacts.read": ["administrator", "coordinator", "editor"],
  "contacts.write": ["administrator", "coordinator", "editor"],
  "audit.read": ["administrator", "coordinator"],
  "audit.export": ["administrator"],
  "reference.import": ["administrator"],
  // The full export holds every record of every unit: the installation's business.
  "data.export": ["administrator"],
  "engagements.read": ["administrator", "coordinator", "editor", "viewer"],
  "engagements.write": ["administrator", "coordinator", "editor"],
  "engagements.export": ["administrator", "coordinator", "editor", "viewer"],
  "engagements.delete": ["administrator", "coordinator", "editor"],
  "notes.read": ["administrator", "coordinator", "editor", "viewer"],
  "notes.write": ["administrator", "coordinator", "editor"],
  "tasks.read": ["administrator", "coordinator", "editor", "viewer"],
  "tasks.write": ["administrator", "coordinator", "editor"],
  // The gifts register is a declaration record, kept by those who work the engagement; viewers
  // (a leader reading the record) do not see what was given or received.
  "gifts.read": ["administrator", "coordinator", "editor"],
  "gifts.write": ["administrator", "coordinator", "editor"],
  "records.share": ["administrator", "coordinator", "editor"],
  "programmes.write": ["administrator", "coordinator"],
  "approvals.decide": ["administrator", "coordinator"],
  "reports.configure": ["administrator"],
  "reports.snapshot": ["administrator", "coordinator", "editor", "viewer"],
  "reports.review": ["administrator", "coordinator"],
  "demo.manage": ["administrator"],
  "account.manage": ["administrator", "coordinator", "editor", "viewer"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof permissions;

/** The roles that may take an action (none for an action the table does not declare). */
export function rolesAllowed(action: Action): readonly Role[] {
  return permissions[action] ?? [];
}

/**
 * True when the actor holds, in some unit, a role that the action allows. This is the gate
 * only: which units the action reaches is decided per record by the actor's data context
 * (`forActor`), from the roles that allow it there.
 */
export function can(actor: Actor | undefined, action: Action): boolean {
  const allowed = rolesAllowed(action);
  if (!actor) return false;
  return actor.roles.some((r) => allowed.includes(r.role));
}

/**
 * The deny-by-default check that every service function calls first: the actor must hold,
 * somewhere, a role that allows the action. The record's unit is checked in the query.
 */
export function authorize(actor: Actor | undefined, action: Action): asserts actor is Actor {
  if (!actor) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  if (!can(actor, action)) {
    throw new AppError("FORBIDDEN", `You are not allowed to do this (${action}).`, { action });
  }
}

/** Only users cleared for restricted records may mark one restricted. */
export function assertMayClassify(actor: Actor, classification: string | undefined): void {
  if (classification === "restricted" && !actor.clearance) {
    throw new AppError("FORBIDDEN", "Only users cleared for restricted records may classify one restricted.", {
      fields: [{ path: "classification", message: "Needs clearance." }],
    });
  }
}
