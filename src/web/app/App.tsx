import { Center, Loader, Stack, Text, Title } from "@mantine/core";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Route, Routes } from "react-router";
import { HomePage } from "../home/HomePage.tsx";
import { Layout } from "./Layout.tsx";
import { SignIn, SignInAgain } from "./SignIn.tsx";
import { useSession } from "./session.tsx";

// Screens load when first opened, so the first download stays small.
const OrganisationList = lazy(() => import("../registry/OrganisationList.tsx").then((m) => ({ default: m.OrganisationList })));
const OrganisationPage = lazy(() => import("../registry/OrganisationPage.tsx").then((m) => ({ default: m.OrganisationPage })));
const OrganisationForm = lazy(() => import("../registry/OrganisationForm.tsx").then((m) => ({ default: m.OrganisationForm })));
const PersonFormPage = lazy(() => import("../people/PersonForm.tsx").then((m) => ({ default: m.PersonFormPage })));
const DuplicatesPage = lazy(() => import("../registry/MergePages.tsx").then((m) => ({ default: m.DuplicatesPage })));
const MergePage = lazy(() => import("../registry/MergePages.tsx").then((m) => ({ default: m.MergePage })));
const EngagementList = lazy(() => import("../engagements/EngagementList.tsx").then((m) => ({ default: m.EngagementList })));
const EngagementPage = lazy(() => import("../engagements/EngagementPage.tsx").then((m) => ({ default: m.EngagementPage })));
const EngagementForm = lazy(() => import("../engagements/EngagementForm.tsx").then((m) => ({ default: m.EngagementForm })));
const CalendarPage = lazy(() => import("../engagements/CalendarPage.tsx").then((m) => ({ default: m.CalendarPage })));
const PeopleList = lazy(() => import("../people/PeoplePages.tsx").then((m) => ({ default: m.PeopleList })));
const PersonPage = lazy(() => import("../people/PeoplePages.tsx").then((m) => ({ default: m.PersonPage })));
const ProgrammeList = lazy(() => import("../programmes/ProgrammePages.tsx").then((m) => ({ default: m.ProgrammeList })));
const ProgrammePage = lazy(() => import("../programmes/ProgrammePages.tsx").then((m) => ({ default: m.ProgrammePage })));
const MechanismPage = lazy(() => import("../programmes/ProgrammePages.tsx").then((m) => ({ default: m.MechanismPage })));
const ApprovalQueue = lazy(() => import("../approvals/ApprovalQueue.tsx").then((m) => ({ default: m.ApprovalQueue })));
const ReportPage = lazy(() => import("../reports/ReportPage.tsx").then((m) => ({ default: m.ReportPage })));
const SnapshotList = lazy(() => import("../reports/SnapshotPages.tsx").then((m) => ({ default: m.SnapshotList })));
const SnapshotPage = lazy(() => import("../reports/SnapshotPages.tsx").then((m) => ({ default: m.SnapshotPage })));
const TemplatesPage = lazy(() => import("../reports/SnapshotPages.tsx").then((m) => ({ default: m.TemplatesPage })));
const InsightPage = lazy(() => import("../insight/InsightPage.tsx").then((m) => ({ default: m.InsightPage })));
const ReviewQueue = lazy(() => import("../names/ReviewQueue.tsx").then((m) => ({ default: m.ReviewQueue })));
const ImportList = lazy(() => import("../imports/ImportPages.tsx").then((m) => ({ default: m.ImportList })));
const ImportWizard = lazy(() => import("../imports/ImportPages.tsx").then((m) => ({ default: m.ImportWizard })));
const CountryPage = lazy(() => import("../countries/CountryPage.tsx").then((m) => ({ default: m.CountryPage })));

function NotFound() {
  const { t } = useTranslation();
  return (
    <Stack align="center" py="xl">
      <Title order={3}>{t("errors.NOT_FOUND")}</Title>
      <Text c="dimmed">{t("common.notFoundHint")}</Text>
    </Stack>
  );
}

const loading = (
  <Center py="xl">
    <Loader size="sm" />
  </Center>
);

/** The routes: every screen is a URL. */
export function App() {
  const { session } = useSession();
  if (!session) return <SignIn />;
  return (
    <BrowserRouter>
      <SignInAgain />
      <Suspense fallback={loading}>
        <Routes>
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
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
