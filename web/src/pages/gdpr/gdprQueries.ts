import { graphql } from "../../gql";

export const RightsRequestsQuery = graphql(`
  query RightsRequests(
    $tenantIds: [UUID!]
    $openOnly: Boolean!
    $overdueOnly: Boolean!
    $search: String
    $orderBy: RightsRequestOrder!
    $descending: Boolean!
    $first: Int!
    $offset: Int!
  ) {
    rightsRequests(
      tenantIds: $tenantIds
      openOnly: $openOnly
      overdueOnly: $overdueOnly
      search: $search
      orderBy: $orderBy
      descending: $descending
      first: $first
      offset: $offset
    ) {
      totalCount
      items {
      id
      tenantId
      kind { code label }
      receivedOn
      requester
      status { code label }
      dueOn
      extendedDueOn
      effectiveDueOn
      daysLeft
      overdue
      answeredOn
      }
    }
    gdprVocabulary {
      requestKinds { code label }
    }
  }
`);

export const CreateRightsRequestMutation = graphql(`
  mutation CreateRightsRequest($input: RightsRequestInput!) {
    createRightsRequest(input: $input) {
      id
      effectiveDueOn
    }
  }
`);

export const BreachesQuery = graphql(`
  query Breaches($tenantIds: [UUID!], $openOnly: Boolean!, $first: Int!, $offset: Int!) {
    breaches(tenantIds: $tenantIds, openOnly: $openOnly, first: $first, offset: $offset) {
      totalCount
      items {
      id
      tenantId
      title
      awareAt
      severity { code label }
      natures { code label }
      notifyDeadline
      notifiedAt
      notNotifiedReason
      lateReasons
      secondsLeft
      notifiedLate
      notificationDraft
      }
    }
  }
`);
