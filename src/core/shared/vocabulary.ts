/**
 * The registry's closed vocabularies with their Chinese and English labels, shared by
 * the API (GET /api/vocabulary), the CLI and, later, the web app.
 */
export const organisationKinds = {
  political_party: { en: "Political party", zh: "政党" },
  think_tank: { en: "Think tank", zh: "智库" },
  civil_society: { en: "Civil-society organisation", zh: "社会组织" },
  media: { en: "Media", zh: "媒体" },
  government_body: { en: "Government body", zh: "政府机构" },
  parliament: { en: "Parliament", zh: "议会" },
  international_organisation: { en: "International organisation", zh: "国际组织" },
  movement: { en: "Movement", zh: "运动" },
  other: { en: "Other", zh: "其他" },
} as const;

/** ParlGov party families, as Party Facts links them. */
export const families = {
  com: { en: "Communist / socialist", zh: "共产主义/社会主义" },
  eco: { en: "Green / ecologist", zh: "绿党/生态主义" },
  soc: { en: "Social democracy", zh: "社会民主主义" },
  lib: { en: "Liberal", zh: "自由主义" },
  chr: { en: "Christian democracy", zh: "基督教民主主义" },
  con: { en: "Conservative", zh: "保守主义" },
  agr: { en: "Agrarian", zh: "农民党" },
  right: { en: "Right-wing", zh: "右翼" },
  spec: { en: "Special issue", zh: "单一议题" },
  none: { en: "No family", zh: "无归属" },
} as const;

export const nameKinds = {
  official: { en: "Official name", zh: "正式名称" },
  short: { en: "Short name", zh: "简称" },
  abbreviation: { en: "Abbreviation", zh: "缩写" },
  former: { en: "Former name", zh: "曾用名" },
  alias: { en: "Alias", zh: "别名" },
} as const;

export const partyStatuses = {
  in_government: { en: "In government", zh: "执政" },
  opposition: { en: "In opposition", zh: "在野" },
  banned: { en: "Banned", zh: "被取缔" },
  dissolved: { en: "Dissolved", zh: "已解散" },
} as const;

export const relationshipLevels = {
  none: { en: "No relations", zh: "无关系" },
  contact: { en: "Contact", zh: "有接触" },
  regular: { en: "Regular exchanges", zh: "经常交往" },
  established: { en: "Established relations", zh: "已建立关系" },
  strategic: { en: "Close or strategic", zh: "密切/战略关系" },
} as const;

export const partnerRelationKinds = {
  member_of: { en: "Member of", zh: "成员" },
  affiliate_of: { en: "Affiliate of", zh: "附属于" },
  coalition_with: { en: "In coalition with", zh: "联合执政/结盟" },
  successor_of: { en: "Successor of", zh: "继承自" },
} as const;

export const genders = {
  female: { en: "Female", zh: "女" },
  male: { en: "Male", zh: "男" },
  other: { en: "Other", zh: "其他" },
  unknown: { en: "Not recorded", zh: "未记录" },
} as const;

export const contactKinds = {
  email: { en: "Email", zh: "电子邮件" },
  phone: { en: "Phone", zh: "电话" },
  address: { en: "Address", zh: "地址" },
  messenger: { en: "Messenger", zh: "即时通讯" },
  other: { en: "Other", zh: "其他" },
} as const;

type Keys<T> = [keyof T & string, ...(keyof T & string)[]];
/** The keys of a vocabulary as a tuple for z.enum. */
export function keysOf<T extends object>(vocabulary: T): Keys<T> {
  return Object.keys(vocabulary) as Keys<T>;
}

export const vocabulary = {
  organisationKinds,
  families,
  nameKinds,
  partyStatuses,
  relationshipLevels,
  partnerRelationKinds,
  genders,
  contactKinds,
};
