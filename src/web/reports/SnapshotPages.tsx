import { Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { ProgrammeOutput } from "../../core/programmes/schema.ts";
import type { SnapshotDetail, SnapshotOutput } from "../../core/reports/schema.ts";
import type { TemplateOutput } from "../../core/reports/templates.ts";
import { ApiError, api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";
import { FigureTable } from "./ReportPage.tsx";

/** Frozen reports the reader may open. */
export function SnapshotList() {
  const { t } = useTranslation();
  const format = useFormat();
  const list = useQuery({ queryKey: ["snapshots"], queryFn: () => api<SnapshotOutput[]>("/reports/snapshots") });
  return (
    <Stack>
      <Title order={2}>{t("report.snapshots")}</Title>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={list.data?.length === 0} />
      {list.data?.length ? (
        <Table.ScrollContainer minWidth={560}>
          <Table striped>
            <Table.Tbody>
              {list.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/reports/snapshots/${s.id}`}>
                      {s.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td c="dimmed">
                    {String(s.params.from)} – {String(s.params.to)}
                  </Table.Td>
                  <Table.Td c="dimmed">
                    {s.createdBy?.displayName} · {format.name(s.unit?.name)} · {format.date(s.createdAt)}
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

/** A frozen report: its figures as they were, and how today's data differs. */
export function SnapshotPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const id = Number(useParams().id);
  const detail = useQuery({ queryKey: ["snapshot", id], queryFn: () => api<SnapshotDetail>(`/reports/snapshots/${id}`) });
  if (!detail.data) return <QueryState isLoading={detail.isLoading} error={detail.error} />;
  const s = detail.data;
  const drill = (filter: Record<string, string>) => `/engagements${query(filter)}`;
  return (
    <Stack>
      <div>
        <Title order={2}>{s.title}</Title>
        <Text c="dimmed">
          {t("report.frozenBy", { who: s.createdBy?.displayName ?? "", unit: format.name(s.unit?.name), date: format.date(s.createdAt) })} ·{" "}
          {format.date(s.report.period.from)} – {format.date(s.report.period.to)}
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {(["engagements", "organisations", "countries"] as const).map((m) => (
          <Card key={m} withBorder>
            <Text size="sm" c="dimmed">
              {t(`home.measure.${m}`)}
            </Text>
            <Text fz={28} fw={700}>
              {format.number(s.report.totals[m])}
            </Text>
            <Text size="sm">
              {t("report.liveNow", { value: format.number(s.live.totals[m]) })}
              {s.changes.totals[m] !== 0 ? (
                <Badge ml={6} color={s.changes.totals[m] > 0 ? "teal" : "red"} variant="light">
                  {s.changes.totals[m] > 0 ? "+" : ""}
                  {format.number(s.changes.totals[m])}
                </Badge>
              ) : null}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Text size="sm">{t("report.changes", { added: s.changes.added, removed: s.changes.removed })}</Text>
      <Card withBorder>
        <Title order={4} mb="xs">
          {t("report.narrative")}
        </Title>
        {s.report.narrative.map((n) => (
          <Group key={n.key} grow align="flex-start" mb="xs">
            <Text size="sm" lang="zh-CN">
              {n.zh}。
            </Text>
            <Text size="sm" lang="en">
              {n.en.charAt(0).toUpperCase() + n.en.slice(1)}.
            </Text>
          </Group>
        ))}
      </Card>
      <FigureTable title={t("home.byType")} rows={s.report.byType} drill={drill} withPrevious={false} />
    </Stack>
  );
}

/** The narrative's sentence kinds; administrators change them and add their own. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ["templates"], queryFn: () => api<TemplateOutput[]>("/reports/templates") });
  const editable = can("administer");
  return (
    <Stack>
      <Title order={2}>{t("report.templates")}</Title>
      <Text size="sm" c="dimmed">
        {t("report.templatesHow")}
      </Text>
      <QueryState isLoading={list.isLoading} error={list.error} />
      {list.data?.map((tpl) => (
        <TemplateEditor key={tpl.key} template={tpl} editable={editable} />
      ))}
      {editable ? <NewKind /> : null}
    </Stack>
  );
}

type Phrase = { zh: string; en: string };
type KindText = { zh: string; en: string; oneZh: string; oneEn: string; phrases: Record<"leadIn" | "occasion" | "purpose", Phrase> };

const emptyPhrase = { zh: "", en: "" };
const textOf = (tpl: TemplateOutput | undefined): KindText => ({
  zh: tpl?.zh ?? "",
  en: tpl?.en ?? "",
  oneZh: tpl?.one?.zh ?? "",
  oneEn: tpl?.one?.en ?? "",
  phrases: {
    leadIn: tpl?.phrases.leadIn ?? emptyPhrase,
    occasion: tpl?.phrases.occasion ?? emptyPhrase,
    purpose: tpl?.phrases.purpose ?? emptyPhrase,
  },
});

/** The request body for a kind's sentences and phrases: empty phrases are left out, an empty one-partner sentence is none. */
function bodyOf(text: KindText) {
  const phrase = (p: Phrase) => (p.zh.trim() && p.en.trim() ? { zh: p.zh.trim(), en: p.en.trim() } : null);
  return {
    zh: text.zh,
    en: text.en,
    one: text.oneZh.trim() && text.oneEn.trim() ? { zh: text.oneZh, en: text.oneEn } : null,
    phrases: { leadIn: phrase(text.phrases.leadIn), occasion: phrase(text.phrases.occasion), purpose: phrase(text.phrases.purpose) },
  };
}

/** The sentences and phrases of a kind, in both languages, side by side. */
function KindFields({
  text,
  onChange,
  readOnly,
  error,
}: {
  text: KindText;
  onChange: (next: KindText) => void;
  readOnly: boolean;
  error: { path: string | undefined; message: string };
}) {
  const { t } = useTranslation();
  const at = (path: string) => (error.path === path ? error.message : undefined);
  const pair = (label: string, zh: string, en: string, set: (zh: string, en: string) => void, path: string) => (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Textarea
        label={`${label} · 中文`}
        value={zh}
        onChange={(e) => set(e.currentTarget.value, en)}
        readOnly={readOnly}
        autosize
        error={at(path ? `${path}.zh` : "zh")}
      />
      <Textarea
        label={`${label} · English`}
        value={en}
        onChange={(e) => set(zh, e.currentTarget.value)}
        readOnly={readOnly}
        autosize
        error={at(path ? `${path}.en` : "en")}
      />
    </SimpleGrid>
  );
  const phrase = (key: "leadIn" | "occasion" | "purpose", label: string) =>
    pair(
      label,
      text.phrases[key].zh,
      text.phrases[key].en,
      (zh, en) => onChange({ ...text, phrases: { ...text.phrases, [key]: { zh, en } } }),
      `phrases.${key}`,
    );
  const hasPhrases = Object.values(text.phrases).some((p) => p.zh || p.en);
  // The phrases are open where a kind has them (or a field of theirs is in error); else one click away.
  const [open, setOpen] = useState(hasPhrases || Boolean(error.path?.startsWith("phrases")));
  return (
    <Stack gap="xs">
      {pair(t("report.kind.sentence"), text.zh, text.en, (zh, en) => onChange({ ...text, zh, en }), "")}
      {pair(t("report.kind.one"), text.oneZh, text.oneEn, (oneZh, oneEn) => onChange({ ...text, oneZh, oneEn }), "one")}
      {open || hasPhrases ? (
        <>
          {phrase("leadIn", t("report.kind.leadIn"))}
          {phrase("occasion", t("report.kind.occasionPhrase"))}
          {phrase("purpose", t("report.kind.purpose"))}
        </>
      ) : readOnly ? null : (
        <Anchor component="button" type="button" size="sm" onClick={() => setOpen(true)} style={{ alignSelf: "flex-start" }}>
          {t("report.kind.addPhrases")}
        </Anchor>
      )}
    </Stack>
  );
}

/** What a kind counts, in words: 通信 · 收到 · 贺电 · 项目 #3. */
function FilterInWords({ filter }: { filter: TemplateOutput["filter"] }) {
  const vocabulary = useVocabulary();
  const { t } = useTranslation();
  const parts = [
    vocabulary.label("engagementTypes", filter.type),
    filter.direction ? vocabulary.label("engagementDirections", filter.direction) : null,
    filter.subtype ? vocabulary.subtype(filter.subtype) : null,
    filter.programmeId ? `${t("report.programme")} #${filter.programmeId}` : null,
    filter.series ? `${t("report.kind.series")}: ${filter.series}` : null,
    filter.topicId ? `${t("report.topic")} #${filter.topicId}` : null,
    filter.eventId ? `${t("report.kind.eventId")}: #${filter.eventId}` : null,
    filter.occasion ? vocabulary.label("correspondenceOccasions", filter.occasion) : null,
  ];
  return (
    <Text size="xs" c="dimmed">
      {t("report.kind.filter")}
      {parts.filter(Boolean).join(" · ")}
    </Text>
  );
}

function TemplateEditor({ template, editable }: { template: TemplateOutput; editable: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [text, setText] = useState(() => textOf(template));
  const save = useMutation({
    mutationFn: (reset: boolean) =>
      reset
        ? api<TemplateOutput>(`/reports/templates/${template.key}`, { method: "DELETE" })
        : api<TemplateOutput>(`/reports/templates/${template.key}`, { method: "PUT", body: bodyOf(text) }),
    onSuccess: (next, reset) => {
      if (!(reset && template.custom)) setText(textOf(next));
      void client.invalidateQueries({ queryKey: ["templates"] });
      void client.invalidateQueries({ queryKey: ["report"] });
    },
  });
  const error = {
    path: save.error instanceof ApiError ? save.error.fields[0]?.path : undefined,
    message: save.error ? errorMessage(save.error) : "",
  };
  const zh = i18n.language.startsWith("zh");
  return (
    <Card withBorder data-testid={`kind-${template.key}`}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>
          {zh ? template.label.zh : template.label.en} {template.edited ? <Badge size="xs">{t("report.edited")}</Badge> : null}
          {template.custom ? (
            <Badge size="xs" color="grape">
              {t("report.kind.added")}
            </Badge>
          ) : null}
        </Text>
        <FilterInWords filter={template.filter} />
      </Group>
      <KindFields text={text} onChange={setText} readOnly={!editable} error={error} />
      {editable ? (
        <Group mt="xs" gap="xs">
          <Button size="xs" onClick={() => save.mutate(false)} loading={save.isPending}>
            {t("common.save")}
          </Button>
          {template.edited || template.custom ? (
            <Button size="xs" variant="subtle" color={template.custom ? "red" : undefined} onClick={() => save.mutate(true)}>
              {template.custom ? t("report.kind.remove") : t("report.reset")}
            </Button>
          ) : null}
        </Group>
      ) : null}
    </Card>
  );
}

/** The vocabulary of each engagement type's subtypes. */
const subtypeLists: Record<string, string> = {
  event: "eventFormats",
  correspondence: "correspondenceKinds",
  talks: "talkModes",
  assistance: "assistanceKinds",
  statement: "statementStances",
};

/** Adds a sentence kind: a name, what it counts, its sentences and phrases. */
function NewKind() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const programmes = useQuery({ queryKey: ["programmes"], queryFn: () => api<ProgrammeOutput[]>("/programmes") });
  const format = useFormat();
  const [key, setKey] = useState("");
  const [label, setLabel] = useState({ zh: "", en: "" });
  const [filter, setFilter] = useState<Record<string, string>>({ type: "correspondence" });
  const [text, setText] = useState(() => textOf(undefined));
  const create = useMutation({
    mutationFn: () =>
      api<TemplateOutput>("/reports/templates", {
        method: "POST",
        body: {
          key,
          label,
          filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
          ...bodyOf(text),
        },
      }),
    onSuccess: () => {
      setKey("");
      setLabel({ zh: "", en: "" });
      setText(textOf(undefined));
      void client.invalidateQueries({ queryKey: ["templates"] });
      void client.invalidateQueries({ queryKey: ["report"] });
    },
  });
  const path = create.error instanceof ApiError ? create.error.fields[0]?.path : undefined;
  const message = create.error ? errorMessage(create.error) : "";
  const at = (p: string) => (path === p || path?.startsWith(`${p}.`) ? message : undefined);
  const pick = (name: string, label: string, data: Array<{ value: string; label: string }>, required = false) => (
    <Select
      label={label}
      data={data}
      value={filter[name] ?? null}
      // A new type has subtypes of its own: the old one goes.
      onChange={(v) => setFilter({ ...filter, [name]: v ?? "", ...(name === "type" ? { subtype: "" } : {}) })}
      clearable={!required}
      placeholder={t("report.kind.anyValue")}
      searchable
      size="sm"
      w={200}
      error={at(`filter.${name}`)}
    />
  );
  return (
    <Card withBorder data-testid="new-kind">
      <Title order={4} mb="xs">
        {t("report.kind.add")}
      </Title>
      <Stack gap="xs">
        <Group gap="sm" align="flex-start">
          <TextInput
            label={t("report.kind.key")}
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            w={220}
            size="sm"
            error={at("key")}
          />
          <TextInput
            label={t("report.kind.labelZh")}
            value={label.zh}
            onChange={(e) => setLabel({ ...label, zh: e.currentTarget.value })}
            w={220}
            size="sm"
            error={at("label")}
          />
          <TextInput
            label={t("report.kind.labelEn")}
            value={label.en}
            onChange={(e) => setLabel({ ...label, en: e.currentTarget.value })}
            w={220}
            size="sm"
          />
        </Group>
        <Group gap="sm" align="flex-start">
          {pick("type", t("report.kind.type"), vocabulary.options("engagementTypes"), true)}
          {pick("direction", t("report.kind.direction"), vocabulary.options("engagementDirections"))}
          {subtypeLists[filter.type ?? ""]
            ? pick("subtype", t("report.kind.subtype"), vocabulary.options(subtypeLists[filter.type ?? ""] as string))
            : null}
          {pick(
            "programmeId",
            t("report.programme"),
            (programmes.data ?? []).map((p) => ({ value: String(p.id), label: format.name(p.name) })),
          )}
          {pick("topicId", t("report.topic"), reference.topics)}
          {pick("occasion", t("report.kind.occasion"), vocabulary.options("correspondenceOccasions"))}
          <TextInput
            label={t("report.kind.series")}
            value={filter.series ?? ""}
            onChange={(e) => setFilter({ ...filter, series: e.currentTarget.value })}
            w={200}
            size="sm"
          />
          <TextInput
            label={t("report.kind.eventId")}
            value={filter.eventId ?? ""}
            onChange={(e) => setFilter({ ...filter, eventId: e.currentTarget.value.trim() })}
            w={140}
            size="sm"
            error={at("filter.eventId")}
          />
        </Group>
        <KindFields text={text} onChange={setText} readOnly={false} error={{ path, message }} />
        <Group>
          <Button size="sm" onClick={() => create.mutate()} loading={create.isPending} disabled={!key || !text.zh || !text.en}>
            {t("report.kind.add")}
          </Button>
          {create.error && !path ? (
            <Text c="red" size="sm">
              {message}
            </Text>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}
