import { sql } from "kysely";
import { buildSearchText } from "../search/text.ts";
import type { Executor } from "../shared/mutation.ts";

/** One engagement for a bulk load (demo data, benchmarks): already checked by its maker. */
export interface BulkEngagement {
  type: string;
  direction: string;
  subtype: string | null;
  status: "planned" | "done" | "cancelled";
  titleEn: string;
  titleZh: string | null;
  summaryEn?: string | null;
  summaryZh?: string | null;
  startDate: string;
  endDate: string;
  countryCode: string | null;
  city: string | null;
  leadUnitId: number;
  programmeId?: number | null;
  mechanismId?: number | null;
  inReplyToId?: number | null;
  details?: Record<string, unknown>;
  participants: Array<{
    organisationId?: number | null;
    personId?: number | null;
    role: string;
    rank?: string | null;
    precedence?: number | null;
  }>;
  coUnitIds?: number[];
  topicIds?: number[];
}

/**
 * Writes engagements with their participants, co-units and topics in a few statements
 * per batch. Ids are taken from the sequence first, so each record knows its id. The
 * rollups are not touched: rebuild them once afterwards.
 */
export async function insertEngagements(executor: Executor, records: BulkEngagement[], options: { demo: boolean }): Promise<number[]> {
  if (records.length === 0) return [];
  const ids = (
    await sql<{
      id: number;
    }>`SELECT nextval(pg_get_serial_sequence('engagements', 'id'))::int AS id FROM generate_series(1, ${records.length})`.execute(executor)
  ).rows.map((r) => r.id);
  const column = <T>(f: (r: BulkEngagement) => T) => records.map(f);
  await sql`INSERT INTO engagements (id, type, direction, subtype, status, title_en, title_zh, summary_en, summary_zh, start_date, end_date,
      country_code, city, lead_unit_id, programme_id, mechanism_id, in_reply_to_id, details, search_text, demo)
    OVERRIDING SYSTEM VALUE
    SELECT * FROM unnest(${ids}::int[], ${column((r) => r.type)}::text[], ${column((r) => r.direction)}::text[], ${column((r) => r.subtype)}::text[],
      ${column((r) => r.status)}::text[], ${column((r) => r.titleEn)}::text[], ${column((r) => r.titleZh)}::text[],
      ${column((r) => r.summaryEn ?? null)}::text[], ${column((r) => r.summaryZh ?? null)}::text[], ${column((r) => r.startDate)}::date[],
      ${column((r) => r.endDate)}::date[], ${column((r) => r.countryCode)}::text[], ${column((r) => r.city)}::text[],
      ${column((r) => r.leadUnitId)}::int[], ${column((r) => r.programmeId ?? null)}::int[], ${column((r) => r.mechanismId ?? null)}::int[],
      ${column((r) => r.inReplyToId ?? null)}::int[], ${column((r) => JSON.stringify(r.details ?? {}))}::jsonb[],
      ${column((r) => buildSearchText([r.titleEn, r.titleZh, r.city]))}::text[], ${records.map(() => options.demo)}::boolean[])`.execute(
    executor,
  );
  const p = { engagement: [] as number[], org: [] as (number | null)[], person: [] as (number | null)[], role: [] as string[] };
  const q = { rank: [] as (string | null)[], precedence: [] as (number | null)[], start: [] as string[] };
  const units = { engagement: [] as number[], unit: [] as number[] };
  const topics = { engagement: [] as number[], topic: [] as number[] };
  records.forEach((r, i) => {
    const id = ids[i] as number;
    for (const x of r.participants) {
      p.engagement.push(id);
      p.org.push(x.organisationId ?? null);
      p.person.push(x.personId ?? null);
      p.role.push(x.role);
      q.rank.push(x.rank ?? null);
      q.precedence.push(x.precedence ?? null);
      q.start.push(r.startDate);
    }
    for (const unit of new Set(r.coUnitIds ?? [])) {
      units.engagement.push(id);
      units.unit.push(unit);
    }
    for (const topic of new Set(r.topicIds ?? [])) {
      topics.engagement.push(id);
      topics.topic.push(topic);
    }
  });
  if (p.engagement.length > 0) {
    await sql`INSERT INTO engagement_participants (engagement_id, organisation_id, person_id, role, rank, precedence, start_date)
      SELECT * FROM unnest(${p.engagement}::int[], ${p.org}::int[], ${p.person}::int[], ${p.role}::text[], ${q.rank}::text[],
        ${q.precedence}::int[], ${q.start}::date[])`.execute(executor);
  }
  if (units.engagement.length > 0) {
    await sql`INSERT INTO engagement_units (engagement_id, unit_id) SELECT * FROM unnest(${units.engagement}::int[], ${units.unit}::int[])`.execute(
      executor,
    );
  }
  if (topics.engagement.length > 0) {
    await sql`INSERT INTO engagement_topics (engagement_id, topic_id) SELECT * FROM unnest(${topics.engagement}::int[], ${topics.topic}::int[])`.execute(
      executor,
    );
  }
  return ids;
}
