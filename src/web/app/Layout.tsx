import { AppShell, Badge, Group, Menu, NavLink, Text, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Outlet, NavLink as RouterLink, useLocation } from "react-router";
import type { UnitOutput } from "../../core/units/schema.ts";
import { api } from "../api.ts";
import { GlobalSearch } from "../search/GlobalSearch.tsx";
import { useFormat } from "../shared/format.ts";
import { LanguageToggle } from "./LanguageToggle.tsx";
import { useSession } from "./session.tsx";

const sections = [
  { to: "/", key: "nav.home" },
  { to: "/organisations", key: "nav.registry" },
  { to: "/people", key: "nav.people" },
  { to: "/engagements", key: "nav.engagements" },
] as const;

/** The frame of every screen: header with search, language and the user menu; navigation on the left. */
export function Layout() {
  const { t } = useTranslation();
  const { session, signOut } = useSession();
  const format = useFormat();
  const location = useLocation();
  const units = useQuery({ queryKey: ["units"], queryFn: () => api<UnitOutput[]>("/units"), staleTime: 10 * 60_000 });
  const notifications = useQuery({
    queryKey: ["notifications", "badge"],
    queryFn: () => api<{ unread: number }>("/notifications?pageSize=1"),
    refetchInterval: 60_000,
  });
  const unitName = (id: number) => format.name(units.data?.find((u) => u.id === id)?.name) || `#${id}`;
  const unread = notifications.data?.unread ?? 0;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: "sm" }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap">
            <Text fw={700} size="lg" component={RouterLink} to="/" c="blue.8" td="none">
              {t("app.name")}
            </Text>
            <GlobalSearch />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageToggle signedIn />
            <Badge
              variant={unread ? "filled" : "light"}
              color={unread ? "red" : "gray"}
              aria-label={t("nav.notifications", { count: unread })}
            >
              {t("nav.notificationsShort", { count: unread })}
            </Badge>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={t("nav.userMenu")} data-testid="user-menu">
                  <Text size="sm" fw={500}>
                    {session?.user.displayName}
                  </Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session?.user.username}</Menu.Label>
                {session?.roles.map((r) => (
                  <Menu.Item key={`${r.unitId}-${r.role}`} disabled>
                    {t(`roles.${r.role}`)} · {unitName(r.unitId)}
                  </Menu.Item>
                ))}
                <Menu.Divider />
                <Menu.Item onClick={() => void signOut()}>{t("nav.signOut")}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {sections.map((s) => (
          <NavLink
            key={s.to}
            component={RouterLink}
            to={s.to}
            label={t(s.key)}
            active={s.to === "/" ? location.pathname === "/" : location.pathname.startsWith(s.to)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
