/**
 * The security matrix: every route called by every kind of caller against another unit's
 * records, over real sign-in sessions; reads that agree with each other; refusals that
 * change nothing; one audit row per committed change.
 */

import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministratorPassword, setUserPassword } from "../src/core/auth/service.ts";
import { defaultPlacePolicy } from "../src/core/countries/places.ts";
import { submitEngagement } from "../src/core/engagements/approvals.ts";
import { createEngagement } from "../src/core/engagements/service.ts";
import { createGift } from "../src/core/gifts/service.ts";
import { createMechanism } from "../src/core/mechanisms/service.ts";
import { createNote } from "../src/core/notes/service.ts";
import { createOrganisation } from "../src/core/organisations/service.ts";
import { addContact, createPerson } from "../src/core/people/service.ts";
import { createProgramme } from "../src/core/programmes/service.ts";
import { importGeography } from "../src/core/reference/service.ts";
import { createSnapshot } from "../src/core/reports/service.ts";
import type { Actor, Role } from "../src/core/shared/actor.ts";
import { shareRecord } from "../src/core/sharing/service.ts";
import { createTask } from "../src/core/tasks/service.ts";
import { createUnit, createUser } from "../src/core/units/service.ts";
import type { Database } from "../src/db/connection.ts";
import { db } from "../src/db/current.ts";
import { buildApp } from "../src/server/app.ts";
import { Browser, type Method } from "./support/browser.ts";
import { openTestDatabase } from "./support/database.ts";
import { administrator, unique } from "./support/factories.ts";

const password = "a long passphrase for the matrix";

let database: Database;
let app: FastifyInstance;
let admin: Actor;
/** Ids of the records the sweep aims at: A's, B's and the shared registry's. */
const ids = {} as Record<
  | "unitA"
  | "unitA1"
  | "unitB"
  | "org"
  | "person"
  | "engagementA"
  | "engagementA1"
  | "restrictedA"
  | "plannedA"
  | "sharedA"
  | "engagementB"
  | "attachmentA"
  | "noteA"
  | "restrictedNoteA"
  | "noteB"
  | "contactA"
  | "contactB"
  | "programme"
  | "mechanism"
  | "group"
  | "tag"
  | "topic"
  | "viewerA"
  | "editorA"
  | "editorB"
  | "coordinator"
  | "unitC"
  | "mixed"
  | "centreMixed"
  | "restrictedPlannedA"
  | "plannedB"
  | "eventA"
  | "restrictedEventA"
  | "taskA"
  | "giftA"
  | "restrictedTaskA"
  | "snapshotA",
  number
>;
const browsers = {} as Record<"anonymous" | "viewerA" | "editorA" | "editorB" | "coordinator" | "admin" | "mixed" | "centreMixed", Browser>;

/**
 * Text that only the records of one side carry: a response to the other side must never
 * contain it. The restricted records also have days of their own, so that a response that
 * gives away only when one happens (a coordination alert) is caught too.
 */
const markers = { a: "AONLYMARK", b: "BONLYMARK", restricted: "RONLYMARK" };
const restrictedDays = ["2024-07-17", "2027-07-17"];

async function userIn(
  unitId: number,
  role: Role,
  key: keyof typeof ids,
  more: Array<{ unitId: number; role: Role }> = [],
): Promise<string> {
  const username = unique(`${role}.`);
  const user = await createUser(admin, { username, displayName: `${role} ${key}`, roles: [{ unitId, role }, ...more] });
  await setUserPassword(admin, user.id, { password });
  ids[key] = user.id;
  return username;
}

const pngBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await ensureAdministratorPassword(password, () => "unused");
  await importGeography(admin);
  app = await buildApp({ writeRateLimit: 100_000 });

  ids.unitA = (
    await createUnit(admin, { kind: "bureau", key: unique("a-"), nameEn: "Bureau A", nameZh: "甲局", parentId: admin.unitId })
  ).id;
  ids.unitA1 = (
    await createUnit(admin, { kind: "local_committee", key: unique("a1-"), nameEn: "Committee A1", nameZh: "甲一委", parentId: ids.unitA })
  ).id;
  ids.unitB = (
    await createUnit(admin, { kind: "bureau", key: unique("b-"), nameEn: "Bureau B", nameZh: "乙局", parentId: admin.unitId })
  ).id;
  ids.unitC = (
    await createUnit(admin, { kind: "local_committee", key: unique("c-"), nameEn: "Committee C", nameZh: "丙委", parentId: admin.unitId })
  ).id;
  const usernames = {
    viewerA: await userIn(ids.unitA, "viewer", "viewerA"),
    editorA: await userIn(ids.unitA, "editor", "editorA"),
    editorB: await userIn(ids.unitB, "editor", "editorB"),
    // Without clearance: restricted records are not there for them.
    coordinator: await userIn(admin.unitId, "coordinator", "coordinator"),
    // Several roles in several units: a viewer here is an editor there, and acts as each only where it holds.
    mixed: await userIn(ids.unitA, "viewer", "mixed", [{ unitId: ids.unitB, role: "editor" }]),
    centreMixed: await userIn(admin.unitId, "viewer", "centreMixed", [{ unitId: ids.unitC, role: "editor" }]),
    admin: "admin",
  };
  browsers.anonymous = new Browser(app);
  for (const [who, username] of Object.entries(usernames) as Array<[keyof typeof usernames, string]>) {
    browsers[who] = new Browser(app);
    expect((await browsers[who].login(username, password)).statusCode).toBe(200);
  }
  const editorA: Actor = {
    userId: ids.editorA,
    username: usernames.editorA,
    unitId: ids.unitA,
    roles: [{ unitId: ids.unitA, role: "editor" }],
  };
  const editorB: Actor = {
    userId: ids.editorB,
    username: usernames.editorB,
    unitId: ids.unitB,
    roles: [{ unitId: ids.unitB, role: "editor" }],
  };
  const clearedA: Actor = { ...editorA, clearance: true };

  ids.org = (
    await createOrganisation(admin, {
      kind: "political_party",
      countryCode: "KEN",
      names: [{ kind: "official", lang: "en", value: "Matrix Party" }],
    })
  ).id;
  ids.person = (await createPerson(admin, { nameEn: "Matrix Person", countryCode: "KEN" })).id;
  const talks = (title: string, unitId: number, extra: Record<string, unknown> = {}) => ({
    type: "talks",
    direction: "none",
    titleEn: `Matrix ${title}`,
    startDate: "2024-03-01",
    leadUnitId: unitId,
    participants: [
      { organisationId: ids.org, role: "participant" },
      { personId: ids.person, role: "participant" },
    ],
    ...extra,
  });
  ids.engagementA = (await createEngagement(editorA, talks(`talks ${markers.a}`, ids.unitA))).id;
  ids.engagementA1 = (
    await createEngagement(admin, {
      ...talks(`letter ${markers.a}`, ids.unitA1),
      type: "correspondence",
      direction: "sent",
      subtype: "letter",
      participants: [{ organisationId: ids.org, role: "recipient" }],
    })
  ).id;
  ids.restrictedA = (
    await createEngagement(
      clearedA,
      talks(`secret ${markers.restricted}`, ids.unitA, { classification: "restricted", startDate: restrictedDays[0] }),
    )
  ).id;
  ids.plannedA = (
    await createEngagement(editorA, {
      ...talks(`visit ${markers.a}`, ids.unitA),
      type: "visit",
      direction: "sent",
      status: "planned",
      startDate: "2027-05-01",
    })
  ).id;
  ids.sharedA = (await createEngagement(editorA, talks("talks shared with B", ids.unitA))).id;
  await shareRecord(editorA, "engagement", ids.sharedA, { unitId: ids.unitB });
  ids.engagementB = (await createEngagement(editorB, talks(`talks ${markers.b}`, ids.unitB))).id;
  // Records that other responses mention: a coordination alert and an approval about restricted
  // work, multilateral events (the network graph) that are a mechanism's sessions.
  ids.restrictedPlannedA = (
    await createEngagement(clearedA, {
      ...talks(`restricted visit ${markers.restricted}`, ids.unitA),
      type: "visit",
      direction: "sent",
      status: "planned",
      startDate: restrictedDays[1],
      classification: "restricted",
    })
  ).id;
  ids.plannedB = (
    await createEngagement(editorB, {
      ...talks(`planned talks ${markers.b}`, ids.unitB),
      status: "planned",
      startDate: "2027-07-20",
    })
  ).id;
  await submitEngagement(clearedA, ids.restrictedPlannedA, { note: `please ${markers.restricted}` });
  await shareRecord(clearedA, "engagement", ids.restrictedA, { unitId: ids.unitB });
  const upload = await browsers.editorA.call("POST", `/api/engagements/${ids.engagementA}/attachments?fileName=a.png`, pngBytes, {
    "content-type": "image/png",
  });
  ids.attachmentA = upload.json().id;
  ids.noteA = (await createNote(editorA, { kind: "organisation", id: ids.org }, { body: `Note ${markers.a}` })).id;
  ids.restrictedNoteA = (
    await createNote(clearedA, { kind: "organisation", id: ids.org }, { body: `Note ${markers.restricted}`, classification: "restricted" })
  ).id;
  ids.noteB = (await createNote(editorB, { kind: "organisation", id: ids.org }, { body: `Note ${markers.b}` })).id;
  ids.taskA = (await createTask(editorA, { engagementId: ids.engagementA, title: `Task ${markers.a}` })).id;
  ids.restrictedTaskA = (
    await createTask(clearedA, {
      organisationId: ids.org,
      unitId: ids.unitA,
      title: `Task ${markers.restricted}`,
      classification: "restricted",
    })
  ).id;
  await createTask(editorB, { organisationId: ids.org, title: `Task ${markers.b}` });
  ids.giftA = (await createGift(editorA, { engagementId: ids.engagementA, given: true, description: `Gift ${markers.a}` })).id;
  // The gifts register is the lead unit's: shared with B, the visit's gifts stay A's.
  await createGift(editorA, { engagementId: ids.sharedA, given: false, description: `Gift ${markers.a}` });
  await createGift(clearedA, { engagementId: ids.restrictedA, given: true, description: `Gift ${markers.restricted}` });
  await createGift(editorB, { engagementId: ids.engagementB, given: true, description: `Gift ${markers.b}` });
  ids.contactA = (await addContact(editorA, ids.person, { kind: "email", value: `${markers.a}@example.org` })).id;
  await addContact(clearedA, ids.person, { kind: "phone", value: markers.restricted, classification: "restricted" });
  ids.contactB = (await addContact(editorB, ids.person, { kind: "email", value: `${markers.b}@example.org` })).id;
  ids.snapshotA = (await createSnapshot(editorA, { title: `Snapshot ${markers.a}`, params: { from: "2024-01-01", to: "2024-12-31" } })).id;
  ids.programme = (await createProgramme(admin, { nameEn: "Matrix programme", nameZh: "矩阵项目", leadUnitId: ids.unitA })).id;
  ids.mechanism = (
    await createMechanism(admin, { kind: "party_forum", nameEn: "Matrix forum", nameZh: "矩阵论坛", leadUnitId: ids.unitA })
  ).id;
  const session = (title: string, extra: Record<string, unknown> = {}) => ({
    ...talks(title, ids.unitA),
    type: "event",
    direction: "attended",
    subtype: "forum",
    mechanismId: ids.mechanism,
    ...extra,
  });
  ids.eventA = (await createEngagement(editorA, session(`forum ${markers.a}`))).id;
  ids.restrictedEventA = (
    await createEngagement(clearedA, session(`forum ${markers.restricted}`, { classification: "restricted", startDate: restrictedDays[0] }))
  ).id;
  ids.group = (
    await browsers.admin.call("POST", "/api/country-groups", { key: unique("g-"), nameEn: "G", nameZh: "组", countryCodes: ["KEN"] })
  ).json().id;
  ids.tag = (await browsers.admin.call("POST", "/api/tags", { key: unique("t-"), nameEn: "T", nameZh: "标" })).json().id;
  ids.topic = (await browsers.admin.call("POST", "/api/topics", { key: unique("p-"), nameEn: "P", nameZh: "题" })).json().id;
});
afterAll(async () => {
  await app?.close();
  await database.close();
});

/**
 * What a route is about. "owned": A's records (B must not find them, A's viewer must not
 * change them). "registry": the shared registry (everyone reads; viewers may not write).
 * "restricted": administrators' or coordinators' business (the sweep's users are refused).
 * "self": the caller's own account (sign-out, password, tokens, notifications).
 */
type Kind = "owned" | "registry" | "restricted" | "self";
interface RouteCase {
  route: string;
  kind: Kind;
  url: () => string;
  body?: () => object | Buffer;
  contentType?: string;
  /** What B's editor gets on an owned route (404 unless the action itself is not B's to take). */
  bStatus?: number;
}

