import { graphql } from "../../gql";

export const CostPoolsQuery = graphql(`
  query CostPools($organisationId: UUID, $year: Int) {
    costPools(organisationId: $organisationId, year: $year) {
      id
      organisationId
      serviceId
      label
      periodStart
      periodEnd
      amountCents
      method
      version
    }
    costServices {
      id
      code
      name
      unit
    }
  }
`);

export const CostRunsQuery = graphql(`
  query CostRuns($poolId: UUID!) {
    costRuns(poolId: $poolId) {
      id
      kind
      status
      totalCents
      createdBy
      createdAt
      invoicedAt
    }
  }
`);

export const RunLinesQuery = graphql(`
  query RunLines($runId: UUID!) {
    costLines(runId: $runId, includeSuperseded: true) {
      id
      tenantId
      amountCents
    }
  }
`);

export const SimulateAllocationQuery = graphql(`
  query SimulateAllocation($poolId: UUID!, $amountCents: Int, $method: AllocationMethodInput) {
    simulateAllocation(poolId: $poolId, amountCents: $amountCents, method: $method) {
      amountCents
      method
      lines {
        tenantId
        tenantName
        amountCents
        explanation
      }
    }
  }
`);

export const RunAllocationMutation = graphql(`
  mutation RunAllocation($poolId: UUID!) {
    runAllocation(poolId: $poolId) {
      id
      status
      totalCents
    }
  }
`);

export const CostCatalogueQuery = graphql(`
  query CostCatalogue {
    costServices {
      id
      organisationId
      code
      name
      unit
      budgetAccount
    }
    costSubscriptions {
      id
      tenantId
      serviceId
      startsOn
      endsOn
    }
  }
`);

export const CreateCostServiceMutation = graphql(`
  mutation CreateCostService($organisationId: UUID!, $code: String!, $name: String!, $unit: String!) {
    createCostService(organisationId: $organisationId, code: $code, name: $name, unit: $unit) {
      id
    }
  }
`);

export const SetCostServiceBudgetAccountMutation = graphql(`
  mutation SetCostServiceBudgetAccount($serviceId: UUID!, $budgetAccount: String) {
    setCostServiceBudgetAccount(serviceId: $serviceId, budgetAccount: $budgetAccount) {
      id
      budgetAccount
    }
  }
`);

export const SubscribeToServiceMutation = graphql(`
  mutation SubscribeToService($tenantId: UUID!, $serviceId: UUID!, $startsOn: Date!) {
    subscribeToService(tenantId: $tenantId, serviceId: $serviceId, startsOn: $startsOn) {
      id
    }
  }
`);

export const CreateCostPoolMutation = graphql(`
  mutation CreateCostPool($organisationId: UUID!, $input: CostPoolInput!) {
    createCostPool(organisationId: $organisationId, input: $input) {
      id
      label
    }
  }
`);
