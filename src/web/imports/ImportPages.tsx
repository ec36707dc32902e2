import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { FileInspection, ImportOutput, PreviewOutput, RowStatus } from "../../core/imports/schema.ts";
import type { MechanismOutput } from "../../core/mechanisms/schema.ts";
import { api, apiDownload, apiUpload } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

type Inspected = FileInspection & { fileId: string };

/** What an import brings in: a partner list, a contact sheet, a register of engagements, or a mechanism's members. */
type ImportKind = "organisations" | "people" | "engagements" | "members";

/**
 * The defaults for rows that leave a field empty: an organisation's kind and country, an
 * engagement's kind, or a member's mechanism and date joined.
 */
type Defaults = { kind?: string; countryCode?: string; engagementKind?: string; mechanismId?: number; joinedOn?: string };

const statusColour: Record<RowStatus, string> = {
  new: "teal",
  matched: "blue",
  updated: "indigo",
  unchanged: "gray",
  ambiguous: "orange",
  invalid: "red",
};

/** An import's outcome in a line: new, matched (or updated), unchanged, and the rows to look at (refused or ambiguous). */
function countsLine(t: (key: string, values: Record<string, number>) => string, counts: ImportOutput["counts"]): string {
  return t("imports.countsLine", {
    new: counts.new ?? 0,
    matched: (counts.matched ?? 0) + (counts.updated ?? 0),
    unchanged: counts.unchanged ?? 0,
    invalid: (counts.invalid ?? 0) + (counts.ambiguous ?? 0),
  });
}

