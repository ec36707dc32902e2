import { Alert, Anchor, List, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Clash } from "../../core/engagements/schema.ts";
import { useFormat } from "../shared/format.ts";
import { useVocabulary } from "../shared/vocabulary.ts";

/** The coordination window the server applies (coordinationWindowDays). */
const windowDays = 90;

/**
 * Another unit's engagements with the same partners, close in time: the unit, the date and the
 * partner, and the record itself where the reader may open it. Shown on a planned engagement's
 * page and on the form before saving.
 */
export function ClashAlert({ clashes }: { clashes: Clash[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const vocabulary = useVocabulary();
  if (clashes.length === 0) return null;
  return (
    <Alert color="yellow" title={t("engagement.clashTitle")} data-testid="clash-alert">
      <Text size="sm">{t("engagement.clashIntro", { days: windowDays })}</Text>
      <List size="sm" mt={4}>
        {clashes.map((c) => (
          <List.Item key={`${c.partner.id}-${c.other.unit.id}-${c.other.startDate}-${c.other.id ?? ""}`}>
            {format.name(c.other.unit.name)} · {format.date(c.other.startDate)}
            {c.other.endDate !== c.other.startDate ? ` – ${format.date(c.other.endDate)}` : ""} ·{" "}
            {vocabulary.label("engagementTypes", c.other.type)} · {t("engagement.clashWith", { partner: format.name(c.partner.name) })} ·{" "}
            {vocabulary.label("engagementStatuses", c.other.status)}
            {c.other.id ? (
              <>
                {" · "}
                <Anchor component={Link} to={`/engagements/${c.other.id}`} size="sm">
                  {c.other.title ? format.name(c.other.title) : t("engagement.open")}
                </Anchor>
              </>
            ) : null}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
