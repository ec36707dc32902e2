import { Table } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import type { ReactNode } from "react";

/**
 * A wide table that scrolls sideways on a narrow screen, and is left alone on a wide one, where
 * its sticky header keeps working (a scrolling container would hold the header inside itself).
 */
export function ScrollWhenNarrow({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  const narrow = useMediaQuery("(max-width: 61.99em)") ?? false;
  return narrow ? <Table.ScrollContainer minWidth={minWidth}>{children}</Table.ScrollContainer> : children;
}
