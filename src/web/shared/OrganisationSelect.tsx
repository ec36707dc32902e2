import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrganisationListItem } from "../../core/organisations/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "./format.ts";

/** An organisation as one line: its name, country and years, and whether it still exists. */
export function useOrganisationLabel() {
  const { t } = useTranslation();
  const format = useFormat();
  return (o: OrganisationListItem) => {
    const years = o.foundedYear || o.dissolvedYear ? `${o.foundedYear ?? "?"}–${o.dissolvedYear ?? ""}` : "";
    const details = [format.name(o.country?.name), years, o.existsToday ? "" : t("registry.notExisting")].filter(Boolean);
    return `${format.name(o.name)}${o.abbreviation ? ` (${o.abbreviation})` : ""}${details.length ? ` · ${details.join(" · ")}` : ""}`;
  };
}

/**
 * Picks one organisation by typing any of its names (the registry's own search: Chinese,
 * pinyin, English, abbreviations, typos), each option with its country and years.
 */
export function OrganisationSelect({
  label,
  value,
  onChange,
  error,
  exclude,
  initialLabel,
}: {
  label: string;
  value: number | null;
  onChange(id: number | null, item: OrganisationListItem | null): void;
  error?: string | undefined;
  exclude?: number | undefined;
  initialLabel?: string | undefined;
}) {
  const { t } = useTranslation();
  const describe = useOrganisationLabel();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 200);
  const [chosen, setChosen] = useState<OrganisationListItem | null>(null);
  const hits = useQuery({
    queryKey: ["organisation-select", q],
    enabled: q.length > 0,
    queryFn: ({ signal }) => api<Page<OrganisationListItem>>(`/organisations${query({ q, pageSize: 12 })}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const items = (hits.data?.items ?? []).filter((o) => o.id !== exclude);
  const options = items.map((o) => ({ value: String(o.id), label: describe(o) }));
  if (chosen && !options.some((o) => o.value === String(chosen.id))) options.unshift({ value: String(chosen.id), label: describe(chosen) });
  if (value !== null && !chosen && initialLabel && !options.some((o) => o.value === String(value))) {
    options.unshift({ value: String(value), label: initialLabel });
  }
  return (
    <Select
      label={label}
      placeholder={t("participants.searchPlaceholder")}
      searchable
      clearable
      data={options}
      value={value === null ? null : String(value)}
      searchValue={search}
      onSearchChange={setSearch}
      // The server has searched already (pinyin, typos): show what it found as it is.
      filter={({ options: all }) => all}
      nothingFoundMessage={q ? t("search.nothing") : undefined}
      onChange={(v) => {
        const item = items.find((o) => String(o.id) === v) ?? (chosen && String(chosen.id) === v ? chosen : null);
        setChosen(item);
        onChange(v ? Number(v) : null, item);
      }}
      error={error}
    />
  );
}
