/**
 * Regressions for the outside audit's trust findings, one block per finding: per-unit
 * roles, tokens that follow their user's roles, token limits, restricted records in
 * notifications, the full export, sign-in limits under concurrency and behind proxies,
 * uploads, sessions, and the audit log's guarantees. Over real sessions, on both engines.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { Document, Packer, Paragraph } from "docx";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorForUser, ensureAdministratorPassword, setUserPassword } from "../src/core/auth/service.ts";
import { demoPassword, demoUsers, seedDemo } from "../src/core/demo/service.ts";
import { approveEngagement, submitEngagement } from "../src/core/engagements/approvals.ts";
import { prepareEngagementsCsv } from "../src/core/engagements/export.ts";
import { createEngagement, getEngagement } from "../src/core/engagements/service.ts";
import { createNote, listNotes } from "../src/core/notes/service.ts";
import { listNotifications } from "../src/core/notifications/service.ts";
import { addContact } from "../src/core/people/service.ts";
import { importGeography, importReference } from "../src/core/reference/service.ts";
import type { Actor, Role } from "../src/core/shared/actor.ts";
import { shareRecord } from "../src/core/sharing/service.ts";
import { createUnit, createUser, updateUser } from "../src/core/units/service.ts";
import type { Database } from "../src/db/connection.ts";
import { db } from "../src/db/current.ts";
import { buildApp } from "../src/server/app.ts";
import { Browser } from "./support/browser.ts";
import { openTestDatabase, testEngine } from "./support/database.ts";
import { actorIn, administrator, freshUnit, unique } from "./support/factories.ts";
import { zipArchive } from "./support/zip.ts";

let database: Database;
let app: FastifyInstance;
let admin: Actor;
const password = "a long passphrase for the audit";

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await ensureAdministratorPassword(password, () => "unused");
  await importGeography(admin);
  app = await buildApp({ writeRateLimit: 100_000 });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await database.close();
});

/** A new user with these roles and the suite's password; their id and username. */
async function person(roles: Array<{ unitId: number; role: Role; subunits?: boolean }>, clearance = false) {
  const username = unique("u.");
  const user = await createUser(admin, { username, displayName: username, roles });
  await setUserPassword(admin, user.id, { password });
  if (clearance) await updateUser(admin, user.id, { clearance: true });
  return { id: user.id, username };
}

async function signedIn(username: string): Promise<Browser> {
  const browser = new Browser(app);
  expect((await browser.login(username, password)).statusCode).toBe(200);
  return browser;
}

const talksIn = (unitId: number, extra: Record<string, unknown> = {}) => ({
  type: "talks",
  direction: "none",
  titleEn: unique("Talks "),
  startDate: "2024-05-05",
  leadUnitId: unitId,
  ...extra,
});

