import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useBlocker, useNavigate, useParams, useSearchParams } from "react-router";
import {
  type Clash,
  type EngagementDetail,
  type EngagementType,
  engagementCreateInput,
  rulesByType,
} from "../../core/engagements/schema.ts";
import { ApiError, api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { FormActions } from "../shared/FormActions.tsx";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { NoAccess, QueryState, useErrorMessage } from "../shared/states.tsx";
import { type FieldErrors, serverFieldErrors, validate } from "../shared/validation.ts";
import { useVocabulary } from "../shared/vocabulary.ts";
import { ClashAlert } from "./ClashAlert.tsx";
import { ParticipantPicker, type ParticipantRow } from "./ParticipantPicker.tsx";

const types = Object.keys(rulesByType) as EngagementType[];
const subtypeList: Partial<Record<EngagementType, string>> = {
  talks: "talkModes",
  event: "eventFormats",
  correspondence: "correspondenceKinds",
  statement: "statementStances",
  assistance: "assistanceKinds",
};

function defaultRole(type: EngagementType, direction: string): string {
  if (type === "visit") return "member";
  if (type === "event") return "guest";
  if (type === "correspondence") return direction === "received" ? "sender" : "recipient";
  if (type === "statement") return "author";
  return "participant";
}

type Row = Record<string, string>;
interface FormState {
  type: EngagementType;
  direction: string;
  subtype: string;
  status: string;
  classification: string;
  titleEn: string;
  titleZh: string;
  summaryEn: string;
  summaryZh: string;
  startDate: string;
  endDate: string;
  countryCode: string;
  city: string;
  leadUnitId: string;
  topicIds: string[];
  participants: ParticipantRow[];
  /** Type-specific text fields (series, occasion, issue, cohort…). */
  details: Record<string, string>;
  /** Itinerary days of a visit, sessions of an event. */
  rows: Row[];
  /** The visit or event this took place during. */
  partOf: { id: number; title: string } | null;
}

const blank = (unitId: string): FormState => ({
  type: "visit",
  direction: "received",
  subtype: "",
  status: "done",
  classification: "internal",
  titleEn: "",
  titleZh: "",
  summaryEn: "",
  summaryZh: "",
  startDate: "",
  endDate: "",
  countryCode: "",
  city: "",
  leadUnitId: unitId,
  topicIds: [],
  participants: [],
  details: {},
  rows: [],
  partOf: null,
});

const orNull = (s: string | undefined) => (s?.trim() ? s.trim() : null);

/** The details object of each type, from the form's fields; only the type's own fields. */
function detailsOf(f: FormState): Record<string, unknown> {
  const d = f.details;
  switch (f.type) {
    case "visit":
      return {
        itinerary: f.rows
          .filter((r) => r.date || r.description)
          .map((r) => ({
            date: r.date,
            time: orNull(r.time),
            city: orNull(r.city),
            place: orNull(r.place),
            description: r.description?.trim() ?? "",
          })),
        delegationSize: d.delegationSize ? Number(d.delegationSize) : null,
        interpreters: orNull(d.interpreters),
        talkingPoints: orNull(d.talkingPoints),
      };
    case "talks":
      return { talkingPoints: orNull(d.talkingPoints) };
    case "event":
      return {
        seriesEn: orNull(d.seriesEn),
        seriesZh: orNull(d.seriesZh),
        edition: d.edition ? Number(d.edition) : null,
        sessions: f.rows
          .filter((r) => r.titleEn || r.date)
          .map((r) => ({ titleEn: r.titleEn?.trim() ?? "", titleZh: orNull(r.titleZh), date: orNull(r.date) })),
        ...(d.flagship === "true" ? { flagship: true } : {}),
        talkingPoints: orNull(d.talkingPoints),
      };
    case "correspondence":
      return { occasion: orNull(d.occasion), textEn: orNull(d.textEn), textZh: orNull(d.textZh) };
    case "statement":
      return { issueEn: d.issueEn?.trim() ?? "", issueZh: orNull(d.issueZh), publishedIn: orNull(d.publishedIn), url: orNull(d.url) };
    case "assistance":
      return {
        quantity: d.quantity ? Number(d.quantity) : null,
        unitOfMeasure: orNull(d.unitOfMeasure),
        descriptionEn: orNull(d.descriptionEn),
      };
    case "training":
      return { cohort: orNull(d.cohort), hostingInstitution: orNull(d.hostingInstitution) };
    default:
      return {};
  }
}

function fromDetail(e: EngagementDetail, format: ReturnType<typeof useFormat>): FormState {
  const details = e.details as Record<string, unknown>;
  const text = Object.fromEntries(
    Object.entries(details)
      .filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      .map(([k, v]) => [k, String(v)]),
  );
  const list = (key: string) => (Array.isArray(details[key]) ? (details[key] as Array<Record<string, unknown>>) : []);
  const asRow = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v == null ? "" : String(v)]));
  const rows = (e.type === "visit" ? list("itinerary") : list("sessions")).map(asRow);
  return {
    type: e.type as EngagementType,
    direction: e.direction,
    subtype: e.subtype ?? "",
    status: e.status,
    classification: e.classification,
    // An English title that only stands in for the Chinese one is left blank, as it was entered.
    titleEn: e.title.en === e.title.zh ? "" : e.title.en,
    titleZh: e.title.zh ?? "",
    summaryEn: e.summary.en ?? "",
    summaryZh: e.summary.zh ?? "",
    startDate: e.startDate,
    endDate: e.endDate,
    countryCode: e.place.country?.code ?? "",
    city: e.place.city ?? "",
    leadUnitId: String(e.leadUnit.id),
    topicIds: e.topics.map((topic) => String(topic.id)),
    participants: e.participants.map((p) => ({
      organisationId: p.organisation?.id ?? null,
      personId: p.person?.id ?? null,
      label: format.name(p.organisation?.name ?? p.person?.name),
      detail: format.name(p.organisation?.country?.name),
      role: p.role,
      rank: p.rank ?? "",
      precedence: p.precedence,
    })),
    details: text,
    rows,
    partOf: e.partOf ? { id: e.partOf.id, title: format.name(e.partOf.title) } : null,
  };
}

