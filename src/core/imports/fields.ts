import { foldName } from "../search/text.ts";
import { cleanMultiline, cleanText } from "../shared/text.ts";
import {
  assistanceKinds,
  correspondenceKinds,
  correspondenceOccasions,
  engagementKinds,
  engagementTypes,
  eventFormats,
  genders,
  organisationKinds,
  relationshipLevels,
  statementStances,
  talkModes,
} from "../shared/vocabulary.ts";

/** A message in both languages: the reason a cell is refused, shown in the reader's language. */
export interface Reason {
  en: string;
  zh: string;
}

/** What a cell becomes: a value, nothing (an empty cell), or a reason it cannot be read. */
export type Parsed<T> = { value: T } | { value: null } | { error: Reason };

/** The places a country cell may name: code (alpha-3 or alpha-2), English or Chinese name, folded. */
export type CountryLookup = ReadonlyMap<string, string>;

/** How a column's cells are read. */
export type FieldType =
  | "name"
  | "names"
  | "country"
  | "kind"
  | "year"
  | "url"
  | "wikidata"
  | "integer"
  | "tags"
  | "level"
  | "text"
  | "longText"
  | "date"
  | "engagementKind"
  | "direction"
  | "occasion"
  | "gender"
  | "periodStart"
  | "periodEnd";

/** A field a column can be mapped to. */
export interface FieldDefinition {
  key: string;
  label: Reason;
  type: FieldType;
  /** Headers, folded, that suggest this field (in Chinese and English). */
  headers: string[];
}

/** The country or region a row is of (a partner) or took place in (an engagement): by code, or by name in Chinese or English. */
const countryField: FieldDefinition = {
  key: "country",
  label: { en: "Country or region", zh: "国家或地区" },
  type: "country",
  headers: ["国家", "国别", "国家地区", "国家和地区", "所在国", "country", "countrycode", "nation", "countryorregion"],
};

/** The office's own id for a row: what the same row is known by when the file comes again. */
const sourceIdField: FieldDefinition = {
  key: "sourceId",
  label: { en: "Your own id for the row", zh: "本单位编号" },
  type: "text",
  headers: ["编号", "本单位编号", "id", "externalid", "sourceid", "recordid", "ref"],
};

/**
 * The fields of an organisation import: names in Chinese, English and the native script, an
 * abbreviation, former names and aliases (several in a cell, split on 、；;，,/ and new lines),
 * the kind, the country (by code, or by name in Chinese or English), years, website, tags,
 * Wikidata and Party Facts ids, the relationship level, and the office's own id for the row.
 */