describe("1. a role acts only in its own unit (and below, where it says so)", () => {
  it("refuses a coordinator of one bureau the plans of another", async () => {
    const [a, b] = [await freshUnit("Bureau A"), await freshUnit("Bureau B")];
    const editorA = await actorIn(a, "editor");
    const plan = await createEngagement(editorA, {
      ...talksIn(a),
      type: "visit",
      direction: "sent",
      status: "planned",
      startDate: "2027-01-10",
    });
    await submitEngagement(editorA, plan.id);
    const coordinatorB = await actorIn(b, "coordinator");
    await expect(approveEngagement(coordinatorB, plan.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A viewer of A who coordinates B sees the plan and still may not decide on it.
    const viewerHereCoordinatorThere = (await actorForUser(
      (
        await person([
          { unitId: a, role: "viewer" },
          { unitId: b, role: "coordinator" },
        ])
      ).id,
    )) as Actor;
    await expect(approveEngagement(viewerHereCoordinatorThere, plan.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await approveEngagement(await actorIn(a, "coordinator"), plan.id)).approval).toBe("approved");
  });

  it("keeps a role held for its unit alone out of the units below", async () => {
    const parent = await freshUnit("Parent bureau");
    const child = (await createUnit(admin, { kind: "department", key: unique("ch-"), nameEn: "Child", nameZh: "下级", parentId: parent }))
      .id;
    const inChild = await createEngagement(admin, talksIn(child));
    const alone = (await actorForUser((await person([{ unitId: parent, role: "editor", subunits: false }])).id)) as Actor;
    const below = (await actorForUser((await person([{ unitId: parent, role: "editor" }])).id)) as Actor;
    await expect(getEngagement(alone, inChild.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createEngagement(alone, talksIn(child))).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await createEngagement(alone, talksIn(parent))).leadUnit.id).toBe(parent);
    expect((await getEngagement(below, inChild.id)).id).toBe(inChild.id);
    expect((await createEngagement(below, talksIn(child))).leadUnit.id).toBe(child);
  });
});

describe("2. an API token has no more rights than its user holds now", () => {
  it("narrows or ends at once when the user is demoted, moved, stripped of roles, given a new password or disabled", async () => {
    const unit = await freshUnit("Token bureau");
    const elsewhere = await freshUnit("Elsewhere");
    const user = await person([{ unitId: unit, role: "editor" }]);
    const session = await signedIn(user.username);
    const issue = async () => {
      const created = await session.call("POST", "/api/auth/tokens", { name: "integration", unitId: unit, role: "editor" });
      expect(created.statusCode, created.body).toBe(201);
      return new Browser(app, { authorization: `Bearer ${created.json().token}` });
    };
    const writes = async (token: Browser) => (await token.call("POST", "/api/engagements", talksIn(unit))).statusCode;
    const setRoles = (roles: Array<{ unitId: number; role: Role }>) => updateUser(admin, user.id, { roles });

    const token = await issue();
    expect(await writes(token)).toBe(201);
    await setRoles([{ unitId: unit, role: "viewer" }]);
    expect(await writes(token)).toBe(403);
    expect((await token.call("GET", "/api/engagements")).statusCode).toBe(200);
    await setRoles([{ unitId: elsewhere, role: "editor" }]);
    expect(await writes(token)).toBe(401);
    expect((await token.call("POST", "/api/engagements", talksIn(elsewhere))).statusCode).toBe(401);
    await setRoles([]);
    expect((await token.call("GET", "/api/organisations")).statusCode).toBe(401);
    await setRoles([{ unitId: unit, role: "editor" }]);
    expect(await writes(token)).toBe(201);

    // A new password ends every token, for good.
    const changed = await session.call("POST", "/api/auth/password", {
      currentPassword: password,
      newPassword: "a brand new passphrase 42",
    });
    expect(changed.statusCode).toBe(204);
    expect(await writes(token)).toBe(401);
    const renewed = new Browser(app);
    await renewed.login(user.username, "a brand new passphrase 42");
    const created = await renewed.call("POST", "/api/auth/tokens", { name: "again", unitId: unit, role: "editor" });
    const second = new Browser(app, { authorization: `Bearer ${created.json().token}` });
    expect(await writes(second)).toBe(201);
    await updateUser(admin, user.id, { disabled: true });
    expect(await writes(second)).toBe(401);
    await updateUser(admin, user.id, { disabled: false });
    expect(await writes(second)).toBe(401);
  });
});

describe("3. a token cannot outgrow itself or obtain a session", () => {
  it("mints only tokens within its own expiry, never a session, and no token is born expired", async () => {
    const unit = await freshUnit("Minting bureau");
    const user = await person([{ unitId: unit, role: "editor" }]);
    const session = await signedIn(user.username);
    const past = await session.call("POST", "/api/auth/tokens", {
      name: "stale",
      unitId: unit,
      role: "viewer",
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().details.fields[0].path).toBe("expiresAt");
    const inAnHour = new Date(Date.now() + 3600_000);
    const parent = await session.call("POST", "/api/auth/tokens", {
      name: "hourly",
      unitId: unit,
      role: "editor",
      expiresAt: inAnHour.toISOString(),
    });
    const token = new Browser(app, { authorization: `Bearer ${parent.json().token}` });
    const forever = await token.call("POST", "/api/auth/tokens", { name: "forever", unitId: unit, role: "viewer" });
    expect(forever.statusCode).toBe(403);
    const later = await token.call("POST", "/api/auth/tokens", {
      name: "later",
      unitId: unit,
      role: "viewer",
      expiresAt: new Date(inAnHour.getTime() + 86_400_000).toISOString(),
    });
    expect(later.statusCode).toBe(403);
    const higher = await token.call("POST", "/api/auth/tokens", {
      name: "higher",
      unitId: unit,
      role: "coordinator",
      expiresAt: inAnHour.toISOString(),
    });
    expect(higher.statusCode).toBe(403);
    const within = await token.call("POST", "/api/auth/tokens", {
      name: "within",
      unitId: unit,
      role: "viewer",
      expiresAt: inAnHour.toISOString(),
    });
    expect(within.statusCode).toBe(201);
    const password2 = await token.call("POST", "/api/auth/password", {
      currentPassword: password,
      newPassword: "token's own passphrase 9",
    });
    expect(password2.statusCode).toBe(403);
    expect(password2.headers["set-cookie"]).toBeUndefined();
    expect((await signedIn(user.username)).csrf).not.toBe("");
  });
});

describe("5. restricted records reach no one uncleared through notifications", () => {
  it("tells only the cleared about restricted work, and drops a notice whose record its reader can no longer open", async () => {
    const [a, b] = [await freshUnit("Bureau A"), await freshUnit("Bureau B")];
    const cleared = (await actorForUser((await person([{ unitId: a, role: "editor" }], true)).id)) as Actor;
    const readerB = await person([{ unitId: b, role: "editor" }]);
    const clearedB = await person([{ unitId: b, role: "editor" }], true);
    const secret = await createEngagement(cleared, talksIn(a, { classification: "restricted", titleEn: "Secret talks" }));
    const open = await createEngagement(cleared, talksIn(a, { titleEn: "Open talks" }));
    await shareRecord(cleared, "engagement", secret.id, { unitId: b });
    await shareRecord(cleared, "engagement", open.id, { unitId: b });
    const ids = async (userId: number) =>
      (await listNotifications((await actorForUser(userId)) as Actor, { pageSize: 200 })).items.map((n) => n.engagementId);
    expect(await ids(readerB.id)).toEqual([open.id]);
    expect((await ids(clearedB.id)).sort()).toEqual([open.id, secret.id].sort());
    // Unshared (or made restricted) later: the notice goes with the right to read the record.
    await sql`UPDATE engagements SET classification = 'restricted' WHERE id = ${open.id}`.execute(db());
    expect(await ids(readerB.id)).toEqual([]);
  });
});

describe("6. the full export", () => {
  it("holds no secret, is an administrator's, and is audited before its first byte and at its end", async () => {
    const coordinator = await person([{ unitId: admin.unitId, role: "coordinator" }], true);
    expect((await (await signedIn(coordinator.username)).call("GET", "/api/export")).statusCode).toBe(403);
    const before = await lastAuditId();
    const response = await (await signedIn("admin")).call("GET", "/api/export");
    expect(response.statusCode).toBe(200);
    const exported = response.json();
    expect(response.body).not.toContain("scrypt$");
    expect(exported.tables.users.length).toBeGreaterThan(0);
    for (const u of exported.tables.users) expect(Object.keys(u)).not.toContain("passwordHash");
    expect(Object.keys(exported.tables)).not.toEqual(expect.arrayContaining(["sessions", "apiTokens", "loginFailures"]));
    const rows = await auditSince(before, "export");
    expect(rows.map((r) => (r.after as { state: string }).state)).toEqual(["started", "completed"]);
  });

  it("records an export the client cut short, and stops writing when the client goes away", async () => {
    // Enough rows that the export cannot sit whole in the socket's buffers.
    await sql`INSERT INTO organisations (kind, name_en, search_text) SELECT 'movement', 'Filler movement ' || g || repeat('x', 200), ''
      FROM generate_series(1, 20000) g`.execute(db());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as AddressInfo).port;
    const admins = await signedIn("admin");
    const cookie = [...admins.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const before = await lastAuditId();
    await new Promise<void>((resolve, reject) => {
      const request = http.get({ host: "127.0.0.1", port, path: "/api/export", headers: { cookie } }, (response) => {
        expect(response.statusCode).toBe(200);
        response.once("data", () => {
          request.destroy();
          resolve();
        });
      });
      request.on("error", () => {});
      request.setTimeout(30_000, () => reject(new Error("no first chunk")));
    });
    await expect
      .poll(async () => (await auditSince(before, "export")).map((r) => (r.after as { state: string }).state), { timeout: 20_000 })
      .toEqual(["started", "aborted"]);
    // A download whose data cannot be read to the end says so too.
    const run = await prepareEngagementsCsv(admin, {});
    const since = await lastAuditId();
    await expect(
      run(() => {
        throw new Error("the disk went away");
      }),
    ).rejects.toThrow("the disk went away");
    const csv = await auditSince(since, "export_engagements_csv");
    expect(csv.map((r) => r.after)).toEqual([expect.objectContaining({ state: "aborted", reason: "the disk went away" })]);
  }, 120_000);
});

describe("7. sign-in limits hold under concurrency and behind proxies", () => {
  it("refuses all but five of fifteen parallel wrong passwords for one account, and all but thirty of sixty from one address", async () => {
    const user = await person([{ unitId: admin.unitId, role: "viewer" }]);
    const tries = await Promise.all(
      Array.from({ length: 15 }, () =>
        app.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: user.username, password: "wrong passphrase!" },
          remoteAddress: "10.9.9.1",
        }),
      ),
    );
    const statuses = tries.map((t) => t.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const fromOneAddress = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        app.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: `nobody${i}`, password: "wrong passphrase!" },
          remoteAddress: "10.9.9.2",
        }),
      ),
    );
    const byAddress = fromOneAddress.map((t) => t.statusCode);
    expect(byAddress.filter((s) => s === 401)).toHaveLength(30);
    expect(byAddress.filter((s) => s === 429)).toHaveLength(30);
  });

  it("lets forty colleagues behind one address, and one of them on eight devices, sign in at once: tries past an allowance wait for the checks, none is refused", async () => {
    // Addresses of their own: sign-ins are writes, and the write limit's counters are shared on a server.
    const colleagues = await Promise.all(Array.from({ length: 40 }, () => person([{ unitId: admin.unitId, role: "viewer" }])));
    const signIns = await Promise.all(
      colleagues.map((c) =>
        app.inject({ method: "POST", url: "/api/auth/login", payload: { username: c.username, password }, remoteAddress: "10.9.8.30" }),
      ),
    );
    expect(signIns.map((s) => s.statusCode)).toEqual(colleagues.map(() => 200));
    // One of them on eight devices at once: past the account's five, the others wait, none is refused.
    const devices = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: colleagues[0]?.username, password },
          remoteAddress: "10.9.8.30",
        }),
      ),
    );
    expect(devices.map((s) => s.statusCode)).toEqual(devices.map(() => 200));
    // A proved sign-in leaves no record behind; the allowances of failures are untouched.
    const left = await db().selectFrom("loginFailures").select("id").where("ip", "=", "10.9.8.30").execute();
    expect(left).toEqual([]);
  }, 120_000);

  it("takes a stored hash that scrypt refuses for a wrong password: a 401 and a failure's record, never a 500 or a check left running", async () => {
    const user = await person([{ unitId: admin.unitId, role: "viewer" }]);
    await sql`UPDATE users SET password_hash = 'scrypt$3$8$1$c2FsdA$aGFzaA' WHERE id = ${user.id}`.execute(db());
    const tried = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: user.username, password },
      remoteAddress: "10.9.8.40",
    });
    expect(tried.statusCode).toBe(401);
    const rows = await db().selectFrom("loginFailures").select(["checking"]).where("ip", "=", "10.9.8.40").execute();
    expect(rows).toEqual([{ checking: false }]);
  });

  it("believes X-Forwarded-For only from the proxies it is told to trust", async () => {
    const behind = await buildApp({ trustProxy: ["10.0.0.5"], writeRateLimit: 100_000 });
    try {
      const attempt = (i: number, remoteAddress: string) =>
        behind.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: `spoofer${i}`, password: "wrong passphrase!" },
          headers: { "x-forwarded-for": `203.0.113.${i}` },
          remoteAddress,
        });
      // From a client that is not the proxy, a made-up X-Forwarded-For changes nothing: one address, one limit.
      const direct: number[] = [];
      for (let i = 0; i < 31; i++) direct.push((await attempt(i, "10.0.0.99")).statusCode);
      expect(direct.at(-1)).toBe(429);
      // Through the trusted proxy, each client is itself.
      const proxied: number[] = [];
      for (let i = 0; i < 31; i++) proxied.push((await attempt(i, "10.0.0.5")).statusCode);
      expect(proxied.every((s) => s === 401)).toBe(true);
    } finally {
      await behind.close();
    }
  });

  it("holds the write limit under parallel requests", async () => {
    const limited = await buildApp({ writeRateLimit: 10, resolveActor: () => admin });
    try {
      const writes = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          limited.inject({
            method: "POST",
            url: "/api/tags",
            payload: { key: unique(`w${i}-`), nameEn: "W", nameZh: "写" },
            remoteAddress: "10.9.9.3",
          }),
        ),
      );
      expect(
        writes.filter((w) => w.statusCode === 201),
        writes[0]?.body,
      ).toHaveLength(10);
      expect(writes.filter((w) => w.statusCode === 429)).toHaveLength(15);
    } finally {
      await limited.close();
    }
  });
});

