import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { SessionOutput } from "../../core/auth/schema.ts";
import { api } from "../api.ts";
import { useErrorMessage } from "../shared/states.tsx";
import { LanguageToggle } from "./LanguageToggle.tsx";
import { useSession } from "./session.tsx";

/** The sign-in screen. */
export function SignIn() {
  const { t } = useTranslation();
  const { signedIn } = useSession();
  const errorMessage = useErrorMessage();
  const [username, setUsername] = useState("");
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
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} radius="md">
        <form onSubmit={submit}>
          <Stack>
            <Title order={2}>{t("app.name")}</Title>
            <Text c="dimmed" size="sm">
              {t("signIn.tagline")}
            </Text>
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
              autoFocus
            />
            <PasswordInput
              label={t("signIn.password")}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
              required
            />
            <Button type="submit" loading={busy}>
              {t("signIn.submit")}
            </Button>
            <LanguageToggle />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