const owned = (route: string, url: () => string, body?: () => object, bStatus = 404): RouteCase => ({
  route,
  kind: "owned",
  url,
  ...(body ? { body } : {}),
  bStatus,
});
const registry = (route: string, url: () => string, body?: () => object): RouteCase => ({
  route,
  kind: "registry",
  url,
  ...(body ? { body } : {}),
});
const restricted = (route: string, url: () => string, body?: () => object): RouteCase => ({
  route,
  kind: "restricted",
  url,
  ...(body ? { body } : {}),
});
const self = (route: string, url: () => string): RouteCase => ({ route, kind: "self", url });

const org = () => `/api/organisations/${ids.org}`;
const person = () => `/api/people/${ids.person}`;
const eA = () => `/api/engagements/${ids.engagementA}`;
const newOrg = () => ({ kind: "movement", names: [{ kind: "official", lang: "en", value: "Viewer's movement" }] });
const label = () => ({ key: unique("k-"), nameEn: "L", nameZh: "标" });

const routeCases: RouteCase[] = [
  self("POST /api/auth/login", () => "/api/auth/login"),
  self("GET /api/auth/session", () => "/api/auth/session"),
  self("POST /api/auth/logout", () => "/api/auth/logout"),
  self("POST /api/auth/password", () => "/api/auth/password"),
  restricted(
    "POST /api/users/:id/password",
    () => `/api/users/${ids.editorA}/password`,
    () => ({ password: "a brand new passphrase 9" }),
  ),
  self("GET /api/auth/preferences", () => "/api/auth/preferences"),
  self("PUT /api/auth/preferences", () => "/api/auth/preferences"),
  self("GET /api/auth/tokens", () => "/api/auth/tokens"),
  self("POST /api/auth/tokens", () => "/api/auth/tokens"),
  self("DELETE /api/auth/tokens/:id", () => "/api/auth/tokens/424242"),
  self("GET /api/calendar/feeds", () => "/api/calendar/feeds"),
  self("POST /api/calendar/feeds", () => "/api/calendar/feeds"),
  self("DELETE /api/calendar/feeds/:id", () => "/api/calendar/feeds/424242"),
  self("GET /api/auth/sessions", () => "/api/auth/sessions"),
  self("DELETE /api/auth/sessions/:id", () => "/api/auth/sessions/424242"),
  self("DELETE /api/auth/sessions", () => "/api/auth/sessions"),
  registry("GET /api/organisations", () => "/api/organisations?country=KEN"),
  registry("GET /api/organisations/counts", () => "/api/organisations/counts?by=country"),
  registry("GET /api/organisations/:id", org),
  registry("POST /api/organisations", () => "/api/organisations", newOrg),
  registry("PATCH /api/organisations/:id", org, () => ({ foundedYear: 1999 })),
  registry("DELETE /api/organisations/:id", org),
  registry(
    "POST /api/organisations/:id/statuses",
    () => `${org()}/statuses`,
    () => ({ status: "in_government", validFrom: "2020-01-01" }),
  ),
  registry("DELETE /api/organisations/:id/statuses/:statusId", () => `${org()}/statuses/424242`),
  registry(
    "POST /api/organisations/:id/congresses",
    () => `${org()}/congresses`,
    () => ({ opensOn: "2027-01-20", ordinal: 14 }),
  ),
  registry("DELETE /api/organisations/:id/congresses/:congressId", () => `${org()}/congresses/424242`),
  registry(
    "PUT /api/organisations/:id/relationship",
    () => `${org()}/relationship`,
    () => ({ level: "regular" }),
  ),
  registry(
    "POST /api/organisations/:id/relations",
    () => `${org()}/relations`,
    () => ({ kind: "member_of", toOrganisationId: ids.org }),
  ),
  registry("DELETE /api/organisations/:id/relations/:relationId", () => `${org()}/relations/424242`),
  registry("GET /api/people", () => "/api/people?country=KEN"),
  registry("GET /api/people/:id", person),
  registry(
    "POST /api/people",
    () => "/api/people",
    () => ({ nameEn: "Viewer's person" }),
  ),
  registry("PATCH /api/people/:id", person, () => ({ nameEn: "Renamed" })),
  registry("DELETE /api/people/:id", person),
  registry(
    "POST /api/people/:id/positions",
    () => `${person()}/positions`,
    () => ({ organisationId: ids.org, titleEn: "Chair" }),
  ),
  registry(
    "PUT /api/people/:id/positions/:positionId",
    () => `${person()}/positions/424242`,
    () => ({ organisationId: ids.org, titleEn: "Chair" }),
  ),
  registry("DELETE /api/people/:id/positions/:positionId", () => `${person()}/positions/424242`),
  registry("GET /api/people/:id/contacts", () => `${person()}/contacts`),
  registry(
    "POST /api/people/:id/contacts",
    () => `${person()}/contacts`,
    () => ({ kind: "email", value: "v@example.org" }),
  ),
  owned("DELETE /api/people/:id/contacts/:contactId", () => `${person()}/contacts/${ids.contactA}`),
  registry("GET /api/regions", () => "/api/regions"),
  registry("GET /api/countries", () => "/api/countries"),
  registry("GET /api/countries/:code", () => "/api/countries/KEN"),
  restricted(
    "POST /api/countries",
    () => "/api/countries",
    () => ({ code: "XQZ", nameEn: "Q", nameZh: "Q", subregionCode: "014" }),
  ),
  restricted(
    "PATCH /api/countries/:code",
    () => "/api/countries/KEN",
    () => ({ nameEn: "Kenya!" }),
  ),
  registry("GET /api/country-groups", () => "/api/country-groups"),
  registry("GET /api/country-groups/:idOrKey", () => `/api/country-groups/${ids.group}`),
  registry(
    "POST /api/country-groups",
    () => "/api/country-groups",
    () => ({ ...label(), countryCodes: ["KEN"] }),
  ),
  registry(
    "PATCH /api/country-groups/:id",
    () => `/api/country-groups/${ids.group}`,
    () => ({ nameEn: "G2" }),
  ),
  registry("DELETE /api/country-groups/:id", () => `/api/country-groups/${ids.group}`),
  registry("GET /api/tags", () => "/api/tags"),
  registry("POST /api/tags", () => "/api/tags", label),
  registry(
    "PATCH /api/tags/:id",
    () => `/api/tags/${ids.tag}`,
    () => ({ nameEn: "T2" }),
  ),
  registry("DELETE /api/tags/:id", () => `/api/tags/${ids.tag}`),
  registry("GET /api/topics", () => "/api/topics"),
  registry("POST /api/topics", () => "/api/topics", label),
  registry(
    "PATCH /api/topics/:id",
    () => `/api/topics/${ids.topic}`,
    () => ({ nameEn: "P2" }),
  ),
  registry("DELETE /api/topics/:id", () => `/api/topics/${ids.topic}`),
  registry("GET /api/units", () => "/api/units"),
  restricted(
    "POST /api/units",
    () => "/api/units",
    () => ({ kind: "bureau", ...label() }),
  ),
  restricted(
    "PATCH /api/units/:id",
    () => `/api/units/${ids.unitA}`,
    () => ({ nameEn: "Renamed" }),
  ),
  restricted("GET /api/users", () => "/api/users"),
  restricted(
    "POST /api/users",
    () => "/api/users",
    () => ({ username: unique("x."), displayName: "X", roles: [] }),
  ),
  restricted(
    "PATCH /api/users/:id",
    () => `/api/users/${ids.editorA}`,
    () => ({ clearance: true }),
  ),
  self("GET /api/me", () => "/api/me"),
  registry("GET /api/engagements", () => "/api/engagements?pageSize=200"),
  registry("GET /api/engagements/counts", () => "/api/engagements/counts?by=unit"),
  owned("GET /api/engagements/:id", eA),
  registry(
    "POST /api/engagements",
    () => "/api/engagements",
    () => ({
      type: "talks",
      direction: "none",
      titleEn: "Viewer's talks",
      startDate: "2024-01-01",
      leadUnitId: ids.unitA,
    }),
  ),
  owned("PATCH /api/engagements/:id", eA, () => ({ titleEn: "Changed" })),
  owned("DELETE /api/engagements/:id", eA),
  registry("GET /api/organisations/:id/engagements", () => `${org()}/engagements`),
  owned("GET /api/engagements/:id/attachments/:attachmentId", () => `${eA()}/attachments/${ids.attachmentA}`),
  owned("DELETE /api/engagements/:id/attachments/:attachmentId", () => `${eA()}/attachments/${ids.attachmentA}`),
  owned(
    "POST /api/engagements/:id/submit",
    () => `/api/engagements/${ids.plannedA}/submit`,
    () => ({}),
  ),
  owned(
    "POST /api/engagements/:id/approve",
    () => `/api/engagements/${ids.plannedA}/approve`,
    () => ({}),
    403,
  ),
  owned(
    "POST /api/engagements/:id/return",
    () => `/api/engagements/${ids.plannedA}/return`,
    () => ({ note: "No" }),
    403,
  ),
  owned(
    "POST /api/engagements/:id/report",
    () => `/api/engagements/${ids.plannedA}/report`,
    () => ({ note: "Done" }),
  ),
  registry("GET /api/engagements/export", () => "/api/engagements/export"),
  registry("GET /api/alerts", () => "/api/alerts"),
  registry("GET /api/alerts/preview", () => `/api/alerts/preview?organisationIds=${ids.org}&startDate=2024-01-01&leadUnitId=${ids.unitA}`),
  owned("GET /api/engagements/:id/clashes", () => `/api/engagements/${ids.plannedA}/clashes`),
  owned(
    "POST /api/engagements/:id/cancel",
    () => `/api/engagements/${ids.plannedA}/cancel`,
    () => ({ reason: "No" }),
  ),
  registry("GET /api/tasks", () => "/api/tasks?status=all"),
  registry("GET /api/briefings/docx", () => `/api/briefings/docx?organisationId=${ids.org}`),
  registry("GET /api/tasks/assignees", () => "/api/tasks/assignees"),
  registry(
    "POST /api/tasks",
    () => "/api/tasks",
    () => ({ organisationId: ids.org, title: "Viewer's task" }),
  ),
  owned(
    "PATCH /api/tasks/:id",
    () => `/api/tasks/${ids.taskA}`,
    () => ({ title: "Changed" }),
  ),
  owned("DELETE /api/tasks/:id", () => `/api/tasks/${ids.taskA}`),
  restricted("GET /api/backup", () => "/api/backup"),
  registry("GET /api/gifts", () => "/api/gifts"),
  registry("GET /api/gifts/xlsx", () => "/api/gifts/xlsx"),
  owned(
    "POST /api/gifts",
    () => "/api/gifts",
    () => ({ engagementId: ids.engagementA, given: true, description: "Viewer's gift" }),
  ),
  owned(
    "PATCH /api/gifts/:id",
    () => `/api/gifts/${ids.giftA}`,
    () => ({ handling: "returned" }),
  ),
  owned("DELETE /api/gifts/:id", () => `/api/gifts/${ids.giftA}`),
  registry("GET /api/network", () => "/api/network"),
  registry("GET /api/partners/health", () => "/api/partners/health?attention=false"),
  registry("GET /api/partners/dormant", () => "/api/partners/dormant?days=30"),
  restricted("GET /api/approvals", () => "/api/approvals"),
  {
    route: "POST /api/engagements/:id/attachments",
    kind: "owned",
    url: () => `${eA()}/attachments?fileName=b.png`,
    body: () => pngBytes,
    contentType: "image/png",
    bStatus: 404,
  },
  {
    route: "POST /api/imports/files",
    kind: "registry",
    url: () => "/api/imports/files?fileName=partners.csv",
    body: () => Buffer.from("name\nSweep Party\n"),
    contentType: "text/csv",
  },
  registry(
    "POST /api/imports/inspect",
    () => "/api/imports/inspect",
    () => ({ fileId: "0".repeat(64), fileName: "a.csv" }),
  ),
  registry(
    "POST /api/imports/preview",
    () => "/api/imports/preview",
    () => ({ fileId: "0".repeat(64), fileName: "a.csv" }),
  ),
  registry(
    "POST /api/imports/preview/spreadsheet",
    () => "/api/imports/preview/spreadsheet",
    () => ({ fileId: "0".repeat(64), fileName: "a.csv" }),
  ),
  registry(
    "POST /api/imports",
    () => "/api/imports",
    () => ({ fileId: "0".repeat(64), fileName: "a.csv" }),
  ),
  registry("GET /api/imports", () => "/api/imports"),
  registry("GET /api/imports/mappings", () => "/api/imports/mappings"),
  registry(
    "PUT /api/imports/mappings/:name",
    () => "/api/imports/mappings/sweep",
    () => ({ columns: ["nameEn"] }),
  ),
  registry("GET /api/imports/:id", () => "/api/imports/424242"),
  registry("POST /api/imports/:id/undo", () => "/api/imports/424242/undo"),
  registry("GET /api/programmes", () => "/api/programmes"),
  registry("GET /api/programmes/:id", () => `/api/programmes/${ids.programme}`),
  restricted(
    "POST /api/programmes",
    () => "/api/programmes",
    () => ({ nameEn: "P", nameZh: "项", leadUnitId: ids.unitA }),
  ),
  restricted(
    "PATCH /api/programmes/:id",
    () => `/api/programmes/${ids.programme}`,
    () => ({ nameEn: "P2" }),
  ),
  restricted("DELETE /api/programmes/:id", () => `/api/programmes/${ids.programme}`),
  registry("GET /api/mechanisms", () => "/api/mechanisms"),
  registry("GET /api/mechanisms/:id", () => `/api/mechanisms/${ids.mechanism}`),
  registry("GET /api/organisations/:id/memberships", () => `${org()}/memberships`),
  registry("GET /api/mechanisms/:id/members", () => `/api/mechanisms/${ids.mechanism}/members?on=2024-01-01`),
  restricted(
    "POST /api/mechanisms",
    () => "/api/mechanisms",
    () => ({ kind: "party_forum", nameEn: "M", nameZh: "机", leadUnitId: ids.unitA }),
  ),
  restricted(
    "PATCH /api/mechanisms/:id",
    () => `/api/mechanisms/${ids.mechanism}`,
    () => ({ nameEn: "M2" }),
  ),
  restricted("DELETE /api/mechanisms/:id", () => `/api/mechanisms/${ids.mechanism}`),
  restricted(
    "POST /api/mechanisms/:id/members",
    () => `/api/mechanisms/${ids.mechanism}/members`,
    () => ({ organisationId: ids.org, joinedOn: "2020-01-01" }),
  ),
  restricted(
    "PATCH /api/mechanisms/:id/members/:memberId",
    () => `/api/mechanisms/${ids.mechanism}/members/424242`,
    () => ({ note: "x" }),
  ),
  restricted("DELETE /api/mechanisms/:id/members/:memberId", () => `/api/mechanisms/${ids.mechanism}/members/424242`),
  restricted(
    "POST /api/mechanisms/:id/chairs",
    () => `/api/mechanisms/${ids.mechanism}/chairs`,
    () => ({ organisationId: ids.org, startDate: "2020-01-01" }),
  ),
  restricted("DELETE /api/mechanisms/:id/chairs/:chairId", () => `/api/mechanisms/${ids.mechanism}/chairs/424242`),
  registry("GET /api/organisations/:id/notes", () => `${org()}/notes`),
  registry(
    "POST /api/organisations/:id/notes",
    () => `${org()}/notes`,
    () => ({ body: "Viewer's note" }),
  ),
  registry("GET /api/people/:id/notes", () => `${person()}/notes`),
  registry(
    "POST /api/people/:id/notes",
    () => `${person()}/notes`,
    () => ({ body: "Viewer's note" }),
  ),
  owned("GET /api/notes/:id", () => `/api/notes/${ids.noteA}`),
  owned(
    "PATCH /api/notes/:id",
    () => `/api/notes/${ids.noteA}`,
    () => ({ body: "Changed" }),
  ),
  owned("DELETE /api/notes/:id", () => `/api/notes/${ids.noteA}`),
  owned("GET /api/engagements/:id/shares", () => `${eA()}/shares`),
  owned(
    "POST /api/engagements/:id/shares",
    () => `${eA()}/shares`,
    () => ({ unitId: ids.unitB }),
  ),
  owned("DELETE /api/engagements/:id/shares/:unitId", () => `/api/engagements/${ids.sharedA}/shares/${ids.unitB}`, undefined, 403),
  owned("GET /api/notes/:id/shares", () => `/api/notes/${ids.noteA}/shares`),
  owned(
    "POST /api/notes/:id/shares",
    () => `/api/notes/${ids.noteA}/shares`,
    () => ({ unitId: ids.unitB }),
  ),
  owned("DELETE /api/notes/:id/shares/:unitId", () => `/api/notes/${ids.noteA}/shares/${ids.unitB}`),
  registry("GET /api/reports/overview", () => "/api/reports/overview?from=2024-01-01&to=2024-12-31"),
  registry("GET /api/reports/overview/export", () => "/api/reports/overview/export?from=2024-01-01&to=2024-12-31&format=csv"),
  registry("GET /api/reports/templates", () => "/api/reports/templates"),
  restricted(
    "PUT /api/reports/templates/:key",
    () => "/api/reports/templates/talks",
    () => ({ zh: "会谈{engagements}次", en: "{engagements} talks" }),
  ),
  restricted("DELETE /api/reports/templates/:key", () => "/api/reports/templates/talks"),
  restricted(
    "POST /api/reports/templates",
    () => "/api/reports/templates",
    () => ({
      key: "sweep_kind",
      label: { zh: "测试", en: "Sweep" },
      filter: { type: "visit" },
      zh: "{engagements}次",
      en: "{engagements} visits",
    }),
  ),
  registry("GET /api/reports/snapshots", () => "/api/reports/snapshots"),
  // Freezing a report is every reader's own business (leaders read and cite them); it changes no record.
  self("POST /api/reports/snapshots", () => "/api/reports/snapshots"),
  owned("GET /api/reports/snapshots/:id", () => `/api/reports/snapshots/${ids.snapshotA}`),
  self("GET /api/notifications", () => "/api/notifications"),
  self("POST /api/notifications/:id/read", () => "/api/notifications/424242/read"),
  self("POST /api/notifications/read", () => "/api/notifications/read"),
  registry("GET /api/vocabulary", () => "/api/vocabulary"),
  registry("GET /api/stats", () => "/api/stats"),
  restricted("GET /api/audit", () => "/api/audit?pageSize=200"),
  restricted("GET /api/export", () => "/api/export"),
  restricted("GET /api/audit/export", () => "/api/audit/export"),
  registry("GET /api/names/suggestions", () => "/api/names/suggestions"),
  registry("GET /api/names/suggestions/export", () => "/api/names/suggestions/export"),
  registry(
    "POST /api/organisations/:id/name-suggestion/accept",
    () => `${org()}/name-suggestion/accept`,
    () => ({}),
  ),
  registry(
    "POST /api/organisations/:id/name-suggestion/reject",
    () => `${org()}/name-suggestion/reject`,
    () => ({}),
  ),
  restricted(
    "POST /api/names/suggest",
    () => "/api/names/suggest",
    () => ({}),
  ),
  registry("GET /api/names/settings", () => "/api/names/settings"),
  restricted(
    "PUT /api/names/settings",
    () => "/api/names/settings",
    () => ({ showSuggested: false }),
  ),
  registry("GET /api/places/policy", () => "/api/places/policy"),
  restricted(
    "PUT /api/places/policy",
    () => "/api/places/policy",
    () => defaultPlacePolicy,
  ),
  registry("GET /api/organisations/:id/history", () => `${org()}/history`),
  // Resolving pasted names reads the registry only: every reader's (a POST for its long body).
  self("POST /api/organisations/resolve", () => "/api/organisations/resolve"),
  registry("GET /api/people/:id/history", () => `${person()}/history`),
  registry("GET /api/duplicates/:kind", () => "/api/duplicates/organisations"),
  registry(
    "POST /api/duplicates/:kind/dismiss",
    () => "/api/duplicates/organisations/dismiss",
    () => ({ aId: ids.org, bId: 424242 }),
  ),
  // Merging moves every unit's records: coordinators' and administrators' work.
  restricted(
    "POST /api/organisations/merge",
    () => "/api/organisations/merge",
    () => ({ survivorId: ids.org, mergedId: 424242 }),
  ),
  restricted(
    "POST /api/people/merge",
    () => "/api/people/merge",
    () => ({ survivorId: ids.person, mergedId: 424242 }),
  ),
  {
    route: "POST /api/names/suggestions/import",
    kind: "registry",
    url: () => "/api/names/suggestions/import",
    body: () => Buffer.from("organisation_id,basis,decision\r\n"),
    contentType: "text/csv",
  },
];

