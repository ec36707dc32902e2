import { AppShell, Badge, Burger, Group, Menu, NavLink, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Suspense, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, NavLink as RouterLink, useLocation, useNavigate } from "react-router";
import type { UnitOutput } from "../../core/units/schema.ts";
import { api } from "../api.ts";
import { GlobalSearch } from "../search/GlobalSearch.tsx";
import { useFormat } from "../shared/format.ts";
import { LanguageToggle } from "./LanguageToggle.tsx";
import { ScreenFallback } from "./lazyScreen.tsx";
import { useSession } from "./session.tsx";

const sections = [
  { to: "/", key: "nav.home" },
  { to: "/organisations", key: "nav.registry" },
  { to: "/people", key: "nav.people" },
  { to: "/names", key: "nav.names" },
  { to: "/engagements", key: "nav.engagements" },
  { to: "/calendar", key: "nav.calendar" },
  { to: "/programmes", key: "nav.programmes" },
  { to: "/reports", key: "nav.reports" },
  { to: "/insight", key: "nav.insight" },
] as const;

interface NotificationItem {
  id: number;
  kind: string;
  engagementId: number | null;
  taskId: number | null;
  message: { en: string; zh: string };
  createdAt: string;
  read: boolean;
}

/** The badge with the unread count, and the latest notifications behind it. */
function Notifications({ unread }: { unread: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const list = useQuery({
    queryKey: ["notifications", "latest"],
    enabled: opened,
    queryFn: () => api<{ items: NotificationItem[] }>("/notifications?pageSize=10"),
  });
  const markOne = useMutation({
    mutationFn: (id: number) => api(`/notifications/${id}/read`, { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["notifications"] }),
  });
  const markAll = useMutation({
    mutationFn: () => api("/notifications/read", { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["notifications"] }),
  });
  return (
    <Menu position="bottom-end" width="min(380px, calc(100vw - 16px))" opened={opened} onChange={setOpened} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={t("nav.notifications", { count: unread })}>
          <Badge variant={unread ? "filled" : "light"} color={unread ? "red" : "gray"} style={{ cursor: "pointer" }}>
            {t("nav.notificationsShort", { count: unread })}
          </Badge>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("nav.notificationsTitle")}</Menu.Label>
        {list.data?.items.length === 0 ? <Menu.Item disabled>{t("common.empty")}</Menu.Item> : null}
        {list.data?.items.map((n) => (
          <Menu.Item
            key={n.id}
            onClick={() => {
              // Opening a notification reads it.
              if (!n.read) markOne.mutate(n.id);
              if (n.engagementId) navigate(`/engagements/${n.engagementId}`);
              // A partner's task is among the reader's own tasks, on the home page.
              else if (n.taskId) navigate("/");
            }}
            fw={n.read ? 400 : 600}
          >
            <Text size="sm">{format.lang.startsWith("zh") ? n.message.zh : n.message.en}</Text>
            <Text size="xs" c="dimmed">
              {format.date(n.createdAt)}
            </Text>
          </Menu.Item>
        ))}
        {unread ? (
          <>
            <Menu.Divider />
            <Menu.Item onClick={() => markAll.mutate()}>{t("nav.markAllRead")}</Menu.Item>
          </>
        ) : null}
      </Menu.Dropdown>
    </Menu>
  );
}

/** The frame of every screen: header with search, language and the user menu; navigation on the left. */
export function Layout() {
  const { t } = useTranslation();
  const { session, signOut, can } = useSession();
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
  // Under 992 px the navigation folds behind a burger and the search takes a row of its own.
  const [navOpened, nav] = useDisclosure(false);
  const narrow = useMediaQuery("(max-width: 61.99em)") ?? false;
  const phone = useMediaQuery("(max-width: 35.99em)") ?? false;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the menu closes whenever the address changes
  useEffect(() => nav.close(), [location.pathname]);
  return (
    <AppShell
      header={{ height: narrow ? 104 : 56 }}
      navbar={{ width: 200, breakpoint: "md", collapsed: { mobile: !navOpened } }}
      padding={phone ? "xs" : "md"}
    >
      <AppShell.Header>
        <Group h={56} px={phone ? "xs" : "md"} justify="space-between" wrap="nowrap" gap="xs">
          <Group gap={phone ? "xs" : "md"} wrap="nowrap">
            <Burger opened={navOpened} onClick={nav.toggle} hiddenFrom="md" size="sm" aria-label={t("nav.menu")} data-testid="burger" />
            <Text fw={700} size="lg" component={RouterLink} to="/" c="blue.8" td="none" style={{ whiteSpace: "nowrap" }}>
              {t("app.name")}
            </Text>
            {narrow ? null : <GlobalSearch />}
          </Group>
          <Group gap={phone ? 6 : "sm"} wrap="nowrap">
            <LanguageToggle signedIn compact={phone} />
            <Notifications unread={unread} />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={t("nav.userMenu")} data-testid="user-menu">
                  <Text size="sm" fw={500} truncate="end" maw={phone ? 72 : 200}>
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
                <Menu.Item component={RouterLink} to="/account">
                  {t("nav.account")}
                </Menu.Item>
                <Menu.Item onClick={() => void signOut()}>{t("nav.signOut")}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
        {narrow ? (
          <Group px={phone ? "xs" : "md"} pb="xs">
            <div style={{ flex: 1 }}>
              <GlobalSearch fullWidth />
            </div>
          </Group>
        ) : null}
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {[
          ...sections,
          ...(can("write") ? ([{ to: "/imports", key: "nav.imports" }] as const) : []),
          ...(can("write") ? ([{ to: "/coordination", key: "nav.coordination" }] as const) : []),
          ...(can("write") ? ([{ to: "/gifts", key: "nav.gifts" }] as const) : []),
          ...(can("coordinate") ? ([{ to: "/approvals", key: "nav.approvals" }] as const) : []),
        ].map((s) => (
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
        <Suspense fallback={<ScreenFallback />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
