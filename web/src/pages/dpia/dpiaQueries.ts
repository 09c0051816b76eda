// DPIAs by the CNIL's method (AIPD): the commune's list, one DPIA's sections, the models the
// intercommunality's DPO publishes.
import { graphql } from "../../gql";

export const DpiaListQuery = graphql(`
  query DpiaList($tenantIds: [UUID!], $first: Int!, $offset: Int!) {
    dpias(tenantIds: $tenantIds, first: $first, offset: $offset) {
      totalCount
      items {
        id
        tenantId
        activityId
        activityName
        stage { code label }
        priorConsultationRequired
        updatedAt
      }
    }
  }
`);

export const DpiaStartQuery = graphql(`
  query DpiaStart($tenantIds: [UUID!]) {
    activities(tenantIds: $tenantIds, first: 500) {
      items { id tenantId name dpia { id } }
    }
    dpiaModels { id name description }
  }
`);

export const DpiaModelsQuery = graphql(`
  query DpiaModels {
    dpiaModels {
      id
      organisationId
      name
      description
      publishedBy
      createdAt
      overview
      risks { kind { code label } severity likelihood residualSeverity residualLikelihood measures }
    }
    dpias(first: 500) { items { id tenantId activityName stage { label } } }
  }
`);

export const DpiaDetailQuery = graphql(`
  query DpiaDetail($id: UUID!) {
    dpia(id: $id) {
      id
      tenantId
      activityId
      activityName
      version
      stage { code label }
      priorConsultationRequired
      modelId
      pdfPath
      context { overview dataProcessed lifecycle supports { kind { code label } description } }
      principles { principle { code label } justification evaluation { code label } dpoComment }
      subjectsOpinion { sought summary reasonNotSought }
      dpoOpinion
      dpoOpinionBy
      dpoOpinionAt
      decisionBy
      decisionAt
      decisionComment
      risks {
        id
        kind { code label }
        sources
        threats
        impacts
        severity
        likelihood
        residualSeverity
        residualLikelihood
        residualHigh
        measures { id title state { code label } action { id title dueOn status { code label } } }
      }
      riskMap { severity severityLabel cells }
    }
    gdprVocabulary {
      dpiaSupportKinds { code label }
      dpiaLevels { code label }
      dpiaEvaluations { code label }
      dpiaMeasureStates { code label }
    }
  }
`);

export const CreateDpiaMutation = graphql(`
  mutation CreateDpia($activityId: UUID!, $modelId: UUID) {
    createDpia(activityId: $activityId, modelId: $modelId) { id }
  }
`);

export const UpdateDpiaMutation = graphql(`
  mutation UpdateDpia($id: UUID!, $input: DpiaInput!) {
    updateDpia(id: $id, input: $input) { id version }
  }
`);

export const SubmitDpiaMutation = graphql(`
  mutation SubmitDpia($id: UUID!, $version: Int!) {
    submitDpia(id: $id, version: $version) { id stage { code } }
  }
`);

export const DpiaOpinionMutation = graphql(`
  mutation DpiaOpinion($id: UUID!, $opinion: String!, $evaluations: [DpiaEvaluationInput!]!) {
    giveDpiaOpinion(id: $id, opinion: $opinion, evaluations: $evaluations) { id }
  }
`);

export const DecideDpiaMutation = graphql(`
  mutation DecideDpia($id: UUID!, $decision: String!, $signatory: String!, $comment: String!) {
    decideDpia(id: $id, decision: $decision, signatory: $signatory, comment: $comment) { id stage { code } }
  }
`);

export const PublishDpiaModelMutation = graphql(`
  mutation PublishDpiaModel($organisationId: UUID!, $fromDpiaId: UUID!, $name: String!, $description: String!) {
    publishDpiaModel(organisationId: $organisationId, fromDpiaId: $fromDpiaId, name: $name, description: $description) { id name }
  }
`);
