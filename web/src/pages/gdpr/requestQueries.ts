// One rights request: its page, its history, and what can be done to it.
import { graphql } from "../../gql";

export const RightsRequestDetailQuery = graphql(`
  query RightsRequestDetail($id: UUID!) {
    rightsRequest(id: $id) {
      id
      tenantId
      kind { code label }
      receivedOn
      requester
      contact
      details
      status { code label }
      answer
      answeredOn
      dueOn
      extendedDueOn
      extensionReason
      effectiveDueOn
      daysLeft
      overdue
      extendable
      extensionDueOn
      history {
        at
        actor
        action { code label }
        note
        dueOn
      }
    }
  }
`);

export const ExtendRightsRequestMutation = graphql(`
  mutation ExtendRightsRequest($id: UUID!, $reason: String!) {
    extendRightsRequest(id: $id, reason: $reason) {
      id
      effectiveDueOn
    }
  }
`);

export const SetRightsRequestStatusMutation = graphql(`
  mutation SetRightsRequestStatus($id: UUID!, $status: String!, $answer: String, $answeredOn: Date) {
    setRightsRequestStatus(id: $id, status: $status, answer: $answer, answeredOn: $answeredOn) {
      id
      status { code label }
    }
  }
`);
