import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { type OrganisationDetail, organisationCreateInput, organisationUpdateInput } from "../../core/organisations/schema.ts";
import { ApiError, api } from "../api.ts";
import { FormActions } from "../shared/FormActions.tsx";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { type FieldErrors, serverFieldErrors, validate } from "../shared/validation.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

interface NameRow {
  kind: string;
  lang: string;
  script: string | null;
  value: string;
  validTo: number | null;
}

/** Languages offered for a name, the office's usual ones first; any other tag a record has is offered too. */
const commonLanguages = [
  "zh",
  "en",
  "fr",
  "es",
  "ru",
  "ar",
  "pt",
  "de",
  "vi",
  "lo",
  "km",
  "th",
  "id",
  "ms",
  "ko",
  "ja",
  "mn",
  "hi",
  "ur",
  "bn",
  "ne",
  "si",
  "ta",
  "fa",
  "tr",
  "sw",
  "am",
  "it",
  "el",
  "sr",
  "und",
];
const scripts = [
  "Hans",
  "Hant",
  "Latn",
  "Cyrl",
  "Arab",
  "Deva",
  "Beng",
  "Thai",
  "Laoo",
  "Khmr",
  "Mymr",
  "Hang",
  "Jpan",
  "Grek",
  "Hebr",
  "Geor",
  "Armn",
  "Ethi",
  "Mong",
  "Taml",
  "Sinh",
];

/**
 * An organisation's form, new or changed: every name (kind, language and script as words),
 * kind, country, years, website, description, family, tags and Wikidata id. Statuses, our
 * relationship and relations are kept on the organisation's page, each saved as it is made.
 */
export function OrganisationForm() {
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const existing = useQuery({
    queryKey: ["organisation", id],
    enabled: id !== null,
    queryFn: () => api<OrganisationDetail>(`/organisations/${id}`),
  });
  if (id !== null && !existing.data) return <QueryState isLoading={existing.isLoading} error={existing.error} />;
  return <OrganisationFields key={id ?? "new"} organisation={existing.data ?? null} />;
}

