import { Anchor, Box, Button, Group, SegmentedControl, Select, Stack, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import type { Page } from "../../core/shared/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { OrganisationSelect } from "../shared/OrganisationSelect.tsx";
import { QueryState } from "../shared/states.tsx";
import { UnitFilter } from "../shared/UnitFilter.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";
import { CalendarFeeds } from "./CalendarFeeds.tsx";

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
const dayMs = 86_400_000;
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / dayMs);
/** Bars a week shows before "+n more". */
const lanesShown = 4;

interface Bar {
  engagement: EngagementListItem;
  /** Columns 0–6 within the week. */
  from: number;
  to: number;
  lane: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/** A week's engagements as bars: each spans its days in the week, stacked in the first free lane. */
function barsOfWeek(items: EngagementListItem[], weekStart: string): Bar[] {
  const weekEnd = iso(new Date(Date.parse(weekStart) + 6 * dayMs));
  const inWeek = items
    .filter((e) => e.startDate <= weekEnd && e.endDate >= weekStart)
    .sort((a, b) => a.startDate.localeCompare(b.startDate) || daysBetween(b.startDate, b.endDate) - daysBetween(a.startDate, a.endDate));
  const lanes: number[][] = [];
  return inWeek.map((engagement) => {
    const from = Math.max(0, daysBetween(weekStart, engagement.startDate));
    const to = Math.min(6, daysBetween(weekStart, engagement.endDate));
    let lane = lanes.findIndex((taken) => taken.every((c) => c < from || c > to));
    if (lane === -1) lane = lanes.push([]) - 1;
    for (let c = from; c <= to; c++) lanes[lane]?.push(c);
    return {
      engagement,
      from,
      to,
      lane,
      continuesBefore: engagement.startDate < weekStart,
      continuesAfter: engagement.endDate > weekEnd,
    };
  });
}

/**
 * Engagements by month: a month grid where a visit of several days spans them, or an agenda that
 * lists each day's work (a day of a longer visit says which); filtered by unit and type; the month
 * and filters in the URL.
 */
export function CalendarPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const phone = useMediaQuery("(max-width: 35.99em)") ?? false;
  const [feedsOpen, setFeedsOpen] = useState(false);
  const [params, setParams] = useSearchParams();
  const month = /^\d{4}-\d{2}$/.test(params.get("month") ?? "") ? (params.get("month") as string) : new Date().toISOString().slice(0, 7);
  const view = params.get("view") === "agenda" || (phone && params.get("view") !== "month") ? "agenda" : "month";
  const unitId = params.get("unitId") ?? "";
  const type = params.get("type") ?? "";
  const organisationId = params.get("organisationId") ?? "";
  const first = new Date(`${month}-01T00:00:00Z`);
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  // Weeks start on Monday; the grid runs from the Monday on or before the 1st to the Sunday on or after the last day.
  const start = new Date(first);
  start.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
  const weeks = Math.ceil((((first.getUTCDay() + 6) % 7) + last.getUTCDate()) / 7);
  const gridEnd = iso(new Date(start.getTime() + (weeks * 7 - 1) * dayMs));
  const list = useQuery({
    queryKey: ["calendar", month, unitId, type, organisationId],
    queryFn: () =>
      api<Page<EngagementListItem>>(
        `/engagements${query({ endFrom: iso(start), to: gridEnd, unitId, type, organisationId, sort: "date", pageSize: 200 })}`,
      ),
  });
  const setParam = (change: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const shift = (months: number) =>
    setParam({ month: iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + months, 1))).slice(0, 7) });
  const locale = i18n.language.startsWith("zh") ? "zh-CN" : "en-GB";
  const monthTitle = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: "UTC" }).format(first);
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" });
  const items = list.data?.items ?? [];
  const weekStarts = Array.from({ length: weeks }, (_, w) => iso(new Date(start.getTime() + w * 7 * dayMs)));
  // The agenda: every day of the month on which something is under way.
  const agenda = Array.from({ length: last.getUTCDate() }, (_, i) => iso(new Date(first.getTime() + i * dayMs)))
    .map((day) => ({ day, items: items.filter((e) => e.startDate <= day && e.endDate >= day) }))
    .filter((d) => d.items.length > 0);
  return (
    <Stack>
      <Group justify="space-between" gap="xs">
        <Group gap="xs">
          <Title order={2}>{monthTitle}</Title>
          <Button variant="default" size="xs" onClick={() => shift(-1)} aria-label={t("calendar.previous")}>
            ‹
          </Button>
          <Button variant="default" size="xs" onClick={() => shift(1)} aria-label={t("calendar.next")}>
            ›
          </Button>
          <Button variant="subtle" size="xs" onClick={() => setParam({ month: "" })}>
            {t("calendar.today")}
          </Button>
          <Button variant="light" size="xs" onClick={() => setFeedsOpen(true)} data-testid="subscribe">
            {t("feeds.subscribe")}
          </Button>
        </Group>
        <SegmentedControl
          value={view}
          onChange={(v) => setParam({ view: v })}
          data={[
            { value: "month", label: t("calendar.month") },
            { value: "agenda", label: t("calendar.agenda") },
          ]}
        />
      </Group>
      <Group gap="xs" align="flex-end">
        <UnitFilter value={unitId} onChange={(v) => setParam({ unitId: v })} />
        <Select
          size="xs"
          label={t("calendar.type")}
          placeholder={t("calendar.allTypes")}
          data={vocabulary.options("engagementTypes")}
          value={type || null}
          onChange={(v) => setParam({ type: v ?? "" })}
          clearable
          w={160}
        />
        <div style={{ width: 240 }}>
          <OrganisationSelect
            label={t("calendar.partner")}
            value={organisationId ? Number(organisationId) : null}
            onChange={(id) => setParam({ organisationId: id ? String(id) : "" })}
          />
        </div>
      </Group>
      <QueryState isLoading={list.isLoading} error={list.error} isEmpty={view === "agenda" && agenda.length === 0} />
      {view === "month" && list.data ? (
        <Box data-testid="month-grid">
          <Box style={{ display: "grid", gridTemplateColumns: "repeat(7, minmax(0, 1fr))", gap: 2 }}>
            {Array.from({ length: 7 }, (_, c) => weekday.format(new Date(start.getTime() + c * dayMs))).map((name) => (
              <Text key={name} size="xs" fw={600} c="dimmed" ta="center">
                {name}
              </Text>
            ))}
          </Box>
          {weekStarts.map((weekStart) => {
            const bars = barsOfWeek(items, weekStart);
            const hidden = (c: number) => bars.filter((b) => b.lane >= lanesShown && b.from <= c && b.to >= c).length;
            return (
              <Box
                key={weekStart}
                mt={2}
                style={{
                  display: "grid",
                  gridTemplateColumns: "repeat(7, minmax(0, 1fr))",
                  gridAutoRows: "minmax(20px, auto)",
                  position: "relative",
                }}
              >
                {Array.from({ length: 7 }, (_, c) => {
                  const d = new Date(Date.parse(weekStart) + c * dayMs);
                  const inMonth = d.getUTCMonth() === first.getUTCMonth();
                  return (
                    <Box
                      key={iso(d)}
                      bg={inMonth ? "white" : "gray.0"}
                      style={{
                        gridColumn: c + 1,
                        gridRow: `1 / span ${lanesShown + 2}`,
                        border: "1px solid var(--mantine-color-gray-3)",
                        borderRadius: 4,
                        minHeight: 110,
                        margin: 1,
                      }}
                    >
                      <Text size="xs" px={4} c={inMonth ? undefined : "dimmed"}>
                        {d.getUTCDate()}
                      </Text>
                      {hidden(c) ? (
                        <Text size="xs" c="dimmed" px={4} style={{ position: "absolute", bottom: 2 }}>
                          {t("calendar.more", { count: hidden(c) })}
                        </Text>
                      ) : null}
                    </Box>
                  );
                })}
                {bars
                  .filter((b) => b.lane < lanesShown)
                  .map((b) => {
                    const colour = typeColour[b.engagement.type] ?? "gray";
                    return (
                      <Anchor
                        key={`${b.engagement.id}-${weekStart}`}
                        component={Link}
                        to={`/engagements/${b.engagement.id}`}
                        size="xs"
                        truncate
                        data-testid="calendar-bar"
                        data-span={b.to - b.from + 1}
                        title={`${format.name(b.engagement.title)} · ${format.date(b.engagement.startDate)}${b.engagement.endDate !== b.engagement.startDate ? ` – ${format.date(b.engagement.endDate)}` : ""}`}
                        style={{
                          gridColumn: `${b.from + 1} / ${b.to + 2}`,
                          gridRow: b.lane + 2,
                          zIndex: 1,
                          margin: "1px 3px",
                          padding: "0 4px",
                          borderRadius: 3,
                          background: `var(--mantine-color-${colour}-1)`,
                          color: `var(--mantine-color-${colour}-9)`,
                          borderLeft: b.continuesBefore ? "none" : `3px solid var(--mantine-color-${colour}-6)`,
                          textDecoration: b.engagement.status === "cancelled" ? "line-through" : undefined,
                          lineHeight: "18px",
                        }}
                      >
                        {b.continuesBefore ? "… " : ""}
                        {format.name(b.engagement.title)}
                        {b.continuesAfter ? " …" : ""}
                      </Anchor>
                    );
                  })}
              </Box>
            );
          })}
        </Box>
      ) : null}
      {view === "agenda" && list.data
        ? agenda.map(({ day, items: onDay }) => (
            <div key={day} data-testid="agenda-day">
              <Text fw={600}>{format.date(day)}</Text>
              {onDay.map((e) => {
                const length = daysBetween(e.startDate, e.endDate) + 1;
                return (
                  <Group key={e.id} gap={6} ml="md" wrap="nowrap">
                    <Box w={8} h={8} style={{ borderRadius: 4, flexShrink: 0 }} bg={`${typeColour[e.type] ?? "gray"}.6`} />
                    <Anchor component={Link} to={`/engagements/${e.id}`} size="sm">
                      {format.name(e.title)}
                    </Anchor>
                    {length > 1 ? (
                      <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                        {t("calendar.dayOf", { n: daysBetween(e.startDate, day) + 1, count: length })}
                      </Text>
                    ) : null}
                  </Group>
                );
              })}
            </div>
          ))
        : null}
      <CalendarFeeds opened={feedsOpen} onClose={() => setFeedsOpen(false)} />
    </Stack>
  );
}
