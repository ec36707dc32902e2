import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { SnapshotDetail, SnapshotOutput } from "../../core/reports/schema.ts";
import type { TemplateOutput } from "../../core/reports/templates.ts";
import { ApiError, api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useFormat } from "../shared/format.ts";
import { QueryState, useErrorMessage } from "../shared/states.tsx";
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

/** The narrative's sentence templates; administrators change them. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ["templates"], queryFn: () => api<TemplateOutput[]>("/reports/templates") });
  return (
    <Stack>
      <Title order={2}>{t("report.templates")}</Title>
      <Text size="sm" c="dimmed">
        {t("report.templatesHow")}
      </Text>
      <QueryState isLoading={list.isLoading} error={list.error} />
      {list.data?.map((tpl) => (
        <TemplateEditor key={tpl.key} template={tpl} editable={can("administer")} />
      ))}
    </Stack>
  );
}

function TemplateEditor({ template, editable }: { template: TemplateOutput; editable: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [zh, setZh] = useState(template.zh);
  const [en, setEn] = useState(template.en);
  const save = useMutation({
    mutationFn: (reset: boolean) =>
      reset
        ? api<TemplateOutput>(`/reports/templates/${template.key}`, { method: "DELETE" })
        : api<TemplateOutput>(`/reports/templates/${template.key}`, { method: "PUT", body: { zh, en } }),
    onSuccess: (next) => {
      setZh(next.zh);
      setEn(next.en);
      void client.invalidateQueries({ queryKey: ["templates"] });
      void client.invalidateQueries({ queryKey: ["report"] });
    },
  });
  const field = save.error instanceof ApiError ? save.error.fields[0]?.path : undefined;
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>
          {template.key} {template.edited ? <Badge size="xs">{t("report.edited")}</Badge> : null}
        </Text>
        <Text size="xs" c="dimmed">
          {[template.filter.type, template.filter.direction, template.filter.subtype].filter(Boolean).join(" · ")}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Textarea
          label="中文"
          value={zh}
          onChange={(e) => setZh(e.currentTarget.value)}
          readOnly={!editable}
          autosize
          error={field === "zh" ? errorMessage(save.error) : undefined}
        />
        <Textarea
          label="English"
          value={en}
          onChange={(e) => setEn(e.currentTarget.value)}
          readOnly={!editable}
          autosize
          error={field === "en" ? errorMessage(save.error) : undefined}
        />
      </SimpleGrid>
      {editable ? (
        <Group mt="xs" gap="xs">
          <Button size="xs" onClick={() => save.mutate(false)} loading={save.isPending}>
            {t("common.save")}
          </Button>
          {template.edited ? (
            <Button size="xs" variant="subtle" onClick={() => save.mutate(true)}>
              {t("report.reset")}
            </Button>
          ) : null}
        </Group>
      ) : null}
    </Card>
  );
}