export const organisationFields: FieldDefinition[] = [
  {
    key: "nameZh",
    label: { en: "Name in Chinese", zh: "中文名称" },
    type: "name",
    headers: [
      "中文名称",
      "中文名",
      "名称中文",
      "组织名称",
      "政党名称",
      "党名",
      "名称",
      "单位名称",
      "机构名称",
      "chinesename",
      "namezh",
      "namechinese",
    ],
  },
  {
    key: "nameEn",
    label: { en: "Name in English", zh: "英文名称" },
    type: "name",
    headers: [
      "英文名称",
      "英文名",
      "名称英文",
      "name",
      "englishname",
      "nameen",
      "nameenglish",
      "organisation",
      "organization",
      "party",
      "partyname",
    ],
  },
  {
    key: "nameNative",
    label: { en: "Name in its own language", zh: "原文名称" },
    type: "name",
    headers: ["原文名称", "原文名", "外文名称", "外文名", "nativename", "localname", "originalname", "namenative"],
  },
  {
    key: "abbreviation",
    label: { en: "Abbreviation", zh: "缩写" },
    type: "names",
    headers: ["缩写", "英文缩写", "简称", "abbreviation", "abbr", "acronym", "short"],
  },
  {
    key: "former",
    label: { en: "Former names", zh: "曾用名" },
    type: "names",
    headers: ["曾用名", "原名", "旧称", "formername", "formernames", "previousname"],
  },
  {
    key: "alias",
    label: { en: "Other names", zh: "别名" },
    type: "names",
    headers: ["别名", "又称", "其他名称", "alias", "aliases", "alsoknownas", "othernames"],
  },
  {
    key: "kind",
    label: { en: "Kind", zh: "类别" },
    type: "kind",
    headers: ["类别", "类型", "组织类型", "性质", "kind", "type", "category"],
  },
  countryField,
  {
    key: "foundedYear",
    label: { en: "Founded", zh: "成立年份" },
    type: "year",
    headers: ["成立年份", "成立时间", "成立", "建党时间", "founded", "foundedyear", "established", "founding"],
  },
  {
    key: "dissolvedYear",
    label: { en: "Dissolved", zh: "解散年份" },
    type: "year",
    headers: ["解散年份", "解散时间", "dissolved", "dissolvedyear"],
  },
  {
    key: "website",
    label: { en: "Website", zh: "网站" },
    type: "url",
    headers: ["网站", "网址", "官网", "website", "url", "homepage", "web"],
  },
  { key: "tags", label: { en: "Tags", zh: "标签" }, type: "tags", headers: ["标签", "tags", "tag", "keywords"] },
  {
    key: "wikidataId",
    label: { en: "Wikidata id", zh: "Wikidata编号" },
    type: "wikidata",
    headers: ["wikidata", "wikidataid", "qid", "wikidata编号"],
  },
  {
    key: "partyfactsId",
    label: { en: "Party Facts id", zh: "Party Facts编号" },
    type: "integer",
    headers: ["partyfacts", "partyfactsid", "pfid"],
  },
  {
    key: "relationshipLevel",
    label: { en: "Relationship", zh: "关系层级" },
    type: "level",
    headers: ["关系", "关系层级", "关系级别", "relationship", "relationshiplevel", "level"],
  },
  sourceIdField,
];

/**
 * The fields of an engagement import (a register of visits, talks, events or letters): the
 * date (and last day), the kind (接待来访, 贺电, 论坛… or a type and a direction), the partners
 * (several in a cell; each must be in the registry), the country and city, titles and summaries
 * in both languages, the occasion of a letter, and the office's own id for the row.
 */
export const engagementFields: FieldDefinition[] = [
  {
    key: "date",
    label: { en: "Date", zh: "日期" },
    type: "date",
    headers: [
      "日期",
      "时间",
      "开始日期",
      "开始时间",
      "来访时间",
      "出访时间",
      "来访日期",
      "出访日期",
      "收到日期",
      "发出日期",
      "发电日期",
      "date",
      "startdate",
      "start",
      "from",
    ],
  },
  {
    key: "endDate",
    label: { en: "Last day", zh: "结束日期" },
    type: "date",
    headers: ["结束日期", "结束时间", "截止日期", "离开日期", "enddate", "end", "until", "to"],
  },
  {
    key: "kind",
    label: { en: "Kind (type and direction)", zh: "类型" },
    type: "engagementKind",
    headers: ["类型", "类别", "形式", "交往形式", "活动类型", "函电类型", "种类", "type", "kind", "category"],
  },
  {
    key: "direction",
    label: { en: "Direction", zh: "来往方向" },
    type: "direction",
    headers: ["方向", "来往", "来往方向", "收发", "direction", "inout"],
  },
  {
    key: "partners",
    label: { en: "Partners", zh: "外方" },
    type: "names",
    headers: [
      "外方",
      "外方单位",
      "对方",
      "对方单位",
      "伙伴",
      "交往对象",
      "对象",
      "来访团组",
      "来访单位",
      "出访对象",
      "政党",
      "党派",
      "组织",
      "发电方",
      "来电单位",
      "来函单位",
      "收电方",
      "partners",
      "partner",
      "counterpart",
      "counterparts",
      "organisation",
      "organization",
      "party",
      "parties",
      "sender",
      "recipient",
    ],
  },
  {
    key: "people",
    label: { en: "People taking part", zh: "参加人员" },
    type: "names",
    headers: [
      "外方人员",
      "参加人员",
      "来访人员",
      "代表团成员",
      "外方领导人",
      "主要人物",
      "人员",
      "people",
      "persons",
      "delegation",
      "delegates",
      "signatory",
    ],
  },

  countryField,
  {
    key: "city",
    label: { en: "City", zh: "城市" },
    type: "text",
    headers: ["城市", "地点", "举办地", "city", "place", "location", "venue"],
  },
  {
    key: "titleZh",
    label: { en: "Title in Chinese", zh: "中文标题" },
    type: "text",
    headers: ["标题", "中文标题", "主题", "名称", "活动名称", "事项", "titlezh", "chinesetitle"],
  },
  {
    key: "titleEn",
    label: { en: "Title in English", zh: "英文标题" },
    type: "text",
    headers: ["英文标题", "英文名称", "title", "titleen", "englishtitle", "subject", "name"],
  },
  {
    key: "summaryZh",
    label: { en: "Summary in Chinese", zh: "中文摘要" },
    type: "longText",
    headers: ["内容", "摘要", "内容摘要", "简介", "情况", "主要内容", "备注", "summary", "summaryzh", "notes", "description"],
  },
  {
    key: "summaryEn",
    label: { en: "Summary in English", zh: "英文摘要" },
    type: "longText",
    headers: ["英文摘要", "summaryen", "englishsummary"],
  },
  {
    key: "occasion",
    label: { en: "Occasion (of a letter)", zh: "函电缘由" },
    type: "occasion",
    headers: ["缘由", "事由", "场合", "函电缘由", "occasion", "reason"],
  },
  sourceIdField,
];

