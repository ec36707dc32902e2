import { type RawBuilder, sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import type { NotificationTable } from "../../db/types.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { notFound } from "../shared/errors.ts";
import { type Executor, mutate } from "../shared/mutation.ts";
import { id as idSchema, pageQuery, parseInput } from "../shared/schema.ts";

export const notificationListQuery = pageQuery.extend({ unread: z.enum(["true", "false"]).optional() });
export const notificationOutput = z.object({
  id: z.number(),
  kind: z.string(),
  engagementId: z.number().nullable(),
  taskId: z.number().nullable().describe("The task it is about, when one is."),
  message: z.object({ en: z.string(), zh: z.string() }),
  createdAt: z.string(),
  read: z.boolean(),
});
export const notificationPage = z.object({
  items: z.array(notificationOutput),
  unread: z.number().describe("For the badge."),
  page: z.number(),
  pageSize: z.number(),
});
export type NotificationPage = z.infer<typeof notificationPage>;

type Kind = NotificationTable["kind"];

/**
 * SQL over a user's role grant aliased `r`: the grant reaches one of `unitIds` (held there, or
 * above it covering sub-units; an administrator's everywhere). Who is told of a unit's work and
 * who may be given its tasks are decided by this one rule.
 */
export function grantReachesUnits(unitIds: number[]): RawBuilder<boolean> {
  return sql<boolean>`(r.role = 'administrator' OR EXISTS (
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM units WHERE id = ANY(${unitIds}::int[])
      UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 100)
    SELECT 1 FROM up WHERE up.id = r.unit_id AND (up.depth = 0 OR r.subunits)))`;
}

/**
 * Notifies, in the caller's transaction, the users whose role (one of `roles`) reaches one
 * of `unitIds` (held there, or above it covering sub-units; administrators everywhere), or
 * anyone holding such a role when `unitIds` is null, except the actor who caused it. About a
 * restricted record, only the cleared are told.
 */
export async function notifyUsers(
  executor: Executor,
  actor: Actor,
  recipients: { roles: string[]; unitIds: number[] | null; restricted?: boolean },
  message: { kind: Kind; engagementId: number | null; en: string; zh: string },
): Promise<void> {
  const units = recipients.unitIds === null ? sql`true` : grantReachesUnits(recipients.unitIds);
  const cleared = recipients.restricted ? sql`u.clearance` : sql`true`;
  await sql`INSERT INTO notifications (user_id, kind, engagement_id, message_en, message_zh)
    SELECT DISTINCT u.id, ${message.kind}, ${message.engagementId}::int, ${message.en}, ${message.zh}
    FROM users u JOIN user_roles r ON r.user_id = u.id
    WHERE NOT u.disabled AND u.id <> ${actor.userId} AND r.role = ANY(${recipients.roles}::text[]) AND ${units} AND ${cleared}`.execute(
    executor,
  );
}

/** Notifies every active administrator (the installation's own news: a backup that failed). */
export async function notifyAdministrators(executor: Executor, message: { kind: Kind; en: string; zh: string }): Promise<void> {
  await sql`INSERT INTO notifications (user_id, kind, message_en, message_zh)
    SELECT DISTINCT u.id, ${message.kind}, ${message.en}, ${message.zh}
    FROM users u JOIN user_roles r ON r.user_id = u.id
    WHERE NOT u.disabled AND r.role = 'administrator'`.execute(executor);
}

/** Notifies one user, in the caller's transaction (a task given to them). */
export async function notifyUser(
  executor: Executor,
  userId: number,
  message: { kind: Kind; engagementId: number | null; taskId: number | null; en: string; zh: string },
): Promise<void> {
  await executor
    .insertInto("notifications")
    .values({
      userId,
      kind: message.kind,
      engagementId: message.engagementId,
      taskId: message.taskId,
      messageEn: message.en,
      messageZh: message.zh,
    })
    .execute();
}

/** The caller's notifications, newest first, with the unread count for the badge. */
export async function listNotifications(actor: Actor, input: unknown = {}): Promise<NotificationPage> {
  authorize(actor, "account.manage");
  const query = parseInput(notificationListQuery, input);
  const scope = forActor(actor);
  let rows = scope.notifications(db()).selectAll("n");
  if (query.unread === "true") rows = rows.where("n.readAt", "is", null);
  if (query.unread === "false") rows = rows.where("n.readAt", "is not", null);
  const items = await rows
    .orderBy("n.createdAt", "desc")
    .orderBy("n.id", "desc")
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  const unread = await scope
    .notifications(db())
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("n.readAt", "is", null)
    .executeTakeFirstOrThrow();
  return {
    items: items.map((n) => ({
      id: n.id,
      kind: n.kind,
      engagementId: n.engagementId,
      taskId: n.taskId,
      message: { en: n.messageEn, zh: n.messageZh },
      createdAt: new Date(n.createdAt).toISOString(),
      read: n.readAt !== null,
    })),
    unread: Number(unread.count),
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** Marks one of the caller's notifications read, or all of them when no id is given. */
export async function markNotificationsRead(actor: Actor, notificationId?: number): Promise<{ marked: number }> {
  authorize(actor, "account.manage");
  const id = notificationId === undefined ? undefined : parseInput(idSchema, notificationId);
  const scope = forActor(actor);
  return mutate(actor, async (trx) => {
    let update = scope.updateNotifications(trx).set({ readAt: new Date() }).where("readAt", "is", null);
    if (id !== undefined) {
      const own = await scope.notifications(trx).select("n.id").where("n.id", "=", id).executeTakeFirst();
      if (!own) throw notFound("notification", id);
      update = update.where("id", "=", id);
    }
    const result = await update.executeTakeFirst();
    const marked = Number(result.numUpdatedRows);
    return { result: { marked }, audit: { entity: "notification", entityId: id ?? null, action: "read", after: { marked } } };
  });
}
