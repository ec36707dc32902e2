import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Combobox,
  Group,
  Modal,
  NumberInput,
  ScrollArea,
  Select,
  Stack,
  Switch,
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
import type { OrganisationListItem, OrganisationResolution } from "../../core/organisations/schema.ts";
import type { PersonDetail, PersonListItem } from "../../core/people/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { PersonForm } from "../people/PersonForm.tsx";
import { useFormat } from "../shared/format.ts";
import { useOrganisationLabel } from "../shared/OrganisationSelect.tsx";
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
  /** Set when the organisation did not exist on the engagement's date (dissolved, or not yet founded). */
  warning?: string | undefined;
}

/** Whether an organisation existed on a day (by its years), or exists today when there is no day yet. */
export function existedOn(o: OrganisationListItem, on: string | undefined): boolean {
  if (!on || !/^\d{4}-/.test(on)) return o.existsToday;
  const year = Number(on.slice(0, 4));
  return (o.dissolvedYear === null || o.dissolvedYear >= year) && (o.foundedYear === null || o.foundedYear <= year);
}

/**
 * Participants: search organisations and people as you type (either language, pinyin,
 * abbreviations, typos) and pick — those that exist today unless asked otherwise — or paste a
 * list of names, one per line: every line one organisation answers is added, every other line
 * offers all its candidates with country, years and status, and a line naming an organisation
 * twice is reported. A delegation member not yet in the registry is created in place.
 */
