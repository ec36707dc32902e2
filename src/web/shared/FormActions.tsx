import { Button, Group } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

/** Save (the form's submit) and Cancel (back to where the user came from, or as the caller says). */
export function FormActions({ saving, onCancel }: { saving: boolean; onCancel?: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Group>
      <Button type="submit" loading={saving}>
        {t("common.save")}
      </Button>
      <Button variant="default" onClick={onCancel ?? (() => navigate(-1))}>
        {t("common.cancel")}
      </Button>
    </Group>
  );
}
