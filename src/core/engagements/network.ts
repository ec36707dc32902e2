import { sql } from "kysely";
import { z } from "zod";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import { inRegion } from "../countries/store.ts";
import type { Actor } from "../shared/actor.ts";
import { id, isoDate, parseInput } from "../shared/schema.ts";
import { keysOf, organisationKinds } from "../shared/vocabulary.ts";

export const networkQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    region: z
      .string()
      .regex(/^\d{3}$/, "Expected a UN M49 region code such as 002.")
      .optional(),
    kind: z.enum(keysOf(organisationKinds)).optional(),
    focus: id.optional().describe("An organisation: only it and its neighbours (two steps)."),
    limit: z.coerce.number().int().min(10).max(5000).default(2000).describe("The most nodes, the best connected first."),
  })
  .strict();

export const networkOutput = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(["organisation", "event", "mechanism", "unit"]),
      name: z.object({ en: z.string(), zh: z.string().nullable() }),
      country: z.string().nullable(),
      degree: z.number(),
    }),
  ),
  edges: z.array(z.object({ source: z.string(), target: z.string(), kind: z.enum(["took_part", "member", "relation", "engaged_by"]) })),
  truncated: z.boolean(),
});
export type Network = z.output<typeof networkOutput>;

/**
 * The network of partners: organisations linked to the multilateral events they took part in
 * and the mechanisms they belong to, to each other by their relations, and to the units of
 * ours that engage them. Filtered by period, region and kind; `focus` keeps one organisation
 * and what lies within two steps of it. Only what the reader may see.
 */
export async function partnerNetwork(actor: Actor, input: unknown = {}): Promise<Network> {
  authorize(actor, "engagements.read");
  const q = parseInput(networkQuery, input);
  const scope = forActor(actor);
  const period = sql<boolean>`${q.from ? sql`e.start_date >= ${q.from}::date` : sql`true`} AND ${q.to ? sql`e.start_date <= ${q.to}::date` : sql`true`}`;
  const orgFilter = sql<boolean>`${q.kind ? sql`o.kind = ${q.kind}` : sql`true`} AND ${q.region ? inRegion(sql.ref("o.country_code"), q.region) : sql`true`}`;
  const edges = await sql<{ source: string; target: string; kind: "took_part" | "member" | "relation" | "engaged_by" }>`
    SELECT DISTINCT 'o' || p.organisation_id AS source, 'e' || e.id AS target, 'took_part' AS kind
      FROM engagement_participants p JOIN ${scope.engagementsSql} e ON e.id = p.engagement_id JOIN organisations o ON o.id = p.organisation_id
      WHERE e.type = 'event' AND e.status = 'done' AND ${period} AND ${orgFilter}
    UNION ALL
    SELECT DISTINCT 'o' || mm.organisation_id, 'm' || mm.mechanism_id, 'member'
      FROM mechanism_members mm JOIN organisations o ON o.id = mm.organisation_id WHERE ${orgFilter}
    UNION ALL
    SELECT 'o' || pr.from_organisation_id, 'o' || pr.to_organisation_id, 'relation'
      FROM partner_relations pr JOIN organisations o ON o.id = pr.from_organisation_id WHERE ${orgFilter}
    UNION ALL
    SELECT DISTINCT 'o' || p.organisation_id, 'u' || e.lead_unit_id, 'engaged_by'
      FROM engagement_participants p JOIN ${scope.engagementsSql} e ON e.id = p.engagement_id JOIN organisations o ON o.id = p.organisation_id
      WHERE e.type <> 'event' AND e.status = 'done' AND ${period} AND ${orgFilter}`.execute(db());
  let links = edges.rows;
  if (q.focus) {
    const start = `o${q.focus}`;
    const near = new Set([start]);
    for (let step = 0; step < 2; step++) {
      for (const l of links) {
        if (near.has(l.source)) near.add(l.target);
        else if (near.has(l.target)) near.add(l.source);
      }
    }
    links = links.filter((l) => near.has(l.source) && near.has(l.target));
  }
  const degree = new Map<string, number>();
  for (const l of links) {
    degree.set(l.source, (degree.get(l.source) ?? 0) + 1);
    degree.set(l.target, (degree.get(l.target) ?? 0) + 1);
  }
  const ranked = [...degree.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = new Set(ranked.slice(0, q.limit).map(([key]) => key));
  if (q.focus) kept.add(`o${q.focus}`);
  const ids = (prefix: string) => [...kept].filter((k) => k.startsWith(prefix)).map((k) => Number(k.slice(1)));
  const [orgs, events, mechanisms, units] = await Promise.all([
    ids("o").length
      ? db().selectFrom("organisations").select(["id", "nameEn", "nameZh", "countryCode"]).where("id", "in", ids("o")).execute()
      : [],
    ids("e").length
      ? scope.engagements(db()).select(["e.id", "e.titleEn", "e.titleZh", "e.countryCode"]).where("e.id", "in", ids("e")).execute()
      : [],
    ids("m").length ? db().selectFrom("mechanisms").select(["id", "nameEn", "nameZh"]).where("id", "in", ids("m")).execute() : [],
    ids("u").length ? db().selectFrom("units").select(["id", "nameEn", "nameZh"]).where("id", "in", ids("u")).execute() : [],
  ]);
  const nodes: Network["nodes"] = [
    ...orgs.map((o) => ({
      id: `o${o.id}`,
      kind: "organisation" as const,
      name: { en: o.nameEn, zh: o.nameZh },
      country: o.countryCode,
      degree: degree.get(`o${o.id}`) ?? 0,
    })),
    ...events.map((e) => ({
      id: `e${e.id}`,
      kind: "event" as const,
      name: { en: e.titleEn, zh: e.titleZh },
      country: e.countryCode,
      degree: degree.get(`e${e.id}`) ?? 0,
    })),
    ...mechanisms.map((m) => ({
      id: `m${m.id}`,
      kind: "mechanism" as const,
      name: { en: m.nameEn, zh: m.nameZh },
      country: null,
      degree: degree.get(`m${m.id}`) ?? 0,
    })),
    ...units.map((u) => ({
      id: `u${u.id}`,
      kind: "unit" as const,
      name: { en: u.nameEn, zh: u.nameZh },
      country: null,
      degree: degree.get(`u${u.id}`) ?? 0,
    })),
  ];
  return { nodes, edges: links.filter((l) => kept.has(l.source) && kept.has(l.target)), truncated: kept.size < degree.size };
}
