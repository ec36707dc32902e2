import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorIn, freshUnit } from "../../../test/support/factories.ts";
import { loadConfig } from "../../config.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { getPreferences, setPreferences } from "../auth/service.ts";
import { submitEngagement } from "../engagements/approvals.ts";
import { createEngagement } from "../engagements/service.ts";
import type { Actor } from "../shared/actor.ts";
import { closeMail, deliverPendingEmails } from "./mail.ts";
import { configureMail } from "./mail-settings.ts";

interface Received {
  to: string[];
  raw: string;
}

let database: Database;
let server: SMTPServer;
let port = 0;
const received: Received[] = [];
let editor: Actor;
let coordinator: Actor;
let unitId: number;

/** A mail's subject and body as a reader sees them (quoted-printable and encoded words decoded). */
function readable(raw: string): { subject: string; body: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const subjectLine = unfolded.match(/^Subject: (.*)$/im)?.[1] ?? "";
  const subject = subjectLine.replace(/=\?utf-8\?(B|Q)\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          "latin1",
        ).toString("utf8"),
  );
  const encoded = rest.join("\n\n");
  const body = /Content-Transfer-Encoding: base64/i.test(head)
    ? Buffer.from(encoded.replace(/\s+/g, ""), "base64").toString("utf8")
    : Buffer.from(
        encoded.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        "latin1",
      ).toString("utf8");
  return { subject, body };
}

beforeAll(async () => {
  database = await openTestDatabase();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
  unitId = await freshUnit("Mail bureau");
  editor = await actorIn(unitId, "editor");
  coordinator = await actorAtCentre("coordinator");
});
afterAll(async () => {
  configureMail(null);
  closeMail();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
});

describe("notifications by mail", () => {
  it("mails a new notification once, in its reader's language, to those who gave an address and want mail", async () => {
    configureMail({ url: `smtp://127.0.0.1:${port}`, from: "Liaison <liaison@example.org>", publicUrl: "https://liaison.example.org/" });
    expect((await getPreferences(coordinator)).mailConfigured).toBe(true);
    await expect(setPreferences(coordinator, { email: "not an address" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await setPreferences(coordinator, { email: "coordinator@example.org" });
    expect(await getPreferences(coordinator)).toMatchObject({ email: "coordinator@example.org", emailNotifications: true, locale: null });
    await deliverPendingEmails();
    received.length = 0;
    const visit = await createEngagement(editor, {
      type: "visit",
      direction: "received",
      status: "planned",
      titleZh: "邮件测试代表团来访",
      startDate: "2027-09-01",
      leadUnitId: unitId,
    });
    await submitEngagement(editor, visit.id);
    const first = await deliverPendingEmails();
    expect(first.sent).toBeGreaterThanOrEqual(1);
    const mine = received.filter((m) => m.to.includes("coordinator@example.org"));
    expect(mine).toHaveLength(1);
    const letter = readable(mine[0]?.raw ?? "");
    expect(letter.subject).toBe("【Liaison】待审批：邮件测试代表团来访");
    expect(letter.body).toContain(`https://liaison.example.org/engagements/${visit.id}`);
    expect(letter.body).toContain("账户与安全");
    // Mailed once: a second round sends nothing new.
    expect((await deliverPendingEmails()).sent).toBe(0);
    // In English for a reader who chose English; nothing for one who switched mail off.
    await setPreferences(coordinator, { locale: "en" });
    const again = await createEngagement(editor, {
      type: "visit",
      direction: "sent",
      status: "planned",
      titleEn: "Mail test visit abroad",
      startDate: "2027-10-01",
      leadUnitId: unitId,
    });
    await submitEngagement(editor, again.id);
    await deliverPendingEmails();
    expect(readable(received.at(-1)?.raw ?? "").subject).toBe("[Liaison] Submitted for approval: Mail test visit abroad");
    await setPreferences(coordinator, { emailNotifications: false });
    const quiet = await createEngagement(editor, {
      type: "visit",
      direction: "sent",
      status: "planned",
      titleEn: "Quiet visit",
      startDate: "2027-11-01",
      leadUnitId: unitId,
    });
    const before = received.length;
    await submitEngagement(editor, quiet.id);
    await deliverPendingEmails();
    expect(received.length).toBe(before);
    await setPreferences(coordinator, { emailNotifications: true, locale: null });
  });

  it("never writes restricted work into a mail, and tries a failed mail again later", async () => {
    const cleared = await actorIn(unitId, "editor", { clearance: true });
    const secret = await createEngagement(cleared, {
      type: "visit",
      direction: "sent",
      status: "planned",
      titleEn: "Restricted mail visit",
      startDate: "2027-12-01",
      leadUnitId: unitId,
      classification: "restricted",
    });
    await db().updateTable("users").set({ clearance: true }).where("id", "=", coordinator.userId).execute();
    await submitEngagement(cleared, secret.id);
    // The SMTP server is unreachable: nothing is marked mailed, and the next round succeeds.
    configureMail({ url: "smtp://127.0.0.1:1", from: "Liaison <liaison@example.org>", publicUrl: null });
    const down = await deliverPendingEmails();
    expect(down.sent).toBe(0);
    expect(down.failed).toBeGreaterThanOrEqual(1);
    configureMail({ url: `smtp://127.0.0.1:${port}`, from: "Liaison <liaison@example.org>", publicUrl: null });
    const before = received.length;
    expect((await deliverPendingEmails()).sent).toBeGreaterThanOrEqual(1);
    const letters = received.slice(before).map((m) => readable(m.raw));
    expect(letters.some((l) => l.body.includes("限制级"))).toBe(true);
    expect(letters.map((l) => `${l.subject} ${l.body}`).join(" ")).not.toContain("Restricted mail visit");
  });

  it("takes its SMTP server from the configuration, both variables or neither", () => {
    expect(loadConfig({}).mail).toBeUndefined();
    expect(
      loadConfig({
        LIAISON_SMTP_URL: "smtp://mail.example.org:587",
        LIAISON_SMTP_FROM: "Liaison <l@example.org>",
        LIAISON_PUBLIC_URL: "https://liaison.example.org",
      }).mail,
    ).toEqual({
      url: "smtp://mail.example.org:587",
      from: "Liaison <l@example.org>",
      publicUrl: "https://liaison.example.org",
    });
    expect(() => loadConfig({ LIAISON_SMTP_URL: "smtp://mail.example.org" })).toThrow(/LIAISON_SMTP_FROM/);
    expect(() => loadConfig({ LIAISON_SMTP_URL: "http://mail.example.org", LIAISON_SMTP_FROM: "x@y.z" })).toThrow(/LIAISON_SMTP_URL/);
    expect(() => loadConfig({ LIAISON_PUBLIC_URL: "liaison.example.org" })).toThrow(/LIAISON_PUBLIC_URL/);
  });

  it("mails nothing when no SMTP server is set", async () => {
    configureMail(null);
    expect((await getPreferences(coordinator)).mailConfigured).toBe(false);
    expect(await deliverPendingEmails()).toEqual({ sent: 0, failed: 0 });
  });
});
