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
const features = collection.features.flatMap((f) => {
  const code = (f.id !== undefined ? countries.numericToAlpha3(String(f.id)) : undefined) ?? byName[f.properties.name];
  if (!code) return [];
  const geometry = f.geometry as { type: string; coordinates: unknown };
  return [{ type: "Feature", properties: { name: code }, geometry: { type: geometry.type, coordinates: round(geometry.coordinates) } }];
});
const out = path.join(root, "src/web/insight/world.geo.json");
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.log(`${features.length} countries → ${path.relative(root, out)} (${Math.round(fs.statSync(out).size / 1024)} KB)`);