/**
 * The fields of a people import (a contact sheet of leaders and officials): names in Chinese,
 * English (whole, or family and given) and the native script, other names, gender, birth year,
 * country, and the position held — its organisation (in the registry), title and dates.
 */
export const personFields: FieldDefinition[] = [
  {
    key: "nameZh",
    label: { en: "Name in Chinese", zh: "中文姓名" },
    type: "name",
    headers: ["中文姓名", "中文名", "姓名", "姓名中文", "namezh", "chinesename"],
  },
  {
    key: "nameEn",
    label: { en: "Name in English", zh: "英文姓名" },
    type: "name",
    headers: ["英文姓名", "英文名", "姓名英文", "name", "englishname", "nameen", "fullname"],
  },
  {
    key: "familyNameEn",
    label: { en: "Family name", zh: "姓（英文）" },
    type: "name",
    headers: ["姓英文", "familyname", "surname", "lastname"],
  },
  {
    key: "givenNameEn",
    label: { en: "Given name", zh: "名（英文）" },
    type: "name",
    headers: ["名英文", "givenname", "firstname", "forename"],
  },
  {
    key: "nameNative",
    label: { en: "Name in their own language", zh: "原文姓名" },
    type: "name",
    headers: ["原文姓名", "原文名", "外文姓名", "nativename", "localname", "namenative"],
  },
  { key: "aliases", label: { en: "Other names", zh: "别名" }, type: "names", headers: ["别名", "又名", "aliases", "alias", "othernames"] },
  { key: "gender", label: { en: "Gender", zh: "性别" }, type: "gender", headers: ["性别", "gender", "sex"] },
  {
    key: "birthYear",
    label: { en: "Born", zh: "出生年份" },
    type: "year",
    headers: ["出生年份", "出生", "出生日期", "生年", "born", "birthyear", "yearofbirth", "dateofbirth"],
  },
  countryField,
  {
    key: "organisation",
    label: { en: "Organisation (of the position)", zh: "所在组织" },
    type: "name",
    headers: ["所在组织", "所在政党", "单位", "政党", "组织", "党派", "organisation", "organization", "party", "affiliation"],
  },
  {
    key: "titleZh",
    label: { en: "Position in Chinese", zh: "职务（中文）" },
    type: "text",
    headers: ["职务", "中文职务", "职位", "头衔", "positionzh", "titlezh"],
  },
  {
    key: "titleEn",
    label: { en: "Position in English", zh: "职务（英文）" },
    type: "text",
    headers: ["英文职务", "position", "title", "positionen", "role"],
  },
  {
    key: "startDate",
    label: { en: "In the position since", zh: "任职起始" },
    type: "date",
    headers: ["任职时间", "任职起始", "起始日期", "since", "startdate", "from"],
  },
  {
    key: "endDate",
    label: { en: "In the position until", zh: "任职截止" },
    type: "date",
    headers: ["离任时间", "任职截止", "截止日期", "until", "enddate", "to"],
  },
  sourceIdField,
];

