import { Select, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";

/** What the list filters need of a screen's URL state. */
interface FilterState<K extends string> {
  values: Record<K, string>;
  set(changes: Partial<Record<K, string | null>>): void;
}

/** A filter chosen from a list, kept in the URL; clearing it removes it. */
export function UrlSelect<K extends string>({
  state,
  name,
  label,
  data,
  width = 180,
}: {
  state: FilterState<K>;
  name: K;
  label: string;
  data: Array<{ value: string; label: string }>;
  width?: number;
}) {
  return (
    <Select
      label={label}
      data={data}
      value={state.values[name] || null}
      onChange={(v) => state.set({ [name]: v } as Partial<Record<K, string | null>>)}
      clearable
      searchable
      w={width}
      size="sm"
    />
  );
}

/** The first and last day of a period, kept in the URL as `from` and `to`. */
export function UrlPeriod<K extends string>({ state, from, to }: { state: FilterState<K | "from" | "to">; from?: string; to?: string }) {
  const { t } = useTranslation();
  const day = (key: "from" | "to", value: string) => (
    <TextInput
      type="date"
      label={t(`engagements.${key}`)}
      value={value}
      onChange={(e) => state.set({ [key]: e.currentTarget.value } as Partial<Record<K | "from" | "to", string | null>>)}
      size="sm"
      w={160}
    />
  );
  return (
    <>
      {day("from", from ?? state.values.from)}
      {day("to", to ?? state.values.to)}
    </>
  );
}

/**
 * The words to look for, kept in the URL as `q`: the box answers every keystroke, the URL
 * (and so the query) follows a quarter of a second after the typing stops.
 */
export function UrlSearch<K extends string>({
  state,
  label,
  placeholder,
  width = 240,
}: {
  state: FilterState<K | "q">;
  label: string;
  placeholder?: string;
  width?: number;
}) {
  const [text, setText] = useState(state.values.q);
  const setQ = useDebouncedCallback((q: string) => state.set({ q } as Partial<Record<K | "q", string | null>>), 250);
  return (
    <TextInput
      label={label}
      {...(placeholder ? { placeholder } : {})}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        setQ(e.currentTarget.value.trim());
      }}
      w={width}
      size="sm"
    />
  );
}
