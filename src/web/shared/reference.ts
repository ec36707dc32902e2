import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { PlacePolicy } from "../../core/countries/places.ts";
import type { CountryOutput, RegionOutput } from "../../core/countries/schema.ts";
import type { CountryGroupOutput } from "../../core/country-groups/schema.ts";
import type { LabelOutput } from "../../core/labels/schema.ts";
import type { UnitOutput } from "../../core/units/schema.ts";
import { api } from "../api.ts";
import { useFormat } from "./format.ts";

const long = 30 * 60_000;

/** Countries, regions, country groups, tags, topics and units for pickers, sorted in the reader's language. */
export function useReference() {
  const format = useFormat();
  const countries = useQuery({ queryKey: ["countries"], queryFn: () => api<CountryOutput[]>("/countries"), staleTime: long });
  const regions = useQuery({ queryKey: ["regions"], queryFn: () => api<RegionOutput[]>("/regions"), staleTime: long });
  const groups = useQuery({ queryKey: ["country-groups"], queryFn: () => api<CountryGroupOutput[]>("/country-groups"), staleTime: long });
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => api<LabelOutput[]>("/tags"), staleTime: long });
  const topics = useQuery({ queryKey: ["topics"], queryFn: () => api<LabelOutput[]>("/topics"), staleTime: long });
  const units = useQuery({ queryKey: ["units"], queryFn: () => api<UnitOutput[]>("/units"), staleTime: long });
  const policy = useQuery({ queryKey: ["places", "policy"], queryFn: () => api<PlacePolicy>("/places/policy"), staleTime: long });
  // Looked up per row of a map or a list: by code, not by a scan.
  const byCode = useMemo(() => new Map((countries.data ?? []).map((c) => [c.code, c])), [countries.data]);
  const collator = new Intl.Collator(format.lang.startsWith("zh") ? "zh-CN" : "en");
  const sorted = <T extends { value: string; label: string }>(items: T[]) => items.sort((a, b) => collator.compare(a.label, b.label));
  return {
    countries: sorted((countries.data ?? []).filter((c) => !c.historical).map((c) => ({ value: c.code, label: format.name(c.name) }))),
    countryName: (code: string | null | undefined) => format.name(code ? byCode.get(code)?.name : undefined) || (code ?? ""),
    /** The place a place counts as under the territorial policy: its state, for a region counted under it; else itself. */
    countedAs: (code: string): string => {
      const place = byCode.get(code);
      return place?.parentCode && (place.counting ?? policy.data?.[place.status]) === "parent" ? place.parentCode : code;
    },
    regions: sorted((regions.data ?? []).map((r) => ({ value: r.code, label: format.name(r.name) }))),
    groups: sorted((groups.data ?? []).map((g) => ({ value: g.key, label: format.name(g.name) }))),
    tags: sorted((tags.data ?? []).map((g) => ({ value: g.key, label: format.name(g.name) }))),
    topics: sorted((topics.data ?? []).map((g) => ({ value: String(g.id), label: format.name(g.name) }))),
    units: sorted((units.data ?? []).map((u) => ({ value: String(u.id), label: format.name(u.name) }))),
  };
}