/**
 * The fields of a list of a mechanism's members (a consultation mechanism, a forum, a network):
 * the mechanism (by its Chinese or English name, or the one chosen for the whole file), the
 * member organisation (in the registry), its country, when it joined and left, and a note.
 */
export const memberFields: FieldDefinition[] = [
  {
    key: "mechanism",
    label: { en: "Mechanism or platform", zh: "机制或平台" },
    type: "name",
    headers: ["机制", "机制名称", "平台", "论坛", "所属机制", "mechanism", "platform", "forum", "network"],
  },
  {
    key: "organisation",
    label: { en: "Member organisation", zh: "成员组织" },
    type: "name",
    headers: [
      "成员",
      "成员党",
      "成员组织",
      "成员单位",
      "政党",
      "组织",
      "党派",
      "member",
      "memberparty",
      "organisation",
      "organization",
      "party",
    ],
  },
  countryField,
  {
    key: "joinedOn",
    label: { en: "Member since", zh: "加入时间" },
    type: "periodStart",
    headers: ["加入时间", "加入日期", "加入年份", "入会时间", "成为成员时间", "joined", "joinedon", "since", "membersince", "datejoined"],
  },
  {
    key: "leftOn",
    label: { en: "Member until", zh: "退出时间" },
    type: "periodEnd",
    headers: ["退出时间", "退出日期", "退出年份", "left", "lefton", "until", "dateleft"],
  },
  { key: "note", label: { en: "Note", zh: "备注" }, type: "text", headers: ["备注", "说明", "note", "notes", "remarks", "comment"] },
  sourceIdField,
];

/** The fields of each kind of import. */
export const fieldsByKind = { organisations: organisationFields, engagements: engagementFields, people: personFields } as const;

/** A header as compared with the known ones: folded, without punctuation, spaces or brackets. */
export const foldHeader = (header: string) => foldName(header.replace(/[（）()【】[\]:：*＊]/g, ""));

/** Splits a cell holding several names: 、 ； ; ， , / | and new lines. */
export function splitNames(cell: string): string[] {
  return cell
    .split(/[、；;，,/|\n]+/)
    .map((s) => cleanText(s))
    .filter((s): s is string => Boolean(s));
}

const tooLong = (max: number): Reason => ({ en: `Longer than ${max} characters.`, zh: `超过${max}个字符。` });

/** Kinds by their key, English and Chinese label, and a few words offices use. */
/** A vocabulary's entries by their key and their English and Chinese labels, folded, and by other words offices use. */
function wordsOf(vocabulary: Record<string, { en: string; zh: string }>, more: ReadonlyArray<readonly [string, string]> = []) {
  return new Map<string, string>([
    ...Object.entries(vocabulary).flatMap(([key, label]) => [key, label.en, label.zh].map((word) => [foldName(word), key] as const)),
    ...more.map(([word, key]) => [foldName(word), key] as const),
  ]);
}

const kindWords = wordsOf(organisationKinds, [
  ["party", "political_party"],
  ["党", "political_party"],
  ["政党组织", "political_party"],
  ["政治组织", "movement"],
  ["ngo", "civil_society"],
  ["非政府组织", "civil_society"],
  ["民间组织", "civil_society"],
  ["社会团体", "civil_society"],
  ["研究机构", "think_tank"],
  ["智库机构", "think_tank"],
  ["新闻媒体", "media"],
  ["政府", "government_body"],
  ["国会", "parliament"],
]);

const levelWords = wordsOf(relationshipLevels);

const genderWords = wordsOf(genders, [
  ["男性", "male"],
  ["女性", "female"],
  ["m", "male"],
  ["f", "female"],
  ["man", "male"],
  ["woman", "female"],
  ["未知", "unknown"],
  ["不详", "unknown"],
]);

