import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorIn, actorInFreshUnit, freshUnit } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { buildApp } from "../../server/app.ts";
import { approveEngagement, cancelEngagement, submitEngagement } from "../engagements/approvals.ts";
import { createEngagement } from "../engagements/service.ts";
import type { Actor } from "../shared/actor.ts";
import { calendarOfFeed, createFeed, listFeeds, revokeFeed } from "./service.ts";

let database: Database;
let unitA: number;
let editorA: Actor;
let clearedA: Actor;
let editorB: Actor;

/** The events of an iCalendar text, as a third-party parser (ical.js) reads them. */
function eventsOf(text: string | null) {
  expect(text).not.toBeNull();
  const calendar = new ICAL.Component(ICAL.parse(text as string));
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      allDay: event.startDate.isDate,
      status: String(component.getFirstPropertyValue("status")),
      location: event.location,
      description: event.description,
    };
  });
}

const secretOf = (path: string) => path.replace(/^\/ical\//, "").replace(/\.ics$/, "");
const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  database = await openTestDatabase();
  unitA = await freshUnit("Feed bureau");
  editorA = await actorIn(unitA, "editor");
  clearedA = await actorIn(unitA, "editor", { clearance: true });
  editorB = await actorInFreshUnit("editor");
});
afterAll(() => database.close());

describe("calendar feeds", () => {
  it("gives a subscribed calendar the user's engagements as all-day events, with their state, never restricted work", async () => {
    const visit = await createEngagement(editorA, {
      type: "visit",
      direction: "received",
      status: "planned",
      titleZh: "订阅测试代表团来访",
      titleEn: "Feed delegation visit",
      startDate: soon(30),
      endDate: soon(33),
      city: "北京",
      leadUnitId: unitA,
    });
    const approved = await createEngagement(editorA, {
      type: "visit",
      direction: "sent",
      status: "planned",
      titleZh: "订阅测试出访",
      startDate: soon(60),
      leadUnitId: unitA,
    });
    await submitEngagement(editorA, approved.id);
    await approveEngagement(await actorAtCentre("coordinator"), approved.id);
    const dropped = await createEngagement(editorA, {
      type: "talks",
      direction: "none",
      status: "planned",
      titleZh: "订阅测试会谈",
      startDate: soon(10),
      leadUnitId: unitA,
    });
    await cancelEngagement(editorA, dropped.id, { reason: "推迟" });
    await createEngagement(clearedA, {
      type: "talks",
      direction: "none",
      titleEn: "Secret feed talks",
      startDate: soon(5),
      leadUnitId: unitA,
      classification: "restricted",
    });
    await createEngagement(editorB, {
      type: "talks",
      direction: "none",
      titleEn: "B feed talks",
      startDate: soon(5),
      leadUnitId: editorB.unitId,
    });
    const old = await createEngagement(editorA, {
      type: "talks",
      direction: "none",
      titleEn: "Long ago",
      startDate: "2001-01-01",
      leadUnitId: unitA,
    });

    const feed = await createFeed(clearedA, { name: "我的外事日历" });
    expect(feed.path).toMatch(/^\/ical\/cal_[\w-]+\.ics$/);
    const events = eventsOf(await calendarOfFeed(secretOf(feed.path), "https://liaison.example"));
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`engagement-${visit.id}@liaison`)).toMatchObject({
      summary: "订阅测试代表团来访",
      start: soon(30),
      end: soon(34),
      allDay: true,
      status: "TENTATIVE",
      location: "北京",
    });
    expect(byUid.get(`engagement-${visit.id}@liaison`)?.description).toContain(`https://liaison.example/engagements/${visit.id}`);
    expect(byUid.get(`engagement-${approved.id}@liaison`)?.status).toBe("CONFIRMED");
    expect(byUid.get(`engagement-${dropped.id}@liaison`)?.status).toBe("CANCELLED");
    expect(byUid.has(`engagement-${old.id}@liaison`)).toBe(false);
    // Restricted work stays in Liaison, even for the cleared; another unit's is not theirs to see.
    expect(events.map((e) => e.summary)).not.toContain("Secret feed talks");
    expect(events.map((e) => e.summary)).not.toContain("B feed talks");

    const english = await createFeed(editorA, { unitId: unitA, locale: "en" });
    const inEnglish = eventsOf(await calendarOfFeed(secretOf(english.path), "https://liaison.example"));
    expect(inEnglish.find((e) => e.uid === `engagement-${visit.id}@liaison`)?.summary).toBe("Feed delegation visit");
    expect((await listFeeds(editorA)).map((f) => f.id)).toEqual([english.id]);
    expect(await listFeeds(editorB)).toEqual([]);
  });

  it("stops answering when revoked, when its user is disabled, and narrows when a role is taken away", async () => {
    const reader = await actorIn(unitA, "viewer");
    const feed = await createFeed(reader, {});
    const secret = secretOf(feed.path);
    expect(eventsOf(await calendarOfFeed(secret, "http://x")).length).toBeGreaterThan(0);
    await db().deleteFrom("userRoles").where("userId", "=", reader.userId).execute();
    expect(await calendarOfFeed(secret, "http://x")).toBeNull();
    await db().insertInto("userRoles").values({ userId: reader.userId, unitId: unitA, role: "viewer" }).execute();
    expect(eventsOf(await calendarOfFeed(secret, "http://x")).length).toBeGreaterThan(0);
    await db().updateTable("users").set({ disabled: true }).where("id", "=", reader.userId).execute();
    expect(await calendarOfFeed(secret, "http://x")).toBeNull();
    await db().updateTable("users").set({ disabled: false }).where("id", "=", reader.userId).execute();
    await expect(revokeFeed(editorB, feed.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await revokeFeed(reader, feed.id);
    expect(await calendarOfFeed(secret, "http://x")).toBeNull();
    await expect(revokeFeed(reader, feed.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listFeeds(reader))[0]?.revokedAt).not.toBeNull();
    for (const bad of ["", "cal_short", "../../etc/passwd", `cal_${"x".repeat(43)}`])
      expect(await calendarOfFeed(bad, "http://x")).toBeNull();
    await expect(createFeed(editorA, { unitId: editorB.unitId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createFeed(editorA, { locale: "fr" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("serves the feed at its secret address without a session, as text/calendar", async () => {
    const app = await buildApp({ webAppDir: null });
    try {
      const feed = await createFeed(editorA, {});
      const response = await app.inject({ method: "GET", url: feed.path, headers: { host: "liaison.example:8080" } });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("text/calendar; charset=utf-8");
      expect(response.body).toContain("BEGIN:VCALENDAR");
      expect(response.body).toContain("http://liaison.example:8080/engagements/");
      const unknown = await app.inject({ method: "GET", url: "/ical/cal_unknownunknownunknownunknown.ics" });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe("NOT_FOUND");
    } finally {
      await app.close();
    }
  });
});
