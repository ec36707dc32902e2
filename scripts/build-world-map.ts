// Builds the coverage map's shapes: world-atlas's 1:110m countries (Natural Earth, public
// domain; world-atlas ISC), as GeoJSON keyed by ISO 3166 alpha-3 codes, the codes Liaison uses.
// Run with `npx tsx scripts/build-world-map.ts`; the output is committed and loads with the map.
import fs from "node:fs";
import path from "node:path";
import countries from "i18n-iso-countries";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

const root = path.resolve(import.meta.dirname, "..");
const topology = JSON.parse(fs.readFileSync(path.join(root, "node_modules/world-atlas/countries-110m.json"), "utf8")) as Topology;
const collection = feature(topology, topology.objects.countries as GeometryCollection<{ name: string }>);
// Shapes world-atlas gives no ISO number, by name: Kosovo and Somaliland (others stay unmapped).
const byName: Record<string, string> = { Kosovo: "XKX", Somaliland: "SML" };
const round = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(round) : typeof value === "number" ? Math.round(value * 100) / 100 : value;
// Rings that cross the antimeridian (Russia's Chukotka, Fiji) would draw a line across the
// whole map: their few points west of it are moved onto it.
const ring = (points: number[][]): number[][] => {
  const lons = points.map((p) => p[0] as number);
  if (Math.max(...lons) - Math.min(...lons) < 270) return points;
  return points.map(([lon, lat]) => [(lon as number) < 0 ? 180 : (lon as number), lat as number]);
};
const unwrap = (geometry: { type: string; coordinates: unknown }): unknown =>
  geometry.type === "Polygon"
    ? (geometry.coordinates as number[][][]).map(ring)
    : (geometry.coordinates as number[][][][]).map((polygon) => polygon.map(ring));
const features = collection.features.flatMap((f) => {
  const code = (f.id !== undefined ? countries.numericToAlpha3(String(f.id)) : undefined) ?? byName[f.properties.name];
  // Antarctica has no partners, and its ring wraps the pole.
  if (!code || code === "ATA") return [];
  const geometry = f.geometry as { type: string; coordinates: unknown };
  return [{ type: "Feature", properties: { name: code }, geometry: { type: geometry.type, coordinates: round(unwrap(geometry)) } }];
});
const out = path.join(root, "src/web/insight/world.geo.json");
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.log(`${features.length} countries → ${path.relative(root, out)} (${Math.round(fs.statSync(out).size / 1024)} KB)`);
