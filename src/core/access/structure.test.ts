import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Scope is structural: the owned tables (records that belong to a unit, or to a user) are
 * reached only through the actor's data context (`forActor`), whose sources carry the scope
 * and clearance in their SQL. This test reads the source and fails when a query reaches an
 * owned table any other way, so that a new query cannot forget the scope. The few places that
 * must see every record say why, and how many times they do it.
 */
const root = path.resolve(import.meta.dirname, "../..");

const ownedTables = [
  ["engagements", "engagements"],
  ["notes", "notes"],
  ["personContacts", "person_contacts"],
  ["reportSnapshots", "report_snapshots"],
  ["notifications", "notifications"],
  ["engagementAttachments", "engagement_attachments"],
  ["recordShares", "record_shares"],
  ["auditLog", "audit_log"],
  ["tasks", "tasks"],
  ["calendarFeeds", "calendar_feeds"],
  ["gifts", "gifts"],
] as const;

const kysely = new RegExp(
  `\\b(?:selectFrom|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin)\\(\\s*"(?:${ownedTables.map(([k]) => k).join("|")})(?:\\s+as\\s+\\w+)?"`,
  "g",
);
const raw = new RegExp(`\\b(?:FROM|JOIN|UPDATE|DELETE FROM)\\s+(?:${ownedTables.map(([, t]) => t).join("|")})\\b`, "g");

/** Where the whole table is reached on purpose, how often, and why. */
const allowed: Record<string, { count: number; why: string }> = {
  "src/core/access/context.ts": {
    count: 0,
    why: "the data context itself: every source it gives out carries the scope; and the integrity check that refuses a delete others' records depend on",
  },
  "src/core/engagements/store.ts": {
    count: 1,
    why: "an engagement's attachments, inside the detail of an engagement taken from the data context",
  },
  "src/core/engagements/rollup.ts": {
    count: 5,
    why: "keeps the counts' rollups over every record, sliced by lead unit and classification, and which engagements reached two places of one family; a caller reads only the slices of the units and classification they may read (counts.ts), and what they read beyond them, a place's overlaps among it, comes through the data context",
  },
  "src/core/engagements/service.ts": {
    count: 5,
    why: "finds whom a coordination alert must tell (other units' non-restricted work, never shown to the actor), whether other attachments still use a file's bytes, and whether any engagement (whoever's) took place during one that is to become part of another",
  },
  "src/core/engagements/alerts.ts": {
    count: 1,
    why: "the lead units and dates of the engagements a clash is measured from: ones the caller has already taken from the data context, or the one just saved",
  },
  "src/core/tasks/service.ts": {
    count: 2,
    why: "a task's engagement, joined to tasks taken from the data context (which reads a task only with its engagement); and the hourly reminder that tells each owner of their own overdue tasks",
  },
  "src/core/gifts/service.ts": {
    count: 1,
    why: "a gift's engagement, joined to gifts taken from the data context (which reads a gift only with its engagement, in its lead unit)",
  },
  "src/core/calendar/service.ts": {
    count: 2,
    why: "a calendar application presents a feed's secret, not a session: the feed is found by the secret's hash (then read as its user, through the data context), and its last use noted",
  },
  "src/core/notifications/mail.ts": {
    count: 5,
    why: "the mailer runs for no one user: it finds the notifications not yet mailed (then keeps only those each reader may still open, through the data context) and marks them mailed",
  },
  "src/core/imports/engagements.ts": {
    count: 1,
    why: "whether an engagement an import row points at still exists, whoever's it is: a row is not taken over, nor an undo counted short, by a record the importer cannot see",
  },
  "src/core/export/service.ts": { count: 0, why: "the full export (administrators with clearance) reads its tables by name" },
  "src/core/demo/service.ts": { count: 9, why: "loads and removes the demo data (administrators), its gifts register included" },
  "src/core/backup/service.ts": {
    count: 3,
    why: "a backup is the whole installation (administrators with clearance, or the server's own schedule): every attachment the records point at; and a restore's check that its target holds no records yet",
  },
  "src/server/metrics.ts": {
    count: 1,
    why: "the monitoring figure of the rollups' distance from the record counts every done engagement against the rollups (a number, never a record, for this machine or the metrics token)",
  },
  "src/core/merge/service.ts": {
    count: 2,
    why: "a merge of two people (coordinators) folds each unit's repeated contact details into the survivor's: every unit's, seen or not, moves",
  },
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "web" ? [] : sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

describe("owned tables are reached through the actor's data context", () => {
  const found: Record<string, string[]> = {};
  for (const file of sources(root)) {
    const relative = path.relative(path.resolve(root, ".."), file);
    if (relative.startsWith("src/db/")) continue; // migrations and connection code define the tables
    const text = fs.readFileSync(file, "utf8");
    const hits = [...text.matchAll(kysely), ...text.matchAll(raw)].map((m) => m[0]);
    if (hits.length > 0) found[relative] = hits;
  }

  it("recognises a query of an owned table in either form", () => {
    expect('db().selectFrom("engagements as e")'.match(kysely)).toHaveLength(1);
    expect('trx.innerJoin("notes", "n.id", "x.id")'.match(kysely)).toHaveLength(1);
    expect("SELECT 1 FROM person_contacts pc JOIN audit_log a ON true".match(raw)).toHaveLength(2);
    expect('db().selectFrom("organisations as o")'.match(kysely)).toBeNull();
  });

  it("finds no owned table reached outside the data context, but where it is allowed and said why", () => {
    const unexpected = Object.entries(found)
      .filter(([file]) => !allowed[file])
      .map(([file, hits]) => `${file}: ${hits.join(", ")}`);
    expect(unexpected).toEqual([]);
  });

  it("finds each allowed place reaching the whole table exactly as often as it says", () => {
    for (const [file, rule] of Object.entries(allowed)) {
      // Count 0: any number (the data context itself; the export, which names its tables in a list).
      if (rule.count === 0) continue;
      expect(found[file] ?? [], `${file}: ${rule.why}`).toHaveLength(rule.count);
    }
  });
});
