import { Anchor, Badge, Button, Group, SegmentedControl, Select, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import type { GiftOutput } from "../../core/gifts/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useFormat } from "../shared/format.ts";
import { NoAccess, QueryState } from "../shared/states.tsx";
import { UnitFilter } from "../shared/UnitFilter.tsx";
import { giftLine } from "./GiftsCard.tsx";

const yearsBack = 12;

/**
 * The gifts register (礼品登记簿): every gift given or received at the engagements of the units
 * the reader keeps, by year, unit and direction, latest first, and the same as an Excel sheet.
 */
export function GiftRegister() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const thisYear = new Date().getFullYear();
  const year = params.get("year") ?? String(thisYear);
  const unitId = params.get("unitId") ?? "";
  const given = params.get("given") ?? "";
  const filter = {
    unitId,
    given,
    ...(year === "all" ? {} : { from: `${year}-01-01`, to: `${year}-12-31` }),
  };
  const gifts = useQuery({
    queryKey: ["gifts", "register", filter],
    enabled: can("write"),
    queryFn: () => api<GiftOutput[]>(`/gifts${query(filter)}`),
    placeholderData: keepPreviousData,
  });
  if (!can("write")) return <NoAccess />;
  const setParam = (changes: Record<string, string>) =>
    setParams((p) => {
      for (const [k, v] of Object.entries(changes)) v ? p.set(k, v) : p.delete(k);
      return p;
    });
  const items = gifts.data ?? [];
  const exportHref = `/api/gifts/xlsx${query({ ...filter, locale: i18n.language.startsWith("zh") ? "zh-CN" : "en" })}`;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t("gifts.register")}</Title>
        <Button component="a" href={exportHref} variant="light" size="sm" data-testid="gifts-export">
          {t("gifts.export")}
        </Button>
      </Group>
      <Text c="dimmed" size="sm">
        {t("gifts.intro")}
      </Text>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Select
          size="xs"
          label={t("gifts.year")}
          data={[
            { value: "all", label: t("gifts.allYears") },
            ...Array.from({ length: yearsBack }, (_, i) => String(thisYear + 1 - i)).map((y) => ({
              value: y,
              label: t("gifts.yearLabel", { year: y }),
            })),
          ]}
          value={year}
          onChange={(v) => setParam({ year: v ?? String(thisYear) })}
          w={140}
        />
        <UnitFilter value={unitId} onChange={(v) => setParam({ unitId: v })} />
        <SegmentedControl
          size="xs"
          value={given || "all"}
          onChange={(v) => setParam({ given: v === "all" ? "" : v })}
          data={[
            { value: "all", label: t("gifts.both") },
            { value: "true", label: t("engagement.giftGiven") },
            { value: "false", label: t("engagement.giftReceived") },
          ]}
          aria-label={t("gifts.direction")}
        />
      </Group>
      <QueryState isLoading={gifts.isLoading} error={gifts.error} isEmpty={gifts.data?.length === 0} />
      {items.length ? (
        <>
          <Text size="sm" c="dimmed" data-testid="gifts-count">
            {t("gifts.count", {
              count: items.length,
              given: items.filter((g) => g.given).length,
              received: items.filter((g) => !g.given).length,
            })}
          </Text>
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="gift-register">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("gifts.date")}</Table.Th>
                  <Table.Th>{t("gifts.direction")}</Table.Th>
                  <Table.Th>{t("gifts.description")}</Table.Th>
                  <Table.Th>{t("gifts.details")}</Table.Th>
                  <Table.Th>{t("gifts.engagement")}</Table.Th>
                  <Table.Th>{t("calendar.unit")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((g) => (
                  <Table.Tr key={g.id}>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{format.date(g.giftDate)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={g.given ? "blue" : "teal"}>
                        {g.given ? t("engagement.giftGiven") : t("engagement.giftReceived")}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{g.description}</Table.Td>
                    <Table.Td c="dimmed">
                      <Text size="sm">{giftLine(g, t)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/engagements/${g.engagement.id}`} size="sm">
                        {format.name(g.engagement.title)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{format.name(g.unit.name)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      ) : null}
    </Stack>
  );
}
