import { ActionIcon, Alert, Anchor, Button, Card, Group, Image, Modal, Paper, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AttachmentOutput } from "../../core/engagements/schema.ts";
import { ApiError, api, apiUpload } from "../api.ts";
import { useErrorMessage } from "../shared/states.tsx";

/** Types the browser often leaves blank for office files: the server checks the bytes anyway. */
const typeByExtension: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  txt: "text/plain",
  csv: "text/csv",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  odt: "application/vnd.oasis.opendocument.text",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};
const isImage = (type: string) => /^image\/(png|jpeg|gif|webp)$/.test(type);

function contentTypeOf(file: File): string {
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return file.type || typeByExtension[extension] || "application/octet-stream";
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * An engagement's files: dropped or chosen (several at once), each checked by the server for its
 * type, size and content; images shown small and PDFs opened in the browser; downloaded; deleted
 * by those who may change the engagement.
 */
export function AttachmentsCard({
  engagementId,
  attachments,
  canChange,
}: {
  engagementId: number;
  attachments: AttachmentOutput[];
  canChange: boolean;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const [uploading, setUploading] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<AttachmentOutput | null>(null);
  const base = `/engagements/${engagementId}/attachments`;
  const refresh = () => void client.invalidateQueries({ queryKey: ["engagement", engagementId] });
  async function upload(files: File[]) {
    if (files.length === 0) return;
    setFailures([]);
    setUploading(files.map((f) => f.name));
    const failed: string[] = [];
    // One at a time: a slow line shares its bandwidth with nothing else, and each file is told apart.
    for (const file of files) {
      try {
        await apiUpload(`${base}?fileName=${encodeURIComponent(file.name)}`, file, contentTypeOf(file));
      } catch (error) {
        // The server says why in both languages; an error without its reason is named by its code.
        const reason =
          error instanceof ApiError && !error.reason && error.status !== 0
            ? `${errorMessage(error)} (${error.message})`
            : errorMessage(error);
        failed.push(t("engagement.uploadFailed", { name: file.name, reason }));
      }
    }
    setUploading([]);
    setFailures(failed);
    refresh();
  }
  const remove = useMutation({
    mutationFn: (a: AttachmentOutput) => api(`${base}/${a.id}`, { method: "DELETE" }),
    onSuccess: () => {
      setDeleting(null);
      refresh();
    },
  });
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t("engagement.attachments")}
      </Title>
      {attachments.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("engagement.noAttachments")}
        </Text>
      ) : null}
      <Stack gap="xs">
        {attachments.map((a) => {
          const href = `/api${base}/${a.id}`;
          return (
            <Group key={a.id} gap="xs" wrap="nowrap" align="center" data-testid="attachment">
              {isImage(a.contentType) ? (
                <Anchor href={`${href}?inline=true`} target="_blank" rel="noopener">
                  <Image src={`${href}?inline=true`} alt={a.fileName} w={56} h={40} fit="cover" radius="sm" />
                </Anchor>
              ) : null}
              <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
                <Anchor href={href} size="sm" style={{ overflowWrap: "anywhere" }}>
                  {a.fileName}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {size(a.sizeBytes)}
                  {isImage(a.contentType) || a.contentType === "application/pdf" ? (
                    <>
                      {" · "}
                      <Anchor href={`${href}?inline=true`} target="_blank" rel="noopener" size="xs">
                        {t("engagement.preview")}
                      </Anchor>
                    </>
                  ) : null}
                </Text>
              </Stack>
              {canChange ? (
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`${t("engagement.deleteFile")} ${a.fileName}`}
                  onClick={() => setDeleting(a)}
                >
                  ×
                </ActionIcon>
              ) : null}
            </Group>
          );
        })}
      </Stack>
      {canChange ? (
        <Paper
          withBorder
          p="md"
          mt="sm"
          radius="md"
          style={{ borderStyle: "dashed", cursor: "pointer", background: dragging ? "var(--mantine-color-blue-0)" : undefined }}
          onClick={() => input.current?.click()}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === " ") input.current?.click();
          }}
          role="button"
          tabIndex={0}
          data-testid="dropzone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void upload([...e.dataTransfer.files]);
          }}
        >
          <Text size="sm" ta="center">
            {uploading.length ? t("engagement.uploading", { names: uploading.join("、") }) : t("engagement.dropFiles")}
          </Text>
          <Text size="xs" c="dimmed" ta="center">
            {t("engagement.fileRules")}
          </Text>
          <input
            ref={input}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = "";
              void upload(files);
            }}
          />
        </Paper>
      ) : null}
      {failures.map((f) => (
        <Alert key={f} color="red" mt="xs" role="alert">
          {f}
        </Alert>
      ))}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t("engagement.deleteFile")}>
        <Stack>
          <Text>{deleting ? t("engagement.confirmDeleteFile", { name: deleting.fileName }) : ""}</Text>
          {remove.error ? <Alert color="red">{errorMessage(remove.error)}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t("common.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              {t("engagement.deleteFile")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