/** The imports made so far, newest first, each with its outcome and an undo. */
export function ImportList() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const list = useQuery({ queryKey: ["imports"], queryFn: () => api<ImportOutput[]>("/imports") });
  const undo = useMutation({
    mutationFn: (id: number) => api<ImportOutput>(`/imports/${id}/undo`, { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["imports"] }),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("imports.title")}</Title>
        <Button component={Link} to="/imports/new">
          {t("imports.new")}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t("imports.how")}
      </Text>
      {undo.error ? <Alert color="red">{errorMessage(undo.error)}</Alert> : null}
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.length === 0} />
      {list.data?.length ? (
        <Table.ScrollContainer minWidth={560}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("imports.file")}</Table.Th>
                <Table.Th>{t("imports.when")}</Table.Th>
                <Table.Th>{t("imports.by")}</Table.Th>
                <Table.Th>{t("imports.outcome")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{i.fileName}</Table.Td>
                  <Table.Td>{format.date(i.createdAt.slice(0, 10))}</Table.Td>
                  <Table.Td>{i.createdBy?.displayName ?? ""}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={i.status === "done" ? "teal" : i.status === "undone" ? "gray" : "orange"} mr="xs">
                      {t(`imports.status.${i.status}`)}
                    </Badge>
                    <Text span size="sm">
                      {countsLine(t, i.counts)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {i.status === "done" || i.status === "interrupted" ? (
                      <Button size="xs" variant="subtle" color="red" onClick={() => undo.mutate(i.id)} loading={undo.isPending}>
                        {t("imports.undo")}
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}

/** The import wizard: upload → sheet → mapping → preview → import. */
export function ImportWizard() {
  const { t } = useTranslation();
  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<ImportKind>("organisations");
  const [file, setFile] = useState<Inspected | null>(null);
  const [columns, setColumns] = useState<Array<string | null>>([]);
  const [defaults, setDefaults] = useState<Defaults>({});
  const [choices, setChoices] = useState<Record<string, number | "new">>({});
  const [saveAs, setSaveAs] = useState("");
  const [started, setStarted] = useState<ImportOutput | null>(null);
  const options = file
    ? {
        kind,
        fileId: file.fileId,
        fileName: file.fileName,
        ...(file.encoding ? { encoding: file.encoding } : {}),
        ...(file.sheet ? { sheet: file.sheet } : {}),
        columns,
        defaults,
        choices,
        ...(saveAs.trim() ? { saveMappingAs: saveAs.trim() } : {}),
      }
    : null;
  const inspected = (next: Inspected) => {
    setFile(next);
    setColumns(next.columns);
    setChoices({});
  };
  return (
    <Stack>
      <Title order={2}>{t("imports.new")}</Title>
      <Stepper active={step} onStepClick={(s) => s < step && !started && setStep(s)} size="sm">
        <Stepper.Step label={t("imports.steps.upload")}>
          <UploadStep
            kind={kind}
            setKind={(next) => {
              setKind(next);
              setDefaults({});
            }}
            onDone={(next) => {
              inspected(next);
              setStep(1);
            }}
          />
        </Stepper.Step>
        <Stepper.Step label={t("imports.steps.sheet")}>
          {file ? <SheetStep kind={kind} file={file} onChange={inspected} onNext={() => setStep(2)} /> : null}
        </Stepper.Step>
        <Stepper.Step label={t("imports.steps.mapping")}>
          {file ? (
            <MappingStep
              kind={kind}
              file={file}
              columns={columns}
              setColumns={setColumns}
              defaults={defaults}
              setDefaults={setDefaults}
              saveAs={saveAs}
              setSaveAs={setSaveAs}
              onUseMapping={inspected}
              onNext={() => setStep(3)}
            />
          ) : null}
        </Stepper.Step>
        <Stepper.Step label={t("imports.steps.preview")}>
          {options ? (
            <PreviewStep
              kind={kind}
              options={options}
              choices={choices}
              setChoices={setChoices}
              onStarted={(record) => {
                setStarted(record);
                setStep(4);
              }}
            />
          ) : null}
        </Stepper.Step>
        <Stepper.Step label={t("imports.steps.import")}>{started ? <ResultStep kind={kind} started={started} /> : null}</Stepper.Step>
      </Stepper>
    </Stack>
  );
}

function UploadStep({
  kind,
  setKind,
  onDone,
}: {
  kind: ImportKind;
  setKind: (kind: ImportKind) => void;
  onDone: (file: Inspected) => void;
}) {
  const { t } = useTranslation();
  const { can } = useSession();
  const errorMessage = useErrorMessage();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const upload = useMutation({
    mutationFn: (file: File) =>
      apiUpload<Inspected>(
        `/imports/files?kind=${kind}&fileName=${encodeURIComponent(file.name)}`,
        file,
        file.type || "application/octet-stream",
      ),
    onSuccess: onDone,
  });
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) upload.mutate(file);
  };
  return (
    <Stack mt="md">
      <SegmentedControl
        data-testid="import-kind"
        value={kind}
        onChange={(value) => setKind(value as ImportKind)}
        data={[
          { value: "organisations", label: t("imports.kinds.organisations") },
          { value: "people", label: t("imports.kinds.people") },
          { value: "engagements", label: t("imports.kinds.engagements") },
          // Members are recorded by the coordinators of a mechanism's lead unit.
          ...(can("coordinate") ? [{ value: "members", label: t("imports.kinds.members") }] : []),
        ]}
        w="fit-content"
      />
      <Text size="sm" c="dimmed">
        {t(`imports.kindHow.${kind}`)}
      </Text>
      <Card
        withBorder
        p="xl"
        data-testid="import-drop"
        style={{ borderStyle: "dashed", borderWidth: 2, background: over ? "var(--mantine-color-blue-0)" : undefined, cursor: "pointer" }}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        onClick={() => input.current?.click()}
      >
        <Stack align="center" gap={4}>
          <Text fw={600}>{t("imports.drop")}</Text>
          <Text size="sm" c="dimmed">
            {t("imports.dropHow")}
          </Text>
        </Stack>
        <input
          ref={input}
          type="file"
          hidden
          data-testid="import-file"
          accept=".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) upload.mutate(file);
          }}
        />
      </Card>
      {upload.isPending ? <Progress value={100} animated /> : null}
      {upload.error ? <Alert color="red">{errorMessage(upload.error)}</Alert> : null}
    </Stack>
  );
}

const encodingOptions = ["utf-8", "gb18030", "big5", "shift_jis", "utf-16le", "utf-16be"];

