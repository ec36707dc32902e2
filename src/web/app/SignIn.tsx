import { Alert, Button, Center, Modal, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { SessionOutput } from "../../core/auth/schema.ts";
import { api } from "../api.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { LanguageToggle } from "./LanguageToggle.tsx";
import { useSession } from "./session.tsx";

/** Signing in again after the session ended: a dialog over the screen, which keeps its state. */
export function SignInAgain() {
  const { t } = useTranslation();
  const { expired, session } = useSession();
  return (
    <Modal opened={expired} onClose={() => {}} withCloseButton={false} title={t("signIn.expired")} centered>
      <SignInForm username={session?.user.username ?? ""} />
    </Modal>
  );
}

/** The sign-in screen. */
export function SignIn() {
  const { t } = useTranslation();
  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} radius="md">
        <Stack>
          <Title order={2}>{t("app.name")}</Title>
          <Text c="dimmed" size="sm">
            {t("signIn.tagline")}
          </Text>
          <SignInForm username="" />
          <LanguageToggle />
        </Stack>
      </Paper>
    </Center>
  );
}

function SignInForm({ username: initialUsername }: { username: string }) {
  const { t } = useTranslation();
  const { signedIn } = useSession();
  const errorMessage = useErrorMessage();
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await api<SessionOutput>("/auth/login", { method: "POST", body: { username, password } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit}>
      <Stack>
        {error ? (
          <Alert color="red" role="alert">
            {errorMessage(error)}
          </Alert>
        ) : null}
        <TextInput
          label={t("signIn.username")}
          value={username}
          onChange={(e) => setUsername(e.currentTarget.value)}
          autoComplete="username"
          required
          autoFocus={!initialUsername}
        />
        <PasswordInput
          label={t("signIn.password")}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="current-password"
          required
          autoFocus={Boolean(initialUsername)}
          visibilityToggleButtonProps={{ "aria-label": t("signIn.showPassword") }}
        />
        <Button type="submit" loading={busy}>
          {t("signIn.submit")}
        </Button>
      </Stack>
    </form>
  );
}
