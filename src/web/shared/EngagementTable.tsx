import { Anchor, Table } from "@mantine/core";
import { Link } from "react-router";
import type { EngagementListItem } from "../../core/engagements/schema.ts";
import { useFormat } from "./format.ts";
import { useVocabulary } from "./vocabulary.ts";

/** A short list of engagements: date, title (a link), type, and the lead unit when asked. */
export function EngagementTable({ items, showUnit = false }: { items: EngagementListItem[] | undefined; showUnit?: boolean }) {
  const format = useFormat();
  const vocabulary = useVocabulary();
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table>
        <Table.Tbody>
          {items?.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td w={170} c="dimmed">
                {format.date(e.startDate)}
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/engagements/${e.id}`}>
                  {format.name(e.title)}
                </Anchor>
              </Table.Td>
              <Table.Td>{vocabulary.label("engagementTypes", e.type)}</Table.Td>
              {showUnit ? <Table.Td c="dimmed">{format.name(e.leadUnit.name)}</Table.Td> : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