/** Subtype vocabularies with their type: 论坛 is an event's, 贺电贺信 a letter's. */
const subtypesOf: Array<[string, Record<string, { en: string; zh: string }>]> = [
  ["event", eventFormats],
  ["correspondence", correspondenceKinds],
  ["talks", talkModes],
  ["statement", statementStances],
  ["assistance", assistanceKinds],
];

/**
 * Engagement kinds by the words a register uses, each as `type:direction:subtype` (a part left
 * empty where the word does not say it): 接待来访, 贺电, 论坛, visit, Visits received…
 */
const engagementKindWords = new Map<string, string>([
  ...subtypesOf.flatMap(([type, vocabulary]) => [...wordsOf(vocabulary)].map(([word, key]) => [word, `${type}::${key}`] as const)),
  ...[...wordsOf(engagementTypes)].map(([word, key]) => [word, `${key}::`] as const),
  ...[...wordsOf(engagementKinds)].map(([word, key]) => [word, `${key}:`] as const),
  ...(
    [
      ["来访", "visit:received:"],
      ["接待", "visit:received:"],
      ["出访", "visit:sent:"],
      ["访问", "visit::"],
      ["会见", "talks::"],
      ["会谈", "talks::"],
      ["会晤", "talks::"],
      ["视频会见", "talks:none:video"],
      ["视频会谈", "talks:none:video"],
      ["视频通话", "talks:none:video"],
      ["电话", "talks:none:phone"],
      ["通电话", "talks:none:phone"],
      ["贺电", "correspondence::congratulatory_message"],
      ["贺信", "correspondence::congratulatory_message"],
      ["贺函", "correspondence::congratulatory_message"],
      ["贺电贺信", "correspondence::congratulatory_message"],
      ["唁电", "correspondence::condolence"],
      ["唁函", "correspondence::condolence"],
      ["慰问电", "correspondence::condolence"],
      ["复信", "correspondence::reply"],
      ["复函", "correspondence::reply"],
      ["回信", "correspondence::reply"],
      ["回函", "correspondence::reply"],
      ["信函", "correspondence::letter"],
      ["函件", "correspondence::letter"],
      ["来函", "correspondence:received:letter"],
      ["来电", "correspondence:received:"],
      ["去函", "correspondence:sent:letter"],
      ["致函", "correspondence:sent:letter"],
      ["函电", "correspondence::"],
      ["峰会", "event::summit"],
      ["论坛", "event::forum"],
      ["研讨会", "event::seminar"],
      ["吹风会", "event::briefing"],
      ["宣介会", "event::thematic_briefing"],
      ["专题宣介会", "event::thematic_briefing"],
      ["对话会", "event::high_level_dialogue"],
      ["活动", "event::"],
      ["培训", "training::"],
      ["培训班", "training::"],
      ["研修班", "training::"],
      ["援助", "assistance::"],
      ["表态", "statement:received:"],
      ["声明", "statement:received:"],
      ["congratulations", "correspondence::congratulatory_message"],
      ["letter", "correspondence::letter"],
      ["meeting", "talks::"],
    ] as const
  ).map(([word, key]) => [foldName(word), key] as const),
]);

/** Words that say a direction: received, sent, hosted, attended. */
const directionWords = new Map<string, string>(
  (
    [
      ["来", "received"],
      ["来访", "received"],
      ["收", "received"],
      ["收到", "received"],
      ["接到", "received"],
      ["接待", "received"],
      ["received", "received"],
      ["incoming", "received"],
      ["in", "received"],
      ["往", "sent"],
      ["去", "sent"],
      ["出访", "sent"],
      ["发", "sent"],
      ["发出", "sent"],
      ["致", "sent"],
      ["派出", "sent"],
      ["sent", "sent"],
      ["outgoing", "sent"],
      ["out", "sent"],
      ["主办", "hosted"],
      ["举办", "hosted"],
      ["hosted", "hosted"],
      ["出席", "attended"],
      ["参加", "attended"],
      ["attended", "attended"],
      ["无", "none"],
      ["none", "none"],
    ] as const
  ).map(([word, key]) => [foldName(word), key] as const),
);

