import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import { hashPassword } from "../auth/passwords.ts";
import { type BulkEngagement, insertEngagements } from "../engagements/bulk.ts";
import { lockGroupMembers, rebuildRollups } from "../engagements/rollup.ts";
import { matchKeys, personMatchKeys } from "../merge/keys.ts";
import { buildSearchText } from "../search/text.ts";
import type { Actor } from "../shared/actor.ts";
import { isoDay } from "../shared/dates.ts";
import { AppError } from "../shared/errors.ts";
import { mutate, type Trx } from "../shared/mutation.ts";
import { pick, random, skewed } from "../shared/random.ts";

/**
 * The demo: ten years (2012–2022) of an international department's work on top of the
 * real registry, generated from a fixed seed so that every load is the same. Everything
 * it adds is marked: engagements, programmes, mechanisms, units and people carry
 * demo = true, its think tanks, civil-society organisations and media source = 'demo'.
 */

interface Partner {
  id: number;
  kind: string;
  countryCode: string;
  regionCode: string;
  nameEn: string;
  /** The Chinese name, or for the many parties without one, "<country> <kind>" in Chinese. */
  nameZh: string;
}

export interface DemoSummary {
  engagements: number;
  participants: number;
  programmes: number;
  mechanisms: number;
  units: number;
  people: number;
  organisations: number;
  ms: number;
}

const marker = "demo";

/** Whether the demo was ever loaded or removed here (a first start loads it only once). */
export async function demoState(): Promise<"loaded" | "removed" | "never"> {
  const row = await db().selectFrom("referenceImports").select("checksum").where("source", "=", marker).executeTakeFirst();
  return row ? (row.checksum as "loaded" | "removed") : "never";
}

async function setState(trx: Trx, state: "loaded" | "removed", summary: object): Promise<void> {
  await trx
    .insertInto("referenceImports")
    .values({ source: marker, checksum: state, summary: JSON.stringify(summary) })
    .onConflict((oc) => oc.column("source").doUpdateSet({ checksum: state, summary: JSON.stringify(summary), importedAt: new Date() }))
    .execute();
}

/**
 * Takes the demo out: its engagements, programmes, mechanisms, units, people and
 * organisations, then rebuilds the counts. Records entered by users that point at demo
 * units, people or organisations stop it with a clear error, so nothing of theirs is lost.
 */
export async function removeDemo(actor: Actor): Promise<{ engagements: number }> {
  authorize(actor, "demo.manage");
  return mutate(actor, async (trx) => {
    const removed = await removeDemoRows(trx);
    await setState(trx, "removed", removed);
    return { result: removed, audit: { entity: "demo", entityId: null, action: "remove", after: removed } };
  });
}

async function removeDemoRows(trx: Trx): Promise<{ engagements: number }> {
  // The country groups' lock, shared, before the engagements' rows: the partners' writes below
  // take it (the regions' strings), and a country's change takes it alone before any row.
  await lockGroupMembers(trx, false);
  const blocking = await sql<{ n: number }>`SELECT count(*)::int AS n FROM engagements e WHERE NOT e.demo AND (
      e.lead_unit_id IN (SELECT id FROM units WHERE demo)
      OR e.id IN (SELECT p.engagement_id FROM engagement_participants p
        WHERE p.organisation_id IN (SELECT id FROM organisations WHERE source = 'demo') OR p.person_id IN (SELECT id FROM people WHERE demo)))`.execute(
    trx,
  );
  const n = blocking.rows[0]?.n ?? 0;
  if (n > 0) {
    throw new AppError(
      "CONFLICT",
      `${n} engagements recorded by users refer to demo units, people or organisations; change them first. / 有 ${n} 条用户录入的记录引用了演示数据。`,
      { engagements: n },
    );
  }
  // User records may name a demo programme or mechanism; they keep everything but that link.
  await sql`UPDATE engagements SET programme_id = NULL WHERE NOT demo AND programme_id IN (SELECT id FROM programmes WHERE demo)`.execute(
    trx,
  );
  await sql`UPDATE engagements SET mechanism_id = NULL WHERE NOT demo AND mechanism_id IN (SELECT id FROM mechanisms WHERE demo)`.execute(
    trx,
  );
  const deleted = await sql`DELETE FROM engagements WHERE demo`.execute(trx);
  await sql`DELETE FROM mechanisms WHERE demo`.execute(trx);
  await sql`DELETE FROM programmes WHERE demo`.execute(trx);
  await sql`DELETE FROM relationships WHERE demo`.execute(trx);
  await sql`DELETE FROM organisation_statuses WHERE demo`.execute(trx);
  await sql`DELETE FROM organisation_congresses WHERE demo`.execute(trx);
  // The demo's topics go unless a user's record took one up.
  await sql`DELETE FROM topics WHERE key = ANY(${demoTopics.map((t) => t.key)}::text[])
    AND id NOT IN (SELECT topic_id FROM engagement_topics)`.execute(trx);
  await sql`DELETE FROM mechanism_members WHERE organisation_id IN (SELECT id FROM organisations WHERE source = 'demo')`.execute(trx);
  await sql`DELETE FROM positions WHERE person_id IN (SELECT id FROM people WHERE demo)`.execute(trx);
  await sql`DELETE FROM people WHERE demo`.execute(trx);
  await sql`DELETE FROM organisation_names WHERE organisation_id IN (SELECT id FROM organisations WHERE source = 'demo')`.execute(trx);
  await sql`DELETE FROM organisations WHERE source = 'demo'`.execute(trx);
  // Demo accounts go; one that has signed in stays in the audit's history, disabled and without roles.
  await sql`DELETE FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE demo)`.execute(trx);
  await sql`DELETE FROM users WHERE demo AND id NOT IN (SELECT actor_id FROM audit_log WHERE actor_id IS NOT NULL)`.execute(trx);
  await sql`UPDATE users SET disabled = true WHERE demo`.execute(trx);
  await sql`DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE demo)`.execute(trx);
  await sql`DELETE FROM units WHERE demo AND id NOT IN (SELECT unit_id FROM user_roles) AND id NOT IN (SELECT unit_id FROM audit_log WHERE unit_id IS NOT NULL)
    AND id NOT IN (SELECT lead_unit_id FROM relationships WHERE lead_unit_id IS NOT NULL)`.execute(trx);
  await rebuildRollups(trx);
  return { engagements: Number(deleted.numAffectedRows ?? 0) };
}

