/** Where and how notifications are mailed: an SMTP server, the sender, and the app's public address for links. */
export interface MailSettings {
  /** smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 (TLS). */
  url: string;
  /** The sender, e.g. "Liaison <liaison@example.org>". */
  from: string;
  /** The web app's address as users reach it (https://liaison.example.org), for links in the mail. */
  publicUrl: string | null;
}

let settings: MailSettings | null = null;

/** Sets (or, with null, clears) the mail settings; the server does this at start from the configuration. */
export function configureMail(next: MailSettings | null): void {
  settings = next;
}

/** The mail settings, or null when this server mails nothing. */
export function mailSettings(): MailSettings | null {
  return settings;
}

/** Whether this server mails notifications at all. */
export function mailConfigured(): boolean {
  return settings !== null;
}
