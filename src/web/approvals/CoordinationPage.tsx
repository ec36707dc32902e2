import { Anchor, NumberInput, Stack, Table, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { CoordinationAlert } from "../../core/engagements/schema.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { QueryState } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

/**
 * Every clash the reader may know of: a planned engagement and another unit's engagement with
 * the same partner close in time, with both units and dates; each side opens what it may.
 */
export function CoordinationPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const [windowDays, setWindowDays] = useState(90);
  const [days] = useDebouncedValue(windowDays, 400);
  const alerts = useQuery({
    queryKey: ["alerts", days],
    queryFn: () => api<CoordinationAlert[]>(`/alerts${query({ windowDays: days })}`),
    placeholderData: keepPreviousData,
  });
  const side = (s: { id: number | null; startDate: string; unit: { name: { en: string; zh: string } } }, status?: string) => (
    <>
      <Text size="sm">{format.name(s.unit.name)}</Text>
      <Text size="xs" c="dimmed">
        {format.date(s.startDate)}
        {status ? ` · ${vocabulary.label("engagementStatuses", status)}` : ""}
        {" · "}
        {s.id ? (
          <Anchor component={Link} to={`/engagements/${s.id}`} size="xs">
            {t("engagement.open")}
          </Anchor>
        ) : (
          t("coordination.notVisible")
        )}
      </Text>
    </>
  );
  return (
    <Stack>
      <Title order={2}>{t("coordination.title")}</Title>
      <Text c="dimmed" size="sm">
        {t("coordination.intro", { days })}
      </Text>
      <NumberInput
        label={t("coordination.window")}
        value={windowDays}
        onChange={(v) => setWindowDays(typeof v === "number" && v >= 1 && v <= 730 ? v : 90)}
        min={1}
        max={730}
        w={160}
      />
      <QueryState isLoading={alerts.isLoading} error={alerts.error} isEmpty={alerts.data?.length === 0} />
      {alerts.data?.length ? (
        <Table.ScrollContainer minWidth={640}>
          <Table striped data-testid="coordination">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("coordination.partner")}</Table.Th>
                <Table.Th>{t("coordination.planned")}</Table.Th>
                <Table.Th>{t("coordination.other")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.data.map((a) => (
                <Table.Tr
                  key={`${a.partner.id}-${a.planned.startDate}-${a.planned.unit.id}-${a.other.startDate}-${a.other.unit.id}-${a.planned.id}-${a.other.id}`}
                >
                  <Table.Td>
                    <Anchor component={Link} to={`/organisations/${a.partner.id}`} size="sm">
                      {format.name(a.partner.name)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{side(a.planned)}</Table.Td>
                  <Table.Td>{side(a.other, a.other.status)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}
