/**
 * Deterministic scale data for benchmarks: organisations with names in several
 * languages, people with positions, statuses and relationships, written in bulk.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { type Kysely, sql } from "kysely";
import { type BulkEngagement, insertEngagements } from "../src/core/engagements/bulk.ts";
import { rebuildRollups } from "../src/core/engagements/rollup.ts";
import { matchKeys } from "../src/core/merge/keys.ts";
import { buildSearchText, latinSearchText } from "../src/core/search/text.ts";
import { pick, random, skewed } from "../src/core/shared/random.ts";
import type { DB } from "../src/db/types.ts";
import { bundledDataDir } from "../src/paths.ts";

// Real vocabulary for English names: every word of the Party Facts English names, drawn
// with its real frequency, so that searches meet common words ("party") and rare ones.
function partyFactsWords(): string[] {
  const rows: Array<Record<string, string>> = parse(fs.readFileSync(path.join(bundledDataDir, "partyfacts/partyfacts-core-parties.csv")), {
    columns: true,
    bom: true,
    relax_column_count: true,
  });
  return rows.flatMap((r) => (r.name_english ?? "").split(/[^\p{L}']+/u).filter((w) => w.length >= 3));
}
// Characters that transliterate foreign names into Chinese, plus common political words.
const transliteration = [
  ..."阿巴达尔加哈卡拉马纳帕萨塔瓦亚扎比迪菲吉基利米尼皮里西提维伊布杜富古胡库鲁穆努普苏图乌索托科罗莫诺波多奥斯特克格德尼安恩因林明森丁顿斯顿伦敦蒙桑坦兰",
];
const politicalWords = [
  "人民",
  "民主",
  "社会",
  "进步",
  "自由",
  "国家",
  "联盟",
  "统一",
  "共和",
  "工人",
  "农民",
  "绿色",
  "改革",
  "团结",
  "爱国",
  "革命",
  "和平",
  "发展",
  "正义",
  "独立",
];
const nouns = [
  "Party",
  "Front",
  "Movement",
  "Alliance",
  "Union",
  "Congress",
  "League",
  "Rally",
  "Forum",
  "Institute",
  "Council",
  "Foundation",
  "Centre",
  "Association",
];
const zhEnds = ["党", "阵线", "运动", "联盟", "大会", "研究所", "基金会", "协会", "论坛"];
const nativeSyllables = [
  "par",
  "ti",
  "do",
  "so",
  "cia",
  "lis",
  "ta",
  "de",
  "mo",
  "kra",
  "tik",
  "na",
  "cio",
  "nal",
  "fre",
  "dom",
  "unio",
  "ser",
  "bal",
  "kan",
];
const kinds = [
  "political_party",
  "political_party",
  "political_party",
  "political_party",
  "think_tank",
  "civil_society",
  "media",
  "government_body",
  "parliament",
  "movement",
];
const families = ["com", "eco", "soc", "lib", "chr", "con", "agr", "right", "spec", null];
const givenNames = [
  "Ana",
  "Ivan",
  "Maria",
  "Kwame",
  "Li",
  "Amina",
  "Carlos",
  "Fatima",
  "Nguyen",
  "Olga",
  "Raj",
  "Sara",
  "Tomas",
  "Yusuf",
  "Zhang",
  "Elena",
  "Juan",
  "Aisha",
  "Pedro",
  "Mei",
];
const familyNames = [
  "Silva",
  "Petrov",
  "Mensah",
  "Wang",
  "Haddad",
  "Garcia",
  "Nkosi",
  "Tran",
  "Kowalski",
  "Singh",
  "Okafor",
  "Rossi",
  "Ivanova",
  "Chen",
  "Moreno",
  "Diallo",
  "Sato",
  "Khan",
  "Novak",
  "Lopez",
];
const zhSurnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const zhGiven = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"];

export interface GenerateResult {
  organisations: number;
  names: number;
  people: number;
  positions: number;
  ms: number;
}

/** Writes `organisations` organisations and `people` people in batches; returns counts and time. */
export async function generate(
  db: Kysely<DB>,
  options: { organisations: number; people: number; seed?: number; batch?: number; progress?: (done: number, total: number) => void },
): Promise<GenerateResult> {
  const rand = random(options.seed ?? 42);
  const batch = options.batch ?? 5000;
  const vocabulary = partyFactsWords();
  const countries = (await db.selectFrom("countries").select("code").where("historical", "=", false).orderBy("code").execute()).map(
    (c) => c.code,
  );
  const started = performance.now();
  let names = 0;
  const total = options.organisations + options.people;
  const firstId = ((await sql<{ max: number | null }>`SELECT max(id) AS max FROM organisations`.execute(db)).rows[0]?.max ?? 0) + 1;
  for (let start = 0; start < options.organisations; start += batch) {
    const n = Math.min(batch, options.organisations - start);
    const cols = {
      kind: [] as string[],
      country: [] as (string | null)[],
      en: [] as string[],
      zh: [] as string[],
      abbr: [] as string[],
      founded: [] as number[],
      family: [] as (string | null)[],
      search: [] as string[],
      latin: [] as string[],
      keys: [] as string[],
    };
    const nameCols = { org: [] as number[], kind: [] as string[], lang: [] as string[], value: [] as string[], position: [] as number[] };
    for (let i = 0; i < n; i++) {
      const id = firstId + start + i;
      const kind = pick(rand, kinds);
      const country = kind === "movement" && rand() < 0.2 ? null : skewed(rand, countries);
      const words = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(rand, vocabulary));
      const en = `${words.join(" ")} ${pick(rand, nouns)} ${id}`;
      const translit = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(rand, transliteration)).join("");
      const zh = `${translit}${rand() < 0.7 ? pick(rand, politicalWords) : ""}${pick(rand, zhEnds)}`;
      const abbr =
        en
          .split(" ")
          .slice(0, 3)
          .map((w) => w[0])
          .join("")
          .toUpperCase() +
        (id % 97);
      const native = `${pick(rand, nativeSyllables)}${pick(rand, nativeSyllables)} ${pick(rand, nativeSyllables)}${pick(rand, nativeSyllables)}${pick(rand, nativeSyllables)}`;
      cols.kind.push(kind);
      cols.country.push(country);
      cols.en.push(en);
      cols.zh.push(zh);
      cols.abbr.push(abbr);
      cols.founded.push(1850 + Math.floor(rand() * 170));
      cols.family.push(kind === "political_party" ? pick(rand, families) : null);
      cols.search.push(buildSearchText([en, zh, abbr, native]));
      cols.latin.push(latinSearchText([en, native, abbr]));
      cols.keys.push(
        `{${matchKeys([
          { kind: "official", value: en },
          { kind: "official", value: zh },
          { kind: "abbreviation", value: abbr },
        ])
          .map((k) => JSON.stringify(k))
          .join(",")}}`,
      );
      const orgNames: Array<[string, string, string]> = [
        ["official", "en", en],
        ["official", "zh", zh],
        ["official", "und", native],
        ["abbreviation", "und", abbr],
      ];
      orgNames.forEach(([k, lang, value], position) => {
        nameCols.org.push(id);
        nameCols.kind.push(k);
        nameCols.lang.push(lang);
        nameCols.value.push(value);
        nameCols.position.push(position);
      });
    }
    await sql`INSERT INTO organisations (id, kind, country_code, name_en, name_zh, name_zh_status, abbreviation, founded_year, family, search_text,
        search_latin, match_keys, source)
      OVERRIDING SYSTEM VALUE
      SELECT ${firstId + start - 1}::int + u.ord, u.kind, u.country, u.en, u.zh, 'confirmed', u.abbr, u.founded, u.family, u.search,
        u.latin, u.keys::text[], 'bench'
      FROM unnest(${cols.kind}::text[], ${cols.country}::text[], ${cols.en}::text[], ${cols.zh}::text[], ${cols.abbr}::text[],
        ${cols.founded}::int[], ${cols.family}::text[], ${cols.search}::text[], ${cols.latin}::text[], ${cols.keys}::text[])
        WITH ORDINALITY AS u(kind, country, en, zh, abbr, founded, family, search, latin, keys, ord)`.execute(db);
    await sql`INSERT INTO organisation_names (organisation_id, kind, lang, value, position)
      SELECT * FROM unnest(${nameCols.org}::int[], ${nameCols.kind}::text[], ${nameCols.lang}::text[], ${nameCols.value}::text[], ${nameCols.position}::int[])`.execute(
      db,
    );
    names += nameCols.org.length;
    options.progress?.(start + n, total);
  }
  await sql`SELECT setval(pg_get_serial_sequence('organisations', 'id'), (SELECT max(id) FROM organisations))`.execute(db);
  // Statuses and relationships for a share of parties, so the filters have work to do.
  await sql`INSERT INTO organisation_statuses (organisation_id, status, valid_from, valid_to)
    SELECT id, 'in_government', date '2015-01-01' + (id % 2000), CASE WHEN id % 3 = 0 THEN date '2021-01-01' + (id % 900) END
    FROM organisations WHERE source = 'bench' AND kind = 'political_party' AND id % 11 = 0`.execute(db);
  await sql`INSERT INTO relationships (organisation_id, level, since)
    SELECT id, (ARRAY['contact','regular','established','strategic'])[1 + id % 4], date '2000-01-01' + (id % 8000)
    FROM organisations WHERE source = 'bench' AND id % 17 = 0 ON CONFLICT DO NOTHING`.execute(db);
  let positions = 0;
  for (let start = 0; start < options.people; start += batch) {
    const n = Math.min(batch, options.people - start);
    const p = {
      family: [] as string[],
      given: [] as string[],
      en: [] as string[],
      zh: [] as string[],
      gender: [] as string[],
      country: [] as string[],
      search: [] as string[],
      org: [] as number[],
    };
    for (let i = 0; i < n; i++) {
      const family = pick(rand, familyNames);
      const given = pick(rand, givenNames);
      const zh = `${pick(rand, zhSurnames)}${pick(rand, zhGiven)}${pick(rand, zhGiven)}`;
      const en = `${given} ${family} ${start + i}`;
      p.family.push(family);
      p.given.push(given);
      p.en.push(en);
      p.zh.push(zh);
      p.gender.push(rand() < 0.45 ? "female" : "male");
      p.country.push(skewed(rand, countries));
      p.search.push(buildSearchText([en, zh]));
      p.org.push(firstId + Math.floor(rand() * options.organisations));
    }
    const ids = await sql<{
      id: number;
    }>`INSERT INTO people (family_name_en, given_name_en, name_en, name_zh, gender, country_code, search_text)
      SELECT * FROM unnest(${p.family}::text[], ${p.given}::text[], ${p.en}::text[], ${p.zh}::text[], ${p.gender}::text[], ${p.country}::text[], ${p.search}::text[])
      RETURNING id`.execute(db);
    await sql`INSERT INTO positions (person_id, organisation_id, title_en, start_date)
      SELECT * FROM unnest(${ids.rows.map((r) => r.id)}::int[], ${p.org}::int[], ${ids.rows.map(() => "Member of the presidium")}::text[],
        ${ids.rows.map((_, i) => `20${10 + (i % 12)}-0${1 + (i % 9)}-15`)}::date[])`.execute(db);
    positions += n;
    options.progress?.(options.organisations + start + n, total);
  }
  // What autovacuum would do on a live system: statistics and the visibility map.
  await sql`VACUUM ANALYZE`.execute(db);
  return { organisations: options.organisations, names, people: options.people, positions, ms: performance.now() - started };
}

