import { Button, Group } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

/** Save (the form's submit) and Cancel (back to where the user came from). */
export function FormActions({ saving }: { saving: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Group>
      <Button type="submit" loading={saving}>
        {t("common.save")}
      </Button>
      <Button variant="default" onClick={() => navigate(-1)}>
        {t("common.cancel")}
      </Button>
    </Group>
  );
}