/** Loads the demo, replacing an earlier load. Needs the reference registry (countries and parties). */
export async function seedDemo(actor: Actor): Promise<DemoSummary> {
  authorize(actor, "demo.manage");
  const started = performance.now();
  return mutate(actor, async (trx) => {
    await removeDemoRows(trx);
    const summary = await generateDemo(trx, actor);
    const result = { ...summary, ms: Math.round(performance.now() - started) };
    await setState(trx, "loaded", result);
    return { result, audit: { entity: "demo", entityId: null, action: "load", after: result } };
  });
}

const regionWeights: Record<string, number> = { "142": 0.3, "002": 0.28, "019": 0.2, "150": 0.17, "009": 0.05 };
const bureaus = [
  { key: "demo-asia", region: "142", en: "Asia Bureau", zh: "亚洲局" },
  { key: "demo-africa", region: "002", en: "Africa Bureau", zh: "非洲局" },
  { key: "demo-americas", region: "019", en: "Americas Bureau", zh: "美洲局" },
  { key: "demo-europe", region: "150", en: "Europe Bureau", zh: "欧洲局" },
  { key: "demo-oceania", region: "009", en: "Oceania Desk", zh: "大洋洲处" },
];
const provinces: Array<[string, string, string]> = [
  ["zhejiang", "Zhejiang", "浙江"],
  ["fujian", "Fujian", "福建"],
  ["shanghai", "Shanghai", "上海"],
  ["guangdong", "Guangdong", "广东"],
  ["jiangsu", "Jiangsu", "江苏"],
  ["sichuan", "Sichuan", "四川"],
  ["yunnan", "Yunnan", "云南"],
  ["guizhou", "Guizhou", "贵州"],
  ["shaanxi", "Shaanxi", "陕西"],
  ["hunan", "Hunan", "湖南"],
  ["hubei", "Hubei", "湖北"],
  ["shandong", "Shandong", "山东"],
  ["chongqing", "Chongqing", "重庆"],
  ["hainan", "Hainan", "海南"],
];
// Party Facts ids of partners the reference names or implies as close: the socialist
// countries' ruling parties and a few long-standing friends.
const closePartners = [4898, 5203, 4712, 4892, 3765, 1219, 1368, 2256, 2236, 893, 356];
const givenNames = [
  "Ana",
  "Kwame",
  "Nguyen",
  "Maria",
  "Ahmed",
  "Olga",
  "Thabo",
  "Luis",
  "Amina",
  "Sergei",
  "Priya",
  "Juan",
  "Fatima",
  "Ivan",
];
const familyNames = [
  "Silva",
  "Mensah",
  "Tran",
  "Garcia",
  "Hassan",
  "Petrova",
  "Ndlovu",
  "Fernandez",
  "Diallo",
  "Ivanov",
  "Sharma",
  "Lopez",
];
const ranks = ["Politburo member", "Central Committee member", "Secretary-General", "Vice-President", "International secretary", "MP"];

/** The demo accounts' shared password (README: "Demo data"). */
export const demoPassword = "liaison-demo-2022";

/** One demo account per role, so that a newcomer can sign in as each and see the difference. */
export const demoUsers = [
  { username: "demo.coordinator", displayName: "Demo coordinator", unit: "central", role: "coordinator" },
  { username: "demo.asia.editor", displayName: "Demo editor, Asia Bureau", unit: "asia", role: "editor" },
  { username: "demo.africa.editor", displayName: "Demo editor, Africa Bureau", unit: "africa", role: "editor" },
  { username: "demo.africa.viewer", displayName: "Demo viewer, Africa Bureau", unit: "africa", role: "viewer" },
  { username: "demo.zhejiang.editor", displayName: "Demo editor, Zhejiang Provincial Committee", unit: "zhejiang", role: "editor" },
] as const;