/** A new engagement that took place during a visit or event: its kind, dates, place, unit and partners to start from. */
function during(whole: EngagementDetail, format: ReturnType<typeof useFormat>, unitId: string): FormState {
  const direction = whole.direction === "sent" || whole.direction === "attended" ? "sent" : "received";
  return {
    ...blank(unitId),
    type: "talks",
    direction,
    subtype: "in_person",
    status: whole.status === "done" ? "done" : "planned",
    classification: whole.classification,
    startDate: whole.startDate,
    countryCode: whole.place.country?.code ?? "",
    city: whole.place.city ?? "",
    leadUnitId: String(whole.leadUnit.id),
    participants: whole.participants
      .filter((p) => p.organisation)
      .map((p) => ({
        organisationId: p.organisation?.id ?? null,
        personId: p.person?.id ?? null,
        label: format.name(p.person?.name ?? p.organisation?.name),
        detail: format.name(p.organisation?.country?.name),
        role: "participant",
        rank: p.rank ?? "",
        precedence: p.precedence,
      })),
    partOf: { id: whole.id, title: format.name(whole.title) },
  };
}

/** Create or edit an engagement of any type; the form shows only the fields of the chosen type. */
export function EngagementForm() {
  const { can } = useSession();
  // A viewer who opens the address gets no form to fill in and lose on saving.
  return can("write") ? <EngagementFormFields /> : <NoAccess />;
}

