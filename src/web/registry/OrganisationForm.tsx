import { ActionIcon, Alert, Button, Card, Group, NumberInput, Select, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { type OrganisationDetail, organisationCreateInput } from "../../core/organisations/schema.ts";
import { ApiError, api } from "../api.ts";
import { FormActions } from "../shared/FormActions.tsx";
import { useReference } from "../shared/reference.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { type FieldErrors, serverFieldErrors, validate } from "../shared/validation.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

interface NameRow {
  kind: string;
  lang: string;
  value: string;
}

const languages = [
  { value: "zh", label: "中文 zh" },
  { value: "en", label: "English en" },
  { value: "fr", label: "Français fr" },
  { value: "es", label: "Español es" },
  { value: "ru", label: "Русский ru" },
  { value: "ar", label: "العربية ar" },
  { value: "pt", label: "Português pt" },
  { value: "de", label: "Deutsch de" },
  { value: "und", label: "? und" },
];

/** A new organisation: its names in every language (Chinese and English first), kind, country, years. */
export function OrganisationForm() {
  const { t } = useTranslation();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [kind, setKind] = useState<string | null>("political_party");
  const [countryCode, setCountryCode] = useState<string | null>(null);
  const [foundedYear, setFoundedYear] = useState<number | string>("");
  const [website, setWebsite] = useState("");
  const [description, setDescription] = useState("");
  const [names, setNames] = useState<NameRow[]>([
    { kind: "official", lang: "zh", value: "" },
    { kind: "official", lang: "en", value: "" },
    { kind: "abbreviation", lang: "en", value: "" },
  ]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) => api<OrganisationDetail>("/organisations", { method: "POST", body }),
    onSuccess: (org) => {
      void client.invalidateQueries({ queryKey: ["organisations"] });
      navigate(`/organisations/${org.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(serverFieldErrors(error.fields, t));
    },
  });
  const setName = (i: number, change: Partial<NameRow>) => setNames(names.map((n, j) => (j === i ? { ...n, ...change } : n)));
  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = {
      kind,
      countryCode: countryCode || null,
      names: names.filter((n) => n.value.trim()).map((n) => ({ ...n, value: n.value.trim() })),
      foundedYear: foundedYear === "" ? null : Number(foundedYear),
      website: website.trim() || null,
      description: description.trim() || null,
    };
    const checked = validate(organisationCreateInput, body, t);
    setErrors(checked.errors);
    if (checked.data) save.mutate(body);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={820}>
        <Title order={2}>{t("orgForm.title")}</Title>
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
            data={reference.countries}
            value={countryCode}
            onChange={setCountryCode}
            searchable
            clearable
            error={errors.countryCode}
          />
          <NumberInput
            label={t("orgForm.founded")}
            value={foundedYear}
            onChange={setFoundedYear}
            min={1000}
            max={2200}
            error={errors.foundedYear}
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
              <Group key={i} align="flex-start" wrap="nowrap">
                <TextInput
                  label={i < 3 ? t(["orgForm.nameZh", "orgForm.nameEn", "orgForm.abbreviation"][i] as string) : t("org.name")}
                  value={n.value}
                  onChange={(e) => setName(i, { value: e.currentTarget.value })}
                  error={errors[`names.${i}.value`]}
                  style={{ flex: 1 }}
                />
                <Select
                  label={t("org.nameKind")}
                  data={vocabulary.options("nameKinds")}
                  value={n.kind}
                  onChange={(v) => setName(i, { kind: v ?? "official" })}
                  w={150}
                  allowDeselect={false}
                />
                <Select
                  label={t("org.language")}
                  data={languages}
                  value={n.lang}
                  onChange={(v) => setName(i, { lang: v ?? "und" })}
                  w={150}
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
          <Button variant="subtle" size="xs" mt="xs" onClick={() => setNames([...names, { kind: "official", lang: "und", value: "" }])}>
            {t("orgForm.addName")}
          </Button>
        </Card>
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
