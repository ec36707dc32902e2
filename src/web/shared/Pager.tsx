import { Group, Pagination, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "./format.ts";

/** Page links under a server-paginated list, with the total ("1,000+" when the count stopped). */
export function Pager({
  page,
  pageSize,
  total,
  totalExact,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  totalExact: boolean;
  onPage(page: number): void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" c="dimmed" data-testid="list-total">
        {t("common.total", { count: total, total: `${format.number(total)}${totalExact ? "" : "+"}` })}
      </Text>
      {pages > 1 ? (
        <Pagination
          size="sm"
          value={page}
          total={pages}
          onChange={onPage}
          getControlProps={(control) => ({ "aria-label": t(`common.page.${control}`) })}
        />
      ) : null}
    </Group>
  );
}
