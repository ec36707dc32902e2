import { Alert, Group, NumberInput, Select, Stack, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import type { OrganisationListItem } from "../../core/organisations/schema.ts";
import { type PersonDetail, personCreateInput, personUpdateInput } from "../../core/people/schema.ts";
import { ApiError, api } from "../api.ts";
import { FormActions } from "../shared/FormActions.tsx";
import { useFormat } from "../shared/format.ts";
import { OrganisationSelect } from "../shared/OrganisationSelect.tsx";
import { useReference } from "../shared/reference.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
import { type FieldErrors, serverFieldErrors, validate } from "../shared/validation.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

/** A person's page form, new or changed. */
export function PersonFormPage() {
  const params = useParams();
  const navigate = useNavigate();
  const id = params.id ? Number(params.id) : null;
  const existing = useQuery({ queryKey: ["person", id], enabled: id !== null, queryFn: () => api<PersonDetail>(`/people/${id}`) });
  if (id !== null && !existing.data) return <QueryState isLoading={existing.isLoading} error={existing.error} />;
  return (
    <PersonForm
      key={id ?? "new"}
      person={existing.data ?? null}
      onSaved={(p) => navigate(`/people/${p.id}`)}
      onCancel={() => navigate(-1)}
      withPosition={id === null}
    />
  );
}

/**
 * A person's names in Chinese, English (whole, or family and given) and their own script,
 * gender, country, birth year and biography — and, for someone new, the position they hold
 * (the organisation and the title in both languages). Used as a page and inline, from the
 * engagement form, for a delegation member who is not yet in the registry.
 */
export function PersonForm({
  person,
  onSaved,
  onCancel,
  withPosition = false,
  initialName = "",
  initialOrganisation = null,
}: {
  person: PersonDetail | null;
  onSaved(person: PersonDetail): void;
  onCancel(): void;
  withPosition?: boolean;
  initialName?: string;
  initialOrganisation?: OrganisationListItem | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const p = person;
  const looksChinese = /\p{Script=Han}/u.test(initialName);
  const [nameZh, setNameZh] = useState(p?.name.zh ?? (looksChinese ? initialName : ""));
  const [nameEn, setNameEn] = useState(p?.name.en ?? (looksChinese ? "" : initialName));
  const [familyNameEn, setFamilyNameEn] = useState(p?.familyNameEn ?? "");
  const [givenNameEn, setGivenNameEn] = useState(p?.givenNameEn ?? "");
  const [nameNative, setNameNative] = useState(p?.nameNative ?? "");
  const [nativeLang, setNativeLang] = useState(p?.nativeLang ?? "");
  const [aliases, setAliases] = useState((p?.aliases ?? []).join("\n"));
  const [gender, setGender] = useState<string | null>(p?.gender ?? "unknown");
  const [birthYear, setBirthYear] = useState<number | string>(p?.birthYear ?? "");
  const [countryCode, setCountryCode] = useState<string | null>(p?.country?.code ?? initialOrganisation?.country?.code ?? null);
  const [biography, setBiography] = useState(p?.biography ?? "");
  const [organisationId, setOrganisationId] = useState<number | null>(initialOrganisation?.id ?? null);
  const [titleEn, setTitleEn] = useState("");
  const [titleZh, setTitleZh] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const saved = p
        ? await api<PersonDetail>(`/people/${p.id}`, { method: "PATCH", body })
        : await api<PersonDetail>("/people", { method: "POST", body });
      if (withPosition && organisationId && titleEn.trim()) {
        return api<PersonDetail>(`/people/${saved.id}/positions`, {
          method: "POST",
          body: { organisationId, titleEn: titleEn.trim(), titleZh: titleZh.trim() || null },
        });
      }
      return saved;
    },
    onSuccess: (saved) => {
      client.setQueryData(["person", saved.id], saved);
      void client.invalidateQueries({ queryKey: ["people"] });
      void client.invalidateQueries({ queryKey: ["person", saved.id, "history"] });
      onSaved(saved);
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(serverFieldErrors(error.fields, t));
    },
  });
  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = {
      nameEn: nameEn.trim() || undefined,
      familyNameEn: familyNameEn.trim() || null,
      givenNameEn: givenNameEn.trim() || null,
      nameZh: nameZh.trim() || null,
      nameNative: nameNative.trim() || null,
      nativeLang: nativeLang.trim() || null,
      aliases: aliases
        .split("\n")
        .map((a) => a.trim())
        .filter(Boolean),
      gender: gender ?? "unknown",
      birthYear: birthYear === "" ? null : Number(birthYear),
      countryCode: countryCode || null,
      biography: biography.trim() || null,
    };
    const checked = validate(p ? personUpdateInput : personCreateInput, body, t);
    const positionErrors: FieldErrors = withPosition && organisationId && !titleEn.trim() ? { titleEn: t("validation.required") } : {};
    setErrors({ ...checked.errors, ...positionErrors });
    if (checked.data && Object.keys(positionErrors).length === 0) save.mutate(body);
  }
  return (
    <form
      onSubmit={(e) => {
        // Inline in another form (the engagement's), this form's submit is its own.
        e.stopPropagation();
        submit(e);
      }}
      noValidate
      data-testid="person-form"
    >
      <Stack maw={820}>
        <Title order={withPosition && !p ? 3 : 2}>
          {p ? t("personForm.editTitle", { name: format.name(p.name) }) : t("personForm.title")}
        </Title>
        {save.error ? (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        ) : null}
        <Group grow align="flex-start">
          <TextInput
            label={t("personForm.nameZh")}
            value={nameZh}
            onChange={(e) => setNameZh(e.currentTarget.value)}
            error={errors.nameZh}
          />
          <TextInput
            label={t("personForm.nameEn")}
            value={nameEn}
            onChange={(e) => setNameEn(e.currentTarget.value)}
            error={errors.nameEn}
          />
        </Group>
        <Group grow align="flex-start">
          <TextInput
            label={t("personForm.familyName")}
            value={familyNameEn}
            onChange={(e) => setFamilyNameEn(e.currentTarget.value)}
            error={errors.familyNameEn}
          />
          <TextInput
            label={t("personForm.givenName")}
            value={givenNameEn}
            onChange={(e) => setGivenNameEn(e.currentTarget.value)}
            error={errors.givenNameEn}
          />
        </Group>
        <Group grow align="flex-start">
          <TextInput
            label={t("personForm.nameNative")}
            value={nameNative}
            onChange={(e) => setNameNative(e.currentTarget.value)}
            error={errors.nameNative}
          />
          <TextInput
            label={t("personForm.nativeLang")}
            description={nativeLang ? format.language(nativeLang, nativeLang) : t("personForm.nativeLangHint")}
            value={nativeLang}
            onChange={(e) => setNativeLang(e.currentTarget.value)}
            error={errors.nativeLang}
          />
        </Group>
        <Group grow align="flex-start">
          <Select
            label={t("personForm.gender")}
            data={vocabulary.options("genders")}
            value={gender}
            onChange={setGender}
            allowDeselect={false}
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
            label={t("personForm.birthYear")}
            value={birthYear}
            onChange={setBirthYear}
            min={1000}
            max={2200}
            error={errors.birthYear}
          />
        </Group>
        {withPosition && !p ? (
          <Group grow align="flex-start">
            <OrganisationSelect
              label={t("personForm.organisation")}
              value={organisationId}
              onChange={(v) => setOrganisationId(v)}
              initialLabel={initialOrganisation ? format.name(initialOrganisation.name) : undefined}
            />
            <TextInput
              label={t("personForm.titleEn")}
              value={titleEn}
              onChange={(e) => setTitleEn(e.currentTarget.value)}
              error={errors.titleEn}
            />
            <TextInput label={t("personForm.titleZh")} value={titleZh} onChange={(e) => setTitleZh(e.currentTarget.value)} />
          </Group>
        ) : null}
        <Textarea
          label={t("personForm.aliases")}
          description={t("personForm.aliasesHint")}
          value={aliases}
          onChange={(e) => setAliases(e.currentTarget.value)}
          autosize
          minRows={1}
        />
        <Textarea
          label={t("personForm.biography")}
          value={biography}
          onChange={(e) => setBiography(e.currentTarget.value)}
          autosize
          minRows={2}
          error={errors.biography}
        />
        <FormActions saving={save.isPending} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
