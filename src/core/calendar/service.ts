import { createHash, randomBytes } from "node:crypto";
import ical, { ICalEventStatus } from "ical-generator";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { actorForUser } from "../auth/service.ts";
import type { Actor } from "../shared/actor.ts";
import { isoDay } from "../shared/dates.ts";
import { notFound } from "../shared/errors.ts";
import { type Executor, mutate } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { cleanText } from "../shared/text.ts";
import { engagementKinds, engagementTypes } from "../shared/vocabulary.ts";
import { type FeedOutput, feedCreateInput } from "./schema.ts";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** How far back and ahead a feed reaches: a calendar needs the recent past and what is planned. */
const pastDays = 366;
const aheadDays = 2 * 366;
/** The most events a feed gives (soonest first within its window). */
const feedLimit = 3000;

type FeedRow = {
  id: number;
  name: string | null;
  locale: "zh-CN" | "en";
  prefix: string;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
  unitId: number | null;
  unitEn: string | null;
  unitZh: string | null;
};

function presentFeed(row: FeedRow): FeedOutput {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: row.id,
    name: row.name,
    unit: row.unitId !== null ? { id: row.unitId, name: { en: row.unitEn ?? "", zh: row.unitZh ?? "" } } : null,
    locale: row.locale,
    prefix: row.prefix,
    createdAt: iso(row.createdAt) as string,
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

function feedRows(executor: Executor, actor: Actor) {
  return forActor(actor)
    .calendarFeeds(executor)
    .leftJoin("units as u", "u.id", "f.unitId")
    .select([
      "f.id",
      "f.name",
      "f.locale",
      "f.prefix",
      "f.createdAt",
      "f.lastUsedAt",
      "f.revokedAt",
      "f.unitId",
      "u.nameEn as unitEn",
      "u.nameZh as unitZh",
    ]);
}

/** The caller's calendar feeds, newest first (revoked ones too, marked). */
export async function listFeeds(actor: Actor): Promise<FeedOutput[]> {
  authorize(actor, "account.manage");
  return (await feedRows(db(), actor).orderBy("f.id", "desc").execute()).map(presentFeed);
}

/**
 * Makes a calendar feed: a secret address (shown once) that a calendar application subscribes
 * to, giving what the caller may read, or one unit's engagements they may read.
 */
export async function createFeed(actor: Actor, input: unknown): Promise<FeedOutput & { path: string }> {
  authorize(actor, "account.manage");
  authorize(actor, "engagements.read");
  const data = parseInput(feedCreateInput, input);
  if (data.unitId) await forActor(actor).assertUnitAllows(db(), "engagements.read", data.unitId, "unitId");
  const secret = `cal_${randomBytes(32).toString("base64url")}`;
  return mutate(actor, async (trx) => {
    const row = await trx
      .insertInto("calendarFeeds")
      .values({
        userId: actor.userId,
        unitId: data.unitId ?? null,
        name: cleanText(data.name),
        locale: data.locale,
        tokenHash: sha256(secret),
        prefix: secret.slice(0, 10),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const feed = presentFeed(await feedRows(trx, actor).where("f.id", "=", row.id).executeTakeFirstOrThrow());
    return {
      result: { ...feed, path: `/ical/${secret}.ics` },
      audit: { entity: "calendar_feed", entityId: row.id, action: "create", after: feed },
    };
  });
}

/** Revokes one of the caller's feeds: its address answers "not found" from now on. */
export async function revokeFeed(actor: Actor, feedId: number): Promise<void> {
  authorize(actor, "account.manage");
  const id = parseInput(idSchema, feedId);
  await mutate(actor, async (trx) => {
    const updated = await forActor(actor)
      .updateCalendarFeeds(trx)
      .set({ revokedAt: new Date() })
      .where("id", "=", id)
      .where("revokedAt", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound("calendar feed", id);
    return { result: undefined, audit: { entity: "calendar_feed", entityId: id, action: "revoke" } };
  });
}

/** A day after `iso` (an all-day event ends on the day after its last). */
function dayAfter(iso: string): Date {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/**
 * The calendar behind a feed's secret, as iCalendar text, or null when the secret is unknown,
 * revoked, or its user disabled. The user's scope is taken afresh at every request, so a role
 * taken away stops what it gave at once. Restricted work is never in a feed: a subscribed
 * calendar keeps copies on devices and services beyond Liaison's control.
 */
export async function calendarOfFeed(secret: string, baseUrl: string): Promise<string | null> {
  if (!/^cal_[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
  const feed = await db()
    .selectFrom("calendarFeeds as f")
    .innerJoin("users as us", "us.id", "f.userId")
    .leftJoin("units as u", "u.id", "f.unitId")
    .select(["f.id", "f.userId", "f.unitId", "f.locale", "f.name", "us.displayName", "u.nameEn as unitEn", "u.nameZh as unitZh"])
    .where("f.tokenHash", "=", sha256(secret))
    .where("f.revokedAt", "is", null)
    .where("us.disabled", "=", false)
    .executeTakeFirst();
  if (!feed) return null;
  const actor = await actorForUser(feed.userId);
  if (!actor || actor.roles.length === 0) return null;
  const zh = feed.locale === "zh-CN";
  const scope = forActor(actor);
  const today = new Date();
  const from = isoDay(new Date(today.getTime() - pastDays * 86_400_000));
  const to = isoDay(new Date(today.getTime() + aheadDays * 86_400_000));
  let query = scope
    .engagements(db())
    .innerJoin("units as lead", "lead.id", "e.leadUnitId")
    .leftJoin("countries as c", "c.code", "e.countryCode")
    .select([
      "e.id",
      "e.type",
      "e.direction",
      "e.status",
      "e.approval",
      "e.titleEn",
      "e.titleZh",
      "e.startDate",
      "e.endDate",
      "e.city",
      "e.updatedAt",
      "c.nameEn as countryEn",
      "c.nameZh as countryZh",
      "lead.nameEn as unitEn",
      "lead.nameZh as unitZh",
      sql<
        string | null
      >`(SELECT string_agg(coalesce(${zh ? sql`o.name_zh, o.name_en` : sql`o.name_en, o.name_zh`}), ${zh ? "、" : "; "} ORDER BY p.precedence NULLS LAST, p.id)
        FROM (SELECT * FROM engagement_participants WHERE engagement_id = e.id AND organisation_id IS NOT NULL ORDER BY precedence NULLS LAST, id LIMIT 10) p
        JOIN organisations o ON o.id = p.organisation_id)`.as("partners"),
    ])
    .where("e.classification", "<>", "restricted")
    .where("e.endDate", ">=", from)
    .where("e.startDate", "<=", to);
  if (feed.unitId !== null) {
    const unitId = feed.unitId;
    query = query.where((eb) =>
      eb.or([
        eb("e.leadUnitId", "=", unitId),
        eb.exists(
          eb
            .selectFrom("engagementUnits as eu")
            .select("eu.unitId")
            .whereRef("eu.engagementId", "=", "e.id")
            .where("eu.unitId", "=", unitId),
        ),
      ]),
    );
  }
  const rows = await query.orderBy("e.startDate").orderBy("e.id").limit(feedLimit).execute();
  await db().updateTable("calendarFeeds").set({ lastUsedAt: new Date() }).where("id", "=", feed.id).execute();
  const unitName = feed.unitId !== null ? (zh ? feed.unitZh : feed.unitEn) : null;
  const calendar = ical({
    name: feed.name ?? (zh ? `Liaison 外事日历 · ${unitName ?? feed.displayName}` : `Liaison · ${unitName ?? feed.displayName}`),
    prodId: { company: "Liaison", product: "Liaison", language: zh ? "ZH" : "EN" },
    ttl: 60 * 60,
  });
  for (const e of rows) {
    const kind =
      engagementKinds[`${e.type}:${e.direction}` as keyof typeof engagementKinds] ??
      engagementTypes[e.type as keyof typeof engagementTypes];
    const title = zh ? (e.titleZh ?? e.titleEn) : e.titleEn;
    const place = [e.city, zh ? e.countryZh : e.countryEn].filter(Boolean).join(zh ? "，" : ", ");
    const url = `${baseUrl}/engagements/${e.id}`;
    const lines = [
      kind ? (zh ? kind.zh : kind.en) : null,
      zh ? `主责单位：${e.unitZh}` : `Lead unit: ${e.unitEn}`,
      e.partners ? (zh ? `外方：${e.partners}` : `Partners: ${e.partners}`) : null,
      url,
    ].filter((line): line is string => Boolean(line));
    calendar.createEvent({
      id: `engagement-${e.id}@liaison`,
      start: new Date(`${String(e.startDate).slice(0, 10)}T00:00:00Z`),
      end: dayAfter(String(e.endDate).slice(0, 10)),
      allDay: true,
      summary: title,
      description: lines.join("\n"),
      ...(place ? { location: place } : {}),
      url,
      lastModified: new Date(e.updatedAt),
      status:
        e.status === "cancelled"
          ? ICalEventStatus.CANCELLED
          : e.status === "planned" && e.approval !== "approved"
            ? ICalEventStatus.TENTATIVE
            : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
