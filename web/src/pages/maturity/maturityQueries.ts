import { graphql } from "../../gql";

export const QuestionnaireFieldsFragment = graphql(`
  fragment QuestionnaireFields on MaturityQuestionnaire {
    id
    organisationId
    title
    version
    themes
    publishedAt
    questions {
      key
      theme
      text
      weight
      options {
        label
        score
        notApplicable
      }
    }
  }
`);

export const MaturityQuestionnairesQuery = graphql(`
  query MaturityQuestionnaires($organisationId: UUID) {
    maturityQuestionnaires(organisationId: $organisationId) {
      ...QuestionnaireFields
    }
  }
`);

export const MaturityAssessmentsQuery = graphql(`
  query MaturityAssessments($tenantIds: [UUID!]) {
    maturityAssessments(tenantIds: $tenantIds) {
      id
      tenantId
      questionnaireId
      assessedOn
      scoreBp
      changeBp
      themes {
        theme
        scoreBp
      }
      answers {
        questionKey
        option
      }
      notes
      recordedBy
      createdAt
    }
  }
`);

export const PublishQuestionnaireMutation = graphql(`
  mutation PublishMaturityQuestionnaire($organisationId: UUID!, $title: String!, $questions: [MaturityQuestionInput!]!) {
    publishMaturityQuestionnaire(organisationId: $organisationId, title: $title, questions: $questions) {
      id
      title
      version
    }
  }
`);

export const RecordAssessmentMutation = graphql(`
  mutation RecordMaturityAssessment($input: MaturityAssessmentInput!) {
    recordMaturityAssessment(input: $input) {
      id
      scoreBp
      changeBp
      themes {
        theme
        scoreBp
      }
    }
  }
`);
