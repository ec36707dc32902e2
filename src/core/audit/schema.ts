import { z } from "zod";
import { id, pageOf, pageQuery } from "../shared/schema.ts";

/** What the audit log can be filtered by (the list and the CSV export alike). */
export const auditExportQuery = z.object({
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  actorId: id.optional(),
  action: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});
export type AuditFilters = z.output<typeof auditExportQuery>;
export const auditListQuery = pageQuery.extend(auditExportQuery.shape);

export const auditEntryOutput = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.number(), username: z.string() }).nullable(),
  unitId: z.number().nullable(),
  entity: z.string(),
  entityId: z.string().nullable(),
  action: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export const auditPage = pageOf(auditEntryOutput);
export type AuditEntryOutput = z.output<typeof auditEntryOutput>;
