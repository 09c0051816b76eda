import { graphql } from "../../gql";

export const RightsRequestsQuery = graphql(`
  query RightsRequests($tenantIds: [UUID!], $openOnly: Boolean!, $overdueOnly: Boolean!, $first: Int!) {
    rightsRequests(tenantIds: $tenantIds, openOnly: $openOnly, overdueOnly: $overdueOnly, first: $first) {
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
  query Breaches($tenantIds: [UUID!], $openOnly: Boolean!, $first: Int!) {
    breaches(tenantIds: $tenantIds, openOnly: $openOnly, first: $first) {
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
`);