function SheetStep({
  kind,
  file,
  onChange,
  onNext,
}: {
  kind: ImportKind;
  file: Inspected;
  onChange: (file: Inspected) => void;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const again = useMutation({
    mutationFn: (change: { sheet?: string; encoding?: string }) =>
      api<Inspected>("/imports/inspect", {
        method: "POST",
        body: {
          kind,
          fileId: file.fileId,
          fileName: file.fileName,
          ...(file.sheet ? { sheet: file.sheet } : {}),
          ...(file.encoding ? { encoding: file.encoding } : {}),
          ...change,
        },
      }),
    onSuccess: onChange,
  });
  return (
    <Stack mt="md">
      <Group align="flex-end">
        <Text>
          {file.fileName} ·{" "}
          {file.format === "xlsx"
            ? t("imports.workbook")
            : t("imports.table", { encoding: file.encoding, delimiter: delimiterName(file.delimiter, t) })}
        </Text>
        {file.format === "xlsx" ? (
          <Select
            label={t("imports.sheet")}
            data={file.sheets}
            value={file.sheet}
            onChange={(sheet) => sheet && again.mutate({ sheet })}
            allowDeselect={false}
            w={220}
          />
        ) : (
          <Select
            label={t("imports.encoding")}
            data={encodingOptions}
            value={file.encoding}
            onChange={(encoding) => encoding && again.mutate({ encoding })}
            allowDeselect={false}
            w={180}
          />
        )}
      </Group>
      {again.error ? <Alert color="red">{errorMessage(again.error)}</Alert> : null}
      <Text size="sm" c="dimmed">
        {t("imports.headerRow", { line: file.headerLine })}
      </Text>
      <SampleTable headers={file.headers} rows={file.sample.slice(0, 8)} />
      <Group>
        <Button onClick={onNext} data-testid="import-next">
          {t("imports.next")}
        </Button>
      </Group>
    </Stack>
  );
}

const delimiterName = (delimiter: string | null, t: (key: string) => string) =>
  delimiter === "\t" ? t("imports.delimiter.tab") : delimiter === ";" ? t("imports.delimiter.semicolon") : t("imports.delimiter.comma");

/** Columns and rows with keys of their own: their place in the file (headers may repeat). */
const columnsOf = (headers: string[]) => headers.map((header, position) => ({ header, position, id: `${position}:${header}` }));

function SampleTable({ headers, rows }: { headers: string[]; rows: string[][] }) {
  const columns = columnsOf(headers);
  const lines = rows.map((cells, n) => ({ cells, id: `row-${n}` }));
  return (
    <ScrollArea>
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder striped fz="sm">
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.id}>{c.header}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((line) => (
              <Table.Tr key={line.id}>
                {columns.map((c) => (
                  <Table.Td key={c.id} style={{ maxWidth: 220, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
                    {line.cells[c.position] ?? ""}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </ScrollArea>
  );
}

/** Where a finished import's records are seen. */
const doneLinks: Record<ImportKind, { to: string; label: string }> = {
  organisations: { to: "/organisations", label: "imports.toRegistry" },
  people: { to: "/people", label: "imports.toPeople" },
  engagements: { to: "/engagements", label: "imports.toEngagements" },
  members: { to: "/programmes", label: "imports.toMechanisms" },
};

/** A member list's defaults: the mechanism of rows that name none, and since when members without a date are members. */
function MemberDefaults(props: { defaults: Defaults; setDefaults: (defaults: Defaults) => void }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith("zh");
  const mechanisms = useQuery({ queryKey: ["mechanisms"], queryFn: () => api<MechanismOutput[]>("/mechanisms") });
  return (
    <>
      <Select
        label={t("imports.defaultMechanism")}
        data={(mechanisms.data ?? []).map((m) => ({ value: String(m.id), label: zh ? m.name.zh : m.name.en }))}
        value={props.defaults.mechanismId ? String(props.defaults.mechanismId) : null}
        onChange={(id) => {
          const { mechanismId: _old, ...rest } = props.defaults;
          props.setDefaults(id ? { ...rest, mechanismId: Number(id) } : rest);
        }}
        data-testid="import-mechanism"
        searchable
        clearable
        w={260}
      />
      <TextInput
        type="date"
        label={t("imports.defaultJoined")}
        value={props.defaults.joinedOn ?? ""}
        onChange={(e) => {
          const { joinedOn: _old, ...rest } = props.defaults;
          const value = e.currentTarget.value;
          props.setDefaults(value ? { ...rest, joinedOn: value } : rest);
        }}
        data-testid="import-joined"
        w={180}
      />
    </>
  );
}

function MappingStep(props: {
  kind: ImportKind;
  file: Inspected;
  columns: Array<string | null>;
  setColumns: (columns: Array<string | null>) => void;
  defaults: Defaults;
  setDefaults: (defaults: Defaults) => void;
  saveAs: string;
  setSaveAs: (name: string) => void;
  onUseMapping: (file: Inspected) => void;
  onNext: () => void;
}) {
  const { t, i18n } = useTranslation();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const errorMessage = useErrorMessage();
  const { file, columns } = props;
  const zh = i18n.language.startsWith("zh");
  const fields = file.fields.map((f) => ({ value: f.key, label: zh ? f.label.zh : f.label.en }));
  const useMapping = useMutation({
    mutationFn: (mapping: string) =>
      api<Inspected>("/imports/inspect", {
        method: "POST",
        body: { kind: props.kind, fileId: file.fileId, fileName: file.fileName, ...(file.sheet ? { sheet: file.sheet } : {}), mapping },
      }),
    onSuccess: props.onUseMapping,
  });
  // What the kind cannot do without: a name for a partner; a date, a kind and a partner or title for an engagement.
  const missing =
    props.kind === "organisations"
      ? columns.some((c) => c === "nameZh" || c === "nameEn" || c === "nameNative" || c === "alias")
        ? null
        : t("imports.needName")
      : props.kind === "people"
        ? columns.some((c) => c === "nameEn" || c === "familyNameEn" || c === "givenNameEn" || c === "nameNative")
          ? null
          : t("imports.needLatinName")
        : props.kind === "members"
          ? !columns.includes("organisation")
            ? t("imports.needMember")
            : !columns.includes("mechanism") && !props.defaults.mechanismId
              ? t("imports.needMechanism")
              : !columns.includes("joinedOn") && !props.defaults.joinedOn
                ? t("imports.needJoined")
                : null
          : !columns.includes("date")
            ? t("imports.needDate")
            : !columns.includes("kind") && !props.defaults.engagementKind
              ? t("imports.needKind")
              : !columns.some((c) => c === "partners" || c === "titleZh" || c === "titleEn")
                ? t("imports.needPartner")
                : null;
  return (
    <Stack mt="md">
      <Group align="flex-end">
        {file.mappings.length ? (
          <Select label={t("imports.savedMapping")} data={file.mappings} onChange={(m) => m && useMapping.mutate(m)} w={240} clearable />
        ) : null}
        {props.kind === "organisations" ? (
          <>
            <Select
              label={t("imports.defaultKind")}
              data={vocabulary.options("organisationKinds")}
              value={props.defaults.kind ?? "political_party"}
              onChange={(kind) => props.setDefaults({ ...props.defaults, ...(kind ? { kind } : {}) })}
              allowDeselect={false}
              w={200}
            />
            <Select
              label={t("imports.defaultCountry")}
              data={reference.countries}
              value={props.defaults.countryCode ?? null}
              onChange={(code) => {
                const { countryCode: _old, ...rest } = props.defaults;
                props.setDefaults(code ? { ...rest, countryCode: code } : rest);
              }}
              searchable
              clearable
              w={220}
            />
          </>
        ) : props.kind === "people" ? null : props.kind === "members" ? (
          <MemberDefaults defaults={props.defaults} setDefaults={props.setDefaults} />
        ) : (
          <Select
            label={t("imports.defaultEngagementKind")}
            data={vocabulary.options("engagementKinds")}
            value={props.defaults.engagementKind ?? null}
            onChange={(engagementKind) => props.setDefaults(engagementKind ? { engagementKind } : {})}
            data-testid="import-engagement-kind"
            clearable
            w={240}
          />
        )}
        <TextInput label={t("imports.saveAs")} value={props.saveAs} onChange={(e) => props.setSaveAs(e.currentTarget.value)} w={220} />
      </Group>
      {useMapping.error ? <Alert color="red">{errorMessage(useMapping.error)}</Alert> : null}
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("imports.column")}</Table.Th>
              <Table.Th>{t("imports.examples")}</Table.Th>
              <Table.Th>{t("imports.field")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {columnsOf(file.headers).map(({ header, position: i, id }) => (
              <Table.Tr key={id}>
                <Table.Td fw={600}>{header}</Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed" lineClamp={1}>
                    {file.sample
                      .slice(0, 3)
                      .map((r) => r[i])
                      .filter(Boolean)
                      .join(" · ")}
                  </Text>
                </Table.Td>
                <Table.Td w={260}>
                  <Select
                    aria-label={header}
                    data={fields}
                    value={columns[i] ?? null}
                    placeholder={t("imports.leaveOut")}
                    onChange={(field) => {
                      // A field is one column's: choosing it here frees it elsewhere.
                      const next = columns.map((c) => (c === field ? null : c));
                      next[i] = field;
                      props.setColumns(next);
                    }}
                    clearable
                    size="sm"
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {missing ? <Alert color="orange">{missing}</Alert> : null}
      <Group>
        <Button onClick={props.onNext} disabled={missing !== null} data-testid="import-to-preview">
          {t("imports.toPreview")}
        </Button>
      </Group>
    </Stack>
  );
}

function PreviewStep({
  kind,
  options,
  choices,
  setChoices,
  onStarted,
}: {
  kind: ImportKind;
  options: Record<string, unknown>;
  choices: Record<string, number | "new">;
  setChoices: (choices: Record<string, number | "new">) => void;
  onStarted: (record: ImportOutput) => void;
}) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const errorMessage = useErrorMessage();
  const zh = i18n.language.startsWith("zh");
  const preview = useQuery({
    queryKey: ["import-preview", options],
    queryFn: () => api<PreviewOutput>("/imports/preview", { method: "POST", body: options }),
  });
  const start = useMutation({ mutationFn: () => api<ImportOutput>("/imports", { method: "POST", body: options }), onSuccess: onStarted });
  const download = useMutation({ mutationFn: () => apiDownload("/imports/preview/spreadsheet", options, "import-preview.xlsx") });
  const c = preview.data?.counts;
  return (
    <Stack mt="md">
      <QueryState isLoading={preview.isLoading} error={preview.error} />
      {c ? (
        <>
          <SimpleGrid cols={{ base: 2, sm: 6 }}>
            {(["new", "matched", "updated", "unchanged", "ambiguous", "invalid"] as const).map((s) => (
              <Card key={s} withBorder p="sm" data-testid={`import-count-${s}`}>
                <Text size="sm" c="dimmed">
                  {t(`imports.rowStatus.${s}`)}
                </Text>
                <Text fz={24} fw={700} c={statusColour[s]}>
                  {format.number(c[s])}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
          <Text size="sm" c="dimmed">
            {t("imports.previewHow", { rows: format.number(c.rows) })}
          </Text>
          <ScrollArea h={420}>
            <Table.ScrollContainer minWidth={560}>
              <Table striped fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("imports.line")}</Table.Th>
                    <Table.Th>{t("imports.name")}</Table.Th>
                    <Table.Th>{t("imports.rowStatusTitle")}</Table.Th>
                    <Table.Th>{t("imports.detail")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.data?.rows.slice(0, 300).map((row) => (
                    <Table.Tr key={row.line}>
                      <Table.Td>{row.line}</Table.Td>
                      <Table.Td>{row.name}</Table.Td>
                      <Table.Td>
                        <Badge color={statusColour[row.status]} variant="light">
                          {t(`imports.rowStatus.${row.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {row.errors.map((e) => (
                          <Text key={`${e.column}-${e.field}`} size="sm" c="red">
                            {e.header ? `${e.header}${zh ? "：" : ": "}` : ""}
                            {zh ? e.reason.zh : e.reason.en}
                          </Text>
                        ))}
                        {row.status === "ambiguous" || choices[String(row.line)] !== undefined ? (
                          <Select
                            size="xs"
                            w={320}
                            aria-label={t("imports.pick")}
                            placeholder={t("imports.pick")}
                            value={choices[String(row.line)] === undefined ? null : String(choices[String(row.line)])}
                            data={[
                              // An engagement's partner and a mechanism's member are in the registry: there is none to create here.
                              ...(kind === "organisations" || kind === "people"
                                ? [{ value: "new", label: t(kind === "people" ? "imports.asNewPerson" : "imports.asNew") }]
                                : []),
                              ...row.candidates.map((o) => ({
                                value: String(o.id),
                                label: `${o.name.zh ?? o.name.en}${o.name.zh ? ` · ${o.name.en}` : ""} (${o.country ?? "—"}, #${o.id})`,
                              })),
                            ]}
                            onChange={(v) => {
                              const next = { ...choices };
                              if (v === null) delete next[String(row.line)];
                              else next[String(row.line)] = v === "new" ? "new" : Number(v);
                              setChoices(next);
                            }}
                          />
                        ) : row.engagementId ? (
                          <Anchor component={Link} to={`/engagements/${row.engagementId}`} size="sm" target="_blank">
                            #{row.engagementId}
                          </Anchor>
                        ) : row.organisationId ? (
                          <Anchor component={Link} to={`/organisations/${row.organisationId}`} size="sm" target="_blank">
                            #{row.organisationId}
                          </Anchor>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </ScrollArea>
          <Group>
            <Button
              onClick={() => start.mutate()}
              loading={start.isPending}
              disabled={c.new + c.matched + c.updated === 0}
              data-testid="import-start"
            >
              {t("imports.start", { count: c.new + c.matched + c.updated })}
            </Button>
            <Button variant="default" onClick={() => download.mutate()} loading={download.isPending}>
              {t("imports.download")}
            </Button>
          </Group>
          {start.error || download.error ? <Alert color="red">{errorMessage(start.error ?? download.error)}</Alert> : null}
        </>
      ) : null}
    </Stack>
  );
}

function ResultStep({ kind, started }: { kind: ImportKind; started: ImportOutput }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const zh = i18n.language.startsWith("zh");
  const record = useQuery({
    queryKey: ["import", started.id],
    queryFn: () => api<ImportOutput>(`/imports/${started.id}`),
    refetchInterval: (q) => (q.state.data?.status === "running" || !q.state.data ? 500 : false),
  });
  const r = record.data ?? started;
  const done = r.status !== "running";
  return (
    <Stack mt="md" data-testid="import-result">
      <Group>
        <Badge size="lg" color={r.status === "done" ? "teal" : r.status === "running" ? "blue" : "orange"}>
          {t(`imports.status.${r.status}`)}
        </Badge>
        <Text>{t("imports.rowsDone", { rows: format.number(r.counts.rows ?? 0) })}</Text>
      </Group>
      {!done ? <Progress value={100} animated /> : null}
      <Text data-testid="import-outcome">{countsLine(t, r.counts)}</Text>
      {done && r.errors.length ? (
        <Card withBorder>
          <Text fw={600} mb="xs">
            {t("imports.errors")}
          </Text>
          {r.errors.slice(0, 50).map((e) => (
            <Text key={`${e.line}-${e.column}`} size="sm">
              {t("imports.errorAt", { line: e.line, column: e.column })} {e.header ? `${e.header}${zh ? "：" : ": "}` : ""}
              {zh ? e.reason.zh : e.reason.en}
            </Text>
          ))}
        </Card>
      ) : null}
      {done ? (
        <Group>
          <Button component={Link} to={doneLinks[kind].to}>
            {t(doneLinks[kind].label)}
          </Button>
          <Button component={Link} to="/imports" variant="default">
            {t("imports.title")}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
