import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import type { EngagementDetail } from "../../core/engagements/schema.ts";
import { api } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useReference } from "../shared/reference.ts";
import { useErrorMessage } from "../shared/states.tsx";

type Step = "submit" | "approve" | "return" | "report" | "cancel";

/**
 * What the reader may do with an engagement: edit, move it through approval, share it with
 * another unit, delete it. Only the buttons their roles allow are shown; the server decides.
 */
export function EngagementActions({ engagement }: { engagement: EngagementDetail }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const reference = useReference();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const [dialog, setDialog] = useState<Step | "share" | "delete" | null>(null);
  const [note, setNote] = useState("");
  const [unitId, setUnitId] = useState<string | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["engagement", engagement.id] });
    void client.invalidateQueries({ queryKey: ["engagements"] });
    void client.invalidateQueries({ queryKey: ["approvals"] });
  };
  const act = useMutation({
    mutationFn: async (what: Step | "share" | "delete") => {
      if (what === "delete") return api(`/engagements/${engagement.id}`, { method: "DELETE" });
      if (what === "share") return api(`/engagements/${engagement.id}/shares`, { method: "POST", body: { unitId: Number(unitId) } });
      if (what === "cancel") return api(`/engagements/${engagement.id}/cancel`, { method: "POST", body: { reason: note.trim() } });
      return api(`/engagements/${engagement.id}/${what}`, { method: "POST", body: note.trim() ? { note: note.trim() } : {} });
    },
    onSuccess: (_result, what) => {
      setDialog(null);
      setNote("");
      if (what === "delete") navigate("/engagements");
      else refresh();
    },
  });
  const a = engagement.approval;
  const steps: Step[] = [];
  if (can("write") && (a === "draft" || a === "returned")) steps.push("submit");
  // Of a unit with two levels, its head endorses (the same button) and a coordinator above approves; the server says who may.
  if (can("coordinate") && (a === "submitted" || a === "endorsed")) steps.push("approve", "return");
  if (can("write") && a === "approved" && engagement.status === "done") steps.push("report");
  if (can("write") && engagement.status === "planned") steps.push("cancel");
  // A plan in the approvers' hands is cancelled, not deleted, unless the reader decides on approvals.
  const inTrail = a === "submitted" || a === "endorsed" || a === "approved" || a === "reported";
  const mayDelete = can("write") && (!inTrail || can("coordinate"));
  const noteRequired = dialog === "return" || dialog === "report" || dialog === "cancel";
  return (
    <>
      <Group gap="xs">
        {can("write") ? (
          <Button size="xs" variant="default" component={Link} to={`/engagements/${engagement.id}/edit`}>
            {t("actions.edit")}
          </Button>
        ) : null}
        {steps.map((step) => (
          <Button
            key={step}
            size="xs"
            variant={step === "return" || step === "cancel" ? "light" : "filled"}
            color={step === "return" || step === "cancel" ? "orange" : undefined}
            onClick={() => setDialog(step)}
          >
            {t(`actions.${step}`)}
          </Button>
        ))}
        <Button size="xs" variant="default" component="a" href={`/api/briefings/docx?engagementId=${engagement.id}`} data-testid="briefing">
          {t("actions.briefing")}
        </Button>
        {can("write") ? (
          <Button size="xs" variant="default" onClick={() => setDialog("share")}>
            {t("actions.share")}
          </Button>
        ) : null}
        {mayDelete ? (
          <Button size="xs" variant="subtle" color="red" onClick={() => setDialog("delete")}>
            {t("actions.delete")}
          </Button>
        ) : null}
      </Group>
      <Modal opened={dialog !== null} onClose={() => setDialog(null)} title={dialog ? t(`actions.${dialog}`) : ""}>
        <Stack>
          {act.error ? (
            <Alert color="red" role="alert">
              {errorMessage(act.error)}
            </Alert>
          ) : null}
          {dialog === "share" ? (
            <Select
              label={t("actions.shareWith")}
              data={reference.units.filter((u) => u.value !== String(engagement.leadUnit.id))}
              value={unitId}
              onChange={setUnitId}
              searchable
            />
          ) : null}
          {dialog === "cancel" ? <Text size="sm">{t("actions.cancelHint")}</Text> : null}
          {dialog && dialog !== "share" && dialog !== "delete" ? (
            <Textarea
              label={dialog === "cancel" ? t("actions.cancelReason") : noteRequired ? t("actions.noteRequired") : t("actions.note")}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              autosize
              minRows={3}
            />
          ) : null}
          {dialog === "delete" ? t("actions.confirmDelete") : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(null)}>
              {t("common.cancel")}
            </Button>
            <Button
              color={dialog === "delete" ? "red" : undefined}
              loading={act.isPending}
              disabled={(noteRequired && !note.trim()) || (dialog === "share" && !unitId)}
              onClick={() => dialog && act.mutate(dialog)}
            >
              {dialog ? t(`actions.${dialog}`) : ""}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
