// Declaring a breach and recording the notification decision (Art. 33).
import { graphql } from "../../gql";

export const BreachVocabularyQuery = graphql(`
  query BreachVocabulary {
    gdprVocabulary {
      breachNatures { code label }
      severities { code label }
    }
  }
`);

export const CreateBreachMutation = graphql(`
  mutation CreateBreach($input: BreachInput!) {
    createBreach(input: $input) {
      id
      title
      notifyDeadline
    }
  }
`);

export const RecordBreachNotificationMutation = graphql(`
  mutation RecordBreachNotification($id: UUID!, $notifiedAt: DateTime!, $lateReasons: String) {
    recordBreachNotification(id: $id, notifiedAt: $notifiedAt, lateReasons: $lateReasons) {
      id
      notifiedAt
      notifiedLate
    }
  }
`);

export const RecordBreachNotNotifiedMutation = graphql(`
  mutation RecordBreachNotNotified($id: UUID!, $reason: String!) {
    recordBreachNotNotified(id: $id, reason: $reason) {
      id
      notNotifiedReason
    }
  }
`);