/** A kind written with its direction in front: 收到贺电, 发出贺电, 主办论坛, 出席研讨会. */
function engagementKindOf(cell: string): string | undefined {
  const folded = foldName(cell);
  const exact = engagementKindWords.get(folded);
  if (exact) return exact;
  for (const prefix of ["收到", "接到", "发出", "致", "主办", "举办", "出席", "参加", "派团", "接待"]) {
    if (!cell.startsWith(prefix)) continue;
    const rest = engagementKindWords.get(foldName(cell.slice(prefix.length)));
    const direction = directionWords.get(foldName(prefix)) ?? (prefix === "派团" ? "sent" : undefined);
    if (!rest || !direction) continue;
    const [type, , subtype] = rest.split(":");
    return `${type}:${direction}:${subtype ?? ""}`;
  }
  return undefined;
}

const occasionWords = wordsOf(correspondenceOccasions, [
  ["胜选", "election_victory"],
  ["大选", "election_victory"],
  ["当选", "election_victory"],
  ["选举", "election_victory"],
  ["连任", "election_victory"],
  ["党代会", "party_congress"],
  ["代表大会", "party_congress"],
  ["周年", "anniversary"],
  ["建党", "anniversary"],
  ["成立", "anniversary"],
  ["国庆", "national_day"],
  ["独立日", "national_day"],
  ["地震", "disaster"],
  ["洪灾", "disaster"],
  ["灾害", "disaster"],
  ["疫情", "disaster"],
]);

/**
 * A date that begins or ends a period, as member lists give them: a whole date, or only a month
 * (2017年10月, 2017-10) or a year (2017, 2017年). The month or year stands for its first day when
 * the period begins then and for its last day when it ends then, so that the period holds all
 * the list says and no more is claimed than the month or year.
 */
