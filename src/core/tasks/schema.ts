import { z } from "zod";
import { classification, id, isoDate, optionalText, text } from "../shared/schema.ts";

export const taskStatuses = ["open", "done", "dropped"] as const;

export const taskCreateInput = z
  .object({
    title: text(300).describe("What is to be done: send the thank-you letter, prepare the briefing paper."),
    note: optionalText(5000),
    engagementId: id.nullish().describe("The engagement it follows up; the task then belongs to its lead unit."),
    organisationId: id.nullish().describe("The partner it concerns, when it follows up no one engagement."),
    unitId: id.nullish().describe("For a partner's task: the unit it belongs to (your first unit where you may write, unless given)."),
    ownerId: id.nullish().describe("Who does it: a user with a role in the task's unit (or above it)."),
    dueDate: isoDate.nullish(),
    classification: classification.default("internal"),
  })
  .strict()
  .refine((v) => Boolean(v.engagementId) !== Boolean(v.organisationId), {
    path: ["engagementId"],
    message: "Attach the task to one engagement or one partner organisation.",
  });

export const taskUpdateInput = z
  .object({
    title: text(300),
    note: optionalText(5000),
    ownerId: id.nullable(),
    dueDate: isoDate.nullable(),
    status: z.enum(taskStatuses),
    classification,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change.");

export const taskListQuery = z.object({
  mine: z.enum(["true", "false"]).optional().describe("Only the tasks you own."),
  engagementId: id.optional(),
  organisationId: id.optional().describe("The partner's tasks, and those of its engagements."),
  status: z.enum([...taskStatuses, "all"]).default("open"),
  overdue: z.enum(["true", "false"]).optional().describe("Open tasks past their due date."),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const bilingual = z.object({ en: z.string(), zh: z.string().nullable() });

export const taskOutput = z.object({
  id: z.number(),
  title: z.string(),
  note: z.string().nullable(),
  status: z.enum(taskStatuses),
  dueDate: z.string().nullable(),
  overdue: z.boolean().describe("Open and past its due date."),
  classification,
  unit: z.object({ id: z.number(), name: z.object({ en: z.string(), zh: z.string() }) }),
  owner: z.object({ id: z.number(), name: z.string() }).nullable(),
  engagement: z.object({ id: z.number(), title: bilingual, startDate: z.string() }).nullable(),
  organisation: z.object({ id: z.number(), name: bilingual }).nullable(),
  createdBy: z.object({ id: z.number(), name: z.string() }).nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  editable: z.boolean().describe("Whether you may change it."),
});
export type TaskOutput = z.infer<typeof taskOutput>;

export const assigneeQuery = z.object({
  engagementId: id.optional(),
  unitId: id.optional(),
});
export const assignee = z.object({ id: z.number(), name: z.string() });
