/** The roles a user can hold in a unit. */
export const roles = ["administrator", "coordinator", "editor", "viewer"] as const;
export type Role = (typeof roles)[number];

/** Each role's rank: a higher role may do everything a lower one may (the permission table holds it). */
export const roleRank: Record<Role, number> = { viewer: 0, editor: 1, coordinator: 2, administrator: 3 };

/** One role held in one unit. */
export interface RoleGrant {
  unitId: number;
  role: Role;
  /** The role also acts in every unit below its unit (true unless the grant says otherwise). */
  subunits?: boolean;
  /**
   * Set when the actor is resolved from the database: the grant's reach is every unit of the
   * installation (its unit is the only root and it covers sub-units). Only a shortcut: without
   * it the same reach is computed in SQL.
   */
  everyUnit?: boolean;
}

/** How the actor proved who they are: a signed-in session, or an API token (with its own limits). */
export type Credential = { kind: "session"; sessionId: number | null } | { kind: "token"; tokenId: number; expiresAt: string | null };

/** Who is acting, and for which unit: passed to every service call. */
export interface Actor {
  userId: number;
  username: string;
  /** The unit the actor acts for by default (the audit's unit, a new note's unit). */
  unitId: number;
  /** Every role the actor holds, by unit. Permission is decided per unit from these. */
  roles: ReadonlyArray<RoleGrant>;
  /** Cleared for restricted records; without it they are "not found". */
  clearance?: boolean;
  /** A session unless said otherwise. */
  credential?: Credential;
}