async function createDemoUsers(trx: Trx, units: Record<(typeof demoUsers)[number]["unit"], number>): Promise<void> {
  // One hash each, each with its own salt: a shared password must not show as a shared hash.
  const hashes = await Promise.all(demoUsers.map(() => hashPassword(demoPassword)));
  for (const [index, u] of demoUsers.entries()) {
    const passwordHash = hashes[index] as string;
    const user = await trx
      .insertInto("users")
      .values({ username: u.username, displayName: u.displayName, passwordHash, demo: true, clearance: u.role === "coordinator" })
      .onConflict((oc) =>
        oc.column("username").doUpdateSet({ passwordHash, demo: true, disabled: false, clearance: u.role === "coordinator" }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("userRoles").where("userId", "=", user.id).execute();
    await trx.insertInto("userRoles").values({ userId: user.id, unitId: units[u.unit], role: u.role }).execute();
  }
}

function dateIn(rand: () => number, year: number, fromMonth = 1, toMonth = 12): string {
  const month = fromMonth + Math.floor(rand() * (toMonth - fromMonth + 1));
  const day = 1 + Math.floor(rand() * 28);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDay(d);
}

type ApprovalStep = "created" | "submitted" | "approved" | "returned";
interface PlannedItem {
  record: BulkEngagement;
  /** The steps taken so far, each by one of the demo accounts, with an optional note. */
  steps: Array<{ step: ApprovalStep; by: (typeof demoUsers)[number]["username"]; note?: string }>;
}

/**
 * Visits and hosted events planned for 2027, one in each approval state, by the bureaus,
 * the central office and a provincial committee. The Asia Bureau's delegation and the
 * central office's talks meet the same partner within the coordination window.
 */
function plannedWork(
  unitIds: Record<string, number>,
  zhejiang: number,
  central: number,
  firstParty: (code: string) => Partner | undefined,
): PlannedItem[] {
  const guest = (code: string, role: string) => {
    const p = firstParty(code);
    return p ? [{ organisationId: p.id, role }] : [];
  };
  const base = { status: "planned" as const, subtype: null, titleZh: null, endDate: "", city: null, details: {} };
  const asia = unitIds["142"] as number;
  const africa = unitIds["002"] as number;
  return [
    {
      record: {
        ...base,
        type: "visit",
        direction: "sent",
        titleEn: "Delegation to Viet Nam: exchange on party building",
        titleZh: "赴越南代表团：党建交流",
        startDate: "2027-03-10",
        endDate: "2027-03-15",
        countryCode: "VNM",
        city: "Hanoi",
        leadUnitId: asia,
        participants: guest("VNM", "host"),
      },
      steps: [
        { step: "created", by: "demo.asia.editor" },
        { step: "submitted", by: "demo.asia.editor", note: "Programme and delegation list attached." },
      ],
    },
    {
      record: {
        ...base,
        type: "talks",
        direction: "none",
        titleEn: "Video talks with the Communist Party of Viet Nam",
        titleZh: "与越南共产党视频会谈",
        startDate: "2027-02-20",
        countryCode: "VNM",
        leadUnitId: central,
        participants: guest("VNM", "participant"),
      },
      steps: [],
    },
    {
      record: {
        ...base,
        type: "visit",
        direction: "received",
        titleEn: "Visit of a Kenyan party delegation",
        titleZh: "肯尼亚政党代表团来访",
        startDate: "2027-04-12",
        endDate: "2027-04-18",
        countryCode: "CHN",
        city: "Beijing",
        leadUnitId: africa,
        participants: guest("KEN", "delegation_leader"),
      },
      steps: [{ step: "created", by: "demo.africa.editor" }],
    },
    {
      record: {
        ...base,
        type: "visit",
        direction: "sent",
        titleEn: "Delegation to South Africa",
        titleZh: "赴南非代表团",
        startDate: "2027-05-06",
        endDate: "2027-05-11",
        countryCode: "ZAF",
        city: "Pretoria",
        leadUnitId: africa,
        participants: guest("ZAF", "host"),
      },
      steps: [
        { step: "created", by: "demo.africa.editor" },
        { step: "submitted", by: "demo.africa.editor" },
        { step: "returned", by: "demo.coordinator", note: "Coordinate the dates with the Asia Bureau's travel; add the itinerary." },
      ],
    },
    {
      record: {
        ...base,
        type: "event",
        direction: "hosted",
        subtype: "thematic_briefing",
        titleEn: "Thematic briefing for foreign envoys in Zhejiang",
        titleZh: "面向外国驻华使节的浙江专题宣介会",
        startDate: "2027-06-03",
        countryCode: "CHN",
        city: "Hangzhou",
        leadUnitId: zhejiang,
        participants: [...guest("DEU", "guest"), ...guest("BRA", "guest"), ...guest("EGY", "guest")],
      },
      steps: [
        { step: "created", by: "demo.zhejiang.editor" },
        { step: "submitted", by: "demo.zhejiang.editor" },
      ],
    },
    {
      record: {
        ...base,
        type: "event",
        direction: "hosted",
        subtype: "seminar",
        titleEn: "Seminar on governance with African parties",
        titleZh: "中非政党治国理政研讨会",
        startDate: "2027-09-14",
        countryCode: "CHN",
        city: "Beijing",
        leadUnitId: central,
        participants: [...guest("ETH", "guest"), ...guest("TZA", "guest"), ...guest("NGA", "guest")],
      },
      steps: [
        { step: "created", by: "demo.coordinator" },
        { step: "submitted", by: "demo.coordinator" },
        { step: "approved", by: "demo.coordinator", note: "Approved." },
      ],
    },
  ];
}

/**
 * Our relationship with every partner the demo met at least twice, by how often: contact
 * (2), regular exchanges (3+), established relations (8+), close or strategic (20+); since
 * the first meeting, led by the unit that led most of them. A partner whose relationship
 * someone already recorded keeps it.
 */
async function recordRelationships(trx: Trx): Promise<void> {
  await sql`INSERT INTO relationships (organisation_id, level, since, lead_unit_id, demo)
    SELECT org, CASE WHEN n >= 20 THEN 'strategic' WHEN n >= 8 THEN 'established' WHEN n >= 3 THEN 'regular' ELSE 'contact' END,
      first, lead, true
    FROM (SELECT p.organisation_id AS org, count(DISTINCT e.id) AS n, min(e.start_date) AS first,
        mode() WITHIN GROUP (ORDER BY e.lead_unit_id) AS lead
      FROM engagement_participants p JOIN engagements e ON e.id = p.engagement_id
      WHERE e.demo AND e.status = 'done' AND p.organisation_id IS NOT NULL
      GROUP BY 1 HAVING count(DISTINCT e.id) >= 2) met
    ON CONFLICT (organisation_id) DO NOTHING`.execute(trx);
}

/**
 * The gifts register of the latest visits received: the usual exchange, a vase given to the head
 * of the delegation and a handicraft received and handed in.
 */
async function recordGifts(trx: Trx): Promise<void> {
  await sql`INSERT INTO gifts (engagement_id, given, description, value_band, giver, recipient, handling, gift_date)
    SELECT e.id, g.given, g.description, g.band, g.giver, g.recipient, g.handling, e.start_date
    FROM engagements e CROSS JOIN (VALUES
      (true, '景泰蓝花瓶', 'modest', '部长', '代表团团长', NULL),
      (false, '手工艺品', 'token', '代表团团长', '部长', 'handed_in')) AS g(given, description, band, giver, recipient, handling)
    WHERE e.demo AND e.type = 'visit' AND e.direction = 'received' AND e.status = 'done' AND e.start_date >= '2022-01-01'
    ORDER BY e.id, g.given DESC`.execute(trx);
}

/** Puts the planned items in their approval states, with each step's account, unit and note. */
async function recordPlannedSteps(trx: Trx, items: Array<PlannedItem & { id: number }>): Promise<void> {
  const users = await trx
    .selectFrom("users as u")
    .innerJoin("userRoles as r", "r.userId", "u.id")
    .select(["u.id", "u.username", "r.unitId"])
    .where(
      "u.username",
      "in",
      demoUsers.map((u) => u.username),
    )
    .execute();
  const account = new Map(users.map((u) => [u.username, u]));
  for (const item of items) {
    const last = item.steps.at(-1);
    if (!last) continue;
    await trx
      .updateTable("engagements")
      .set({ approval: last.step === "created" ? "draft" : last.step })
      .where("id", "=", item.id)
      .execute();
    for (const [i, step] of item.steps.entries()) {
      const who = account.get(step.by);
      await trx
        .insertInto("engagementApprovalSteps")
        .values({
          engagementId: item.id,
          step: step.step,
          actorId: who?.id ?? null,
          unitId: who?.unitId ?? null,
          note: step.note ?? null,
          at: new Date(Date.UTC(2026, 10, 2 + i * 3)),
        })
        .execute();
    }
  }
}

/** Each country's parties, lowest id first, the countries in code order: a fixed order without random draws. */
function byCountryThenId<P extends Partner>(partiesOf: Map<string, P[]>): P[][] {
  return [...partiesOf].sort(([a], [b]) => a.localeCompare(b)).map(([, parties]) => [...parties].sort((a, b) => a.id - b.id));
}

/**
 * Who governed when, for the as-of questions ("partners in government when we met them"):
 * the close partners (the ruling parties among them) governed throughout; elsewhere the
 * country's party with the lowest id governed 2012–2017 and went into opposition, the next
 * governed from 2018. Parties that already have statuses are left as they are. No random
 * draws, so the rest of the demo stays the same.
 */
async function recordGovernments(trx: Trx, partiesOf: Map<string, Array<Partner & { partyfactsId: number | null }>>): Promise<void> {
  const rows: Array<{ organisationId: number; status: "in_government" | "opposition"; validFrom: string; validTo: string | null }> = [];
  const close = new Set(closePartners);
  for (const parties of byCountryThenId(partiesOf)) {
    const ruling = parties.find((p) => close.has(p.partyfactsId ?? -1));
    if (ruling) {
      rows.push({ organisationId: ruling.id, status: "in_government", validFrom: "2012-01-01", validTo: null });
      continue;
    }
    const [first, second] = parties;
    if (!first) continue;
    if (!second) {
      rows.push({ organisationId: first.id, status: "in_government", validFrom: "2012-01-01", validTo: null });
      continue;
    }
    rows.push({ organisationId: first.id, status: "in_government", validFrom: "2012-01-01", validTo: "2017-12-31" });
    rows.push({ organisationId: first.id, status: "opposition", validFrom: "2018-01-01", validTo: null });
    rows.push({ organisationId: second.id, status: "in_government", validFrom: "2018-01-01", validTo: null });
  }
  const taken = new Set(
    (await trx.selectFrom("organisationStatuses").select("organisationId").distinct().execute()).map((r) => r.organisationId),
  );
  const fresh = rows.filter((r) => !taken.has(r.organisationId));
  if (fresh.length > 0) {
    await trx
      .insertInto("organisationStatuses")
      .values(fresh.map((r) => ({ ...r, demo: true })))
      .execute();
  }
}

/**
 * Congresses every five years for the first party of each country, spread over the months,
 * some of them coming in 2027 (relationship health lists those as occasions). No random draws.
 */
async function recordCongresses(trx: Trx, partiesOf: Map<string, Partner[]>): Promise<void> {
  const rows: Array<{ organisationId: number; opensOn: string; ordinal: number; nameEn: string; nameZh: string }> = [];
  for (const [i, [first]] of byCountryThenId(partiesOf).entries()) {
    if (!first) continue;
    const month = String(1 + (i % 12)).padStart(2, "0");
    for (let k = 0; k < 3; k++) {
      const ordinal = 8 + (i % 7) + k;
      rows.push({
        organisationId: first.id,
        opensOn: `${2017 + (i % 5) + 5 * k}-${month}-${String(10 + (i % 15)).padStart(2, "0")}`,
        ordinal,
        nameEn: `${ordinal}th National Congress`,
        nameZh: `第${ordinal}次全国代表大会`,
      });
    }
  }
  if (rows.length > 0) {
    await trx
      .insertInto("organisationCongresses")
      .values(rows.map((r) => ({ ...r, demo: true })))
      .onConflict((oc) => oc.columns(["organisationId", "opensOn"]).doNothing())
      .execute();
  }
}

/** The topics the demo tags its work with. */
const demoTopics = [
  { key: "poverty-reduction", nameEn: "Poverty reduction", nameZh: "减贫" },
  { key: "governance-experience", nameEn: "Governance experience", nameZh: "治国理政经验" },
  { key: "green-development", nameEn: "Green development", nameZh: "绿色发展" },
  { key: "global-development-initiative", nameEn: "Global Development Initiative", nameZh: "全球发展倡议" },
  { key: "party-building", nameEn: "Party building", nameZh: "政党建设" },
];

/** The demo topics' ids, creating those that are missing (a user may have made one already). */
async function demoTopicIds(trx: Trx): Promise<number[]> {
  await trx
    .insertInto("topics")
    .values(demoTopics)
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const rows = await trx
    .selectFrom("topics")
    .select(["id", "key"])
    .where(
      "key",
      "in",
      demoTopics.map((t) => t.key),
    )
    .execute();
  return demoTopics.map((t) => rows.find((r) => r.key === t.key)?.id as number);
}

async function generateDemo(trx: Trx, actor: Actor): Promise<Omit<DemoSummary, "ms">> {
  const rand = random(2012);
  const central = actor.unitId;
  const partiesRows = await sql<Partner & { partyfactsId: number | null }>`
    SELECT o.id, o.kind, o.country_code, c.region_code, o.name_en, coalesce(o.name_zh, c.name_zh || '政党') AS name_zh, o.partyfacts_id
    FROM organisations o JOIN countries c ON c.code = o.country_code
    -- Foreign parties of sovereign states: the reference's figures count countries.
    WHERE o.kind = 'political_party' AND c.status = 'state' AND c.region_code IS NOT NULL AND o.country_code <> 'CHN'
      AND (o.dissolved_year IS NULL OR o.dissolved_year >= 2012) AND (o.founded_year IS NULL OR o.founded_year <= 2020)
    ORDER BY o.id`.execute(trx);
  if (partiesRows.rows.length < 200) {
    throw new AppError("CONFLICT", "The demo needs the reference registry: run `liaison import-reference` first. / 请先导入参考数据。");
  }
  // Units: regional bureaus, a research office and the local committees of the thematic
  // briefings. A demo unit that someone was given a role in survives removal, so reuse it.
  const unit = async (
    kind: "bureau" | "department" | "local_committee",
    key: string,
    nameEn: string,
    nameZh: string,
    parentId: number | null,
  ) =>
    (
      await trx
        .insertInto("units")
        .values({ parentId, kind, key, nameEn, nameZh, demo: true })
        .onConflict((oc) => oc.column("key").doUpdateSet({ demo: true, parentId }))
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const unitIds: Record<string, number> = {};
  for (const b of bureaus) unitIds[b.region] = await unit("bureau", b.key, b.en, b.zh, central);
  const research = await unit("department", "demo-research", "Research Office", "研究室", central);
  // The provincial committees sit under the central office: its coordinators coordinate their foreign work too.
  const committees: number[] = [];
  for (const [key, en, zh] of provinces)
    committees.push(await unit("local_committee", `demo-${key}`, `${en} Provincial Committee`, `${zh}省委`, central));
  await createDemoUsers(trx, {
    central,
    asia: unitIds["142"] as number,
    africa: unitIds["002"] as number,
    zhejiang: committees[0] as number,
  });
  // Partners by region, in a shuffled but fixed order, the close partners first: a few are
  // met often, most rarely.
  const byRegion = new Map<string, Partner[]>();
  const shuffled = [...partiesRows.rows].map((p) => ({ p, k: rand() })).sort((a, b) => a.k - b.k);
  const close = new Set(closePartners);
  for (const { p } of [
    ...shuffled.filter((x) => close.has(x.p.partyfactsId ?? -1)),
    ...shuffled.filter((x) => !close.has(x.p.partyfactsId ?? -1)),
  ]) {
    const list = byRegion.get(p.regionCode) ?? [];
    list.push(p);
    byRegion.set(p.regionCode, list);
  }
  const regionCodes = Object.keys(regionWeights).filter((r) => byRegion.has(r));
  const pickRegion = () => {
    let x = rand() * regionCodes.reduce((a, r) => a + (regionWeights[r] ?? 0), 0);
    for (const r of regionCodes) {
      x -= regionWeights[r] ?? 0;
      if (x <= 0) return r;
    }
    return regionCodes[0] as string;
  };
  const partyIn = (region = pickRegion()) => skewed(rand, byRegion.get(region) as Partner[], 2.6);
  const allParties = partiesRows.rows;
  const countries = [...new Set(allParties.map((p) => p.countryCode))].sort();
  const partiesOf = new Map<string, Array<Partner & { partyfactsId: number | null }>>();
  for (const p of allParties) partiesOf.set(p.countryCode, [...(partiesOf.get(p.countryCode) ?? []), p]);

  // Think tanks, civil-society organisations and media for the forums and statements.
  const countryNames = new Map(
    (await trx.selectFrom("countries").select(["code", "nameEn", "nameZh"]).where("code", "in", countries).execute()).map((c) => [
      c.code,
      c,
    ]),
  );
  const others: Partner[] = [];
  const otherKinds: Array<[string, string, string]> = [
    ["think_tank", "Institute for Development Studies", "发展研究所"],
    ["civil_society", "Friendship Association", "友好协会"],
    ["media", "News Agency", "通讯社"],
  ];
  for (const [i, code] of countries.entries()) {
    const [kind, en, zh] = otherKinds[i % otherKinds.length] as [string, string, string];
    const names = countryNames.get(code);
    if (!names) continue;
    const nameEn = `${names.nameEn} ${en}`;
    const nameZh = `${names.nameZh}${zh}`;
    const row = await trx
      .insertInto("organisations")
      .values({
        kind,
        countryCode: code,
        nameEn,
        nameZh,
        nameZhStatus: "confirmed",
        source: "demo",
        searchText: buildSearchText([nameEn, nameZh]),
        matchKeys: matchKeys([
          { kind: "official", value: nameEn },
          { kind: "official", value: nameZh },
        ]),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("organisationNames")
      .values([
        { organisationId: row.id, kind: "official", lang: "en", value: nameEn, position: 0 },
        { organisationId: row.id, kind: "official", lang: "zh", value: nameZh, position: 1 },
      ])
      .execute();
    const region = allParties.find((p) => p.countryCode === code)?.regionCode ?? "";
    others.push({ id: row.id, kind, countryCode: code, regionCode: region, nameEn, nameZh });
  }
  // Delegation leaders.
  const people: number[] = [];
  for (let i = 0; i < 120; i++) {
    const given = pick(rand, givenNames);
    const family = pick(rand, familyNames);
    const nameEn = `${given} ${family}`;
    people.push(
      (
        await trx
          .insertInto("people")
          .values({
            givenNameEn: given,
            familyNameEn: family,
            nameEn,
            demo: true,
            searchText: buildSearchText([nameEn]),
            matchKeys: personMatchKeys({ nameEn, nameZh: null, nameNative: null, aliases: [] }),
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
  }

  const programme = async (nameEn: string, nameZh: string, startDate: string, endDate: string, targets: Record<string, number> = {}) =>
    (
      await trx
        .insertInto("programmes")
        .values({ nameEn, nameZh, leadUnitId: central, startDate, endDate, targets: JSON.stringify(targets), demo: true })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const outreach = await programme("Briefings on the 19th National Congress", "十九大精神宣介", "2017-10-25", "2018-06-30", {
    delegations: 30,
    countries: 100,
    events: 500,
  });
  const centenary = await programme("Congratulations on the centenary", "建党百年贺电贺信", "2021-06-01", "2021-07-31");
  const oneChina = await programme("Statements on the one-China principle", "一个中国原则表态", "2022-08-02", "2022-08-31");
  const therapeutics = await programme(
    "COVID-19 therapeutics for political parties",
    "向各国政党提供抗疫药物",
    "2022-03-01",
    "2022-10-31",
    {
      organisations: 400,
      countries: 149,
    },
  );
  const briefings = await programme("Thematic briefings: Stories of the CPC", "“中国共产党的故事”专题宣介会", "2017-01-01", "2022-09-30", {
    events: 14,
  });

  const mechanism = async (kind: string, nameEn: string, nameZh: string, foundedOn: string) =>
    (
      await trx
        .insertInto("mechanisms")
        .values({ kind, nameEn, nameZh, leadUnitId: central, foundedOn, demo: true })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const seminars = await mechanism(
    "consultation_mechanism",
    "Theoretical seminars with socialist parties",
    "与社会主义国家执政党理论研讨会机制",
    "2012-12-01",
  );
  const sco = await mechanism("party_forum", "SCO Political Parties Forum", "上合组织政党论坛", "2018-05-01");
  const brics = await mechanism(
    "party_forum",
    "BRICS Political Parties, Think Tanks and CSO Forum",
    "金砖国家政党、智库和民间社会组织论坛",
    "2017-06-01",
  );

  const records: BulkEngagement[] = [];
  const done = "done" as const;
  const add = (
    r: Omit<BulkEngagement, "status" | "countryCode" | "city"> & Partial<Pick<BulkEngagement, "status" | "countryCode" | "city">>,
  ) => records.push({ status: done, countryCode: null, city: null, ...r });
  const party = (p: Partner, role: string) => ({ organisationId: p.id, role });
  const socialist = closePartners
    .slice(0, 4)
    .map((id) => allParties.find((p) => p.partyfactsId === id))
    .filter((p): p is Partner & { partyfactsId: number | null } => p !== undefined);

  // Bilateral work, year by year; during the pandemic visits give way to video calls.
  for (let year = 2012; year <= 2022; year++) {
    const pandemic = year >= 2020;
    const volume = 0.8 + (year - 2012) * 0.04;
    const visitsIn = Math.round((pandemic ? 12 : 150) * volume);
    const visitsOut = Math.round((pandemic ? 6 : 90) * volume);
    const talks = Math.round((pandemic ? 180 : 90) * volume);
    for (let i = 0; i < visitsIn; i++) {
      const p = partyIn();
      const start = dateIn(rand, year);
      const local = rand() < 0.35 ? pick(rand, committees) : null;
      add({
        type: "visit",
        direction: "received",
        subtype: null,
        titleEn: `Delegation of the ${p.nameEn}`,
        titleZh: `${p.nameZh}代表团访华`,
        startDate: start,
        endDate: addDays(start, 3 + Math.floor(rand() * 5)),
        countryCode: "CHN",
        city: "Beijing",
        leadUnitId: unitIds[p.regionCode] ?? central,
        coUnitIds: local ? [local] : [],
        participants: [
          { organisationId: p.id, personId: pick(rand, people), role: "delegation_leader", rank: pick(rand, ranks), precedence: 1 },
          { organisationId: p.id, role: "member", rank: "Member of the delegation", precedence: 2 },
        ],
        details: { itinerary: [{ date: start, city: "Beijing", description: "Talks and meetings" }] },
      });
    }
    for (let i = 0; i < visitsOut; i++) {
      const region = pickRegion();
      const hosts = [partyIn(region), partyIn(region)].filter((p, k, all) => all.findIndex((q) => q.id === p.id) === k);
      const start = dateIn(rand, year);
      add({
        type: "visit",
        direction: "sent",
        subtype: null,
        titleEn: `Delegation to ${hosts.map((h) => countryNames.get(h.countryCode)?.nameEn ?? h.countryCode).join(" and ")}`,
        titleZh: `代表团访问${hosts.map((h) => countryNames.get(h.countryCode)?.nameZh ?? h.countryCode).join("、")}`,
        startDate: start,
        endDate: addDays(start, 5 + Math.floor(rand() * 6)),
        countryCode: hosts[0]?.countryCode ?? null,
        leadUnitId: unitIds[region] ?? central,
        participants: hosts.map((h) => party(h, "host")),
      });
    }
    for (let i = 0; i < talks; i++) {
      const p = partyIn();
      add({
        type: "talks",
        direction: pandemic ? "none" : pick(rand, ["received", "sent"]),
        subtype: pandemic ? "video" : "in_person",
        titleEn: `Talks with the ${p.nameEn}`,
        titleZh: `与${p.nameZh}会谈`,
        startDate: dateIn(rand, year),
        endDate: "",
        leadUnitId: unitIds[p.regionCode] ?? central,
        participants: [party(p, "guest")],
      });
    }
    // Congratulations on election victories and national days, condolences, and the replies.
    for (let i = 0; i < 70; i++) {
      const p = partyIn();
      const kind = rand() < 0.8 ? "congratulatory_message" : "condolence";
      add({
        type: "correspondence",
        direction: "sent",
        subtype: kind,
        titleEn: kind === "condolence" ? `Condolences to the ${p.nameEn}` : `Congratulations to the ${p.nameEn}`,
        titleZh: kind === "condolence" ? `致${p.nameZh}唁电` : `致${p.nameZh}贺电`,
        startDate: dateIn(rand, year),
        endDate: "",
        leadUnitId: unitIds[p.regionCode] ?? central,
        participants: [party(p, "recipient")],
        details: { occasion: kind === "condolence" ? "disaster" : pick(rand, ["election_victory", "party_congress", "national_day"]) },
      });
    }
    for (let i = 0; i < 40; i++) {
      const p = partyIn();
      add({
        type: "correspondence",
        direction: "received",
        subtype: pick(rand, ["greeting", "letter", "congratulatory_message"]),
        titleEn: `Letter from the ${p.nameEn}`,
        titleZh: `${p.nameZh}来函`,
        startDate: dateIn(rand, year),
        endDate: "",
        leadUnitId: unitIds[p.regionCode] ?? central,
        participants: [party(p, "sender")],
        details: { occasion: "national_day" },
      });
    }
    // Training for party cadres, hosted.
    for (let i = 0; i < (pandemic ? 6 : 14); i++) {
      const region = pickRegion();
      const cohort = Array.from({ length: 4 + Math.floor(rand() * 8) }, () => partyIn(region)).filter(
        (p, k, all) => all.findIndex((q) => q.id === p.id) === k,
      );
      const start = dateIn(rand, year);
      add({
        type: "training",
        direction: "hosted",
        subtype: null,
        titleEn: "Seminar for party cadres on governance",
        titleZh: "政党干部治国理政研修班",
        startDate: start,
        endDate: addDays(start, 12),
        countryCode: "CHN",
        city: pick(rand, ["Beijing", "Hangzhou", "Fuzhou", "Chengdu"]),
        leadUnitId: unitIds[region] ?? central,
        coUnitIds: [pick(rand, committees)],
        participants: cohort.map((p) => party(p, "participant")),
        details: { cohort: `${year}-${i + 1}`, hostingInstitution: "Party school" },
      });
    }
    // A seminar of the consultation mechanism each year, chaired in turn.
    if (socialist.length > 0) {
      add({
        type: "event",
        direction: year % 2 === 0 ? "hosted" : "attended",
        subtype: "seminar",
        titleEn: `Theoretical seminar ${year}`,
        titleZh: `${year}年理论研讨会`,
        startDate: dateIn(rand, year, 9, 11),
        endDate: "",
        leadUnitId: research,
        mechanismId: seminars,
        participants: socialist.map((p) => party(p, "speaker")),
        details: { seriesEn: "Theoretical seminar", seriesZh: "理论研讨会", edition: year - 2011, sessions: [] },
      });
    }
  }
  // The 19th Congress outreach: over 30 delegations to some 100 countries, more than 500 events.
  // A hundred countries spread over the alphabet (and so over the regions).
  const outreachCountries = Array.from(
    { length: Math.min(100, countries.length) },
    (_, k) => countries[Math.floor((k * countries.length) / Math.min(100, countries.length))] as string,
  );
  for (let d = 0; d < 32; d++) {
    const visited = outreachCountries.slice(
      Math.floor((d * outreachCountries.length) / 32),
      Math.floor(((d + 1) * outreachCountries.length) / 32),
    );
    const hosts = visited.map((c) => skewed(rand, partiesOf.get(c) as Partner[], 2));
    const start = dateIn(rand, 2017, 11, 12);
    add({
      type: "visit",
      direction: "sent",
      subtype: null,
      titleEn: "Delegation briefing on the 19th National Congress",
      titleZh: "十九大精神宣介团",
      startDate: start,
      endDate: addDays(start, 10),
      countryCode: visited[0] ?? null,
      leadUnitId: central,
      programmeId: outreach,
      participants: hosts.map((h) => party(h, "host")),
    });
    for (const host of hosts) {
      for (let e = 0; e < 5 + Math.floor(rand() * 2); e++) {
        add({
          type: "event",
          direction: "hosted",
          subtype: "briefing",
          titleEn: "Briefing on the 19th National Congress",
          titleZh: "十九大精神宣介会",
          startDate: addDays(start, e),
          endDate: "",
          countryCode: host.countryCode,
          leadUnitId: central,
          programmeId: outreach,
          participants: [party(host, "co_host"), ...(partiesOf.get(host.countryCode) ?? []).slice(0, 2).map((p) => party(p, "guest"))],
        });
      }
    }
  }
  // The centenary: more than 1,500 messages from over 600 parties and organisations in 170-plus countries.
  const senders: Partner[] = [];
  for (const code of countries.slice(0, 172)) senders.push(partiesOf.get(code)?.[0] as Partner);
  const senderCountries = new Set(countries.slice(0, 172));
  for (let tries = 0; senders.length < 612 && tries < 100_000; tries++) {
    const p = partyIn();
    if (!senders.includes(p) && senderCountries.has(p.countryCode)) senders.push(p);
  }
  let messages = 0;
  for (const [i, p] of senders.entries()) {
    const n = i < 300 ? 3 : 2;
    for (let k = 0; k < n && messages < 1530; k++, messages++) {
      add({
        type: "correspondence",
        direction: "received",
        subtype: "congratulatory_message",
        titleEn: `Congratulations from the ${p.nameEn} on the centenary`,
        titleZh: `${p.nameZh}祝贺中国共产党成立100周年`,
        startDate: dateIn(rand, 2021, 6, 7),
        endDate: "",
        leadUnitId: unitIds[p.regionCode] ?? central,
        programmeId: centenary,
        participants: [party(p, "sender")],
        details: { occasion: "anniversary" },
      });
    }
  }
  // The statements on the one-China principle: more than 500 from over 150 countries.
  const statementCountries = countries.slice(0, 152);
  for (let i = 0; i < 516; i++) {
    const code = statementCountries[i % statementCountries.length] as string;
    const author =
      i < 380
        ? (partiesOf.get(code)?.[Math.floor(i / statementCountries.length)] ?? partiesOf.get(code)?.[0])
        : others.find((o) => o.countryCode === code);
    if (!author) continue;
    add({
      type: "statement",
      direction: "received",
      subtype: "support",
      titleEn: `Statement by the ${author.nameEn} on the one-China principle`,
      titleZh: `${author.nameZh}发表声明支持一个中国原则`,
      startDate: dateIn(rand, 2022, 8, 8),
      endDate: "",
      leadUnitId: unitIds[author.regionCode] ?? central,
      programmeId: oneChina,
      participants: [party(author, "author")],
      details: { issueEn: "One-China principle", issueZh: "一个中国原则", publishedIn: "Party website" },
    });
  }
  // COVID-19 therapeutics to nearly 400 parties in 149 countries, one shipment per country.
  let recipientsLeft = 396;
  for (const [i, code] of countries.slice(0, 149).entries()) {
    const parties = partiesOf.get(code) ?? [];
    const n = Math.max(1, Math.min(parties.length, Math.round(recipientsLeft / (149 - i))));
    recipientsLeft -= n;
    const p = parties[0] as Partner;
    add({
      type: "assistance",
      direction: "sent",
      subtype: "medical",
      titleEn: `COVID-19 therapeutics for parties of ${countryNames.get(code)?.nameEn ?? code}`,
      titleZh: `向${countryNames.get(code)?.nameZh ?? code}政党提供抗疫药物`,
      // March to September: all of it before the overview of 20 October 2022.
      startDate: dateIn(rand, 2022, 3, 9),
      endDate: "",
      countryCode: code,
      leadUnitId: unitIds[p.regionCode] ?? central,
      programmeId: therapeutics,
      participants: parties.slice(0, n).map((r) => party(r, "recipient")),
      details: { quantity: 500 * n, unitOfMeasure: "boxes" },
    });
  }
  // Fourteen thematic briefings with local committees.
  for (const [i, committee] of committees.entries()) {
    const year = 2017 + Math.floor(i / 2.5);
    const guests = Array.from({ length: 30 }, () => partyIn()).filter((p, k, all) => all.findIndex((q) => q.id === p.id) === k);
    const [, en, zh] = provinces[i] as [string, string, string];
    add({
      type: "event",
      direction: "hosted",
      subtype: "thematic_briefing",
      titleEn: `Stories of the CPC: ${en}`,
      titleZh: `“中国共产党的故事”${zh}专题宣介会`,
      startDate: dateIn(rand, Math.min(year, 2022)),
      endDate: "",
      countryCode: "CHN",
      city: en,
      leadUnitId: central,
      coUnitIds: [committee],
      programmeId: briefings,
      participants: guests.map((p) => party(p, "guest")),
      details: { seriesEn: "Stories of the CPC", seriesZh: "中国共产党的故事", edition: i + 1, sessions: [] },
    });
  }
  // The high-level dialogue (2017) and the summit (2021), hosted.
  const multilateral = (count: number) =>
    Array.from({ length: count }, () => partyIn()).filter((p, k, all) => all.findIndex((q) => q.id === p.id) === k);
  add({
    type: "event",
    direction: "hosted",
    subtype: "high_level_dialogue",
    titleEn: "CPC in Dialogue with World Political Parties High-Level Meeting",
    titleZh: "中国共产党与世界政党高层对话会",
    startDate: "2017-11-30",
    endDate: "2017-12-03",
    countryCode: "CHN",
    city: "Beijing",
    leadUnitId: central,
    participants: multilateral(400).map((p) => party(p, "guest")),
    details: {
      seriesEn: "CPC in Dialogue with World Political Parties",
      seriesZh: "中国共产党与世界政党高层对话会",
      edition: 1,
      sessions: [{ titleEn: "Opening session", titleZh: "开幕式", date: "2017-12-01" }],
      flagship: true,
    },
  });
  add({
    type: "event",
    direction: "hosted",
    subtype: "summit",
    titleEn: "CPC and World Political Parties Summit",
    titleZh: "中国共产党与世界政党领导人峰会",
    startDate: "2021-07-06",
    endDate: "2021-07-06",
    countryCode: "CHN",
    city: "Beijing (video)",
    leadUnitId: central,
    participants: multilateral(500).map((p) => party(p, "guest")),
    details: { sessions: [{ titleEn: "Keynote", titleZh: "主旨讲话", date: "2021-07-06" }], flagship: true },
  });
  // Forums of the SCO and BRICS platforms, with dated members.
  const scoCountries = ["RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK"];
  const bricsCountries = ["BRA", "RUS", "IND", "ZAF"];
  const firstParty = (code: string) => partiesOf.get(code)?.[0];
  for (const [mechanismId, codes, joined, years, withOthers] of [
    [sco, scoCountries, "2018-05-01", [2018, 2019, 2021, 2022], false],
    [brics, bricsCountries, "2017-06-01", [2017, 2018, 2019, 2020, 2021, 2022], true],
  ] as const) {
    for (const code of codes) {
      const member = firstParty(code);
      if (member) await trx.insertInto("mechanismMembers").values({ mechanismId, organisationId: member.id, joinedOn: joined }).execute();
    }
    for (const [edition, year] of years.entries()) {
      const partyGuests = codes.flatMap((c) => (partiesOf.get(c) ?? []).slice(0, 3));
      const otherGuests = withOthers ? others.filter((o) => codes.includes(o.countryCode)) : [];
      add({
        type: "event",
        direction: edition % 2 === 0 ? "hosted" : "attended",
        subtype: "forum",
        titleEn: `${mechanismId === sco ? "SCO Political Parties Forum" : "BRICS Political Parties, Think Tanks and CSO Forum"} ${year}`,
        titleZh: `${mechanismId === sco ? "上合组织政党论坛" : "金砖国家政党、智库和民间社会组织论坛"}（${year}）`,
        startDate: dateIn(rand, year, 4, 10),
        endDate: "",
        leadUnitId: central,
        mechanismId,
        participants: [...partyGuests, ...otherGuests].map((p) => party(p, "guest")),
        details: { edition: edition + 1, sessions: [] },
      });
    }
  }
  for (const [i, p] of socialist.entries()) {
    await trx.insertInto("mechanismMembers").values({ mechanismId: seminars, organisationId: p.id, joinedOn: "2012-12-01" }).execute();
    for (let year = 2013 + i; year <= 2022; year += socialist.length) {
      await trx
        .insertInto("mechanismChairs")
        .values({ mechanismId: seminars, organisationId: p.id, startDate: `${year}-01-01`, endDate: `${year}-12-31` })
        .execute();
    }
  }
  // Planned work for the approval queue and the coordination alerts, in each approval state.
  const planned = plannedWork(unitIds, committees[0] as number, central, firstParty);
  records.push(...planned.map((p) => p.record));
  for (const r of records) if (!r.endDate) r.endDate = r.startDate;
  // A topic on every third talk, visit, event and training, so that reports can keep to one.
  const topicIds = await demoTopicIds(trx);
  for (const [i, r] of records.entries()) {
    if (i % 3 === 0 && ["talks", "visit", "event", "training"].includes(r.type)) r.topicIds = [topicIds[i % topicIds.length] as number];
  }
  await recordGovernments(trx, partiesOf);
  await recordCongresses(trx, partiesOf);
  const ids = await insertEngagements(trx, records, { demo: true });
  await recordPlannedSteps(
    trx,
    planned.map((p, i) => ({ ...p, id: ids[records.length - planned.length + i] as number })),
  );
  await recordRelationships(trx);
  await recordGifts(trx);
  await rebuildRollups(trx);
  return {
    engagements: ids.length,
    participants: records.reduce((n, r) => n + r.participants.length, 0),
    programmes: 5,
    mechanisms: 3,
    units: bureaus.length + 1 + committees.length,
    people: people.length,
    organisations: others.length,
  };
}
