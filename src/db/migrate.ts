import { type Kysely, type Migration, Migrator } from "kysely";
import * as registry from "./migrations/0001_registry.ts";
import * as engagements from "./migrations/0002_engagements.ts";
import * as auth from "./migrations/0003_auth.ts";
import * as approvals from "./migrations/0004_approvals.ts";
import * as classification from "./migrations/0005_classification.ts";
import * as sharingNotes from "./migrations/0006_sharing_notes.ts";
import * as userLocale from "./migrations/0007_user_locale.ts";
import * as demoRelationships from "./migrations/0008_demo_relationships.ts";
import * as reports from "./migrations/0009_reports.ts";
import * as insightRollups from "./migrations/0010_insight_rollups.ts";
import * as trust from "./migrations/0011_trust.ts";
import * as chineseNames from "./migrations/0012_chinese_names.ts";
import * as registryKeeping from "./migrations/0013_registry_keeping.ts";
import * as places from "./migrations/0014_places.ts";
import * as sentenceKinds from "./migrations/0015_sentence_kinds.ts";
import * as imports from "./migrations/0016_imports.ts";
import * as engagementImports from "./migrations/0017_engagement_imports.ts";
import * as peopleImports from "./migrations/0018_people_imports.ts";
import * as memberImports from "./migrations/0019_member_imports.ts";
import * as cancellations from "./migrations/0020_cancellations.ts";
import * as tasks from "./migrations/0021_tasks.ts";
import * as calendarFeeds from "./migrations/0022_calendar_feeds.ts";
import * as email from "./migrations/0023_email.ts";
import * as approvalLevels from "./migrations/0024_approval_levels.ts";
import * as partOf from "./migrations/0025_part_of.ts";
import * as gifts from "./migrations/0026_gifts.ts";
import * as backupNotices from "./migrations/0027_backup_notices.ts";
import * as rateLimits from "./migrations/0028_rate_limits.ts";
import * as rollupSlices from "./migrations/0029_rollup_slices.ts";
import * as flagshipIndex from "./migrations/0030_flagship_index.ts";
import * as signInChecks from "./migrations/0031_sign_in_checks.ts";
import * as partnerSliceRanks from "./migrations/0032_partner_slice_ranks.ts";
import * as readerSlices from "./migrations/0033_reader_slices.ts";
import * as credentialNotices from "./migrations/0034_credential_notices.ts";
import * as groupTopicBreakdowns from "./migrations/0035_group_topic_breakdowns.ts";
import * as monthlyRollups from "./migrations/0036_monthly_rollups.ts";
import * as searchStanding from "./migrations/0037_search_standing.ts";
import * as standingNameIndexes from "./migrations/0038_standing_name_indexes.ts";
import * as breakdownMonths from "./migrations/0039_breakdown_months.ts";
import * as kindMonths from "./migrations/0040_kind_months.ts";
import * as partnerMonths from "./migrations/0041_partner_months.ts";
import * as statusMonths from "./migrations/0042_status_months.ts";
import * as subtypeMonths from "./migrations/0043_subtype_months.ts";
import * as placeOverlaps from "./migrations/0044_place_overlaps.ts";
import * as regionBits from "./migrations/0045_region_bits.ts";
import type { DB } from "./types.ts";

// Append-only: once a migration has shipped, change the schema with a new one, never by
// editing it, or existing data directories and databases fall out of step.
const migrations: Record<string, Migration> = {
  "0001_registry": registry,
  "0002_engagements": engagements,
  "0003_auth": auth,
  "0004_approvals": approvals,
  "0005_classification": classification,
  "0006_sharing_notes": sharingNotes,
  "0007_user_locale": userLocale,
  "0008_demo_relationships": demoRelationships,
  "0009_reports": reports,
  "0010_insight_rollups": insightRollups,
  "0011_trust": trust,
  "0012_chinese_names": chineseNames,
  "0013_registry_keeping": registryKeeping,
  "0014_places": places,
  "0015_sentence_kinds": sentenceKinds,
  "0016_imports": imports,
  "0017_engagement_imports": engagementImports,
  "0018_people_imports": peopleImports,
  "0019_member_imports": memberImports,
  "0020_cancellations": cancellations,
  "0021_tasks": tasks,
  "0022_calendar_feeds": calendarFeeds,
  "0023_email": email,
  "0024_approval_levels": approvalLevels,
  "0025_part_of": partOf,
  "0026_gifts": gifts,
  "0027_backup_notices": backupNotices,
  "0028_rate_limits": rateLimits,
  "0029_rollup_slices": rollupSlices,
  "0030_flagship_index": flagshipIndex,
  "0031_sign_in_checks": signInChecks,
  "0032_partner_slice_ranks": partnerSliceRanks,
  "0033_reader_slices": readerSlices,
  "0034_credential_notices": credentialNotices,
  "0035_group_topic_breakdowns": groupTopicBreakdowns,
  "0036_monthly_rollups": monthlyRollups,
  "0037_search_standing": searchStanding,
  "0038_standing_name_indexes": standingNameIndexes,
  "0039_breakdown_months": breakdownMonths,
  "0040_kind_months": kindMonths,
  "0041_partner_months": partnerMonths,
  "0042_status_months": statusMonths,
  "0043_subtype_months": subtypeMonths,
  "0044_place_overlaps": placeOverlaps,
  "0045_region_bits": regionBits,
};

/** Migrations after which the counts' rollups are rebuilt from the record (they added a breakdown or a slice). */
export const rebuildsRollups = new Set([
  "0010_insight_rollups",
  "0029_rollup_slices",
  "0033_reader_slices",
  "0035_group_topic_breakdowns",
  "0036_monthly_rollups",
  "0039_breakdown_months",
  "0040_kind_months",
  "0041_partner_months",
  "0042_status_months",
  "0043_subtype_months",
]);

/**
 * Migrations that rewrite many rows of a table, which is vacuumed after them (outside their
 * transaction): the embedded engine has no autovacuum, and the dead rows and the search index's
 * pending entries a rewrite leaves made a name search's count slower by half until then.
 */
export const vacuumsAfter: Readonly<Record<string, readonly string[]>> = {
  "0037_search_standing": ["organisations"],
};

/** Applies every pending migration; throws with the failing migration's name on error. */
export function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  return migrateUpTo(db);
}

/** Applies the pending migrations up to the one named (all of them without a name): upgrades are tested from older versions. */
export async function migrateUpTo(db: Kysely<DB>, name?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = name ? await migrator.migrateTo(name) : await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** The migrations this version knows, oldest first. */
export const migrationNames: readonly string[] = Object.keys(migrations).sort();
