import { Combobox, Group, Text, TextInput, useCombobox } from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import type { CountryOutput } from "../../core/countries/schema.ts";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { OrganisationListItem } from "../../core/organisations/schema.ts";
import type { PersonListItem } from "../../core/people/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";

type Page<T> = { items: T[] };
interface Hit {
  value: string;
  label: string;
  detail: string;
  to: string;
}

/** Folds what the user typed for a country match (case and accents). */
const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * One box in the header finds organisations, people, events and countries by any name —
 * Chinese (simplified or traditional), English, native, an abbreviation or pinyin. `/`
 * focuses it; arrows move through the results, Enter opens one.
 */
export function GlobalSearch({ fullWidth = false }: { fullWidth?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [text, setText] = useState("");
  const [q] = useDebouncedValue(text.trim(), 200);
  useHotkeys([["/", () => input.current?.focus()]]);
  const enabled = q.length > 0;
  const results = useQuery({
    queryKey: ["global-search", q],
    enabled,
    queryFn: async ({ signal }) => {
      const [orgs, people, events] = await Promise.all([
        api<Page<OrganisationListItem>>(`/organisations${query({ q, pageSize: 6 })}`, { signal }),
        api<Page<PersonListItem>>(`/people${query({ q, pageSize: 4 })}`, { signal }),
        api<Page<EngagementListItem>>(`/engagements${query({ q, type: "event", pageSize: 4 })}`, { signal }),
      ]);
      return { orgs: orgs.items, people: people.items, events: events.items };
    },
  });
  const countries = useQuery({ queryKey: ["countries"], queryFn: () => api<CountryOutput[]>("/countries"), staleTime: 30 * 60_000 });
  const folded = fold(q);
  const countryHits = enabled
    ? (countries.data ?? [])
        .filter(
          (c) =>
            c.name.zh.includes(q) ||
            fold(c.name.en).includes(folded) ||
            c.code.toLowerCase() === folded ||
            c.iso2?.toLowerCase() === folded,
        )
        .slice(0, 4)
    : [];
  const groups: Array<{ key: string; hits: Hit[] }> = [
    {
      key: "search.organisations",
      hits: (results.data?.orgs ?? []).map((o) => ({
        value: `o${o.id}`,
        label: format.name(o.name) + (o.abbreviation ? ` (${o.abbreviation})` : ""),
        detail: format.name(o.country?.name),
        to: `/organisations/${o.id}`,
      })),
    },
    {
      key: "search.people",
      hits: (results.data?.people ?? []).map((p) => ({
        value: `p${p.id}`,
        label: format.name(p.name),
        detail: format.name(p.country?.name),
        to: `/people/${p.id}`,
      })),
    },
    {
      key: "search.events",
      hits: (results.data?.events ?? []).map((e) => ({
        value: `e${e.id}`,
        label: format.name(e.title),
        detail: format.date(e.startDate),
        to: `/engagements/${e.id}`,
      })),
    },
    {
      key: "search.countries",
      hits: countryHits.map((c) => ({ value: `c${c.code}`, label: format.name(c.name), detail: c.code, to: `/countries/${c.code}` })),
    },
  ];
  const all = groups.flatMap((g) => g.hits);
  return (
    <Combobox
      store={combobox}
      width={fullWidth ? "target" : 460}
      position="bottom-start"
      onOptionSubmit={(value) => {
        const hit = all.find((h) => h.value === value);
        if (hit) navigate(hit.to);
        setText("");
        combobox.closeDropdown();
        input.current?.blur();
      }}
    >
      <Combobox.Target>
        <TextInput
          ref={input}
          w={fullWidth ? "100%" : { base: 180, md: 340 }}
          placeholder={t("search.placeholder")}
          aria-label={t("search.label")}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
          }}
          onFocus={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          onKeyDown={(e) => {
            if (e.key === "Escape") input.current?.blur();
          }}
          rightSection={
            <Text size="xs" c="dimmed">
              /
            </Text>
          }
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={!enabled}>
        <Combobox.Options mah={420} style={{ overflowY: "auto" }}>
          {results.isLoading ? <Combobox.Empty>{t("common.loading")}</Combobox.Empty> : null}
          {!results.isLoading && all.length === 0 ? <Combobox.Empty>{t("search.nothing")}</Combobox.Empty> : null}
          {groups
            .filter((g) => g.hits.length > 0)
            .map((g) => (
              <Combobox.Group key={g.key} label={t(g.key)}>
                {g.hits.map((h) => (
                  <Combobox.Option key={h.value} value={h.value}>
                    <Group justify="space-between" wrap="nowrap" gap="xs">
                      <Text size="sm" truncate>
                        {h.label}
                      </Text>
                      <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                        {h.detail}
                      </Text>
                    </Group>
                  </Combobox.Option>
                ))}
              </Combobox.Group>
            ))}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