export function parsePeriodDate(cell: string, edge: "start" | "end"): string | null {
  const whole = parseDate(cell);
  if (whole) return whole;
  const match = /^(\d{4})(?:年|[-/.])?(?:(\d{1,2})月?)?$/.exec(cell.replace(/\s/g, ""));
  if (!match) return null;
  const year = Number(match[1]);
  const month = match[2] ? Number(match[2]) : null;
  if (year < 1900 || year > 2999 || (month !== null && (month < 1 || month > 12))) return null;
  const [first, last] = month === null ? [1, 12] : [month, month];
  const day = edge === "start" ? 1 : new Date(Date.UTC(year, last, 0)).getUTCDate();
  return `${year}-${String(edge === "start" ? first : last).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * A date as registers write it: 2021-07-01, 2021/7/1, 2021.7.1, 2021年7月1日, 20210701, or
 * day first as 01/07/2021 and 1.7.2021 (the order of most of the world's offices; a month-first
 * date is read as day first). A date that does not exist (2021-02-30) is refused.
 */
export function parseDate(cell: string): string | null {
  const compact = cell.replace(/\s/g, "");
  let year: number;
  let month: number;
  let day: number;
  const yearFirst = /^(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?(?:T.*)?$/.exec(compact);
  const dayFirst = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(compact);
  const digits = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (yearFirst) [year, month, day] = [Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3])];
  else if (digits) [year, month, day] = [Number(digits[1]), Number(digits[2]), Number(digits[3])];
  else if (dayFirst) [day, month, year] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])];
  else return null;
  const exists =
    year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  return exists ? `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` : null;
}

/**
 * Reads one cell as its field says. Text is cleaned (invisible marks, stray spaces); a formula
 * stays the text it is; a cell longer than the field holds, a year that is not one, an unknown
 * country or kind is refused with its reason.
 */
export function parseCell(type: FieldType, raw: string, countries: CountryLookup): Parsed<string | number | string[]> {
  const cell = cleanText(raw) ?? "";
  if (cell === "") return { value: null };
  switch (type) {
    case "name":
    case "text":
      return cell.length > 500 ? { error: tooLong(500) } : { value: cell };
    case "longText": {
      const text = cleanMultiline(raw) ?? "";
      return text.length > 20_000 ? { error: tooLong(20_000) } : { value: text };
    }
    case "date": {
      const date = parseDate(cell);
      return date
        ? { value: date }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a date that exists (write 2021-07-01 or 2021年7月1日).`,
              zh: `“${cell.slice(0, 40)}”不是有效日期（可写作2021-07-01或2021年7月1日）。`,
            },
          };
    }
    case "periodStart":
    case "periodEnd": {
      const date = parsePeriodDate(cell, type === "periodStart" ? "start" : "end");
      return date
        ? { value: date }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a date, month or year that exists (write 2017-10-16, 2017年10月 or 2017).`,
              zh: `“${cell.slice(0, 40)}”不是有效的日期、月份或年份（可写作2017-10-16、2017年10月或2017年）。`,
            },
          };
    }
    case "engagementKind": {
      const kind = engagementKindOf(cell);
      return kind
        ? { value: kind }
        : {
            error: {
              en: `Unknown kind “${cell.slice(0, 80)}”: write, for example, visit received, talks, forum, congratulatory message.`,
              zh: `无法识别的类型“${cell.slice(0, 80)}”：可写作接待来访、派团出访、会见、论坛、贺电、信函等。`,
            },
          };
    }
    case "direction": {
      const direction = directionWords.get(foldName(cell));
      return direction
        ? { value: direction }
        : {
            error: {
              en: `Unknown direction “${cell.slice(0, 40)}”: write received, sent, hosted or attended.`,
              zh: `无法识别的来往方向“${cell.slice(0, 40)}”：可写作来、往、主办、出席。`,
            },
          };
    }
    case "gender": {
      const gender = genderWords.get(foldName(cell));
      return gender
        ? { value: gender }
        : { error: { en: `Unknown gender “${cell.slice(0, 20)}”.`, zh: `无法识别的性别“${cell.slice(0, 20)}”。` } };
    }
    case "occasion": {
      const folded = foldName(cell);
      const occasion = occasionWords.get(folded) ?? [...occasionWords].find(([word]) => word.length >= 2 && folded.includes(word))?.[1];
      return { value: occasion ?? "other" };
    }
    case "names": {
      const names = splitNames(raw);
      return names.some((n) => n.length > 500) ? { error: tooLong(500) } : { value: names };
    }
    case "country": {
      const code = countries.get(foldName(cell)) ?? countries.get(cell.toUpperCase());
      return code
        ? { value: code }
        : { error: { en: `Unknown country or region “${cell.slice(0, 80)}”.`, zh: `无法识别的国家或地区“${cell.slice(0, 80)}”。` } };
    }
    case "kind": {
      const kind = kindWords.get(foldName(cell));
      return kind
        ? { value: kind }
        : {
            error: {
              en: `Unknown kind “${cell.slice(0, 80)}”: use ${Object.values(organisationKinds)
                .map((k) => k.en)
                .join(", ")}.`,
              zh: `无法识别的类别“${cell.slice(0, 80)}”：可用${Object.values(organisationKinds)
                .map((k) => k.zh)
                .join("、")}。`,
            },
          };
    }
    case "level": {
      const level = levelWords.get(foldName(cell));
      return level
        ? { value: level }
        : { error: { en: `Unknown relationship “${cell.slice(0, 80)}”.`, zh: `无法识别的关系层级“${cell.slice(0, 80)}”。` } };
    }
    case "year": {
      // 1921, 1921年, or a whole date (1921-07-01, 1921年7月1日) that exists: the year is what is kept.
      const match = /^(\d{4})(?:年)?(?:(?:[-/.]|(?<=年))(\d{1,2})(?:月)?(?:(?:[-/.]|(?<=月))(\d{1,2})(?:日)?)?)?$/.exec(
        cell.replace(/\s/g, ""),
      );
      const year = match ? Number(match[1]) : Number.NaN;
      const month = match?.[2] ? Number(match[2]) : 1;
      const day = match?.[3] ? Number(match[3]) : 1;
      const exists = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
      return year >= 1000 && year <= 2999 && exists
        ? { value: year }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a year or a date that exists.`,
              zh: `“${cell.slice(0, 40)}”不是有效的年份或日期。`,
            },
          };
    }
    case "url": {
      const url = /^https?:\/\//i.test(cell) ? cell : `https://${cell}`;
      try {
        const parsed = new URL(url);
        if (!parsed.hostname.includes(".") || url.length > 500) throw new Error("no host");
        return { value: parsed.toString() };
      } catch {
        return { error: { en: `“${cell.slice(0, 80)}” is not a web address.`, zh: `“${cell.slice(0, 80)}”不是网址。` } };
      }
    }
    case "wikidata": {
      const id = /(?:^|\/)(Q[1-9]\d{0,11})$/i.exec(cell)?.[1]?.toUpperCase();
      return id
        ? { value: id }
        : {
            error: {
              en: `“${cell.slice(0, 40)}” is not a Wikidata id such as Q12345.`,
              zh: `“${cell.slice(0, 40)}”不是Wikidata编号（如Q12345）。`,
            },
          };
    }
    case "integer": {
      const n = Number(cell);
      return Number.isInteger(n) && n > 0 && n < 2_000_000_000
        ? { value: n }
        : { error: { en: `“${cell.slice(0, 40)}” is not a whole number.`, zh: `“${cell.slice(0, 40)}”不是整数。` } };
    }
    case "tags": {
      const tags = splitNames(raw).map((t) => t.toLowerCase().replace(/\s+/g, "-"));
      return tags.some((t) => t.length > 64) ? { error: tooLong(64) } : { value: tags };
    }
  }
}

