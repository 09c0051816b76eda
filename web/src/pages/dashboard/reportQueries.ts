import { graphql } from "../../gql";

export const ReportFiguresFragment = graphql(`
  fragment ReportFiguresFields on ReportFigures {
    tenantId
    name
    inseeCode
    activities
    activitiesValidated
    activitiesChecked
    activitiesValidatedBp
    activitiesCheckedBp
    dpiaRequired
    dpiaDone
    requestsOpen
    requestsDueSoon
    requestsOverdue
    breachesOpen
    breachesLate
    contractsToRenew
    splittingAlerts
    backupState
    backupPolicies
    backupBytes
    backupMilliGbMonths
    costsAllocatedCents
    invoicedCents
    paidCents
    unpaidCents
    maturityBp
    maturityAssessed
    backupStates {
      state
      communes
    }
  }
`);

export const ConsolidatedReportsQuery = graphql(`
  query ConsolidatedReports($organisationId: UUID!) {
    consolidatedReports(organisationId: $organisationId) {
      period
      computedAt
      total {
        ...ReportFiguresFields
      }
      communes {
        ...ReportFiguresFields
      }
    }
  }
`);

export const RefreshReportMutation = graphql(`
  mutation RefreshConsolidatedReport($organisationId: UUID!, $period: String) {
    refreshConsolidatedReport(organisationId: $organisationId, period: $period)
  }
`);
