import { ActionIcon, Card, Group, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/**
 * A card of facts about a record (statuses, relations, congresses, contact details…): each
 * on its line, removable in place when the reader may change it, and beneath them the form
 * that adds one (`children`).
 */
export function FactsCard<T extends { id: number }>({
  title,
  items,
  line,
  removeLabel,
  onRemove,
  canChange,
  children,
}: {
  title: string;
  items: readonly T[];
  /** What one fact says. */
  line: (item: T) => ReactNode;
  /** The remove button's label, for those who cannot see the ×. */
  removeLabel: string;
  onRemove: (id: number) => void;
  canChange: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {title}
      </Title>
      {items.length === 0 ? <Text c="dimmed">{t("common.empty")}</Text> : null}
      {items.map((item) => (
        <Group key={item.id} gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm">{line(item)}</Text>
          {canChange ? (
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label={removeLabel} onClick={() => onRemove(item.id)}>
              ×
            </ActionIcon>
          ) : null}
        </Group>
      ))}
      {canChange ? children : null}
    </Card>
  );
}