export function ParticipantPicker({
  value,
  onChange,
  defaultRole,
  error,
  on,
}: {
  value: ParticipantRow[];
  onChange(rows: ParticipantRow[]): void;
  defaultRole: string;
  error?: string | undefined;
  /** The engagement's date: an organisation that did not exist then is flagged. */
  on?: string | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const combobox = useCombobox();
  const [text, setText] = useState("");
  const [q] = useDebouncedValue(text.trim(), 200);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasted, setPasted] = useState("");
  const [results, setResults] = useState<OrganisationResolution[] | null>(null);
  const [resolving, setResolving] = useState(false);
  const [activeOnly, setActiveOnly] = useState(true);
  const [newPerson, setNewPerson] = useState<string | null>(null);
  const describe = useOrganisationLabel();
  const hits = useQuery({
    queryKey: ["participant-search", q, activeOnly],
    enabled: q.length > 0,
    queryFn: async ({ signal }) => {
      const [orgs, people] = await Promise.all([
        api<Page<OrganisationListItem>>(`/organisations${query({ q, pageSize: 8, active: activeOnly ? "true" : undefined })}`, { signal }),
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
    warning: existedOn(o, on)
      ? undefined
      : o.dissolvedYear
        ? t("participants.dissolvedIn", { year: o.dissolvedYear })
        : t("registry.notExisting"),
  });
  const add = (rows: ParticipantRow[]) =>
    onChange([
      ...value,
      ...rows.filter((r, i) => !has(r) && rows.findIndex((x) => x.organisationId === r.organisationId && x.personId === r.personId) === i),
    ]);
  const update = (i: number, change: Partial<ParticipantRow>) => onChange(value.map((v, j) => (j === i ? { ...v, ...change } : v)));

  async function resolvePasted() {
    const lines = pasted
      .split(/\r?\n|;|；/)
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 500);
    if (lines.length === 0) return;
    setResolving(true);
    try {
      const answer = await api<{ items: OrganisationResolution[] }>("/organisations/resolve", {
        method: "POST",
        body: { lines, ...(on && /^\d{4}-\d{2}-\d{2}$/.test(on) ? { on } : {}) },
      });
      setResults(answer.items);
    } finally {
      setResolving(false);
    }
  }
  const foundOf = (r: OrganisationResolution) => (r.match === "found" ? r.candidates.find((c) => c.id === r.organisationId) : undefined);

  const unresolved = results?.filter((r) => r.match === "ambiguous" || r.match === "none") ?? [];
  const repeats = results?.filter((r) => r.match === "repeat") ?? [];
  const found = results?.flatMap((r) => foundOf(r) ?? []) ?? [];
  const warned = value.filter((v) => v.warning);
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>
          {t("participants.title", {
            count: value.length,
            countries: t("common.countries", { count: new Set(value.map((v) => v.detail).filter(Boolean)).size }),
          })}
        </Text>
        <Group gap="xs">
          <Switch
            size="xs"
            label={t("participants.activeOnly")}
            checked={activeOnly}
            onChange={(e) => setActiveOnly(e.currentTarget.checked)}
          />
          <Button size="xs" variant="light" onClick={() => setNewPerson(text.trim())} data-testid="new-person">
            {t("participants.newPerson")}
          </Button>
          <Button size="xs" variant="light" onClick={() => setPasteOpen(!pasteOpen)}>
            {t("participants.paste")}
          </Button>
        </Group>
      </Group>
      <Modal opened={newPerson !== null} onClose={() => setNewPerson(null)} size="xl" title={t("participants.newPerson")}>
        {newPerson !== null ? (
          <PersonForm
            person={null}
            withPosition
            initialName={newPerson}
            onCancel={() => setNewPerson(null)}
            onSaved={(p: PersonDetail) => {
              const position = p.positions[0];
              add([
                {
                  organisationId: position?.organisation.id ?? null,
                  personId: p.id,
                  label: format.name(p.name) + (position ? ` · ${format.name(position.organisation.name)}` : ""),
                  detail: format.name(p.country?.name),
                  role: defaultRole,
                  rank: position ? format.name(position.title) : "",
                  precedence: null,
                },
              ]);
              setText("");
              setNewPerson(null);
            }}
          />
        ) : null}
      </Modal>
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
              <Combobox.Empty>
                {t("search.nothing")}{" "}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => setNewPerson(text.trim())}
                >
                  {t("participants.createPerson", { name: text.trim() })}
                </Button>
              </Combobox.Empty>
            ) : null}
            {hits.data?.orgs.length ? (
              <Combobox.Group label={t("search.organisations")}>
                {hits.data.orgs.map((o) => (
                  <Combobox.Option key={`o${o.id}`} value={`o${o.id}`}>
                    {format.name(o.name)} {o.abbreviation ? `(${o.abbreviation})` : ""}{" "}
                    <Text span size="xs" c="dimmed">
                      {format.name(o.country?.name)}
                      {o.foundedYear || o.dissolvedYear ? ` · ${o.foundedYear ?? "?"}–${o.dissolvedYear ?? ""}` : ""}
                    </Text>
                    {existedOn(o, on) ? null : (
                      <Badge size="xs" color="gray" variant="light" ml={4}>
                        {t("registry.notExisting")}
                      </Badge>
                    )}
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
            {results && found.length ? (
              <Button
                size="xs"
                variant="filled"
                color="green"
                onClick={() => {
                  add(found.map(orgRow));
                  setResults(results.filter((r) => r.match === "ambiguous" || r.match === "none"));
                  setPasted(unresolved.map((r) => r.line).join("\n"));
                }}
              >
                {t("participants.addFound", { count: found.length })}
              </Button>
            ) : null}
          </Group>
          {repeats.length ? (
            <Alert color="yellow" variant="light" p="xs" data-testid="paste-repeats">
              <Text size="sm">{t("participants.repeats", { count: repeats.length })}</Text>
              {repeats.map((r) => (
                <Text key={`${r.line}-${r.repeatOf}`} size="xs">
                  “{r.line}” = “{results?.[r.repeatOf ?? 0]?.line}”
                </Text>
              ))}
            </Alert>
          ) : null}
          {unresolved.length ? (
            <Stack gap={6} data-testid="paste-unresolved">
              <Text size="sm" c="orange">
                {t("participants.unresolved", { count: unresolved.length })}
              </Text>
              {unresolved.map((r) => (
                <Card key={r.line} withBorder p="xs">
                  <Group gap="xs" mb={4}>
                    <Badge color="orange" variant="light" tt="none">
                      {r.line}
                    </Badge>
                    {r.warning === "dissolved" ? (
                      <Text size="xs" c="orange">
                        {t("participants.onlyDissolved")}
                      </Text>
                    ) : null}
                    {r.candidates.length === 0 ? (
                      <Text size="xs" c="dimmed">
                        {t("participants.noMatch")}
                      </Text>
                    ) : null}
                  </Group>
                  {r.candidates.length ? (
                    <ScrollArea.Autosize mah={180} type="auto">
                      <Stack gap={2}>
                        {r.candidates.map((c) => (
                          <Group key={c.id} gap="xs" wrap="nowrap" justify="space-between">
                            <Text size="xs">
                              {describe(c)}
                              {existedOn(c, on) ? null : (
                                <Badge size="xs" color="gray" variant="light" ml={4}>
                                  {t("registry.notExisting")}
                                </Badge>
                              )}
                            </Text>
                            <Button
                              size="compact-xs"
                              variant="default"
                              disabled={has({ organisationId: c.id, personId: null })}
                              onClick={() => {
                                add([orgRow(c)]);
                                setResults(results?.filter((x) => x !== r) ?? null);
                              }}
                            >
                              {has({ organisationId: c.id, personId: null }) ? t("participants.alreadyAdded") : t("participants.choose")}
                            </Button>
                          </Group>
                        ))}
                      </Stack>
                    </ScrollArea.Autosize>
                  ) : null}
                </Card>
              ))}
            </Stack>
          ) : null}
        </Stack>
      ) : null}
      {warned.length ? (
        <Alert color="orange" variant="light" mt="sm" p="xs" data-testid="participants-warning">
          {t("participants.notExistingWarning", { names: warned.map((w) => w.label).join("、") })}
        </Alert>
      ) : null}
      {value.length ? (
        <Table.ScrollContainer minWidth={560}>
          <Table mt="sm" verticalSpacing={4}>
            <Table.Tbody>
              {value.map((row, i) => (
                <Table.Tr key={`${row.organisationId}-${row.personId}`}>
                  <Table.Td>
                    <Text size="sm">{row.label}</Text>
                    <Text size="xs" c="dimmed">
                      {row.detail}
                      {row.warning ? (
                        <Badge size="xs" color="orange" variant="light" ml={4}>
                          {row.warning}
                        </Badge>
                      ) : null}
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
        </Table.ScrollContainer>
      ) : null}
    </Card>
  );
}
