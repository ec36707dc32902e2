import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Combobox,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  useCombobox,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrganisationListItem } from "../../core/organisations/schema.ts";
import type { PersonListItem } from "../../core/people/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

/** One participant as the form holds it: the record picked, with a label to show. */
export interface ParticipantRow {
  organisationId: number | null;
  personId: number | null;
  label: string;
  detail: string;
  role: string;
  rank: string;
  precedence: number | null;
}

type PasteResult = { line: string; found: OrganisationListItem | null; candidates: OrganisationListItem[] };

/**
 * Participants: search organisations and people as you type (either language, pinyin,
 * abbreviations) and pick, or paste a list of names, one per line, and add every one found —
 * so that a forum of sixty parties is entered in one go.
 */
export function ParticipantPicker({
  value,
  onChange,
  defaultRole,
  error,
}: {
  value: ParticipantRow[];
  onChange(rows: ParticipantRow[]): void;
  defaultRole: string;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const combobox = useCombobox();
  const [text, setText] = useState("");
  const [q] = useDebouncedValue(text.trim(), 200);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasted, setPasted] = useState("");
  const [results, setResults] = useState<PasteResult[] | null>(null);
  const [resolving, setResolving] = useState(false);
  const hits = useQuery({
    queryKey: ["participant-search", q],
    enabled: q.length > 0,
    queryFn: async ({ signal }) => {
      const [orgs, people] = await Promise.all([
        api<Page<OrganisationListItem>>(`/organisations${query({ q, pageSize: 8 })}`, { signal }),
        api<Page<PersonListItem>>(`/people${query({ q, pageSize: 5 })}`, { signal }),
      ]);
      return { orgs: orgs.items, people: people.items };
    },
  });
  const has = (row: Pick<ParticipantRow, "organisationId" | "personId">) =>
    value.some((v) => v.organisationId === row.organisationId && v.personId === row.personId);
  const orgRow = (o: OrganisationListItem): ParticipantRow => ({
    organisationId: o.id,
    personId: null,
    label: format.name(o.name) + (o.abbreviation ? ` (${o.abbreviation})` : ""),
    detail: format.name(o.country?.name),
    role: defaultRole,
    rank: "",
    precedence: null,
  });
  const add = (rows: ParticipantRow[]) =>
    onChange([
      ...value,
      ...rows.filter((r, i) => !has(r) && rows.findIndex((x) => x.organisationId === r.organisationId && x.personId === r.personId) === i),
    ]);
  const update = (i: number, change: Partial<ParticipantRow>) => onChange(value.map((v, j) => (j === i ? { ...v, ...change } : v)));

  async function resolvePasted() {
    const lines = [
      ...new Set(
        pasted
          .split(/\r?\n|;|；/)
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    ].slice(0, 500);
    setResolving(true);
    try {
      const found: PasteResult[] = [];
      // A few at a time: quick for a forum's list, gentle on the server.
      for (let i = 0; i < lines.length; i += 6) {
        const batch = await Promise.all(
          lines.slice(i, i + 6).map(async (line) => {
            const page = await api<Page<OrganisationListItem>>(`/organisations${query({ q: line, pageSize: 3 })}`);
            const exact = page.items.filter((o) =>
              [o.name.en, o.name.zh, o.abbreviation].some((n) => n && n.toLowerCase() === line.toLowerCase()),
            );
            const only = page.items.length === 1 ? page.items[0] : undefined;
            return { line, found: exact.length === 1 ? (exact[0] ?? null) : (only ?? null), candidates: page.items };
          }),
        );
        found.push(...batch);
      }
      setResults(found);
    } finally {
      setResolving(false);
    }
  }

  const unresolved = results?.filter((r) => !r.found) ?? [];
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>
          {t("participants.title", {
            count: value.length,
            countries: t("common.countries", { count: new Set(value.map((v) => v.detail).filter(Boolean)).size }),
          })}
        </Text>
        <Button size="xs" variant="light" onClick={() => setPasteOpen(!pasteOpen)}>
          {t("participants.paste")}
        </Button>
      </Group>
      {error ? (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      ) : null}
      <Combobox
        store={combobox}
        onOptionSubmit={(key) => {
          const [kind, id] = [key[0], Number(key.slice(1))];
          if (kind === "o") {
            const o = hits.data?.orgs.find((x) => x.id === id);
            if (o) add([orgRow(o)]);
          } else {
            const p = hits.data?.people.find((x) => x.id === id);
            if (p)
              add([
                {
                  organisationId: null,
                  personId: p.id,
                  label: format.name(p.name),
                  detail: format.name(p.country?.name),
                  role: defaultRole,
                  rank: "",
                  precedence: null,
                },
              ]);
          }
          setText("");
          combobox.closeDropdown();
        }}
      >
        <Combobox.Target>
          <TextInput
            label={t("participants.search")}
            placeholder={t("participants.searchPlaceholder")}
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              combobox.openDropdown();
              combobox.updateSelectedOptionIndex();
            }}
            onFocus={() => combobox.openDropdown()}
            onBlur={() => combobox.closeDropdown()}
            data-testid="participant-search"
          />
        </Combobox.Target>
        <Combobox.Dropdown hidden={q.length === 0}>
          <Combobox.Options>
            {hits.data && hits.data.orgs.length + hits.data.people.length === 0 ? (
              <Combobox.Empty>{t("search.nothing")}</Combobox.Empty>
            ) : null}
            {hits.data?.orgs.length ? (
              <Combobox.Group label={t("search.organisations")}>
                {hits.data.orgs.map((o) => (
                  <Combobox.Option key={`o${o.id}`} value={`o${o.id}`}>
                    {format.name(o.name)} {o.abbreviation ? `(${o.abbreviation})` : ""}{" "}
                    <Text span size="xs" c="dimmed">
                      {format.name(o.country?.name)}
                    </Text>
                  </Combobox.Option>
                ))}
              </Combobox.Group>
            ) : null}
            {hits.data?.people.length ? (
              <Combobox.Group label={t("search.people")}>
                {hits.data.people.map((p) => (
                  <Combobox.Option key={`p${p.id}`} value={`p${p.id}`}>
                    {format.name(p.name)}{" "}
                    <Text span size="xs" c="dimmed">
                      {format.name(p.country?.name)}
                    </Text>
                  </Combobox.Option>
                ))}
              </Combobox.Group>
            ) : null}
          </Combobox.Options>
        </Combobox.Dropdown>
      </Combobox>
      {pasteOpen ? (
        <Stack gap="xs" mt="sm">
          <Textarea
            label={t("participants.pasteLabel")}
            description={t("participants.pasteHint")}
            value={pasted}
            onChange={(e) => setPasted(e.currentTarget.value)}
            autosize
            minRows={4}
            maxRows={12}
            data-testid="paste-names"
          />
          <Group>
            <Button size="xs" onClick={() => void resolvePasted()} loading={resolving} disabled={!pasted.trim()}>
              {t("participants.find")}
            </Button>
            {results ? (
              <Button
                size="xs"
                variant="filled"
                color="green"
                onClick={() => {
                  add(results.flatMap((r) => (r.found ? [orgRow(r.found)] : [])));
                  setResults(unresolved.length ? unresolved : null);
                  setPasted(unresolved.map((r) => r.line).join("\n"));
                }}
                disabled={results.every((r) => !r.found)}
              >
                {t("participants.addFound", { count: results.filter((r) => r.found).length })}
              </Button>
            ) : null}
          </Group>
          {unresolved.length ? (
            <Stack gap={4} data-testid="paste-unresolved">
              <Text size="sm" c="orange">
                {t("participants.unresolved", { count: unresolved.length })}
              </Text>
              {unresolved.map((r) => (
                <Group key={r.line} gap="xs">
                  <Badge color="orange" variant="light">
                    {r.line}
                  </Badge>
                  {r.candidates.map((c) => (
                    <Button
                      key={c.id}
                      size="compact-xs"
                      variant="default"
                      onClick={() => {
                        add([orgRow(c)]);
                        setResults(results?.filter((x) => x.line !== r.line) ?? null);
                      }}
                    >
                      {format.name(c.name)} · {format.name(c.country?.name)}
                    </Button>
                  ))}
                  {r.candidates.length === 0 ? (
                    <Text size="xs" c="dimmed">
                      {t("participants.noMatch")}
                    </Text>
                  ) : null}
                </Group>
              ))}
            </Stack>
          ) : null}
        </Stack>
      ) : null}
      {value.length ? (
        <Table mt="sm" verticalSpacing={4}>
          <Table.Tbody>
            {value.map((row, i) => (
              <Table.Tr key={`${row.organisationId}-${row.personId}`}>
                <Table.Td>
                  <Text size="sm">{row.label}</Text>
                  <Text size="xs" c="dimmed">
                    {row.detail}
                  </Text>
                </Table.Td>
                <Table.Td w={170}>
                  <Select
                    size="xs"
                    data={vocabulary.options("participantRoles")}
                    value={row.role}
                    onChange={(v) => update(i, { role: v ?? defaultRole })}
                    allowDeselect={false}
                    aria-label={t("participants.role")}
                  />
                </Table.Td>
                <Table.Td w={160}>
                  <TextInput
                    size="xs"
                    placeholder={t("participants.rank")}
                    value={row.rank}
                    onChange={(e) => update(i, { rank: e.currentTarget.value })}
                    aria-label={t("participants.rank")}
                  />
                </Table.Td>
                <Table.Td w={90}>
                  <NumberInput
                    size="xs"
                    placeholder={t("participants.order")}
                    value={row.precedence ?? ""}
                    onChange={(v) => update(i, { precedence: v === "" ? null : Number(v) })}
                    min={1}
                    aria-label={t("participants.order")}
                  />
                </Table.Td>
                <Table.Td w={36}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={t("participants.remove", { name: row.label })}
                    onClick={() => onChange(value.filter((_, j) => j !== i))}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Card>
  );
}
