/** The roles a user can hold in a unit. */
export const roles = ["administrator", "coordinator", "editor", "viewer"] as const;
export type Role = (typeof roles)[number];

/** Who is acting, and for which unit: passed to every service call. */
export interface Actor {
  userId: number;
  username: string;
  /** The unit the actor is acting for. */
  unitId: number;
  /** Every role the user holds, by unit. */
  roles: ReadonlyArray<{ unitId: number; role: Role }>;
  /** Cleared for restricted records; without it they are "not found". */
  clearance?: boolean;
}
