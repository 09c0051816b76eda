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
  query Contracts(
    $tenantIds: [UUID!]
    $status: String
    $search: String
    $orderBy: ContractOrder!
    $descending: Boolean!
    $first: Int!
    $offset: Int!
    $withinDays: Int!
  ) {
    contracts(
      tenantIds: $tenantIds
      status: $status
      search: $search
      orderBy: $orderBy
      descending: $descending
      first: $first
      offset: $offset
    ) {
      totalCount
      items {
        ...ContractFields
      }
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

/** Everything an edit sends back: the fields the form shows and those it keeps as they are. */
export const ContractDetailFragment = graphql(`
  fragment ContractDetail on Contract {
    id
    tenantId
    version
    reference
    object
    nature
    category
    procedure
    techniques
    executionModalities
    ccag
    priceForm
    priceTypes
    cpv { code codeWithCheckDigit label }
    estimatedCents
    awardedCents
    initialAwardedCents
    notifiedOn
    durationMonths
    initialDurationMonths
    maxDurationMonths
    renewals
    renewalMonths
    noticeDays
    placeCode
    placeType
    socialConsiderations
    environmentalConsiderations
    subcontracting
    joint
    buyerSiret
    offersReceived
    innovative
    advancePaid
    operatorGrouping
    supplierIds
    status
    endOn
    nextRenewalOn
    noticeDeadline
    shares { tenantId amountCents }
    lots {
      id
      number
      object
      cpv { code label }
      estimatedCents
      awardedCents
      initialAwardedCents
      contractors
      initialContractors
      durationMonths
    }
    amendments {
      id
      signedOn
      object
      awardedCents
      durationMonths
      supplierIds
      lot
    }
  }
`);

export const ContractDetailQuery = graphql(`
  query ContractDetail($id: UUID!) {
    contract(id: $id) {
      ...ContractDetail
    }
    suppliers {
      id
      name
      identifier
    }
  }
`);

export const ContractSuppliersQuery = graphql(`
  query ContractSuppliers {
    suppliers {
      id
      name
      identifier
    }
  }
`);

export const CreateContractMutation = graphql(`
  mutation CreateContract($tenantId: UUID!, $input: ContractInput!) {
    createContract(tenantId: $tenantId, input: $input) {
      id
      reference
    }
  }
`);

export const UpdateContractMutation = graphql(`
  mutation UpdateContract($id: UUID!, $version: Int!, $input: ContractInput!) {
    updateContract(id: $id, version: $version, input: $input) {
      id
      version
    }
  }
`);

export const AmendContractMutation = graphql(`
  mutation AmendContract($contractId: UUID!, $input: AmendmentInput!) {
    amendContract(contractId: $contractId, input: $input) {
      id
      version
    }
  }
`);

export const CreateSupplierMutation = graphql(`
  mutation CreateContractSupplier($input: SupplierInput!) {
    createSupplier(input: $input) {
      id
      name
    }
  }
`);
