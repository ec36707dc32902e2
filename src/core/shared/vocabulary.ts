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

export const engagementTypes = {
  visit: { en: "Visit", zh: "访问" },
  talks: { en: "Talks or meeting", zh: "会谈会见" },
  event: { en: "Event", zh: "活动" },
  correspondence: { en: "Correspondence", zh: "函电" },
  statement: { en: "Statement by a partner", zh: "表态" },
  assistance: { en: "Assistance", zh: "援助" },
  training: { en: "Training programme", zh: "培训项目" },
} as const;

export const engagementDirections = {
  received: { en: "Received", zh: "接待/收到" },
  sent: { en: "Sent", zh: "派出/发出" },
  hosted: { en: "Hosted", zh: "主办" },
  attended: { en: "Attended", zh: "出席" },
  none: { en: "—", zh: "—" },
} as const;

export const engagementStatuses = {
  planned: { en: "Planned", zh: "计划中" },
  done: { en: "Done", zh: "已完成" },
  cancelled: { en: "Cancelled", zh: "已取消" },
} as const;

/** Each engagement type with its direction, as a desk officer says it: "visits received". */
export const engagementKinds = {
  "visit:received": { en: "Visits received", zh: "接待来访" },
  "visit:sent": { en: "Visits sent", zh: "派团出访" },
  "talks:received": { en: "Talks with visitors", zh: "来访会谈会见" },
  "talks:sent": { en: "Talks abroad", zh: "出访会谈会见" },
  "talks:none": { en: "Talks (video or phone)", zh: "视频、电话会谈" },
  "event:hosted": { en: "Events hosted", zh: "主办活动" },
  "event:attended": { en: "Events attended", zh: "出席活动" },
  "correspondence:received": { en: "Correspondence received", zh: "收到函电" },
  "correspondence:sent": { en: "Correspondence sent", zh: "发出函电" },
  "statement:received": { en: "Statements by partners", zh: "伙伴表态" },
  "assistance:sent": { en: "Assistance provided", zh: "提供援助" },
  "assistance:received": { en: "Assistance received", zh: "接受援助" },
  "training:hosted": { en: "Training hosted", zh: "举办培训" },
  "training:attended": { en: "Training attended", zh: "参加培训" },
} as const;

/** Event formats, the subtype of an event. */
export const eventFormats = {
  summit: { en: "Summit", zh: "峰会" },
  high_level_dialogue: { en: "High-level dialogue", zh: "高层对话会" },
  forum: { en: "Forum", zh: "论坛" },
  seminar: { en: "Seminar", zh: "研讨会" },
  workshop: { en: "Workshop", zh: "专题研讨班" },
  briefing: { en: "Briefing", zh: "吹风会" },
  thematic_briefing: { en: "Thematic briefing", zh: "专题宣介会" },
} as const;

/** Kinds of correspondence, the subtype of correspondence. */
export const correspondenceKinds = {
  congratulatory_message: { en: "Congratulatory message", zh: "贺电贺信" },
  condolence: { en: "Condolence", zh: "唁电" },
  letter: { en: "Letter", zh: "信函" },
  reply: { en: "Reply", zh: "复信" },
  greeting: { en: "Greeting", zh: "问候" },
} as const;

export const correspondenceOccasions = {
  election_victory: { en: "Election victory", zh: "选举获胜" },
  party_congress: { en: "Party congress", zh: "党代会" },
  anniversary: { en: "Anniversary", zh: "周年纪念" },
  national_day: { en: "National day", zh: "国庆" },
  disaster: { en: "Disaster", zh: "灾害" },
  other: { en: "Other", zh: "其他" },
} as const;

/** How talks were held, the subtype of talks. */
export const talkModes = {
  in_person: { en: "In person", zh: "面对面" },
  video: { en: "Video call", zh: "视频会谈" },
  phone: { en: "Phone call", zh: "电话" },
} as const;

/** Kinds of assistance, the subtype of assistance. */
export const assistanceKinds = {
  material: { en: "Material", zh: "物资" },
  medical: { en: "Medical", zh: "医疗" },
  training: { en: "Training", zh: "培训" },
  expertise: { en: "Expertise", zh: "专家" },
} as const;

/** A partner's stance in a statement, the subtype of a statement. */
export const statementStances = {
  support: { en: "Support", zh: "支持" },
  understanding: { en: "Understanding", zh: "理解" },
  neutral: { en: "Neutral", zh: "中立" },
  concern: { en: "Concern", zh: "关切" },
  opposition: { en: "Opposition", zh: "反对" },
} as const;

export const participantRoles = {
  host: { en: "Host", zh: "主办方" },
  co_host: { en: "Co-host", zh: "联合主办方" },
  guest: { en: "Guest", zh: "来宾" },
  delegation_leader: { en: "Delegation leader", zh: "团长" },
  member: { en: "Delegation member", zh: "团员" },
  speaker: { en: "Speaker", zh: "发言人" },
  signatory: { en: "Signatory", zh: "签署方" },
  sender: { en: "Sender", zh: "发函方" },
  recipient: { en: "Recipient", zh: "接收方" },
  author: { en: "Author", zh: "表态方" },
  participant: { en: "Participant", zh: "参加者" },
} as const;

export const mechanismKinds = {
  consultation_mechanism: { en: "Consultation mechanism", zh: "磋商机制" },
  party_forum: { en: "Party forum", zh: "政党论坛" },
  dialogue_platform: { en: "Dialogue platform", zh: "对话平台" },
  network: { en: "Network", zh: "网络" },
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
  engagementTypes,
  engagementDirections,
  engagementKinds,
  engagementStatuses,
  eventFormats,
  correspondenceKinds,
  correspondenceOccasions,
  talkModes,
  assistanceKinds,
  statementStances,
  participantRoles,
  mechanismKinds,
};
