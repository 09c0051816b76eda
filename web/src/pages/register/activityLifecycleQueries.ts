// An activity's end (archived, or a draft deleted) and its action plan (issue 17).
import { graphql } from "../../gql";

export const ArchiveActivityMutation = graphql(`
  mutation ArchiveActivity($id: UUID!, $version: Int!) {
    archiveActivity(id: $id, version: $version) {
      id
      version
      archivedAt
    }
  }
`);

export const DeleteActivityMutation = graphql(`
  mutation DeleteActivity($id: UUID!, $version: Int!) {
    deleteActivity(id: $id, version: $version)
  }
`);

export const ActivityActionsQuery = graphql(`
  query ActivityActions($id: UUID!) {
    activity(id: $id) {
      id
      tenantId
      actions {
        id
        title
        dueOn
        status { code label }
        doneOn
        overdue
      }
    }
  }
`);

export const CreateActivityActionMutation = graphql(`
  mutation CreateActivityAction($tenantId: UUID!, $activityId: UUID!, $title: String!, $dueOn: Date!) {
    createGdprAction(tenantId: $tenantId, activityId: $activityId, title: $title, dueOn: $dueOn) {
      id
    }
  }
`);

export const UpdateActivityActionMutation = graphql(`
  mutation UpdateActivityAction($id: UUID!, $title: String!, $dueOn: Date!) {
    updateGdprAction(id: $id, title: $title, dueOn: $dueOn) {
      id
    }
  }
`);

export const CompleteActivityActionMutation = graphql(`
  mutation CompleteActivityAction($id: UUID!) {
    completeGdprAction(id: $id) {
      id
    }
  }
`);
