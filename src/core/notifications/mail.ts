import { createTransport, type Transporter } from "nodemailer";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { actorForUser } from "../auth/service.ts";
import { type MailSettings, mailSettings } from "./mail-settings.ts";

/** After this many failed tries a notification is no longer mailed (it stays in the app). */
const maxAttempts = 5;
/** Older notifications are not mailed: mail switched on later never sends a backlog. */
const freshHours = 48;

let transport: { settings: MailSettings; transporter: Transporter } | null = null;

function transporterFor(settings: MailSettings): Transporter {
  if (transport?.settings !== settings) {
    transport?.transporter.close();
    transport = { settings, transporter: createTransport(settings.url) };
  }
  return transport.transporter;
}

/** Closes the SMTP connection (at shutdown, and in tests). */
export function closeMail(): void {
  transport?.transporter.close();
  transport = null;
}

interface Pending {
  id: number;
  userId: number;
  email: string;
  locale: "zh-CN" | "en" | null;
  kind: string;
  engagementId: number | null;
  taskId: number | null;
  messageEn: string;
  messageZh: string;
  restricted: boolean;
}

/** A notification as mail, in its reader's language (Chinese unless they chose English). */
function letterOf(n: Pending, publicUrl: string | null): { subject: string; text: string } {
  const zh = n.locale !== "en";
  const link = publicUrl ? `${publicUrl.replace(/\/$/, "")}${n.engagementId ? `/engagements/${n.engagementId}` : "/"}` : null;
  // Restricted work is never written into a mail: the reader is only told to look in Liaison.
  const message = n.restricted
    ? zh
      ? "您有一条涉及限制级记录的新通知，请登录 Liaison 查看。"
      : "You have a new notification about a restricted record: sign in to Liaison to read it."
    : zh
      ? n.messageZh
      : n.messageEn;
  const subject = `${zh ? "【Liaison】" : "[Liaison] "}${[...message].slice(0, 80).join("")}`;
  const footer = zh
    ? "此邮件由 Liaison 自动发送。如不需要邮件通知，可在“账户与安全”中关闭。"
    : "Liaison sent this mail. To stop mail about notifications, switch it off under Account and security.";
  return { subject, text: [message, link, "", footer].filter((line) => line !== null).join("\n") };
}

/**
 * Mails the notifications not yet mailed to users who gave an address and want mail, each in
 * its reader's language, and marks each as mailed; a failure is counted and tried again next
 * round (up to five times). Runs outside any transaction, after the notifications committed.
 * A notification about a record its reader can no longer open is not mailed (nor shown).
 */
export async function deliverPendingEmails(limit = 200): Promise<{ sent: number; failed: number }> {
  const settings = mailSettings();
  if (!settings) return { sent: 0, failed: 0 };
  const rows: Pending[] = await db()
    .selectFrom("notifications as n")
    .innerJoin("users as u", "u.id", "n.userId")
    .leftJoin("engagements as e", "e.id", "n.engagementId")
    .select([
      "n.id",
      "n.userId",
      "u.email",
      "u.locale",
      "n.kind",
      "n.engagementId",
      "n.taskId",
      "n.messageEn",
      "n.messageZh",
      (eb) => eb("e.classification", "=", "restricted").as("restricted"),
    ])
    .where("n.emailedAt", "is", null)
    .where("n.emailAttempts", "<", maxAttempts)
    .where("n.createdAt", ">", new Date(Date.now() - freshHours * 3600_000))
    .where("u.email", "is not", null)
    .where("u.emailNotifications", "=", true)
    .where("u.disabled", "=", false)
    .orderBy("n.id")
    .limit(limit)
    .execute()
    .then((found) => found.map((r) => ({ ...r, email: r.email as string, restricted: r.restricted === true })));
  let sent = 0;
  let failed = 0;
  const readable = new Map<number, Set<number>>();
  for (const n of rows) {
    // What the reader may still open, as the notification list decides it.
    if (!readable.has(n.userId)) {
      const actor = await actorForUser(n.userId);
      const ids = actor
        ? await forActor(actor)
            .notifications(db())
            .select("n.id")
            .where(
              "n.id",
              "in",
              rows.filter((r) => r.userId === n.userId).map((r) => r.id),
            )
            .execute()
        : [];
      readable.set(n.userId, new Set(ids.map((r) => r.id)));
    }
    if (!readable.get(n.userId)?.has(n.id)) {
      await db().updateTable("notifications").set({ emailAttempts: maxAttempts }).where("id", "=", n.id).execute();
      continue;
    }
    const letter = letterOf(n, settings.publicUrl);
    try {
      await transporterFor(settings).sendMail({ from: settings.from, to: n.email, subject: letter.subject, text: letter.text });
      await db().updateTable("notifications").set({ emailedAt: new Date() }).where("id", "=", n.id).execute();
      sent++;
    } catch {
      await db()
        .updateTable("notifications")
        .set((eb) => ({ emailAttempts: eb("emailAttempts", "+", 1) }))
        .where("id", "=", n.id)
        .execute();
      failed++;
    }
  }
  return { sent, failed };
}
