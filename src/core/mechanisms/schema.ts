import { z } from "zod";
import { id, isoDate, optionalText, text } from "../shared/schema.ts";
import { keysOf, mechanismKinds } from "../shared/vocabulary.ts";

const mechanismFields = {
  kind: z.enum(keysOf(mechanismKinds)),
  nameEn: text(300),
  nameZh: text(300),
  description: optionalText(20_000),
  leadUnitId: id,
  foundedOn: isoDate.nullish(),
};
export const mechanismCreateInput = z.object(mechanismFields).strict();
export const mechanismUpdateInput = z
  .object(mechanismFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

const inOrder = (from: "joinedOn" | "startDate", to: "leftOn" | "endDate") => ({
  check: (v: Record<string, unknown>) => !v[from] || !v[to] || String(v[to]) >= String(v[from]),
  message: { path: [to], message: `Cannot be before ${from}.` },
});
const memberOrder = inOrder("joinedOn", "leftOn");
export const memberInput = z
  .object({ organisationId: id, joinedOn: isoDate, leftOn: isoDate.nullish(), note: optionalText(2000) })
  .strict()
  .refine(memberOrder.check, memberOrder.message);
export const memberUpdateInput = z
  .object({ joinedOn: isoDate.optional(), leftOn: isoDate.nullish(), note: optionalText(2000) })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.")
  .refine(memberOrder.check, memberOrder.message);
const chairOrder = inOrder("startDate", "endDate");
export const chairInput = z
  .object({ organisationId: id, startDate: isoDate, endDate: isoDate.nullish() })
  .strict()
  .refine(chairOrder.check, chairOrder.message);
export const membersOnQuery = z.object({ on: isoDate.optional().describe("The date; today when absent.") });

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });
const orgRef = z.object({ id: z.number(), name: bilingual, countryCode: z.string().nullable() });
export const memberOutput = z.object({
  id: z.number(),
  organisation: orgRef,
  joinedOn: z.string(),
  leftOn: z.string().nullable(),
  note: z.string().nullable(),
});
export const chairOutput = z.object({ id: z.number(), organisation: orgRef, startDate: z.string(), endDate: z.string().nullable() });
export const mechanismOutput = z.object({
  id: z.number(),
  kind: z.string(),
  name: z.object({ en: z.string(), zh: z.string() }),
  description: z.string().nullable(),
  leadUnit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
  foundedOn: z.string().nullable(),
  demo: z.boolean(),
});
export type MechanismOutput = z.infer<typeof mechanismOutput>;
export const mechanismDetail = mechanismOutput.extend({
  members: z.array(memberOutput).describe("Every membership, past and present."),
  chairs: z.array(chairOutput),
  sessions: z.array(
    z.object({
      id: z.number(),
      title: bilingual,
      startDate: z.string(),
      edition: z.number().nullable(),
      status: z.string(),
      place: z.object({ countryCode: z.string().nullable(), city: z.string().nullable() }),
    }),
  ),
});
export type MechanismDetail = z.infer<typeof mechanismDetail>;
export const membersOnOutput = z.object({
  on: z.string(),
  members: z.array(memberOutput),
  chair: chairOutput.nullable(),
});
export type MembersOn = z.infer<typeof membersOnOutput>;

export const membershipOutput = z.object({
  id: z.number(),
  mechanism: z.object({ id: z.number(), kind: z.string(), name: z.object({ en: z.string(), zh: z.string() }) }),
  joinedOn: z.string(),
  leftOn: z.string().nullable(),
  chaired: z.array(z.object({ startDate: z.string(), endDate: z.string().nullable() })),
});
export type MembershipOutput = z.infer<typeof membershipOutput>;