describe("10. smaller holes", () => {
  // The embedded engine is one process (its own memory counts); on PostgreSQL several may serve one office.
  it.runIf(testEngine === "postgres")("counts a client's writes together across the servers on one database", async () => {
    // Two Liaison processes behind one balancer: the limit is the client's, not each process's.
    const [first, second] = await Promise.all([
      buildApp({ writeRateLimit: 6, resolveActor: () => admin }),
      buildApp({ writeRateLimit: 6, resolveActor: () => admin }),
    ]);
    try {
      const write = (app: FastifyInstance, i: number) =>
        app.inject({
          method: "POST",
          url: "/api/tags",
          payload: { key: unique(`s${i}-`), nameEn: "S", nameZh: "共" },
          remoteAddress: "10.9.9.4",
        });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await write(i % 2 === 0 ? first : second, i)).statusCode);
      expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
      // Another client is counted apart.
      const other = await second.inject({
        method: "POST",
        url: "/api/tags",
        payload: { key: unique("o-"), nameEn: "O", nameZh: "他" },
        remoteAddress: "10.9.9.5",
      });
      expect(other.statusCode).toBe(201);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("marks the CSRF cookie Secure behind TLS", async () => {
    const behind = await buildApp({ trustProxy: ["127.0.0.1"] });
    try {
      const response = await behind.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "admin", password },
        headers: { "x-forwarded-proto": "https" },
      });
      const cookies = response.cookies as Array<{ name: string; secure?: boolean }>;
      expect(cookies.find((c) => c.name === "_csrf")?.secure).toBe(true);
      expect(cookies.find((c) => c.name === "liaison_session")?.secure).toBe(true);
    } finally {
      await behind.close();
    }
  });

  it("takes a Word document as DOCX, and refuses a ZIP with a program inside or without a document's parts", async () => {
    const unit = await freshUnit("Upload bureau");
    const editor = await person([{ unitId: unit, role: "editor" }]);
    const browser = await signedIn(editor.username);
    const engagement = (await browser.call("POST", "/api/engagements", talksIn(unit))).json().id;
    const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const upload = (name: string, bytes: Buffer) =>
      browser.call("POST", `/api/engagements/${engagement}/attachments?fileName=${name}`, bytes, { "content-type": docxType });
    const real = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph("会谈纪要")] }] }));
    expect((await upload("minutes.docx", real)).statusCode).toBe(201);
    const withProgram = zip([
      ["[Content_Types].xml", "<Types/>"],
      ["word/document.xml", "<w:document/>"],
      ["word/media/setup.exe", "MZ\u0090\u0000"],
    ]);
    const refused = await upload("setup.docx", withProgram);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain("setup.exe");
    expect((await upload("empty.docx", zip([["readme.txt", "hello"]]))).statusCode).toBe(400);
  });

  it("refuses an upload before reading its body when the caller may not attach", async () => {
    const unit = await freshUnit("Guarded bureau");
    const engagement = await createEngagement(admin, talksIn(unit));
    const viewer = await person([
      { unitId: unit, role: "viewer" },
      { unitId: await freshUnit("Their own"), role: "editor" },
    ]);
    const browser = await signedIn(viewer.username);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    // A body that sends its first bytes and then nothing: a server that waited for it would never answer.
    const never = new Readable({ read() {} });
    never.push(Buffer.from("%PDF-1.7\n"));
    const started = Date.now();
    const response = await app.inject({
      method: "POST",
      url: `/api/engagements/${engagement.id}/attachments?fileName=big.pdf`,
      payload: never,
      headers: { cookie, "x-csrf-token": browser.csrf, "content-type": "application/pdf", "content-length": String(20 * 1024 * 1024) },
    });
    expect(response.statusCode).toBe(403);
    expect(Date.now() - started).toBeLessThan(10_000);
    never.destroy();
  });

  it("gives each demo account its own salt", async () => {
    await importReference(admin);
    await seedDemo(admin);
    const hashes = await db()
      .selectFrom("users")
      .select("passwordHash")
      .where(
        "username",
        "in",
        demoUsers.map((u) => u.username),
      )
      .execute();
    const salts = hashes.map((h) => (h.passwordHash as string).split("$")[4]);
    expect(new Set(salts).size).toBe(demoUsers.length);
    expect((await new Browser(app).login("demo.africa.viewer", demoPassword)).statusCode).toBe(200);
  }, 240_000);

  it("keeps a session used every 40 seconds alive under a one-minute idle limit", async () => {
    const strict = await buildApp({ sessionPolicy: { idleMinutes: 1, maxHours: 12 } });
    try {
      const browser = new Browser(strict);
      await browser.login("admin", password);
      const age = (seconds: number) =>
        sql`UPDATE sessions SET last_seen_at = last_seen_at - ${`${seconds} seconds`}::interval`.execute(db());
      for (let use = 0; use < 4; use++) {
        await age(40);
        expect((await browser.call("GET", "/api/auth/session")).statusCode, `use ${use}`).toBe(200);
      }
      await age(70);
      expect((await browser.call("GET", "/api/auth/session")).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe("holes found by a second audit", () => {
  it("refuses a far-future day to relationship health instead of looping forever", async () => {
    const admins = await signedIn("admin");
    expect((await admins.call("GET", "/api/partners/health?on=9999-12-31")).statusCode).toBe(400);
    expect((await admins.call("GET", "/api/partners/health?on=2999-12-31&attention=false")).statusCode).toBe(200);
  });

  it("files each audit row under the record's unit, and shows a restricted record's rows to the uncleared as changed, not which or how", async () => {
    const [b, a] = [await freshUnit("First bureau"), await freshUnit("Second bureau")];
    // Several roles: the first unit (the lower id) is not where the record goes.
    const writer = await person(
      [
        { unitId: b, role: "editor" },
        { unitId: a, role: "editor" },
      ],
      true,
    );
    const session = await signedIn(writer.username);
    const made = await session.call("POST", "/api/engagements", talksIn(a, { summaryEn: "Confidential summary" }));
    const secret = await session.call(
      "POST",
      "/api/engagements",
      talksIn(a, { classification: "restricted", titleEn: "Restricted talks" }),
    );
    const upload = await session.call(
      "POST",
      `/api/engagements/${secret.json().id}/attachments?fileName=SECRET-list.pdf`,
      Buffer.from("%PDF-1.7\n"),
      {
        "content-type": "application/pdf",
      },
    );
    expect(upload.statusCode).toBe(201);
    const coordinatorOf = async (unitId: number) => signedIn((await person([{ unitId, role: "coordinator" }])).username);
    const auditOf = async (browser: Browser) =>
      (await browser.call("GET", "/api/audit?pageSize=200")).json().items as Array<Record<string, unknown>>;
    const ofA = await auditOf(await coordinatorOf(a));
    expect(ofA.some((r) => r.entity === "engagement" && r.entityId === String(made.json().id))).toBe(true);
    const ofB = await auditOf(await coordinatorOf(b));
    expect(ofB.some((r) => r.entity === "engagement" && r.entityId === String(made.json().id))).toBe(false);
    // The uncleared coordinator of A sees that restricted work changed, not which record or how.
    const text = JSON.stringify(ofA);
    expect(text).not.toContain("SECRET-list");
    expect(text).not.toContain("Restricted talks");
    expect(ofA.filter((r) => r.entity === "attachment").every((r) => r.entityId === null && r.after === null)).toBe(true);
    expect(ofA.some((r) => r.entityId === String(secret.json().id))).toBe(false);
    const byId = await (await coordinatorOf(a)).call("GET", `/api/audit?entity=engagement&entityId=${secret.json().id}`);
    expect(byId.json().items).toEqual([]);
  });

  it("lets a reviewer read a snapshot only when they review every unit its author could read", async () => {
    const [a, b] = [await freshUnit("Snapshot A"), await freshUnit("Snapshot B")];
    await createEngagement(admin, talksIn(a, { startDate: "2023-03-03" }));
    await createEngagement(admin, talksIn(b, { startDate: "2023-03-04" }));
    const author = await person([
      { unitId: a, role: "editor" },
      { unitId: b, role: "viewer" },
    ]);
    const snapshot = await (await signedIn(author.username)).call("POST", "/api/reports/snapshots", {
      title: "Both bureaus",
      params: { from: "2023-01-01", to: "2023-12-31" },
    });
    expect(snapshot.statusCode).toBe(201);
    const reviewerOfA = await signedIn((await person([{ unitId: a, role: "coordinator" }])).username);
    expect((await reviewerOfA.call("GET", `/api/reports/snapshots/${snapshot.json().id}`)).statusCode).toBe(404);
    const reviewerOfBoth = await signedIn((await person([{ unitId: admin.unitId, role: "coordinator" }])).username);
    expect((await reviewerOfBoth.call("GET", `/api/reports/snapshots/${snapshot.json().id}`)).statusCode).toBe(200);
  });

  it("refuses to delete a person, partner, mechanism or programme that other units' records depend on, saying nothing of them", async () => {
    const [a, b] = [await freshUnit("Keeper"), await freshUnit("Deleter")];
    const keeper = (await actorForUser((await person([{ unitId: a, role: "editor" }], true)).id)) as Actor;
    const deleter = await signedIn((await person([{ unitId: b, role: "coordinator" }])).username);
    const someone = (await deleter.call("POST", "/api/people", { nameEn: "Someone" })).json().id;
    const party = (
      await deleter.call("POST", "/api/organisations", { kind: "movement", names: [{ kind: "official", lang: "en", value: "A party" }] })
    ).json().id;
    await createNote(keeper, { kind: "person", id: someone }, { body: "Restricted note", classification: "restricted" });
    await addContact(keeper, someone, { kind: "email", value: "kept@example.org" });
    const restrictedTalks = await createEngagement(
      keeper,
      talksIn(a, { classification: "restricted", participants: [{ organisationId: party, role: "participant" }] }),
    );
    const refusedPerson = await deleter.call("DELETE", `/api/people/${someone}`);
    expect(refusedPerson.statusCode).toBe(409);
    const refusedParty = await deleter.call("DELETE", `/api/organisations/${party}`);
    expect(refusedParty.statusCode).toBe(409);
    expect(refusedParty.body).not.toContain(String(restrictedTalks.id));
    expect((await listNotes(keeper, { kind: "person", id: someone })).length).toBe(1);
    const mechanism = (
      await deleter.call("POST", "/api/mechanisms", { kind: "party_forum", nameEn: "B's forum", nameZh: "论坛", leadUnitId: b })
    ).json().id;
    const session = await createEngagement(
      keeper,
      talksIn(a, { type: "event", direction: "attended", subtype: "forum", mechanismId: mechanism }),
    );
    expect((await deleter.call("DELETE", `/api/mechanisms/${mechanism}`)).statusCode).toBe(409);
    expect((await getEngagement(keeper, session.id)).mechanism?.id).toBe(mechanism);
  });

  it("keeps an administrator's token to the top unit, and a unit's to what a coordinator of it may do", async () => {
    const unit = await freshUnit("Token unit");
    const other = await freshUnit("Other unit");
    const elsewhere = await createEngagement(admin, talksIn(other));
    const admins = await signedIn("admin");
    expect((await admins.call("POST", "/api/auth/tokens", { name: "unit admin", unitId: unit, role: "administrator" })).statusCode).toBe(
      400,
    );
    const top = await admins.call("POST", "/api/auth/tokens", { name: "top admin", unitId: admin.unitId, role: "administrator" });
    expect(top.statusCode).toBe(201);
    // One made before the rule, for a unit, acts as that unit's coordinator.
    const legacy = `lia_${unique("legacy")}`;
    await db()
      .insertInto("apiTokens")
      .values({
        userId: admin.userId,
        name: "legacy",
        unitId: unit,
        role: "administrator",
        tokenHash: sha256(legacy),
        prefix: legacy.slice(0, 10),
      })
      .execute();
    const old = new Browser(app, { authorization: `Bearer ${legacy}` });
    expect((await old.call("GET", `/api/engagements/${elsewhere.id}`)).statusCode).toBe(404);
    expect((await old.call("GET", "/api/audit/export")).statusCode).toBe(403);
    expect((await new Browser(app, { authorization: `Bearer ${top.json().token}` }).call("GET", "/api/audit/export")).statusCode).toBe(200);
  });

  it("ends the tokens a token made with it, and keeps tokens out of sessions", async () => {
    const unit = await freshUnit("Family bureau");
    const user = await person([{ unitId: unit, role: "editor" }]);
    const session = await signedIn(user.username);
    const inADay = new Date(Date.now() + 86_400_000).toISOString();
    const parent = (
      await session.call("POST", "/api/auth/tokens", { name: "parent", unitId: unit, role: "editor", expiresAt: inADay })
    ).json();
    const asParent = new Browser(app, { authorization: `Bearer ${parent.token}` });
    const child = (
      await asParent.call("POST", "/api/auth/tokens", { name: "child", unitId: unit, role: "viewer", expiresAt: inADay })
    ).json();
    const asChild = new Browser(app, { authorization: `Bearer ${child.token}` });
    expect((await asChild.call("GET", "/api/organisations")).statusCode).toBe(200);
    expect((await asParent.call("GET", "/api/auth/sessions")).statusCode).toBe(403);
    expect((await asParent.call("DELETE", "/api/auth/sessions")).statusCode).toBe(403);
    expect((await session.call("DELETE", `/api/auth/tokens/${parent.id}`)).statusCode).toBe(204);
    expect((await asChild.call("GET", "/api/organisations")).statusCode).toBe(401);
  });
});

describe("what a trusted system offers besides", () => {
  it("shows users their own sessions and lets them end one, or all", async () => {
    const user = await person([{ unitId: admin.unitId, role: "viewer" }]);
    const here = await signedIn(user.username);
    const there = await signedIn(user.username);
    const sessions = (await here.call("GET", "/api/auth/sessions")).json();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const other = sessions.find((s: { current: boolean }) => !s.current);
    // Another user's session is not theirs to end.
    const stranger = await signedIn((await person([{ unitId: admin.unitId, role: "viewer" }])).username);
    expect((await stranger.call("DELETE", `/api/auth/sessions/${other.id}`)).statusCode).toBe(404);
    expect((await here.call("DELETE", `/api/auth/sessions/${other.id}`)).statusCode).toBe(204);
    expect((await there.call("GET", "/api/auth/session")).statusCode).toBe(401);
    expect((await here.call("DELETE", "/api/auth/sessions")).json()).toEqual({ ended: 1 });
    expect((await here.call("GET", "/api/auth/session")).statusCode).toBe(401);
  });

  it("lets an administrator export the audit log as CSV, filtered, and nobody else", async () => {
    const admins = await signedIn("admin");
    const csv = await admins.call("GET", "/api/audit/export?entity=login&action=success");
    expect(csv.statusCode).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("id,at,actor_id,actor,unit_id,entity,entity_id,action,before,after");
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).every((l) => l.includes(",login,") && l.includes(",success,"))).toBe(true);
    const coordinator = await person([{ unitId: admin.unitId, role: "coordinator" }], true);
    expect((await (await signedIn(coordinator.username)).call("GET", "/api/audit/export")).statusCode).toBe(403);
  });

  it("keeps the audit log append-only in the database itself", async () => {
    const row = await db().selectFrom("auditLog").select("id").orderBy("id").limit(1).executeTakeFirstOrThrow();
    await expect(sql`UPDATE audit_log SET action = 'forged' WHERE id = ${row.id}`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE id = ${row.id}`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db())).rejects.toThrow(/append-only/);
    expect((await db().selectFrom("auditLog").select("action").where("id", "=", row.id).executeTakeFirstOrThrow()).action).not.toBe(
      "forged",
    );
  });
});

async function lastAuditId(): Promise<number> {
  return (await db().selectFrom("auditLog").select(sql<number>`coalesce(max(id), 0)::int`.as("m")).executeTakeFirstOrThrow()).m;
}

async function auditSince(id: number, action: string) {
  return db().selectFrom("auditLog").select(["action", "after"]).where("id", ">", id).where("action", "=", action).orderBy("id").execute();
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** A ZIP archive (stored, no compression) of these files, for upload checks. */
const zip = (files: Array<[string, string]>): Buffer =>
  zipArchive(
    files.map(([name, content]) => [name, Buffer.from(content, "latin1")]),
    { stored: true },
  );
