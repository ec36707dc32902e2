import { z } from "zod";
import { roles } from "../shared/actor.ts";
import { id, key, text } from "../shared/schema.ts";

export const unitKinds = ["central_office", "bureau", "local_committee", "department"] as const;

export const unitCreateInput = z.object({
  parentId: id.nullish(),
  kind: z.enum(unitKinds),
  key,
  nameEn: text(300),
  nameZh: text(300),
  approvalLevels: z
    .number()
    .int()
    .min(1)
    .max(2)
    .optional()
    .describe("1: a coordinator reaching the unit approves its plans; 2: its own coordinator (the unit head) endorses them first."),
});
export const unitUpdateInput = unitCreateInput.partial();

export const unitOutput = z.object({
  id: z.number(),
  parentId: z.number().nullable(),
  kind: z.enum(unitKinds),
  key: z.string(),
  name: z.object({ en: z.string(), zh: z.string() }),
  demo: z.boolean().describe("Part of the demo data."),
  approvalLevels: z.number().describe("How many levels approve the unit's plans: 1, or 2 (the unit head, then a coordinator above)."),
});

export const roleAssignment = z
  .object({
    unitId: id,
    role: z.enum(roles),
    subunits: z.boolean().default(true).describe("The role also acts in every unit below this one (true unless said otherwise)."),
  })
  .strict();
export const userCreateInput = z.object({
  username: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "Use lower-case letters, digits, '.', '-' and '_'."),
  displayName: text(200),
  roles: z.array(roleAssignment).max(50).default([]),
});
export const userUpdateInput = z.object({
  displayName: text(200).optional(),
  disabled: z.boolean().optional(),
  clearance: z.boolean().optional().describe("Cleared for restricted records."),
  roles: z.array(roleAssignment).max(50).optional(),
});
export const userOutput = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  builtin: z.boolean(),
  disabled: z.boolean(),
  clearance: z.boolean(),
  roles: z.array(z.object({ unitId: z.number(), role: z.enum(roles), subunits: z.boolean() })),
});

export type UnitCreateInput = z.input<typeof unitCreateInput>;
export type UnitOutput = z.output<typeof unitOutput>;
export type UserOutput = z.output<typeof userOutput>;