const engagementShapes: Array<{ type: string; direction: string; subtype: string | null; weight: number; partners: [number, number] }> = [
  { type: "visit", direction: "received", subtype: null, weight: 16, partners: [1, 2] },
  { type: "visit", direction: "sent", subtype: null, weight: 10, partners: [1, 4] },
  { type: "talks", direction: "none", subtype: "video", weight: 12, partners: [1, 2] },
  { type: "talks", direction: "received", subtype: "in_person", weight: 10, partners: [1, 2] },
  { type: "event", direction: "hosted", subtype: "seminar", weight: 6, partners: [3, 12] },
  { type: "event", direction: "attended", subtype: "forum", weight: 4, partners: [2, 8] },
  { type: "correspondence", direction: "received", subtype: "congratulatory_message", weight: 18, partners: [1, 1] },
  { type: "correspondence", direction: "sent", subtype: "letter", weight: 12, partners: [1, 1] },
  { type: "statement", direction: "received", subtype: "support", weight: 6, partners: [1, 1] },
  { type: "assistance", direction: "sent", subtype: "medical", weight: 3, partners: [1, 5] },
  { type: "training", direction: "hosted", subtype: null, weight: 3, partners: [3, 10] },
];

export interface EngagementGenerateResult {
  engagements: number;
  participants: number;
  insertMs: number;
  rollupMs: number;
}

