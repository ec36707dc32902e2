import { Anchor, Badge, Card, Group, SegmentedControl, Select, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { PartnerHealth } from "../../core/engagements/health.ts";
import { api, query } from "../api.ts";
import { useFormat } from "../shared/format.ts";
import { useReference } from "../shared/reference.ts";
import { QueryState } from "../shared/states.tsx";
import { useVocabulary } from "../shared/vocabulary.ts";

const signalColour: Record<string, string> = { overdue: "red", below_expectation: "orange", one_sided: "grape", anniversary: "teal" };

/** Relationship health and each unit's worklist of partners needing attention; the rules are stated on the screen. */
export function HealthPanel({ unitId, onUnit }: { unitId: string; onUnit: (unitId: string | null) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  const reference = useReference();
  const [attention, setAttention] = useState("true");
  // Judged from today, or from another day: what is overdue then, what is coming when we visit.
  const [on, setOn] = useState("");
  const health = useQuery({
    queryKey: ["health", unitId, attention, on],
    queryFn: () => api<PartnerHealth[]>(`/partners/health${query({ unitId, attention, limit: 50, on: on || undefined })}`),
  });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs" align="flex-end">
        <Select
          label={t("engagements.unit")}
          data={reference.units}
          value={unitId || null}
          onChange={onUnit}
          clearable
          searchable
          w={240}
          size="sm"
        />
        <TextInput
          type="date"
          label={t("insight.judgedOn")}
          value={on}
          onChange={(e) => setOn(e.currentTarget.value)}
          w={170}
          size="sm"
          mr="auto"
        />
        <SegmentedControl
          value={attention}
          onChange={setAttention}
          data={[
            { value: "true", label: t("insight.worklist") },
            { value: "false", label: t("insight.allPartners") },
          ]}
        />
      </Group>
      <Text size="xs" c="dimmed" mb="sm">
        {t("insight.healthHow")}
      </Text>
      <QueryState isLoading={health.isLoading} error={health.error} isEmpty={health.data?.length === 0} />
      {health.data?.length ? (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("registry.name")}</Table.Th>
                <Table.Th>{t("registry.level")}</Table.Th>
                <Table.Th>{t("insight.lastContact")}</Table.Th>
                <Table.Th ta="right">{t("insight.frequency")}</Table.Th>
                <Table.Th>{t("insight.reciprocity")}</Table.Th>
                <Table.Th>{t("insight.signals")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {health.data.map((h) => (
                <Table.Tr key={h.organisation.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/organisations/${h.organisation.id}`} size="sm">
                      {format.name(h.organisation.name)}
                    </Anchor>{" "}
                    <Text span size="xs" c="dimmed">
                      {reference.countryName(h.organisation.country)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{vocabulary.label("relationshipLevels", h.level)}</Table.Td>
                  <Table.Td>
                    {h.lastContact
                      ? t("insight.daysAgo", { date: format.date(h.lastContact), days: format.number(h.daysSince ?? 0) })
                      : t("insight.never")}
                  </Table.Td>
                  <Table.Td ta="right">
                    {h.lastYear} / {h.expected}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{t("insight.reciprocityFigures", h.reciprocity)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {h.signals
                        .filter((s) => s !== "anniversary")
                        .map((s) => (
                          <Badge key={s} size="xs" color={signalColour[s]} variant="light">
                            {t(`insight.signal.${s}`)}
                          </Badge>
                        ))}
                      {h.occasions.map((o) => (
                        <Badge key={o.kind} size="xs" color={signalColour.anniversary} variant="light" tt="none">
                          {o.kind === "founding"
                            ? t("insight.occasion.founding", { years: o.years, year: o.year })
                            : o.kind === "congress"
                              ? t(o.ordinal ? "insight.occasion.congressNumbered" : "insight.occasion.congress", {
                                  ordinal: o.ordinal ? format.ordinal(o.ordinal) : "",
                                  date: format.date(o.date),
                                })
                              : t("insight.occasion.nationalDay", { date: format.date(o.date) })}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Card>
  );
}
