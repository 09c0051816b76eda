import { graphql } from "../../gql";

export const DpiaQueueQuery = graphql(`
  query DpiaQueue($tenantIds: [UUID!]) {
    activities(tenantIds: $tenantIds, dpiaRequired: true, first: 500) {
      id
      tenantId
      name
      department
      status { code label }
      dpiaCriteria { code label }
      dpiaScreening
      hasSensitiveData
      dpia {
        id
        status { code label }
        conclusion
        completedOn
      }
    }
    gdprVocabulary {
      dpiaStatuses { code label }
    }
  }
`);

export const OverdueRequestsQuery = graphql(`
  query OverdueRequests($tenantIds: [UUID!]) {
    rightsRequests(tenantIds: $tenantIds, openOnly: true, overdueOnly: true, first: 200) {
      id
      tenantId
      kind { code label }
      requester
      receivedOn
      effectiveDueOn
      daysLeft
      status { code label }
    }
  }
`);

export const RecordDpiaMutation = graphql(`
  mutation RecordDpia($activityId: UUID!, $status: String!, $conclusion: String!) {
    recordDpia(activityId: $activityId, status: $status, conclusion: $conclusion) {
      id
      status { code label }
      completedOn
    }
  }
`);
