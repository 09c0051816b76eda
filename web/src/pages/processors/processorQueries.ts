// Processors (Art. 28): the commune's list, one processor's page, and the links to the
// register's activities (the register's "Sous-traitants" column and export sheet).
import { graphql } from "../../gql";

export const ProcessorsListQuery = graphql(`
  query ProcessorsList($tenantIds: [UUID!], $first: Int!, $offset: Int!) {
    processors(tenantIds: $tenantIds, first: $first, offset: $offset) {
      totalCount
      items {
        id
        tenantId
        name
        siret
        country
        contractRef
        dpaStatus { code label }
        dpaSignedOn
        activityIds
      }
    }
    gdprVocabulary {
      dpaStatuses { code label }
    }
  }
`);

export const ProcessorDetailQuery = graphql(`
  query ProcessorDetail($id: UUID!) {
    processor(id: $id) {
      id
      tenantId
      name
      siret
      contact
      country
      contractRef
      dpaStatus { code label }
      dpaSignedOn
      activityIds
    }
    gdprVocabulary {
      dpaStatuses { code label }
    }
  }
`);

export const ProcessorActivitiesQuery = graphql(`
  query ProcessorActivities($tenantIds: [UUID!]) {
    activities(tenantIds: $tenantIds, first: 500) {
      totalCount
      items {
        id
        name
        status { code label }
      }
    }
  }
`);

export const CreateProcessorMutation = graphql(`
  mutation CreateProcessor($input: ProcessorInput!) {
    createProcessor(input: $input) {
      id
      name
    }
  }
`);

export const UpdateProcessorMutation = graphql(`
  mutation UpdateProcessor($id: UUID!, $input: ProcessorChangesInput!) {
    updateProcessor(id: $id, input: $input) {
      id
      name
    }
  }
`);

export const LinkProcessorMutation = graphql(`
  mutation LinkProcessor($processorId: UUID!, $activityId: UUID!) {
    linkProcessorToActivity(processorId: $processorId, activityId: $activityId) {
      id
      activityIds
    }
  }
`);

export const UnlinkProcessorMutation = graphql(`
  mutation UnlinkProcessor($processorId: UUID!, $activityId: UUID!) {
    unlinkProcessorFromActivity(processorId: $processorId, activityId: $activityId) {
      id
      activityIds
    }
  }
`);
