import { Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, createRoutesFromElements, Outlet, Route, RouterProvider } from "react-router";
import { HomePage } from "../home/HomePage.tsx";
import { Layout } from "./Layout.tsx";
import { lazyScreen } from "./lazyScreen.tsx";
import { SignIn, SignInAgain } from "./SignIn.tsx";
import { useSession } from "./session.tsx";

// Screens load when first opened, so the first download stays small.
const OrganisationList = lazyScreen(() => import("../registry/OrganisationList.tsx").then((m) => m.OrganisationList));
const OrganisationPage = lazyScreen(() => import("../registry/OrganisationPage.tsx").then((m) => m.OrganisationPage));
const OrganisationForm = lazyScreen(() => import("../registry/OrganisationForm.tsx").then((m) => m.OrganisationForm));
const PersonFormPage = lazyScreen(() => import("../people/PersonForm.tsx").then((m) => m.PersonFormPage));
const DuplicatesPage = lazyScreen(() => import("../registry/MergePages.tsx").then((m) => m.DuplicatesPage));
const MergePage = lazyScreen(() => import("../registry/MergePages.tsx").then((m) => m.MergePage));
const EngagementList = lazyScreen(() => import("../engagements/EngagementList.tsx").then((m) => m.EngagementList));
const EngagementPage = lazyScreen(() => import("../engagements/EngagementPage.tsx").then((m) => m.EngagementPage));
const EngagementForm = lazyScreen(() => import("../engagements/EngagementForm.tsx").then((m) => m.EngagementForm));
const CalendarPage = lazyScreen(() => import("../engagements/CalendarPage.tsx").then((m) => m.CalendarPage));
const PeopleList = lazyScreen(() => import("../people/PeoplePages.tsx").then((m) => m.PeopleList));
const PersonPage = lazyScreen(() => import("../people/PeoplePages.tsx").then((m) => m.PersonPage));
const ProgrammeList = lazyScreen(() => import("../programmes/ProgrammePages.tsx").then((m) => m.ProgrammeList));
const ProgrammePage = lazyScreen(() => import("../programmes/ProgrammePages.tsx").then((m) => m.ProgrammePage));
const MechanismPage = lazyScreen(() => import("../programmes/ProgrammePages.tsx").then((m) => m.MechanismPage));
const AccountPage = lazyScreen(() => import("./AccountPage.tsx").then((m) => m.AccountPage));
const GiftRegister = lazyScreen(() => import("../gifts/GiftRegister.tsx").then((m) => m.GiftRegister));
const CoordinationPage = lazyScreen(() => import("../approvals/CoordinationPage.tsx").then((m) => m.CoordinationPage));
const ApprovalQueue = lazyScreen(() => import("../approvals/ApprovalQueue.tsx").then((m) => m.ApprovalQueue));
const ReportPage = lazyScreen(() => import("../reports/ReportPage.tsx").then((m) => m.ReportPage));
const SnapshotList = lazyScreen(() => import("../reports/SnapshotPages.tsx").then((m) => m.SnapshotList));
const SnapshotPage = lazyScreen(() => import("../reports/SnapshotPages.tsx").then((m) => m.SnapshotPage));
const TemplatesPage = lazyScreen(() => import("../reports/SnapshotPages.tsx").then((m) => m.TemplatesPage));
const InsightPage = lazyScreen(() => import("../insight/InsightPage.tsx").then((m) => m.InsightPage));
const ReviewQueue = lazyScreen(() => import("../names/ReviewQueue.tsx").then((m) => m.ReviewQueue));
const ImportList = lazyScreen(() => import("../imports/ImportPages.tsx").then((m) => m.ImportList));
const ImportWizard = lazyScreen(() => import("../imports/ImportPages.tsx").then((m) => m.ImportWizard));
const CountryPage = lazyScreen(() => import("../countries/CountryPage.tsx").then((m) => m.CountryPage));

function NotFound() {
  const { t } = useTranslation();
  return (
    <Stack align="center" py="xl">
      <Title order={3}>{t("errors.NOT_FOUND")}</Title>
      <Text c="dimmed">{t("common.notFoundHint")}</Text>
    </Stack>
  );
}

/** Above every screen: the sign-in dialog when a session ends while the user works. */
function Root() {
  return (
    <>
      <SignInAgain />
      <Outlet />
    </>
  );
}

// A data router, so that a form with unsaved changes can ask before a link takes the user away.
const router = createBrowserRouter(
  createRoutesFromElements(
    <Route element={<Root />}>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="organisations" element={<OrganisationList />} />
        <Route path="organisations/new" element={<OrganisationForm />} />
        <Route path="organisations/:id" element={<OrganisationPage />} />
        <Route path="organisations/:id/edit" element={<OrganisationForm />} />
        <Route path="registry/duplicates" element={<DuplicatesPage />} />
        <Route path="registry/merge" element={<MergePage />} />
        <Route path="people" element={<PeopleList />} />
        <Route path="people/new" element={<PersonFormPage />} />
        <Route path="people/:id" element={<PersonPage />} />
        <Route path="people/:id/edit" element={<PersonFormPage />} />
        <Route path="countries/:code" element={<CountryPage />} />
        <Route path="engagements" element={<EngagementList />} />
        <Route path="engagements/new" element={<EngagementForm />} />
        <Route path="engagements/:id" element={<EngagementPage />} />
        <Route path="engagements/:id/edit" element={<EngagementForm />} />
        <Route path="calendar" element={<CalendarPage />} />
        <Route path="programmes" element={<ProgrammeList />} />
        <Route path="programmes/:id" element={<ProgrammePage />} />
        <Route path="mechanisms/:id" element={<MechanismPage />} />
        <Route path="approvals" element={<ApprovalQueue />} />
        <Route path="coordination" element={<CoordinationPage />} />
        <Route path="gifts" element={<GiftRegister />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="reports" element={<ReportPage />} />
        <Route path="insight" element={<InsightPage />} />
        <Route path="reports/snapshots" element={<SnapshotList />} />
        <Route path="reports/snapshots/:id" element={<SnapshotPage />} />
        <Route path="reports/templates" element={<TemplatesPage />} />
        <Route path="names" element={<ReviewQueue />} />
        <Route path="imports" element={<ImportList />} />
        <Route path="imports/new" element={<ImportWizard />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Route>,
  ),
);

/** The routes: every screen is a URL. */
export function App() {
  const { session } = useSession();
  if (!session) return <SignIn />;
  return <RouterProvider router={router} />;
}