const isWrite = (route: string) => !route.startsWith("GET ");
const methodOf = (route: string) => route.split(" ")[0] as Method;

function send(who: keyof typeof browsers, c: RouteCase) {
  const body = c.body?.();
  return browsers[who].call(methodOf(c.route), c.url(), body, c.contentType ? { "content-type": c.contentType } : {});
}

/** Every table's content, as one digest per table: what "the database is unchanged" compares. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
      -- Not records: the audit of the refusals, sign-ins, and the write limit's counters (every write, refused or not, counts).
      AND table_name NOT IN ('audit_log', 'sessions', 'api_tokens', 'login_failures', 'rate_limit_windows', 'kysely_migration', 'kysely_migration_lock')
    ORDER BY table_name`.execute(db());
  const digest: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{
      d: string;
    }>`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM ${sql.table(name)} t`.execute(db());
    digest[name] = row.rows[0]?.d ?? "";
  }
  return digest;
}

async function auditRowsSince(id: number) {
  return db().selectFrom("auditLog").select(["id", "entity", "action"]).where("id", ">", id).orderBy("id").execute();
}
async function lastAuditId(): Promise<number> {
  return (await db().selectFrom("auditLog").select(sql<number>`coalesce(max(id), 0)::int`.as("m")).executeTakeFirstOrThrow()).m;
}

describe("the cross-unit sweep", () => {
  it("declares every API route", () => {
    const declared = routeCases.map((c) => c.route);
    const registered = app.apiRoutes.map((r) => `${r.method} ${r.url}`);
    expect(registered.filter((r) => !declared.includes(r))).toEqual([]);
    expect(declared.filter((r) => !registered.includes(r))).toEqual([]);
  });

  it("answers 401 to anonymous callers on every route but sign-in", async () => {
    for (const c of routeCases) {
      const response = await send("anonymous", c);
      if (c.route === "POST /api/auth/login") expect(response.statusCode, c.route).toBe(400);
      // Signing out without a session has nothing to end: it only clears the cookie.
      else if (c.route === "POST /api/auth/logout") expect(response.statusCode, c.route).toBe(204);
      else expect(response.statusCode, c.route).toBe(401);
    }
  });

  it("refuses A's viewer every change and B's editor every touch of A's records, and the database is unchanged", async () => {
    const before = await fingerprint();
    const since = await lastAuditId();
    for (const c of routeCases) {
      if (c.kind === "self") continue;
      if (isWrite(c.route) || c.kind === "restricted") {
        const response = await send("viewerA", c);
        expect(response.statusCode, `viewer ${c.route} ${response.body}`).toBe(403);
      }
      if (c.kind === "owned") {
        const response = await send("editorB", c);
        expect(response.statusCode, `B ${c.route} ${response.body}`).toBe(c.bStatus ?? 404);
      }
      if (c.kind === "restricted") {
        for (const who of ["editorA", "editorB"] as const) expect((await send(who, c)).statusCode, `${who} ${c.route}`).toBe(403);
      }
    }
    expect(await fingerprint()).toEqual(before);
    // The only trace the refusals leave is the audit of each permission denial.
    const written = await auditRowsSince(since);
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((r) => !(r.entity === "permission" && r.action === "denied"))).toEqual([]);
  });

  it("lets a user with roles in several units act in each only as the role held there, and the database is unchanged", async () => {
    const before = await fingerprint();
    // A viewer in A who edits in B, and a viewer of the whole centre who edits in C: each reads
    // A's records and changes none of them, whatever else they hold.
    for (const who of ["mixed", "centreMixed"] as const) {
      for (const c of routeCases) {
        if (c.kind !== "owned" || !isWrite(c.route)) continue;
        const response = await send(who, c);
        expect([403, 404], `${who} ${c.route} ${response.body}`).toContain(response.statusCode);
      }
      // Nor may they make records that belong to A, through the routes where the unit is named.
      const intoA: Array<[Method, string, object]> = [
        [
          "POST",
          "/api/engagements",
          { type: "talks", direction: "none", titleEn: "Into A", startDate: "2024-01-01", leadUnitId: ids.unitA },
        ],
        ["PATCH", `/api/engagements/${ids.engagementB}`, { leadUnitId: ids.unitA }],
        ["POST", `${org()}/notes`, { body: "Into A", unitId: ids.unitA }],
        ["POST", `${person()}/contacts`, { kind: "email", value: "into-a@example.org", unitId: ids.unitA }],
        ["POST", `/api/engagements/${ids.engagementA}/shares`, { unitId: ids.unitB }],
        ["POST", `/api/engagements/${ids.plannedA}/submit`, {}],
        ["POST", "/api/tasks", { engagementId: ids.engagementA, title: "Into A" }],
        ["POST", "/api/tasks", { organisationId: ids.org, unitId: ids.unitA, title: "Into A" }],
        ["POST", "/api/gifts", { engagementId: ids.sharedA, given: true, description: "Into A" }],
      ];
      for (const [method, url, body] of intoA) {
        const response = await browsers[who].call(method, url, body);
        expect([403, 404], `${who} ${method} ${url} ${response.body}`).toContain(response.statusCode);
      }
      // A's contact details are not theirs to read: they keep them only where they edit.
      const contacts = await browsers[who].call("GET", `${person()}/contacts`);
      expect(contacts.body).not.toContain(`${markers.a}@example.org`);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it("lets a user with roles in several units change what the role there allows", async () => {
    const created = await browsers.mixed.call("POST", "/api/engagements", {
      type: "talks",
      direction: "none",
      titleEn: "Mixed user's talks in B",
      startDate: "2024-01-02",
      leadUnitId: ids.unitB,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await browsers.mixed.call("PATCH", `/api/engagements/${created.json().id}`, { titleEn: "Renamed in B" })).statusCode).toBe(200);
    // Its note goes to the unit where it writes notes (B), not the first unit it holds a role in.
    const note = await browsers.mixed.call("POST", `${org()}/notes`, { body: "A note of B's" });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json().unit.id).toBe(ids.unitB);
    expect((await browsers.mixed.call("DELETE", `/api/notes/${note.json().id}`)).statusCode).toBe(204);
    expect((await browsers.mixed.call("DELETE", `/api/engagements/${created.json().id}`)).statusCode).toBe(204);
    const inC = await browsers.centreMixed.call("POST", "/api/engagements", {
      type: "talks",
      direction: "none",
      titleEn: "Talks in C",
      startDate: "2024-01-03",
      leadUnitId: ids.unitC,
    });
    expect(inC.statusCode, inC.body).toBe(201);
    expect((await browsers.centreMixed.call("DELETE", `/api/engagements/${inC.json().id}`)).statusCode).toBe(204);
  });

  it("lets no record of one side appear in any response to the other, nor restricted ones to the uncleared", async () => {
    const uncleared = [markers.restricted, ...restrictedDays];
    const forbidden = {
      viewerA: [markers.b, ...uncleared],
      editorA: [markers.b, ...uncleared],
      editorB: [markers.a, ...uncleared],
      coordinator: uncleared,
      mixed: uncleared,
      centreMixed: uncleared,
    } as const;
    for (const c of routeCases) {
      if (isWrite(c.route)) continue;
      for (const [who, hidden] of Object.entries(forbidden) as Array<[keyof typeof forbidden, readonly string[]]>) {
        const response = await send(who, c);
        expect(response.statusCode, `${who} ${c.route}`).toBeLessThan(500);
        for (const marker of hidden) expect(response.body.includes(marker), `${who} ${c.route} shows ${marker}`).toBe(false);
      }
    }
    // The markers are there to be found: A's editor sees A's, the cleared administrator all three,
    // and the restricted work's days in the alerts, the network and the mechanism's sessions.
    expect((await send("editorA", routeCases.find((c) => c.route === "GET /api/engagements") as RouteCase)).body).toContain(markers.a);
    expect((await browsers.admin.call("GET", "/api/alerts")).body).toContain(restrictedDays[1]);
    expect((await browsers.admin.call("GET", `/api/mechanisms/${ids.mechanism}`)).body).toContain(restrictedDays[0]);
    expect((await browsers.admin.call("GET", "/api/network")).body).toContain(markers.restricted);
    expect((await browsers.editorB.call("GET", "/api/alerts")).body).toContain("2027-07-20");
    const adminNotes = (await browsers.admin.call("GET", `${org()}/notes`)).body;
    for (const marker of Object.values(markers)) expect(adminNotes).toContain(marker);
  });
});

describe("agreement across reads", () => {
  async function openable(who: keyof typeof browsers, urls: Array<[number, string]>): Promise<number[]> {
    const open: number[] = [];
    for (const [id, url] of urls) {
      const status = (await browsers[who].call("GET", url)).statusCode;
      expect([200, 404], `${who} ${url}`).toContain(status);
      if (status === 200) open.push(id);
    }
    return open.sort((a, b) => a - b);
  }
  const sorted = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

  it("list, search, timeline, CSV export, counts and the full export show exactly the engagements a single read opens", async () => {
    const all = (await db().selectFrom("engagements").select("id").execute()).map((r) => r.id);
    const participating = (
      await db().selectFrom("engagementParticipants").select("engagementId").where("organisationId", "=", ids.org).execute()
    ).map((r) => r.engagementId);
    const seen: Record<string, number[]> = {};
    for (const who of ["viewerA", "editorA", "editorB", "coordinator", "mixed", "centreMixed", "admin"] as const) {
      const open = await openable(
        who,
        all.map((id) => [id, `/api/engagements/${id}`]),
      );
      seen[who] = open;
      const list = (await browsers[who].call("GET", "/api/engagements?pageSize=200")).json();
      expect(sorted(list.items.map((i: { id: number }) => i.id)), `${who} list`).toEqual(open);
      expect(list.total, `${who} list total`).toBe(open.length);
      const search = (await browsers[who].call("GET", "/api/engagements?q=matrix&pageSize=200")).json();
      expect(sorted(search.items.map((i: { id: number }) => i.id)), `${who} search`).toEqual(open);
      const timeline = (await browsers[who].call("GET", `${org()}/engagements?pageSize=200`)).json();
      expect(sorted(timeline.items.map((i: { id: number }) => i.id)), `${who} timeline`).toEqual(
        open.filter((id) => participating.includes(id)),
      );
      const csv = (await browsers[who].call("GET", "/api/engagements/export")).body.split("\r\n").slice(1).filter(Boolean);
      expect(sorted(csv.map((line) => Number(line.split(",")[0]))), `${who} CSV`).toEqual(open);
      // The report's figures: every engagement counted is one the reader can open, status by status.
      for (const status of ["done", "planned"]) {
        const counts = (await browsers[who].call("GET", `/api/engagements/counts?by=type&status=${status}`)).json();
        const drill = (await browsers[who].call("GET", `/api/engagements?status=${status}&pageSize=200`)).json();
        expect(counts.total.engagements, `${who} counts ${status}`).toBe(drill.total);
        expect(drill.items.every((i: { id: number }) => open.includes(i.id))).toBe(true);
      }
      const full = await browsers[who].call("GET", "/api/export");
      if (who === "admin") expect(sorted(full.json().tables.engagements.map((e: { id: number }) => e.id))).toEqual(open);
      else expect(full.statusCode, `${who} full export`).toBe(403);
    }
    // The sweep's expectations, spelled out: scope by unit and sub-unit, sharing, clearance.
    const restricted = [ids.restrictedA, ids.restrictedPlannedA, ids.restrictedEventA];
    expect(seen.viewerA).toEqual(sorted([ids.engagementA, ids.engagementA1, ids.plannedA, ids.sharedA, ids.eventA]));
    // The restricted engagement shared with B stays out of sight of B's uncleared editor.
    expect(seen.editorB).toEqual(sorted([ids.engagementB, ids.sharedA, ids.plannedB]));
    expect(seen.coordinator).toEqual(sorted(all.filter((id) => !restricted.includes(id))));
    // Several roles read as the union of what each role reads.
    expect(seen.mixed).toEqual(sorted([...(seen.viewerA ?? []), ...(seen.editorB ?? [])]));
    expect(seen.centreMixed).toEqual(seen.coordinator);
    expect(seen.admin).toEqual(sorted(all));
  });

  it("notes and contact details: the lists show exactly what single reads allow", async () => {
    const allNotes = (await db().selectFrom("notes").select("id").execute()).map((r) => r.id);
    for (const who of ["viewerA", "editorB", "coordinator", "mixed", "centreMixed", "admin"] as const) {
      const open = await openable(
        who,
        allNotes.map((id) => [id, `/api/notes/${id}`]),
      );
      const listed = [
        ...(await browsers[who].call("GET", `${org()}/notes`)).json(),
        ...(await browsers[who].call("GET", `${person()}/notes`)).json(),
      ].map((n: { id: number }) => n.id);
      expect(sorted(listed), `${who} notes`).toEqual(open);
    }
    const contacts = async (who: keyof typeof browsers) =>
      (await browsers[who].call("GET", `${person()}/contacts`)).json().map((c: { value: string }) => c.value);
    expect(await contacts("editorA")).toEqual([`${markers.a}@example.org`]);
    expect(await contacts("editorB")).toEqual([`${markers.b}@example.org`]);
    expect((await contacts("admin")).sort()).toEqual([`${markers.a}@example.org`, `${markers.b}@example.org`, markers.restricted].sort());
    expect((await browsers.viewerA.call("GET", `${person()}/contacts`)).statusCode).toBe(403);
  });
});

describe("mass assignment", () => {
  it("refuses or ignores unitId, createdBy, role and classification where they are not the caller's to set", async () => {
    const before = await fingerprint();
    const attempts: Array<[string, string, object]> = [
      ["PATCH", `/api/notes/${ids.noteA}`, { unitId: ids.unitB }],
      ["PATCH", `/api/notes/${ids.noteA}`, { createdBy: ids.editorB }],
      ["POST", `${org()}/notes`, { body: "x", unitId: ids.unitB }],
      ["POST", `${org()}/notes`, { body: "x", classification: "restricted" }],
      ["POST", `${person()}/contacts`, { kind: "email", value: "x@example.org", unitId: ids.unitB }],
      ["POST", `${person()}/contacts`, { kind: "email", value: "x@example.org", classification: "restricted" }],
      ["PATCH", eA(), { classification: "restricted" }],
      ["PATCH", eA(), { createdBy: ids.editorB }],
      ["POST", "/api/engagements", { type: "talks", direction: "none", titleEn: "x", startDate: "2024-01-01", leadUnitId: ids.unitB }],
      ["POST", "/api/auth/tokens", { name: "t", unitId: ids.unitA, role: "administrator" }],
      ["PATCH", `/api/users/${ids.editorA}`, { roles: [{ unitId: ids.unitA, role: "administrator" }] }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await browsers.editorA.call(method as Method, url, body);
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    expect(await fingerprint()).toEqual(before);
  });
});

describe("audit completeness", () => {
  it("writes one audit row per committed change and none for a refused or rolled-back one", async () => {
    const editor = browsers.editorA;
    const steps: Array<{ method: Method; url: () => string; body?: () => object; ok: boolean; entity?: string }> = [
      {
        method: "POST",
        url: () => "/api/engagements",
        body: () => ({ type: "talks", direction: "none", titleEn: "Audited talks", startDate: "2024-02-02", leadUnitId: ids.unitA }),
        ok: true,
        entity: "engagement",
      },
      {
        method: "PATCH",
        url: () => `/api/engagements/${ids.sharedA}`,
        body: () => ({ titleEn: "Matrix talks, renamed" }),
        ok: true,
        entity: "engagement",
      },
      // Refused inside the transaction, after the update began: rolled back.
      {
        method: "PATCH",
        url: () => `/api/engagements/${ids.sharedA}`,
        body: () => ({ participants: [{ organisationId: 424242, role: "participant" }] }),
        ok: false,
      },
      {
        method: "POST",
        url: () => `/api/engagements/${ids.sharedA}/shares`,
        body: () => ({ unitId: ids.unitA1 }),
        ok: true,
        entity: "engagement_share",
      },
      { method: "POST", url: () => `/api/engagements/${ids.sharedA}/shares`, body: () => ({ unitId: 424242 }), ok: false },
      { method: "DELETE", url: () => `/api/engagements/${ids.sharedA}/shares/${ids.unitA1}`, ok: true, entity: "engagement_share" },
      { method: "POST", url: () => `${org()}/notes`, body: () => ({ body: "Audited note" }), ok: true, entity: "note" },
      {
        method: "POST",
        url: () => `${person()}/contacts`,
        body: () => ({ kind: "phone", value: "+254 700 000000" }),
        ok: true,
        entity: "person_contact",
      },
      { method: "PUT", url: () => `${org()}/relationship`, body: () => ({ level: "established" }), ok: true },
      {
        method: "POST",
        url: () => "/api/organisations",
        body: () => ({ kind: "movement", names: [{ kind: "official", lang: "en", value: "Audited movement" }] }),
        ok: true,
        entity: "organisation",
      },
      { method: "POST", url: () => "/api/organisations", body: () => ({ kind: "movement", names: [] }), ok: false },
    ];
    for (const step of steps) {
      const since = await lastAuditId();
      const response = await editor.call(step.method, step.url(), step.body?.());
      const label = `${step.method} ${step.url()} → ${response.statusCode} ${response.body.slice(0, 200)}`;
      const written = await auditRowsSince(since);
      if (step.ok) {
        expect(response.statusCode, label).toBeLessThan(300);
        expect(written, label).toHaveLength(1);
        if (step.entity) expect(written[0]?.entity, label).toBe(step.entity);
      } else {
        expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
        expect(written, label).toEqual([]);
      }
    }
  });
});
