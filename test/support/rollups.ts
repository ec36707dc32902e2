import { sql } from "kysely";
import { db } from "../../src/db/current.ts";

/** Every rollup row as text, sorted: equal before and after a rebuild when the rollups were kept exact. */
export async function rollupSnapshot(): Promise<string[][]> {
  const counted = await sql<{
    k: string;
  }>`SELECT year || type || direction || dim || value || '/' || lead_unit_id || '/' || co_units || '/' || restricted || ':' || n AS k FROM engagement_rollup ORDER BY 1`.execute(
    db(),
  );
  const countries = await sql<{
    k: string;
  }>`SELECT year || type || direction || dim || value || '/' || lead_unit_id || '/' || co_units || '/' || restricted || country_code || ':' || n AS k FROM engagement_country_rollup ORDER BY 1`.execute(
    db(),
  );
  const partners = await sql<{
    k: string;
  }>`SELECT year || type || direction || dim || value || '/' || lead_unit_id || '/' || co_units || '/' || restricted || ':' || chunk || ':' || bit_count(bits) AS k
      FROM engagement_partner_bits WHERE bit_count(bits) > 0 ORDER BY 1`.execute(db());
  const bits = await sql<{
    k: string;
  }>`SELECT year || type || direction || dim || value || '/' || lead_unit_id || '/' || co_units || '/' || restricted || ':' || chunk || ':' || bits::text AS k
      FROM engagement_partner_bits WHERE bit_count(bits) > 0 ORDER BY 1`.execute(db());
  const countryBits = await sql<{
    k: string;
  }>`SELECT year || type || direction || dim || value || '/' || lead_unit_id || '/' || co_units || '/' || restricted || ':' || bits::text AS k
      FROM engagement_country_bits ORDER BY 1`.execute(db());
  const perPartner = await sql<{ k: string }>`SELECT year || dim || value || ':' || organisation_id || ':' || n AS k
      FROM engagement_partner_rollup ORDER BY 1`.execute(db());
  const perPartnerSlice = await sql<{ k: string }>`SELECT lead_unit_id || '/' || co_units || '/' || restricted || ':' || year || ':'
      || organisation_id || ':' || n AS k FROM engagement_partner_slices ORDER BY 1`.execute(db());
  // The counts' masks: each country's, each region's and each kind's organisations.
  const masks = await sql<{ k: string }>`SELECT 'country:' || country_code || ':' || chunk || ':' || bits::text AS k
      FROM organisation_country_bits WHERE bit_count(bits) > 0
    UNION ALL SELECT 'kind:' || kind || ':' || chunk || ':' || bits::text FROM organisation_kind_bits WHERE bit_count(bits) > 0
    UNION ALL SELECT 'region:' || region_code || ':' || chunk || ':' || bits::text FROM organisation_region_bits WHERE bit_count(bits) > 0
    ORDER BY 1`.execute(db());
  // The engagements that reached two places of one family, by place.
  const overlaps = await sql<{
    k: string;
  }>`SELECT engagement_id || ':' || key || ':' || start_date::text || ':' || array_to_string(countries, ',') AS k
      FROM engagement_place_overlaps ORDER BY 1`.execute(db());
  return [
    counted.rows,
    countries.rows,
    partners.rows,
    bits.rows,
    countryBits.rows,
    perPartner.rows,
    perPartnerSlice.rows,
    masks.rows,
    overlaps.rows,
  ].map((rows) => rows.map((r) => r.k));
}
