// The register's GraphQL operations (checked against api/schema.graphql at build time).
import { graphql } from "../../gql";

export const ActivityContentFragment = graphql(`
  fragment ActivityContent on Activity {
    role { code label }
    name
    purposes
    controllerName
    legalBases { basis { code label } justification }
    dataSubjects { category estimatedCount }
    dataCategories { category sensitive criminal }
    recipients
    transfers { country recipient safeguard { code label } }
    retention { data durationMonths startingEvent finalFate { code label } }
    securityMeasures
    dpiaCriteria { code label }
    origin
    collectionMethod
    information
    software
    department
    owner
    processorIds
  }
`);

export const RegisterActivitiesQuery = graphql(`
  query RegisterActivities(
    $tenantIds: [UUID!]
    $status: String
    $dpiaRequired: Boolean
    $sensitive: Boolean
    $search: String
    $orderBy: ActivityOrder!
    $descending: Boolean!
    $first: Int!
    $offset: Int!
  ) {
    activities(
      tenantIds: $tenantIds
      status: $status
      dpiaRequired: $dpiaRequired
      sensitive: $sensitive
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
      name
      department
      role { code label }
      status { code label }
      completeness
      dpiaScreening
      hasSensitiveData
      modelId
      modelChanges { field }
      updatedAt
      version
      owner
      legalBases { basis { label } }
      }
    }
    gdprVocabulary {
      activityStatuses { code label }
    }
  }
`);

/** The register's columns and the ones this person chose to see (issue 19). */
export const ActivityColumnsQuery = graphql(`
  query ActivityColumns {
    listColumnChoices(list: "activities") { code label }
    listColumns(list: "activities")
  }
`);

export const SetActivityColumnsMutation = graphql(`
  mutation SetActivityColumns($columns: [String!]!) {
    setListColumns(list: "activities", columns: $columns)
  }
`);

export const ArchiveActivitiesMutation = graphql(`
  mutation ArchiveActivities($items: [SelectedActivity!]!) {
    archiveActivities(items: $items) { archived message }
  }
`);

export const ModelActivitiesQuery = graphql(`
  query ModelActivities {
    modelActivities {
      id
      name
      purposes
      department
      updatedAt
    }
  }
`);

export const InstantiateModelMutation = graphql(`
  mutation InstantiateModel($modelId: UUID!, $tenantId: UUID!) {
    instantiateModel(modelId: $modelId, tenantId: $tenantId) {
      id
      name
    }
  }
`);

export const ActivityEditorDataQuery = graphql(`
  query ActivityEditorData($tenantIds: [UUID!]) {
    gdprVocabulary {
      registerRoles { code label }
      legalBases { code label }
      finalFates { code label }
      safeguards { code label }
      dpiaCriteria { code label }
      activityStatuses { code label }
    }
    processors(tenantIds: $tenantIds, first: 500) {
      totalCount
      items {
        id
        tenantId
        name
      }
    }
  }
`);

export const ActivityDetailQuery = graphql(`
  query ActivityDetail($id: UUID!) {
    activity(id: $id) {
      id
      tenantId
      version
      status { code label }
      completeness
      dpiaScreening
      hasSensitiveData
      isModel
      modelId
      updatedAt
      archivedAt
      modelChanges { field atInstantiation inModelNow }
      ...ActivityContent
    }
  }
`);

export const CreateActivityMutation = graphql(`
  mutation CreateActivity($tenantId: UUID!, $input: ActivityInput!) {
    createActivity(tenantId: $tenantId, input: $input) {
      id
      name
      version
    }
  }
`);

export const UpdateActivityMutation = graphql(`
  mutation UpdateActivity($id: UUID!, $version: Int!, $input: ActivityInput!) {
    updateActivity(id: $id, version: $version, input: $input) {
      id
      name
      version
    }
  }
`);

export const SetActivityStatusMutation = graphql(`
  mutation SetActivityStatus($id: UUID!, $status: String!) {
    setActivityStatus(id: $id, status: $status) {
      id
      version
      status { code label }
    }
  }
`);
