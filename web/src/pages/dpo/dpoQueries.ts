import { graphql } from "../../gql";

export const DpiaQueueQuery = graphql(`
  query DpiaQueue($tenantIds: [UUID!], $first: Int!, $offset: Int!) {
    activities(tenantIds: $tenantIds, dpiaRequired: true, first: $first, offset: $offset) {
      totalCount
      items {
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
    }
    gdprVocabulary {
      dpiaStatuses { code label }
    }
  }
`);

export const OverdueRequestsQuery = graphql(`
  query OverdueRequests($tenantIds: [UUID!], $first: Int!, $offset: Int!) {
    rightsRequests(tenantIds: $tenantIds, openOnly: true, overdueOnly: true, first: $first, offset: $offset) {
      totalCount
      items {
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
