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
  "geography.write": ["administrator"],
  "units.read": ["administrator", "coordinator", "editor", "viewer"],
  "units.write": ["administrator"],
  "users.read": ["administrator", "coordinator"],
  "users.write": ["administrator"],
  "contacts.read": ["administrator", "coordinator", "editor"],
  "contacts.write": ["administrator", "coordinator", "editor"],
  "audit.read": ["administrator", "coordinator"],
  "reference.import": ["administrator"],
  "data.export": ["administrator", "coordinator"],
  "engagements.read": ["administrator", "coordinator", "editor", "viewer"],
  "engagements.write": ["administrator", "coordinator", "editor"],
  "engagements.export": ["administrator", "coordinator", "editor", "viewer"],
  "engagements.delete": ["administrator", "coordinator", "editor"],
  "notes.read": ["administrator", "coordinator", "editor", "viewer"],
  "notes.write": ["administrator", "coordinator", "editor"],
  "records.share": ["administrator", "coordinator", "editor"],
  "programmes.write": ["administrator", "coordinator"],
  "approvals.decide": ["administrator", "coordinator"],
  "reports.configure": ["administrator"],
  "reports.snapshot": ["administrator", "coordinator", "editor", "viewer"],
  "demo.manage": ["administrator"],
  "account.manage": ["administrator", "coordinator", "editor", "viewer"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof permissions;

/** True when the actor holds, in any unit, a role that the action allows. */
export function can(actor: Actor | undefined, action: Action): boolean {
  const allowed: readonly Role[] | undefined = permissions[action];
  if (!actor || !allowed) return false;
  return actor.roles.some((r) => allowed.includes(r.role));
}

/** The deny-by-default check that every service function calls first. */
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