function OrganisationFields({ organisation }: { organisation: OrganisationDetail | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const o = organisation;
  const [kind, setKind] = useState<string | null>(o?.kind ?? "political_party");
  const [countryCode, setCountryCode] = useState<string | null>(o?.country?.code ?? null);
  const [foundedYear, setFoundedYear] = useState<number | string>(o?.foundedYear ?? "");
  const [dissolvedYear, setDissolvedYear] = useState<number | string>(o?.dissolvedYear ?? "");
  const [website, setWebsite] = useState(o?.website ?? "");
  const [description, setDescription] = useState(o?.description ?? "");
  const [family, setFamily] = useState<string | null>(o?.family ?? null);
  const [wikidataId, setWikidataId] = useState(o?.externalIds.wikidata ?? "");
  const [tags, setTags] = useState<string[]>(o?.tags.map((tag) => tag.key) ?? []);
  const [names, setNames] = useState<NameRow[]>(
    o
      ? o.names.map((n) => ({ kind: n.kind, lang: n.lang, script: n.script, value: n.value, validTo: n.validTo }))
      : [
          { kind: "official", lang: "zh", script: null, value: "", validTo: null },
          { kind: "official", lang: "en", script: null, value: "", validTo: null },
          { kind: "abbreviation", lang: "en", script: null, value: "", validTo: null },
        ],
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) =>
      o
        ? api<OrganisationDetail>(`/organisations/${o.id}`, { method: "PATCH", body })
        : api<OrganisationDetail>("/organisations", { method: "POST", body }),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ["organisations"] });
      client.setQueryData(["organisation", saved.id], saved);
      void client.invalidateQueries({ queryKey: ["organisation", saved.id, "history"] });
      navigate(`/organisations/${saved.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(serverFieldErrors(error.fields, t));
    },
  });
  const setName = (i: number, change: Partial<NameRow>) => setNames(names.map((n, j) => (j === i ? { ...n, ...change } : n)));
  const languageOptions = [...new Set([...commonLanguages, ...names.map((n) => n.lang)])].map((tag) => ({
    value: tag,
    label: format.language(tag, t("org.languageUnknown")),
  }));
  const scriptOptions = [
    { value: "", label: t("orgForm.scriptAuto") },
    ...[...new Set([...scripts, ...names.map((n) => n.script).filter((s): s is string => Boolean(s))])].map((code) => ({
      value: code,
      label: format.script(code, code),
    })),
  ];
  // Historical countries (the GDR, Yugoslavia) stay choosable for the parties that belonged to them.
  const countryOptions =
    countryCode && !reference.countries.some((c) => c.value === countryCode)
      ? [{ value: countryCode, label: reference.countryName(countryCode) }, ...reference.countries]
      : reference.countries;
  function submit(event: React.FormEvent) {
    event.preventDefault();
    const year = (v: number | string) => (v === "" ? null : Number(v));
    const body = {
      kind,
      countryCode: countryCode || null,
      names: names
        .filter((n) => n.value.trim())
        .map((n) => ({ kind: n.kind, lang: n.lang, script: n.script || null, value: n.value.trim(), validTo: n.validTo })),
      foundedYear: year(foundedYear),
      dissolvedYear: year(dissolvedYear),
      website: website.trim() || null,
      description: description.trim() || null,
      family: family || null,
      wikidataId: wikidataId.trim() || null,
      tags,
    };
    const checked = validate(o ? organisationUpdateInput : organisationCreateInput, body, t);
    setErrors(checked.errors);
    if (checked.data) save.mutate(body);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={900}>
        <Title order={2}>{o ? t("orgForm.editTitle", { name: format.name(o.name) }) : t("orgForm.title")}</Title>
        {save.error ? (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        ) : null}
        <Group grow align="flex-start">
          <Select
            label={t("registry.kind")}
            data={vocabulary.options("organisationKinds")}
            value={kind}
            onChange={setKind}
            error={errors.kind}
            required
          />
          <Select
            label={t("registry.country")}
            data={countryOptions}
            value={countryCode}
            onChange={setCountryCode}
            searchable
            clearable
            error={errors.countryCode}
          />
          <Select
            label={t("registry.family")}
            data={vocabulary.options("families")}
            value={family}
            onChange={setFamily}
            clearable
            error={errors.family}
          />
        </Group>
        <Group grow align="flex-start">
          <NumberInput
            label={t("orgForm.founded")}
            value={foundedYear}
            onChange={setFoundedYear}
            min={1000}
            max={2200}
            error={errors.foundedYear}
          />
          <NumberInput
            label={t("orgForm.dissolved")}
            value={dissolvedYear}
            onChange={setDissolvedYear}
            min={1000}
            max={2200}
            error={errors.dissolvedYear}
          />
          <TextInput
            label={t("orgForm.wikidata")}
            value={wikidataId}
            onChange={(e) => setWikidataId(e.currentTarget.value)}
            placeholder="Q12345"
            error={errors.wikidataId}
          />
        </Group>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t("org.names")}
          </Title>
          {errors.names ? (
            <Text c="red" size="sm" role="alert">
              {errors.names}
            </Text>
          ) : null}
          <Stack gap="xs">
            {names.map((n, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
              <Group key={i} align="flex-start" wrap="nowrap" data-testid="name-row">
                <TextInput
                  label={
                    !o && i < 3 ? t(["orgForm.nameZh", "orgForm.nameEn", "orgForm.abbreviation"][i] as string) : `${t("org.name")} ${i + 1}`
                  }
                  value={n.value}
                  onChange={(e) => setName(i, { value: e.currentTarget.value })}
                  error={errors[`names.${i}.value`]}
                  style={{ flex: 1 }}
                  lang={n.lang === "und" ? undefined : n.lang}
                />
                <Select
                  label={t("org.nameKind")}
                  data={vocabulary.options("nameKinds")}
                  value={n.kind}
                  onChange={(v) => setName(i, { kind: v ?? "official" })}
                  w={130}
                  allowDeselect={false}
                />
                <Select
                  label={t("org.language")}
                  data={languageOptions}
                  value={n.lang}
                  onChange={(v) => setName(i, { lang: v ?? "und" })}
                  w={140}
                  allowDeselect={false}
                  searchable
                  error={errors[`names.${i}.lang`]}
                />
                <Select
                  label={t("org.script")}
                  data={scriptOptions}
                  value={n.script ?? ""}
                  onChange={(v) => setName(i, { script: v || null })}
                  w={140}
                  allowDeselect={false}
                  searchable
                />
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  mt={28}
                  aria-label={t("orgForm.removeName")}
                  onClick={() => setNames(names.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
          </Stack>
          <Button
            variant="subtle"
            size="xs"
            mt="xs"
            onClick={() => setNames([...names, { kind: "official", lang: "und", script: null, value: "", validTo: null }])}
          >
            {t("orgForm.addName")}
          </Button>
        </Card>
        <MultiSelect label={t("registry.tag")} data={reference.tags} value={tags} onChange={setTags} searchable clearable />
        <TextInput
          label={t("orgForm.website")}
          value={website}
          onChange={(e) => setWebsite(e.currentTarget.value)}
          error={errors.website}
          placeholder="https://"
        />
        <Textarea
          label={t("orgForm.description")}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          autosize
          minRows={3}
          error={errors.description}
        />
        <FormActions saving={save.isPending} />
      </Stack>
    </form>
  );
}
