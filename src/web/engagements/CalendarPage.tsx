import { Anchor, Box, Button, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { QueryState } from "../shared/states.tsx";

const typeColour: Record<string, string> = {
  visit: "blue",
  talks: "teal",
  event: "grape",
  correspondence: "orange",
  statement: "gray",
  assistance: "red",
  training: "green",
};

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Engagements by month: a month grid or an agenda, the month in the URL. */
export function CalendarPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const month = /^\d{4}-\d{2}$/.test(params.get("month") ?? "") ? (params.get("month") as string) : new Date().toISOString().slice(0, 7);
  const view = params.get("view") === "agenda" ? "agenda" : "month";
  const first = new Date(`${month}-01T00:00:00Z`);
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  const list = useQuery({
    queryKey: ["calendar", month],
    queryFn: () => api<Page<EngagementListItem>>(`/engagements${query({ from: iso(first), to: iso(last), sort: "date", pageSize: 200 })}`),
  });
  const shift = (months: number) => {
    const d = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + months, 1));
    setParams({ month: iso(d).slice(0, 7), view });
  };
  const byDay = new Map<string, EngagementListItem[]>();
  for (const e of list.data?.items ?? []) byDay.set(e.startDate, [...(byDay.get(e.startDate) ?? []), e]);
  const monthTitle = new Intl.DateTimeFormat(i18n.language.startsWith("zh") ? "zh-CN" : "en-GB", {
    year: "numeric",
    month: "long",
    timeZone: "UTC",
  }).format(first);
  const weekday = new Intl.DateTimeFormat(i18n.language.startsWith("zh") ? "zh-CN" : "en-GB", { weekday: "short", timeZone: "UTC" });
  // Weeks start on Monday; the grid starts on the Monday on or before the 1st.
  const start = new Date(first);
  start.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
  const days = Array.from({ length: Math.ceil((((first.getUTCDay() + 6) % 7) + last.getUTCDate()) / 7) * 7 }, (_, i) => {
    const d = new Date(start);
    d.setUTCDate(start.getUTCDate() + i);
    return d;
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{monthTitle}</Title>
          <Button variant="default" size="xs" onClick={() => shift(-1)} aria-label={t("calendar.previous")}>
            ‹
          </Button>
          <Button variant="default" size="xs" onClick={() => shift(1)} aria-label={t("calendar.next")}>
            ›
          </Button>
          <Button variant="subtle" size="xs" onClick={() => setParams({ view })}>
            {t("calendar.today")}
          </Button>
        </Group>
        <SegmentedControl
          value={view}
          onChange={(v) => setParams({ month, view: v })}
          data={[
            { value: "month", label: t("calendar.month") },
            { value: "agenda", label: t("calendar.agenda") },
          ]}
        />
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={view === "agenda" && list.data?.items.length === 0} />
      {view === "month" && list.data ? (
        <SimpleGrid cols={7} spacing={2} verticalSpacing={2}>
          {days.slice(0, 7).map((d) => (
            <Text key={`h${iso(d)}`} size="xs" fw={600} c="dimmed" ta="center">
              {weekday.format(d)}
            </Text>
          ))}
          {days.map((d) => {
            const items = byDay.get(iso(d)) ?? [];
            const inMonth = d.getUTCMonth() === first.getUTCMonth();
            return (
              <Box
                key={iso(d)}
                p={4}
                mih={96}
                bg={inMonth ? "white" : "gray.0"}
                style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: 4 }}
              >
                <Text size="xs" c={inMonth ? undefined : "dimmed"}>
                  {d.getUTCDate()}
                </Text>
                {items.slice(0, 3).map((e) => (
                  <Anchor
                    key={e.id}
                    component={Link}
                    to={`/engagements/${e.id}`}
                    size="xs"
                    display="block"
                    truncate
                    c={`${typeColour[e.type] ?? "gray"}.8`}
                  >
                    {format.name(e.title)}
                  </Anchor>
                ))}
                {items.length > 3 ? (
                  <Text size="xs" c="dimmed">
                    {t("calendar.more", { count: items.length - 3 })}
                  </Text>
                ) : null}
              </Box>
            );
          })}
        </SimpleGrid>
      ) : null}
      {view === "agenda" && list.data
        ? [...byDay.entries()].map(([day, items]) => (
            <div key={day}>
              <Text fw={600}>{format.date(day)}</Text>
              {items.map((e) => (
                <Anchor key={e.id} component={Link} to={`/engagements/${e.id}`} size="sm" display="block" ml="md">
                  {format.name(e.title)}
                </Anchor>
              ))}
            </div>
          ))
        : null}
    </Stack>
  );
}