/**
 * Writes `count` done engagements over 2013–2022 with their participants, drawn from the
 * bench organisations with a skew (a few partners in thousands of engagements, most in a
 * handful), led by a dozen units, a tenth in programmes; then rebuilds the rollups.
 */
export async function generateEngagements(
  db: Kysely<DB>,
  options: { count: number; seed?: number; batch?: number; progress?: (done: number, total: number) => void },
): Promise<EngagementGenerateResult> {
  const rand = random(options.seed ?? 7);
  const batch = options.batch ?? 10_000;
  const orgs = (await sql<{ id: number }>`SELECT id FROM organisations WHERE source = 'bench' ORDER BY id`.execute(db)).rows.map(
    (r) => r.id,
  );
  const shuffledOrgs = orgs
    .map((id) => ({ id, k: rand() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.id);
  const central = (await db.selectFrom("units").select("id").where("key", "=", "central").executeTakeFirstOrThrow()).id;
  const units: number[] = [central];
  for (let i = 0; i < 11; i++) {
    const row = await db
      .insertInto("units")
      .values({ parentId: central, kind: "bureau", key: `bench-${i}-${Date.now()}`, nameEn: `Bench bureau ${i}`, nameZh: `测试局${i}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    units.push(row.id);
  }
  const programmes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const row = await db
      .insertInto("programmes")
      .values({ nameEn: `Bench programme ${i}`, nameZh: `测试项目${i}`, leadUnitId: central, targets: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    programmes.push(row.id);
  }
  const totalWeight = engagementShapes.reduce((a, s) => a + s.weight, 0);
  const shape = () => {
    let x = rand() * totalWeight;
    for (const s of engagementShapes) {
      x -= s.weight;
      if (x <= 0) return s;
    }
    return engagementShapes[0] as (typeof engagementShapes)[number];
  };
  let participants = 0;
  const started = performance.now();
  for (let start = 0; start < options.count; start += batch) {
    const n = Math.min(batch, options.count - start);
    const records: BulkEngagement[] = [];
    for (let i = 0; i < n; i++) {
      const s = shape();
      const year = 2013 + Math.floor(rand() * 10);
      const date = `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
      const k = s.partners[0] + Math.floor(rand() * (s.partners[1] - s.partners[0] + 1));
      const partners = [...new Set(Array.from({ length: k }, () => skewed(rand, shuffledOrgs, 3)))];
      participants += partners.length;
      records.push({
        type: s.type,
        direction: s.direction,
        subtype: s.subtype,
        status: "done",
        titleEn: `${s.type} ${start + i}`,
        titleZh: null,
        startDate: date,
        endDate: date,
        countryCode: null,
        city: null,
        leadUnitId: pick(rand, units),
        programmeId: rand() < 0.1 ? pick(rand, programmes) : null,
        participants: partners.map((organisationId) => ({ organisationId, role: "guest" })),
      });
    }
    await insertEngagements(db, records, { demo: false });
    options.progress?.(start + n, options.count);
  }
  // As in an office: one engagement in 33 has a second unit taking part (a co-unit, whose users
  // read it beyond their own unit's work), one in 50 is restricted.
  await sql`INSERT INTO engagement_units (engagement_id, unit_id)
    SELECT e.id, (${units}::int[])[1 + (e.id + 1) % ${units.length}] FROM engagements e
    WHERE e.id % 33 = 0 AND NOT e.demo AND (${units}::int[])[1 + (e.id + 1) % ${units.length}] <> e.lead_unit_id
    ON CONFLICT DO NOTHING`.execute(db);
  await sql`UPDATE engagements SET classification = 'restricted' WHERE id % 50 = 7 AND NOT demo`.execute(db);
  // Two country groups the figures are asked of: a small one (BRICS) and a large one (Africa).
  await sql`INSERT INTO country_groups (key, name_en, name_zh) VALUES ('bench-brics', 'BRICS', '金砖国家'), ('bench-africa', 'Africa', '非洲')
    ON CONFLICT DO NOTHING`.execute(db);
  await sql`INSERT INTO country_group_members (group_id, country_code)
    SELECT g.id, c.code FROM country_groups g JOIN countries c
      ON (g.key = 'bench-brics' AND c.code IN ('BRA', 'RUS', 'IND', 'CHN', 'ZAF', 'EGY', 'ETH', 'IRN', 'ARE', 'IDN'))
      OR (g.key = 'bench-africa' AND c.region_code = '002' AND NOT c.historical)
    ON CONFLICT DO NOTHING`.execute(db);
  const insertMs = performance.now() - started;
  const rollupStarted = performance.now();
  await db.transaction().execute((trx) => rebuildRollups(trx));
  const rollupMs = performance.now() - rollupStarted;
  await sql`VACUUM ANALYZE`.execute(db);
  return { engagements: options.count, participants, insertMs, rollupMs };
}
