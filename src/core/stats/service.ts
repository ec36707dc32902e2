import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";

export interface RegistryStats {
  organisations: number;
  organisationsByKind: Record<string, number>;
  politicalParties: number;
  countriesWithParties: number;
  people: number;
  positions: number;
  countries: number;
  historicalTerritories: number;
  countryGroups: number;
  units: number;
  users: number;
  relationshipsByLevel: Record<string, number>;
  auditEntries: number;
  referenceImportedAt: string | null;
  engagements: number;
  demoEngagements: number;
  programmes: number;
  mechanisms: number;
}

/** Counts of what the registry holds. */
export async function getStats(actor: Actor): Promise<RegistryStats> {
  authorize(actor, "registry.read");
  const scope = forActor(actor);
  const engagements = await scope
    .engagements(db())
    .select([sql<number>`count(*)`.as("all"), sql<number>`count(*) FILTER (WHERE e.demo)`.as("demo")])
    .executeTakeFirstOrThrow();
  const count = (table: "people" | "positions" | "countryGroups" | "units" | "users" | "programmes" | "mechanisms") =>
    db()
      .selectFrom(table)
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirstOrThrow()
      .then((r) => r.n);
  const kinds = await db()
    .selectFrom("organisations")
    .select(["kind", sql<number>`count(*)`.as("n")])
    .groupBy("kind")
    .orderBy("kind")
    .execute();
  const levels = await db()
    .selectFrom("relationships")
    .select(["level", sql<number>`count(*)`.as("n")])
    .groupBy("level")
    .orderBy("level")
    .execute();
  const countries = await db()
    .selectFrom("countries")
    .select([sql<number>`count(*)`.as("all"), sql<number>`count(*) FILTER (WHERE historical)`.as("historical")])
    .executeTakeFirstOrThrow();
  const partyCountries = await db()
    .selectFrom("organisations")
    .select(sql<number>`count(DISTINCT country_code)`.as("n"))
    .where("kind", "=", "political_party")
    .executeTakeFirstOrThrow();
  const imported = await db().selectFrom("referenceImports").select("importedAt").where("source", "=", "partyfacts").executeTakeFirst();
  const organisationsByKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
  return {
    organisations: kinds.reduce((sum, k) => sum + k.n, 0),
    organisationsByKind,
    politicalParties: organisationsByKind.political_party ?? 0,
    countriesWithParties: partyCountries.n,
    people: await count("people"),
    positions: await count("positions"),
    countries: countries.all,
    historicalTerritories: countries.historical,
    countryGroups: await count("countryGroups"),
    units: await count("units"),
    users: await count("users"),
    relationshipsByLevel: Object.fromEntries(levels.map((l) => [l.level, l.n])),
    // The audit rows and engagements the reader may read: a count is information too.
    auditEntries: (await scope.auditEntries(db()).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n,
    referenceImportedAt: imported ? new Date(imported.importedAt).toISOString() : null,
    engagements: engagements.all,
    demoEngagements: engagements.demo,
    programmes: await count("programmes"),
    mechanisms: await count("mechanisms"),
  };
}
