import { ActionIcon, Alert, Anchor, Badge, Card, Checkbox, Group, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { TaskOutput } from "../../core/tasks/schema.ts";
import { api, query } from "../api.ts";
import { useSession } from "../app/session.tsx";
import { useFormat } from "./format.ts";
import { useErrorMessage } from "./states.tsx";

/** One task: done by ticking it, with its owner and due date, overdue in red. */
function TaskLine({ task, showSubject, onToggle }: { task: TaskOutput; showSubject: boolean; onToggle: (done: boolean) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const subject = task.engagement
    ? { to: `/engagements/${task.engagement.id}`, name: format.name(task.engagement.title) }
    : task.organisation
      ? { to: `/organisations/${task.organisation.id}`, name: format.name(task.organisation.name) }
      : null;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" data-testid="task">
      <Checkbox
        mt={2}
        checked={task.status === "done"}
        disabled={!task.editable}
        onChange={(e) => onToggle(e.currentTarget.checked)}
        aria-label={t("tasks.markDone", { title: task.title })}
      />
      <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
        <Text size="sm" td={task.status === "done" ? "line-through" : undefined}>
          {task.title}
        </Text>
        <Text size="xs" c="dimmed">
          {[task.owner?.name ?? t("tasks.noOwner"), task.dueDate ? t("tasks.due", { date: format.date(task.dueDate) }) : null]
            .filter(Boolean)
            .join(" · ")}
          {showSubject && subject ? (
            <>
              {" · "}
              <Anchor component={Link} to={subject.to} size="xs">
                {subject.name}
              </Anchor>
            </>
          ) : null}
        </Text>
      </Stack>
      {task.overdue ? (
        <Badge color="red" variant="light" size="sm">
          {t("tasks.overdue")}
        </Badge>
      ) : null}
    </Group>
  );
}

/**
 * Follow-up tasks: of an engagement or a partner (with a form to add one, given to someone of
 * the unit with a due date), or the reader's own across everything ("my tasks" on the home page).
 */
export function TasksCard({
  engagementId,
  organisationId,
  mine = false,
}: {
  engagementId?: number;
  organisationId?: number;
  mine?: boolean;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const errorMessage = useErrorMessage();
  const { can } = useSession();
  const filter = { engagementId, organisationId, mine: mine ? "true" : undefined };
  const tasks = useQuery({ queryKey: ["tasks", filter], queryFn: () => api<TaskOutput[]>(`/tasks${query(filter)}`) });
  const mayAdd = !mine && can("write");
  const assignees = useQuery({
    queryKey: ["tasks", "assignees", engagementId ?? null],
    enabled: mayAdd,
    queryFn: () => api<Array<{ id: number; name: string }>>(`/tasks/assignees${query({ engagementId })}`),
  });
  const [title, setTitle] = useState("");
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [dueDate, setDueDate] = useState("");
  const refresh = () => void client.invalidateQueries({ queryKey: ["tasks"] });
  const add = useMutation({
    mutationFn: () =>
      api<TaskOutput>("/tasks", {
        method: "POST",
        body: {
          ...(engagementId ? { engagementId } : { organisationId }),
          title: title.trim(),
          ownerId: ownerId ? Number(ownerId) : null,
          dueDate: dueDate || null,
        },
      }),
    onSuccess: () => {
      setTitle("");
      setDueDate("");
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: ({ id, done }: { id: number; done: boolean }) =>
      api<TaskOutput>(`/tasks/${id}`, { method: "PATCH", body: { status: done ? "done" : "open" } }),
    onSuccess: refresh,
  });
  const items = tasks.data ?? [];
  if (mine && items.length === 0) return null;
  return (
    <Card withBorder data-testid={mine ? "my-tasks" : "tasks"}>
      <Title order={4} mb="xs">
        {mine ? t("tasks.mine") : t("tasks.title")}
      </Title>
      {add.error || toggle.error ? (
        <Alert color="red" mb="xs" role="alert">
          {errorMessage(add.error ?? toggle.error)}
        </Alert>
      ) : null}
      <Stack gap="xs">
        {items.map((task) => (
          <TaskLine key={task.id} task={task} showSubject={mine} onToggle={(done) => toggle.mutate({ id: task.id, done })} />
        ))}
        {!mine && items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("tasks.none")}
          </Text>
        ) : null}
      </Stack>
      {mayAdd ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (title.trim()) add.mutate();
          }}
        >
          <Group gap="xs" mt="sm" align="flex-end" wrap="wrap">
            <TextInput
              label={t("tasks.new")}
              placeholder={t("tasks.placeholder")}
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              style={{ flex: "2 1 200px" }}
            />
            <Select
              label={t("tasks.owner")}
              data={(assignees.data ?? []).map((u) => ({ value: String(u.id), label: u.name }))}
              value={ownerId}
              onChange={setOwnerId}
              searchable
              clearable
              style={{ flex: "1 1 140px" }}
            />
            <TextInput type="date" label={t("tasks.dueDate")} value={dueDate} onChange={(e) => setDueDate(e.currentTarget.value)} w={160} />
            <ActionIcon
              type="submit"
              size="lg"
              variant="filled"
              loading={add.isPending}
              disabled={!title.trim()}
              aria-label={t("tasks.add")}
            >
              +
            </ActionIcon>
          </Group>
        </form>
      ) : null}
    </Card>
  );
}
