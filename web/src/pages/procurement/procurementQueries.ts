import { graphql } from "../../gql";

export const ContractFieldsFragment = graphql(`
  fragment ContractFields on Contract {
    id
    tenantId
    reference
    object
    category
    procedure
    cpv { code label }
    estimatedCents
    awardedCents
    initialAwardedCents
    notifiedOn
    durationMonths
    maxDurationMonths
    renewals
    renewalMonths
    noticeDays
    joint
    supplierIds
    status
    endOn
    nextRenewalOn
    noticeDeadline
    amendments {
      id
      signedOn
      object
      awardedCents
      durationMonths
      lot
    }
  }
`);

export const ContractsQuery = graphql(`
  query Contracts($tenantIds: [UUID!], $status: String, $withinDays: Int!) {
    contracts(tenantIds: $tenantIds, status: $status, first: 500) {
      ...ContractFields
    }
    contractsExpiring(withinDays: $withinDays) {
      ...ContractFields
    }
    suppliers {
      id
      name
    }
  }
`);

export const JointOpportunitiesQuery = graphql(`
  query JointOpportunities($organisationId: UUID!, $year: Int) {
    jointProcurementOpportunities(organisationId: $organisationId, year: $year) {
      cpvClass
      cpvClassLabel
      category
      year
      totalEstimatedCents
      tenants {
        tenantId
        estimatedCents
      }
      reaches {
        kind
        amountCents
        source
      }
    }
    splittingAlerts(year: $year) {
      tenantId
      cpvClass
      cpvClassLabel
      category
      year
      totalEstimatedCents
      largestSingleCents
      contractIds
      threshold {
        kind
        amountCents
      }
    }
  }
`);
