// Routes: every screen needs a session; without one, the login page is shown in place.
import { Route, Routes } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useSession } from "./auth/SessionProvider";
import { AppLayout } from "./layout/AppLayout";
import { LoginPage } from "./pages/LoginPage";
import { HomePage } from "./pages/HomePage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { RegisterListPage } from "./pages/register/RegisterListPage";
import { MadisImportPage } from "./pages/register/MadisImportPage";
import { ActivityEditorPage } from "./pages/register/ActivityEditorPage";
import { AlertsPage } from "./pages/alerts/AlertsPage";
import { ConsolidatedDashboardPage } from "./pages/dashboard/ConsolidatedDashboardPage";
import { RightsRequestsPage } from "./pages/gdpr/RightsRequestsPage";
import { BreachesPage } from "./pages/gdpr/BreachesPage";
import { RightsRequestDetailPage } from "./pages/gdpr/RightsRequestDetailPage";
import { ProcessorsPage } from "./pages/processors/ProcessorsPage";
import { ProcessorPage } from "./pages/processors/ProcessorPage";
import { BackupsPage } from "./pages/backups/BackupsPage";
import { CostsPage } from "./pages/costs/CostsPage";
import { ExportPage } from "./pages/export/ExportPage";
import { MaturityPage } from "./pages/maturity/MaturityPage";
import { QuestionnaireEditorPage } from "./pages/maturity/QuestionnaireEditorPage";
import { AssessmentPage } from "./pages/maturity/AssessmentPage";
import { DpoFollowUpPage } from "./pages/dpo/DpoFollowUpPage";
import { ContractsPage } from "./pages/procurement/ContractsPage";
import { ContractPage, NewContractPage } from "./pages/procurement/ContractPage";
import { AllocationPage } from "./pages/allocation/AllocationPage";
import { BillingPage } from "./pages/billing/BillingPage";
import { BillingIdentityPage } from "./pages/billing/BillingIdentityPage";
import { JointProcurementPage } from "./pages/procurement/JointProcurementPage";
import { DirectoryPage } from "./pages/directory/DirectoryPage";
import { GdprActorsPage } from "./pages/actors/GdprActorsPage";
import { GdprBilansPage } from "./pages/bilans/GdprBilansPage";
import { ReversibilityPage } from "./pages/reversibility/ReversibilityPage";
import { OpenDataPage } from "./pages/opendata/OpenDataPage";
import { Loading } from "./components/QueryStatus";
import { DpiaListPage } from "./pages/dpia/DpiaListPage";
import { DpiaPage } from "./pages/dpia/DpiaPage";
import { DpiaModelsPage } from "./pages/dpia/DpiaModelsPage";
import { SessionExpiredNotice } from "./auth/SessionExpiredNotice";
import { DocumentsPage } from "./pages/documents/DocumentsPage";
import { LibraryPage } from "./pages/documents/LibraryPage";

export function App() {
  const { state } = useSession();
  return (
    <AppLayout>
      {state.status === "loading" ? (
        <Loading what="votre session" />
      ) : state.status === "error" ? (
        <Alert severity="error" title="Le serveur ne répond pas" description={state.message} />
      ) : state.status === "anonymous" ? (
        <LoginPage demo={state.demo} oidc={state.oidc} demoAccounts={state.demoAccounts} />
      ) : (
        <>
        <SessionExpiredNotice />
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/registre" element={<RegisterListPage />} />
          <Route path="/registre/nouvelle" element={<ActivityEditorPage key="new" />} />
          <Route path="/registre/import-madis" element={<MadisImportPage />} />
          <Route path="/registre/:id" element={<ActivityEditorPage />} />
          <Route path="/alertes" element={<AlertsPage />} />
          <Route path="/tableau-de-bord" element={<ConsolidatedDashboardPage />} />
          <Route path="/demandes" element={<RightsRequestsPage />} />
          <Route path="/demandes/:id" element={<RightsRequestDetailPage />} />
          <Route path="/violations" element={<BreachesPage />} />
          <Route path="/sous-traitants" element={<ProcessorsPage />} />
          <Route path="/sous-traitants/:id" element={<ProcessorPage />} />
          <Route path="/aipd" element={<DpiaListPage />} />
          <Route path="/aipd/modeles" element={<DpiaModelsPage />} />
          <Route path="/aipd/:id" element={<DpiaPage />} />
          <Route path="/documents" element={<DocumentsPage />} />
          <Route path="/bibliotheque" element={<LibraryPage />} />
          <Route path="/sauvegardes" element={<BackupsPage />} />
          <Route path="/couts" element={<CostsPage />} />
          <Route path="/export" element={<ExportPage />} />
          <Route path="/suivi-dpo" element={<DpoFollowUpPage />} />
          <Route path="/contrats" element={<ContractsPage />} />
          <Route path="/contrats/nouveau" element={<NewContractPage />} />
          <Route path="/contrats/:id" element={<ContractPage />} />
          <Route path="/repartition" element={<AllocationPage />} />
          <Route path="/facturation" element={<BillingPage />} />
          <Route path="/facturation/identites" element={<BillingIdentityPage />} />
          <Route path="/achats-groupes" element={<JointProcurementPage />} />
          <Route path="/communes" element={<DirectoryPage />} />
          <Route path="/reversibilite" element={<ReversibilityPage />} />
          <Route path="/donnees-ouvertes" element={<OpenDataPage />} />
          <Route path="/maturite" element={<MaturityPage />} />
          <Route path="/maturite/questionnaire" element={<QuestionnaireEditorPage />} />
          <Route path="/maturite/evaluation" element={<AssessmentPage />} />
          <Route path="/acteurs-rgpd" element={<GdprActorsPage />} />
          <Route path="/bilans-rgpd" element={<GdprBilansPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
        </>
      )}
    </AppLayout>
  );
}
