import type { ColumnType, Generated, JSONColumnType } from "kysely";

/** Database row types, in camelCase (the CamelCasePlugin maps them to snake_case columns). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = JSONColumnType<Record<string, unknown> | null, string | null, string | null>;

export interface RegionTable {
  code: string;
  parentCode: string | null;
  level: "world" | "region" | "subregion" | "intermediate";
  nameEn: string;
  nameZh: string;
}

export interface CountryTable {
  code: string;
  iso2: string | null;
  numericCode: string | null;
  nameEn: string;
  nameZh: string;
  officialNameEn: string | null;
  regionCode: string | null;
  subregionCode: string | null;
  historical: Generated<boolean>;
  validFrom: number | null;
  validTo: number | null;
  successorCode: string | null;
  note: string | null;
  nationalDay: string | null;
  ordinal: Generated<number>;
  status: Generated<"state" | "region" | "disputed" | "supranational" | "historical">;
  parentCode: string | null;
  /** How this place counts, over its status's rule in the territorial policy (null: as the policy says). */
  counting: "country" | "region" | "parent" | "none" | null;
  updatedAt: Timestamp;
}

export interface CountryGroupTable {
  id: Generated<number>;
  key: string;
  nameEn: string;
  nameZh: string;
  description: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CountryGroupMemberTable {
  groupId: number;
  countryCode: string;
}

export interface UnitTable {
  id: Generated<number>;
  parentId: number | null;
  kind: "central_office" | "bureau" | "local_committee" | "department";
  key: string;
  nameEn: string;
  nameZh: string;
  demo: Generated<boolean>;
  approvalLevels: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  displayName: string;
  builtin: Generated<boolean>;
  disabled: Generated<boolean>;
  passwordHash: string | null;
  passwordChangedAt: Timestamp | null;
  demo: Generated<boolean>;
  locale: "zh-CN" | "en" | null;
  clearance: Generated<boolean>;
  email: string | null;
  emailNotifications: Generated<boolean>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface UserRoleTable {
  userId: number;
  unitId: number;
  role: "administrator" | "coordinator" | "editor" | "viewer";
  /** The role also acts in the units below its unit. */
  subunits: Generated<boolean>;
}

export interface LabelTable {
  id: Generated<number>;
  key: string;
  nameEn: string;
  nameZh: string;
}

export interface OrganisationTable {
  id: Generated<number>;
  kind: string;
  countryCode: string | null;
  nameEn: string;
  nameZh: string | null;
  abbreviation: string | null;
  foundedYear: number | null;
  dissolvedYear: number | null;
  website: string | null;
  description: string | null;
  family: string | null;
  wikidataId: string | null;
  partyfactsId: number | null;
  parlgovId: number | null;
  searchText: Generated<string>;
  source: Generated<string>;
  /** Folded Latin-script names, for the trigram (typo-forgiving) match. */
  searchLatin: Generated<string>;
  /** Folded names, marked by kind, that a duplicate of the record would share (see merge/keys.ts). */
  matchKeys: Generated<string[]>;
  /** The Wikidata id the reference data gives, even where another record holds it (a duplicate). */
  referenceWikidataId: string | null;
  /** The party's best vote share (Party Facts): breaks ties between parties of one name. */
  voteShare: number | null;
  /** Whether `nameZh` is confirmed, or a suggestion shown until one is (null: no Chinese name). */
  nameZhStatus: Generated<"confirmed" | "suggested" | null>;
  /** Kept by triggers for ranking a name search (migration 0037): whether any engagement names it. */
  engaged: Generated<boolean>;
  /** Kept by triggers: its relationship's level (null without one), as `relationships` holds it. */
  relationshipLevel: Generated<string | null>;
  /** Kept by triggers: the days it governs (its in-government statuses), a datemultirange. */
  governing: Generated<string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** The import that created it (undo removes it while nothing points at it). */
  importId: number | null;
}

export interface OrganisationCountTable {
  countryKey: string;
  kind: string;
  n: number;
}

export interface OrganisationNameTable {
  id: Generated<number>;
  organisationId: number;
  kind: "official" | "short" | "abbreviation" | "former" | "alias";
  lang: string;
  script: string | null;
  value: string;
  validTo: number | null;
  position: Generated<number>;
  /** Where the name came from: a user, Party Facts, a reviewed suggestion, an import, a merge. */
  source: Generated<"user" | "partyfacts" | "reviewed" | "import" | "merge">;
}

export interface OrganisationTagTable {
  organisationId: number;
  tagId: number;
}

export interface OrganisationStatusTable {
  id: Generated<number>;
  organisationId: number;
  status: "in_government" | "opposition" | "banned" | "dissolved";
  validFrom: string;
  validTo: string | null;
  note: string | null;
  demo: Generated<boolean>;
}

export interface PersonTable {
  id: Generated<number>;
  familyNameEn: string | null;
  givenNameEn: string | null;
  nameEn: string;
  nameZh: string | null;
  nameNative: string | null;
  nativeLang: string | null;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
  gender: Generated<"female" | "male" | "other" | "unknown">;
  birthYear: number | null;
  countryCode: string | null;
  biography: string | null;
  demo: Generated<boolean>;
  searchText: Generated<string>;
  /** Folded names that a duplicate of the person would share (see merge/keys.ts). */
  matchKeys: Generated<string[]>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** The import that created it (undo removes it while nothing points at it). */
  importId: Generated<number | null>;
}

export interface PositionTable {
  id: Generated<number>;
  personId: number;
  organisationId: number;
  titleEn: string;
  titleZh: string | null;
  startDate: string | null;
  endDate: string | null;
}

/** How widely an owned record may be read: restricted ones need clearance. */
export type Classification = "public" | "internal" | "restricted";

export interface PersonContactTable {
  id: Generated<number>;
  personId: number;
  unitId: number;
  kind: "email" | "phone" | "address" | "messenger" | "other";
  value: string;
  note: string | null;
  classification: Generated<Classification>;
  createdAt: Timestamp;
}

export interface RelationshipTable {
  organisationId: number;
  level: "none" | "contact" | "regular" | "established" | "strategic";
  since: string | null;
  leadUnitId: number | null;
  notes: string | null;
  updatedAt: Timestamp;
  demo: Generated<boolean>;
}

export interface PartnerRelationTable {
  id: Generated<number>;
  fromOrganisationId: number;
  toOrganisationId: number;
  kind: "member_of" | "affiliate_of" | "coalition_with" | "successor_of";
  startDate: string | null;
  endDate: string | null;
  note: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actorId: number | null;
  unitId: number | null;
  entity: string;
  entityId: string | null;
  action: string;
  before: Json;
  after: Json;
  /** About a restricted record: the uncleared see that it changed, not which or how. */
  restricted: Generated<boolean>;
  /** The registry record whose history the row is part of. */
  subjectKind: "organisation" | "person" | null;
  subjectId: number | null;
}

/** A merged organisation's id, answering with the record that absorbed it. */
export interface OrganisationMergeTable {
  mergedId: number;
  survivorId: number;
  mergedNameEn: string;
  mergedNameZh: string | null;
  partyfactsId: number | null;
  wikidataId: string | null;
  mergedBy: number | null;
  mergedAt: Generated<Timestamp>;
}

/** A pair of records a person found to be two partners, not one: not offered again. */
export interface DuplicateDismissalTable {
  recordKind: "organisation" | "person";
  lowId: number;
  highId: number;
  dismissedBy: number | null;
  dismissedAt: Generated<Timestamp>;
}

/** A merged person's id, answering with the record that absorbed them. */
export interface PersonMergeTable {
  mergedId: number;
  survivorId: number;
  mergedNameEn: string;
  mergedNameZh: string | null;
  mergedBy: number | null;
  mergedAt: Generated<Timestamp>;
}

export interface ReferenceImportTable {
  source: string;
  checksum: string;
  importedAt: Timestamp;
  summary: JSONColumnType<Record<string, unknown>, string, string>;
}

type JsonObject = JSONColumnType<Record<string, unknown>, string, string>;

export interface ProgrammeTable {
  id: Generated<number>;
  nameEn: string;
  nameZh: string;
  description: string | null;
  leadUnitId: number;
  startDate: string | null;
  endDate: string | null;
  targets: JsonObject;
  demo: Generated<boolean>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface MechanismTable {
  id: Generated<number>;
  kind: string;
  nameEn: string;
  nameZh: string;
  description: string | null;
  leadUnitId: number;
  foundedOn: string | null;
  demo: Generated<boolean>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface MechanismMemberTable {
  id: Generated<number>;
  mechanismId: number;
  organisationId: number;
  joinedOn: string;
  leftOn: string | null;
  note: string | null;
  importId: Generated<number | null>;
}

export interface MechanismChairTable {
  id: Generated<number>;
  mechanismId: number;
  organisationId: number;
  startDate: string;
  endDate: string | null;
}

export interface EngagementTable {
  id: Generated<number>;
  type: string;
  direction: string;
  subtype: string | null;
  status: string;
  titleEn: string;
  titleZh: string | null;
  summaryEn: string | null;
  summaryZh: string | null;
  startDate: string;
  endDate: string;
  timezone: string | null;
  countryCode: string | null;
  city: string | null;
  leadUnitId: number;
  programmeId: number | null;
  mechanismId: number | null;
  inReplyToId: number | null;
  thankYouLetterId: number | null;
  details: JsonObject;
  partOfId: Generated<number | null>;
  approval: "draft" | "submitted" | "endorsed" | "approved" | "returned" | "reported" | null;
  classification: Generated<Classification>;
  searchText: Generated<string>;
  demo: Generated<boolean>;
  createdBy: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** The import that created it (undo removes it). */
  importId: Generated<number | null>;
}

export interface EngagementUnitTable {
  engagementId: number;
  unitId: number;
}

export interface EngagementParticipantTable {
  id: Generated<number>;
  engagementId: number;
  organisationId: number | null;
  personId: number | null;
  role: string;
  rank: string | null;
  precedence: number | null;
  startDate: string;
}

export interface EngagementTopicTable {
  engagementId: number;
  topicId: number;
}

export interface EngagementAttachmentTable {
  id: Generated<number>;
  engagementId: number;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storage: "local" | "s3";
  storageKey: string;
  createdBy: number | null;
  createdAt: Timestamp;
}

export interface EngagementRollupTable {
  year: number;
  type: string;
  direction: string;
  dim: string;
  value: string;
  /** The lead unit of the engagements counted, or 0 for every unit together. */
  leadUnitId: number;
  /** The other units that took part, their ids in order, comma-separated ("" for none). */
  coUnits: string;
  restricted: boolean;
  n: number;
}

export interface EngagementCountryRollupTable {
  year: number;
  type: string;
  direction: string;
  dim: string;
  value: string;
  /** The lead unit of the engagements counted, or 0 for every unit together. */
  leadUnitId: number;
  /** The other units that took part, their ids in order, comma-separated ("" for none). */
  coUnits: string;
  restricted: boolean;
  countryCode: string;
  n: number;
}

export interface EngagementCountryBitsTable {
  dim: string;
  value: string;
  /** The lead unit of the engagements counted, or 0 for every unit together. */
  leadUnitId: number;
  /** The other units that took part, their ids in order, comma-separated ("" for none). */
  coUnits: string;
  restricted: boolean;
  year: number;
  type: string;
  direction: string;
  bits: string;
}

export interface EngagementPartnerSlicesTable {
  leadUnitId: number;
  coUnits: string;
  restricted: boolean;
  year: number;
  organisationId: number;
  n: number;
}

export interface EngagementPartnerBitsTable {
  year: number;
  type: string;
  direction: string;
  dim: string;
  value: string;
  /** The lead unit of the engagements counted, or 0 for every unit together. */
  leadUnitId: number;
  /** The other units that took part, their ids in order, comma-separated ("" for none). */
  coUnits: string;
  restricted: boolean;
  chunk: number;
  bits: string;
}

export interface OrganisationCongressTable {
  id: Generated<number>;
  organisationId: number;
  opensOn: string;
  ordinal: number | null;
  nameEn: string | null;
  nameZh: string | null;
  demo: Generated<boolean>;
}

export interface OrganisationCountryBitsTable {
  countryCode: string;
  chunk: number;
  bits: string;
}

/** Engagements that reached two or more places of one family (see migration 0044), per shared place. */
export interface EngagementPlaceOverlapsTable {
  engagementId: number;
  /** The place the family's members share: a parent, or a place that is itself a member. */
  key: string;
  startDate: string;
  /** The places of the family the engagement reached, in order. */
  countries: string[];
}

export interface OrganisationKindBitsTable {
  kind: string;
  chunk: number;
  bits: string;
}

/** Each region's organisations (by their country's region) as bit strings per chunk (migration 0045). */
export interface OrganisationRegionBitsTable {
  regionCode: string;
  chunk: number;
  bits: string;
}

export interface EngagementPartnerRollupTable {
  dim: string;
  value: string;
  year: number;
  organisationId: number;
  n: number;
}

export interface SessionTable {
  id: Generated<number>;
  idHash: string;
  userId: number;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
  ip: string | null;
  userAgent: string | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  /** The token that made this one (it ends with it). */
  parentId: Generated<number | null>;
  userId: number;
  name: string;
  unitId: number;
  role: "administrator" | "coordinator" | "editor" | "viewer";
  tokenHash: string;
  prefix: string;
  createdAt: Timestamp;
  expiresAt: Timestamp | null;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
}

export interface LoginFailureTable {
  id: Generated<number>;
  username: string;
  ip: string;
  at: Timestamp;
  /** The attempt's password is being checked now (otherwise: a failure). */
  checking: Generated<boolean>;
}

export interface EngagementApprovalStepTable {
  id: Generated<number>;
  engagementId: number;
  step: "created" | "submitted" | "endorsed" | "approved" | "returned" | "done" | "reported" | "cancelled";
  actorId: number | null;
  unitId: number | null;
  at: Timestamp;
  note: string | null;
}

export interface NotificationTable {
  id: Generated<number>;
  userId: number;
  kind:
    | "approval_submitted"
    | "approval_approved"
    | "approval_returned"
    | "coordination_alert"
    | "record_shared"
    | "engagement_cancelled"
    | "task_assigned"
    | "task_overdue"
    | "backup_failed"
    | "backup_restored";
  engagementId: number | null;
  taskId: Generated<number | null>;
  emailedAt: Timestamp | null;
  emailAttempts: Generated<number>;
  messageEn: string;
  messageZh: string;
  createdAt: Timestamp;
  readAt: Timestamp | null;
}

export interface NoteTable {
  id: Generated<number>;
  organisationId: number | null;
  personId: number | null;
  unitId: number;
  classification: Generated<Classification>;
  body: string;
  createdBy: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TaskTable {
  id: Generated<number>;
  unitId: number;
  engagementId: number | null;
  organisationId: number | null;
  title: string;
  note: string | null;
  ownerId: number | null;
  dueDate: string | null;
  status: Generated<"open" | "done" | "dropped">;
  classification: Generated<Classification>;
  createdBy: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  completedAt: Timestamp | null;
  overdueNotifiedAt: Timestamp | null;
}

export interface GiftTable {
  id: Generated<number>;
  engagementId: number;
  given: boolean;
  description: string;
  valueBand: "token" | "modest" | "substantial" | "unknown" | null;
  giver: string | null;
  recipient: string | null;
  handling: "handed_in" | "kept_by_unit" | "displayed" | "returned" | "other" | null;
  giftDate: string | null;
  note: string | null;
  createdBy: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CalendarFeedTable {
  id: Generated<number>;
  userId: number;
  unitId: number | null;
  name: string | null;
  locale: Generated<"zh-CN" | "en">;
  tokenHash: string;
  prefix: string;
  createdAt: Timestamp;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
}

export interface RecordShareTable {
  entity: "engagement" | "note";
  recordId: number;
  unitId: number;
  sharedBy: number | null;
  sharedAt: Timestamp;
}

export interface ReportTemplateTable {
  key: string;
  zh: string;
  en: string;
  updatedBy: number | null;
  updatedAt: Timestamp;
  /** {zh, en}: what the sentence is about. */
  label: Json | null;
  /** What an added kind counts (null for the built-in kinds). */
  filter: Json | null;
  /** {zh, en}: the sentence for one partner. */
  one: Json | null;
  /** {leadIn, occasion, purpose}, each {zh, en}. */
  phrases: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  custom: Generated<boolean>;
  createdAt: Generated<Timestamp>;
}

export interface ImportTable {
  id: Generated<number>;
  kind: "organisations" | "people" | "engagements" | "members";
  fileName: string;
  fileHash: string;
  fileSize: number;
  format: string;
  encoding: string | null;
  sheet: string | null;
  mapping: JsonObject;
  options: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  status: "running" | "done" | "interrupted" | "undone";
  counts: JSONColumnType<Record<string, number>, string | undefined, string>;
  errors: JSONColumnType<unknown[], string | undefined, string>;
  unitId: number | null;
  createdBy: number | null;
  createdAt: Timestamp;
  /** Written with each batch: a running import not heard from for minutes was interrupted. */
  heartbeatAt: Timestamp;
  finishedAt: Timestamp | null;
}

export interface ImportRowTable {
  kind: string;
  rowKey: string;
  importId: number;
  entityId: number;
  created: boolean;
  rowHash: string;
  /** The values the import wrote, by field: a later import leaves a field a user changed since. */
  written: JsonObject;
  /** For a record that existed: its values before the import, for undo. */
  before: Json | null;
  importedAt: Timestamp;
}

export interface ImportMappingTable {
  name: string;
  kind: string;
  columns: JSONColumnType<unknown[], string, string>;
  updatedBy: number | null;
  updatedAt: Timestamp;
}

export interface ReportSnapshotTable {
  id: Generated<number>;
  title: string;
  params: JsonObject;
  report: JsonObject;
  engagementIds: number[];
  createdBy: number | null;
  unitId: number | null;
  clearance: boolean;
  /** The units its author could read when it was made (null: every unit). */
  scopeUnitIds: number[] | null;
  createdAt: Timestamp;
}

export interface HealthProbeTable {
  id: number;
  checkedAt: Timestamp;
}

export interface RateLimitWindowTable {
  key: string;
  openedAt: Timestamp;
  count: number;
}

export interface NameSuggestionTable {
  organisationId: number;
  zh: string;
  short: string | null;
  confidence: number;
  method: "known" | "glossary" | "mixed" | "transliteration";
  transliterated: boolean;
  steps: ColumnType<unknown, string, string>;
  basis: string;
  status: Generated<"pending" | "accepted" | "rejected">;
  decidedBy: number | null;
  decidedAt: Timestamp | null;
  createdAt: Generated<Timestamp>;
}

export interface SettingTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updatedAt: Generated<Timestamp>;
}

export interface DB {
  nameSuggestions: NameSuggestionTable;
  settings: SettingTable;
  healthProbe: HealthProbeTable;
  rateLimitWindows: RateLimitWindowTable;
  regions: RegionTable;
  countries: CountryTable;
  countryGroups: CountryGroupTable;
  countryGroupMembers: CountryGroupMemberTable;
  units: UnitTable;
  users: UserTable;
  userRoles: UserRoleTable;
  tags: LabelTable;
  topics: LabelTable;
  organisations: OrganisationTable;
  organisationCounts: OrganisationCountTable;
  organisationNames: OrganisationNameTable;
  organisationTags: OrganisationTagTable;
  organisationStatuses: OrganisationStatusTable;
  people: PersonTable;
  positions: PositionTable;
  personContacts: PersonContactTable;
  relationships: RelationshipTable;
  partnerRelations: PartnerRelationTable;
  auditLog: AuditLogTable;
  organisationMerges: OrganisationMergeTable;
  personMerges: PersonMergeTable;
  duplicateDismissals: DuplicateDismissalTable;
  referenceImports: ReferenceImportTable;
  programmes: ProgrammeTable;
  mechanisms: MechanismTable;
  mechanismMembers: MechanismMemberTable;
  mechanismChairs: MechanismChairTable;
  engagements: EngagementTable;
  engagementUnits: EngagementUnitTable;
  engagementParticipants: EngagementParticipantTable;
  engagementTopics: EngagementTopicTable;
  engagementAttachments: EngagementAttachmentTable;
  engagementRollup: EngagementRollupTable;
  engagementCountryRollup: EngagementCountryRollupTable;
  engagementCountryBits: EngagementCountryBitsTable;
  engagementPartnerBits: EngagementPartnerBitsTable;
  engagementPartnerSlices: EngagementPartnerSlicesTable;
  engagementPartnerRollup: EngagementPartnerRollupTable;
  organisationCountryBits: OrganisationCountryBitsTable;
  organisationKindBits: OrganisationKindBitsTable;
  organisationRegionBits: OrganisationRegionBitsTable;
  engagementPlaceOverlaps: EngagementPlaceOverlapsTable;
  organisationCongresses: OrganisationCongressTable;
  engagementApprovalSteps: EngagementApprovalStepTable;
  notifications: NotificationTable;
  sessions: SessionTable;
  apiTokens: ApiTokenTable;
  loginFailures: LoginFailureTable;
  notes: NoteTable;
  tasks: TaskTable;
  calendarFeeds: CalendarFeedTable;
  gifts: GiftTable;
  recordShares: RecordShareTable;
  reportTemplates: ReportTemplateTable;
  imports: ImportTable;
  importRows: ImportRowTable;
  importMappings: ImportMappingTable;
  reportSnapshots: ReportSnapshotTable;
}