function EngagementFormFields() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const { session } = useSession();
  const params = useParams();
  const editId = params.id ? Number(params.id) : null;
  // "Record talks during it", from a visit's page: the visit the new record belongs to.
  const [search] = useSearchParams();
  const partOfId = editId === null && /^\d+$/.test(search.get("partOf") ?? "") ? Number(search.get("partOf")) : null;
  const whole = useQuery({
    queryKey: ["engagement", partOfId],
    enabled: partOfId !== null,
    queryFn: () => api<EngagementDetail>(`/engagements/${partOfId}`),
  });
  const existing = useQuery({
    queryKey: ["engagement", editId],
    enabled: editId !== null,
    queryFn: () => api<EngagementDetail>(`/engagements/${editId}`),
  });
  const [form, setForm] = useState<FormState>(() => blank(String(session?.roles[0]?.unitId ?? "")));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [loaded, setLoaded] = useState(false);
  // What the form held when it opened: a change from it asks before the user leaves.
  const [pristine, setPristine] = useState<string>(() => JSON.stringify(form));
  const saved = useRef(false);
  useEffect(() => {
    const opened = existing.data
      ? fromDetail(existing.data, format)
      : whole.data
        ? during(whole.data, format, String(session?.roles[0]?.unitId ?? ""))
        : null;
    if (opened && !loaded) {
      setForm(opened);
      setPristine(JSON.stringify(opened));
      setLoaded(true);
    }
  }, [existing.data, whole.data, loaded, format, session]);
  const dirty = JSON.stringify(form) !== pristine;
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && !saved.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  // Before saving a plan: other units' work with the same partners around its date.
  const partnerIds = [...new Set(form.participants.flatMap((p) => (p.organisationId ? [p.organisationId] : [])))].join(",");
  const [clashKey] = useDebouncedValue(
    form.status === "planned" && partnerIds && /^\d{4}-\d{2}-\d{2}$/.test(form.startDate) && form.leadUnitId
      ? query({ organisationIds: partnerIds, startDate: form.startDate, leadUnitId: form.leadUnitId, excludeId: editId })
      : "",
    500,
  );
  const clashes = useQuery({
    queryKey: ["clash-preview", clashKey],
    enabled: clashKey !== "",
    queryFn: () => api<Clash[]>(`/alerts/preview${clashKey}`),
  });
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      editId
        ? api<EngagementDetail>(`/engagements/${editId}`, { method: "PATCH", body: (({ type: _type, ...rest }) => rest)(body) })
        : api<EngagementDetail>("/engagements", { method: "POST", body }),
    onSuccess: (e) => {
      saved.current = true;
      void client.invalidateQueries({ queryKey: ["engagements"] });
      // The record and those that show it (the visit it took place during) read it afresh.
      void client.invalidateQueries({ queryKey: ["engagement"] });
      navigate(`/engagements/${e.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(serverFieldErrors(error.fields, t));
    },
  });
  if (editId !== null && !loaded) return <QueryState isLoading={existing.isLoading} error={existing.error} />;
  if (partOfId !== null && !loaded) return <QueryState isLoading={whole.isLoading} error={whole.error} />;
  const rules = rulesByType[form.type];
  const set = (change: Partial<FormState>) => setForm((f) => ({ ...f, ...change }));
  const setDetail = (key: string, value: string) => setForm((f) => ({ ...f, details: { ...f.details, [key]: value } }));
  const detailInput = (key: string, label: string, props: { required?: boolean; multiline?: boolean } = {}) =>
    props.multiline ? (
      <Textarea
        key={key}
        label={label}
        value={form.details[key] ?? ""}
        onChange={(e) => setDetail(key, e.currentTarget.value)}
        error={errors[`details.${key}`]}
        autosize
        minRows={3}
      />
    ) : (
      <TextInput
        key={key}
        label={label}
        value={form.details[key] ?? ""}
        onChange={(e) => setDetail(key, e.currentTarget.value)}
        error={errors[`details.${key}`]}
        required={props.required}
      />
    );
  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = {
      type: form.type,
      direction: form.direction,
      subtype: orNull(form.subtype),
      status: form.status,
      classification: form.classification,
      titleEn: orNull(form.titleEn),
      titleZh: orNull(form.titleZh),
      summaryEn: orNull(form.summaryEn),
      summaryZh: orNull(form.summaryZh),
      startDate: form.startDate,
      endDate: orNull(form.endDate),
      countryCode: orNull(form.countryCode),
      city: orNull(form.city),
      leadUnitId: Number(form.leadUnitId),
      topicIds: form.topicIds.map(Number),
      participants: form.participants.map((p) => ({
        organisationId: p.organisationId,
        personId: p.personId,
        role: p.role,
        rank: orNull(p.rank),
        precedence: p.precedence,
      })),
      details: detailsOf(form),
      partOfId: form.partOf?.id ?? null,
    };
    const checked = validate(engagementCreateInput, body, t);
    setErrors(checked.errors);
    if (checked.data) save.mutate(body);
  }
  const rowFields = form.type === "visit" ? (["date", "time", "city", "place", "description"] as const) : (["titleEn", "date"] as const);
  const rowWidth: Record<string, string | number> = { date: "0 0 150px", time: "0 0 90px", city: "0 0 120px", place: "1 1 140px" };
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={980}>
        <Title order={2}>{editId ? t("engagementForm.editTitle") : t("engagementForm.title")}</Title>
        {save.error ? (
          <Alert color="red" role="alert" data-testid="save-error">
            {errorMessage(save.error)}
            {save.error instanceof ApiError && save.error.fields.length === 0 ? ` (${save.error.message})` : ""}
          </Alert>
        ) : null}
        {Object.keys(errors).length && !save.error ? (
          <Alert color="orange" role="alert">
            {t("validation.summary", { count: Object.keys(errors).length })}
          </Alert>
        ) : null}
        {editId ? null : (
          <SegmentedControl
            value={form.type}
            onChange={(v) => {
              const type = v as EngagementType;
              const direction = rulesByType[type].directions[0] ?? "none";
              set({
                type,
                direction,
                subtype: "",
                details: {},
                rows: [],
                participants: form.participants.map((p) => ({ ...p, role: defaultRole(type, direction) })),
              });
            }}
            data={types.map((type) => ({ value: type, label: vocabulary.label("engagementTypes", type) }))}
            aria-label={t("engagements.type")}
            fullWidth
          />
        )}
        {form.partOf ? (
          <Group gap="xs" data-testid="part-of">
            <Text size="sm">
              {t("engagement.partOf")}
              {t("common.colon")}
              {form.partOf.title}
            </Text>
            <ActionIcon
              variant="subtle"
              color="gray"
              size="sm"
              aria-label={t("engagementForm.removeRow")}
              onClick={() => set({ partOf: null })}
            >
              ×
            </ActionIcon>
          </Group>
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select
            label={t("engagements.direction")}
            data={rules.directions.map((d) => ({ value: d, label: vocabulary.label("engagementDirections", d) }))}
            value={form.direction}
            onChange={(v) => set({ direction: v ?? form.direction })}
            allowDeselect={false}
            error={errors.direction}
          />
          {subtypeList[form.type] ? (
            <Select
              label={t("engagementForm.subtype")}
              data={vocabulary.options(subtypeList[form.type] as string)}
              value={form.subtype || null}
              onChange={(v) => set({ subtype: v ?? "" })}
              clearable
              error={errors.subtype}
            />
          ) : (
            <div />
          )}
          <Select
            label={t("engagements.status")}
            data={vocabulary.options("engagementStatuses")}
            value={form.status}
            onChange={(v) => set({ status: v ?? "done" })}
            allowDeselect={false}
            error={errors.status}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t("engagementForm.titleZh")}
            description={t("engagementForm.titleHint")}
            value={form.titleZh}
            onChange={(e) => set({ titleZh: e.currentTarget.value })}
            error={errors.titleZh}
          />
          <TextInput
            label={t("engagementForm.titleEn")}
            description={"\u00a0"}
            value={form.titleEn}
            onChange={(e) => set({ titleEn: e.currentTarget.value })}
            error={errors.titleEn}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 4 }}>
          <TextInput
            type="date"
            label={t("engagementForm.startDate")}
            value={form.startDate}
            onChange={(e) => set({ startDate: e.currentTarget.value })}
            error={errors.startDate}
            required
          />
          <TextInput
            type="date"
            label={t("engagementForm.endDate")}
            value={form.endDate}
            onChange={(e) => set({ endDate: e.currentTarget.value })}
            error={errors.endDate}
          />
          <Select
            label={t("engagementForm.country")}
            data={reference.countries}
            value={form.countryCode || null}
            onChange={(v) => set({ countryCode: v ?? "" })}
            searchable
            clearable
            error={errors.countryCode}
          />
          <TextInput
            label={t("engagementForm.city")}
            value={form.city}
            onChange={(e) => set({ city: e.currentTarget.value })}
            error={errors.city}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t("engagementForm.leadUnit")}
            data={reference.units}
            value={form.leadUnitId || null}
            onChange={(v) => set({ leadUnitId: v ?? "" })}
            searchable
            allowDeselect={false}
            error={errors.leadUnitId}
          />
          <Select
            label={t("engagementForm.classification")}
            data={["public", "internal", "restricted"].map((c) => ({ value: c, label: t(`classification.${c}`) }))}
            value={form.classification}
            onChange={(v) => set({ classification: v ?? "internal" })}
            allowDeselect={false}
            error={errors.classification}
          />
        </SimpleGrid>
        <MultiSelect
          label={t("engagementForm.topics")}
          data={reference.topics}
          value={form.topicIds}
          onChange={(topicIds) => set({ topicIds })}
          searchable
          clearable
          error={errors.topicIds}
        />
        {form.type === "event" ? (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {detailInput("seriesEn", t("engagementForm.seriesEn"))}
            {detailInput("seriesZh", t("engagementForm.seriesZh"))}
            <NumberInput
              label={t("engagementForm.edition")}
              value={form.details.edition ?? ""}
              onChange={(v) => setDetail("edition", String(v))}
              min={1}
              error={errors["details.edition"]}
            />
            <Checkbox
              label={t("engagementForm.flagship")}
              checked={form.details.flagship === "true"}
              onChange={(e) => setDetail("flagship", e.currentTarget.checked ? "true" : "")}
            />
          </SimpleGrid>
        ) : null}
        {form.type === "correspondence" ? (
          <>
            <Select
              label={t("engagementForm.occasion")}
              data={vocabulary.options("correspondenceOccasions")}
              value={form.details.occasion || null}
              onChange={(v) => setDetail("occasion", v ?? "")}
              clearable
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {detailInput("textEn", t("engagementForm.textEn"), { multiline: true })}
              {detailInput("textZh", t("engagementForm.textZh"), { multiline: true })}
            </SimpleGrid>
          </>
        ) : null}
        {form.type === "statement" ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {detailInput("issueEn", t("engagementForm.issueEn"), { required: true })}
            {detailInput("issueZh", t("engagementForm.issueZh"))}
            {detailInput("publishedIn", t("engagementForm.publishedIn"))}
            {detailInput("url", t("engagementForm.url"))}
          </SimpleGrid>
        ) : null}
        {form.type === "assistance" ? (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label={t("engagementForm.quantity")}
              value={form.details.quantity ?? ""}
              onChange={(v) => setDetail("quantity", String(v))}
              min={0}
              error={errors["details.quantity"]}
            />
            {detailInput("unitOfMeasure", t("engagementForm.unitOfMeasure"))}
            {detailInput("descriptionEn", t("engagementForm.assistanceDescription"))}
          </SimpleGrid>
        ) : null}
        {form.type === "training" ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {detailInput("cohort", t("engagementForm.cohort"))}
            {detailInput("hostingInstitution", t("engagementForm.hostingInstitution"))}
          </SimpleGrid>
        ) : null}
        {form.type === "visit" || form.type === "event" ? (
          <Card withBorder>
            <Text fw={600} mb="xs">
              {form.type === "visit" ? t("engagementForm.itinerary") : t("engagementForm.sessions")}
            </Text>
            <Stack gap="xs">
              {form.rows.map((row, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
                <Group key={i} align="flex-start" wrap={form.type === "visit" ? "wrap" : "nowrap"} gap="xs">
                  {rowFields.map((field) => (
                    <TextInput
                      key={field}
                      type={field === "date" ? "date" : "text"}
                      aria-label={t(`engagementForm.row.${field}`)}
                      placeholder={t(`engagementForm.row.${field}`)}
                      value={row[field] ?? ""}
                      onChange={(e) => {
                        const value = e.currentTarget.value;
                        setForm((f) => ({ ...f, rows: f.rows.map((r, j) => (j === i ? { ...r, [field]: value } : r)) }));
                      }}
                      error={errors[`details.${form.type === "visit" ? "itinerary" : "sessions"}.${i}.${field}`]}
                      style={{ flex: rowWidth[field] ?? "1 1 200px" }}
                    />
                  ))}
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mt={6}
                    aria-label={t("engagementForm.removeRow")}
                    onClick={() => set({ rows: form.rows.filter((_, j) => j !== i) })}
                  >
                    ×
                  </ActionIcon>
                </Group>
              ))}
            </Stack>
            <Button size="xs" variant="subtle" mt="xs" onClick={() => set({ rows: [...form.rows, {}] })}>
              {t("engagementForm.addRow")}
            </Button>
          </Card>
        ) : null}
        <ParticipantPicker
          value={form.participants}
          onChange={(participants) => set({ participants })}
          defaultRole={defaultRole(form.type, form.direction)}
          error={errors.participants}
          on={form.startDate || undefined}
        />
        {clashes.data?.length ? <ClashAlert clashes={clashes.data} /> : null}
        {form.type === "visit" ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label={t("engagementForm.delegationSize")}
              description={t("engagementForm.delegationSizeHint")}
              value={form.details.delegationSize ?? ""}
              onChange={(v) => setDetail("delegationSize", String(v))}
              min={1}
              allowDecimal={false}
              error={errors["details.delegationSize"]}
            />
            <TextInput
              label={t("engagementForm.interpreters")}
              description={"\u00a0"}
              value={form.details.interpreters ?? ""}
              onChange={(e) => setDetail("interpreters", e.currentTarget.value)}
              error={errors["details.interpreters"]}
            />
          </SimpleGrid>
        ) : null}
        {form.type === "visit" || form.type === "talks" || form.type === "event"
          ? detailInput("talkingPoints", t("engagementForm.talkingPoints"), { multiline: true })
          : null}
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Textarea
            label={t("engagementForm.summaryZh")}
            value={form.summaryZh}
            onChange={(e) => set({ summaryZh: e.currentTarget.value })}
            autosize
            minRows={3}
            error={errors.summaryZh}
          />
          <Textarea
            label={t("engagementForm.summaryEn")}
            value={form.summaryEn}
            onChange={(e) => set({ summaryEn: e.currentTarget.value })}
            autosize
            minRows={3}
            error={errors.summaryEn}
          />
        </SimpleGrid>
        <FormActions saving={save.isPending} />
      </Stack>
      <Modal
        opened={blocker.state === "blocked"}
        onClose={() => blocker.reset?.()}
        title={t("engagementForm.unsaved")}
        data-testid="unsaved"
      >
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()}>
            {t("engagementForm.stay")}
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            {t("engagementForm.leave")}
          </Button>
        </Group>
      </Modal>
    </form>
  );
}