/**
 * The field each column most likely holds: by its header in Chinese or English, else by its
 * values (Q-ids are Wikidata; four-digit years; country codes or names; Chinese names where
 * the text is Chinese, English names where it is Latin). Each field goes to one column at most.
 */
export function suggestMapping(
  headers: string[],
  samples: string[][],
  countries: CountryLookup,
  fields: FieldDefinition[] = organisationFields,
): Array<string | null> {
  const taken = new Set<string>();
  const byHeader = headers.map((h) => {
    const folded = foldHeader(h);
    if (!folded) return null;
    const exact = fields.find((f) => !taken.has(f.key) && f.headers.includes(folded));
    // A header that contains a known one ("政党中文名称") is that field too, unless the known one is
    // short enough to hide in other words ("id" in "president"): the row's own id is named exactly.
    const partial =
      exact ??
      fields.find(
        (f) =>
          !taken.has(f.key) &&
          f.key !== "sourceId" &&
          f.headers.some((k) => (/\p{Script=Han}/u.test(k) ? k.length >= 2 : k.length >= 5) && folded.includes(k)),
      );
    if (partial) taken.add(partial.key);
    return partial?.key ?? null;
  });
  return byHeader.map((field, column) => {
    if (field) return field;
    const values = samples.map((row) => cleanText(row[column] ?? "") ?? "").filter((v) => v !== "");
    if (values.length === 0) return null;
    const share = (test: (v: string) => boolean) => values.filter(test).length / values.length;
    // What the values look like, in order of how surely they say it; a field only once, and only the kind's own.
    const looks: Array<[(v: string) => boolean, string]> = [
      [(v) => /^Q\d+$/i.test(v), "wikidataId"],
      [(v) => parseDate(v) !== null && !/^\d{4}$/.test(v), taken.has("date") ? "endDate" : "date"],
      [(v) => /^\d{4}(年)?$/.test(v), "foundedYear"],
      [(v) => countries.has(foldName(v)) || countries.has(v.toUpperCase()), "country"],
      [(v) => /^https?:\/\//i.test(v) || /^www\./i.test(v), "website"],
      [(v) => engagementKindOf(v) !== undefined, "kind"],
      [(v) => /\p{Script=Han}/u.test(v), "nameZh"],
      [(v) => /^[\p{Script=Latin}\d\s.,'’&()-]+$/u.test(v), "nameEn"],
    ];
    for (const [test, key] of looks) {
      if (taken.has(key) || !fields.some((f) => f.key === key) || share(test) <= 0.8) continue;
      taken.add(key);
      return key;
    }
    return null;
  });
}
