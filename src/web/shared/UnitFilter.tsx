import { Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useReference } from "./reference.ts";

/** The "unit" filter of a list or calendar: any unit, searchable, cleared for all units. */
export function UnitFilter({ value, onChange }: { value: string; onChange: (unitId: string) => void }) {
  const { t } = useTranslation();
  const reference = useReference();
  return (
    <Select
      size="xs"
      label={t("calendar.unit")}
      placeholder={t("calendar.allUnits")}
      data={reference.units}
      value={value || null}
      onChange={(v) => onChange(v ?? "")}
      clearable
      searchable
      w={220}
    />
  );
}
