// Evidence documents (the « Documents » register of proof) and the DPO's library.
import { graphql } from "../../gql";

export const DocumentsListQuery = graphql(`
  query DocumentsList($tenantIds: [UUID!], $kind: String, $search: String, $linkedKind: String, $linkedId: UUID, $first: Int!, $offset: Int!) {
    documents(tenantIds: $tenantIds, kind: $kind, search: $search, linkedKind: $linkedKind, linkedId: $linkedId, first: $first, offset: $offset) {
      totalCount
      items {
        id
        tenantId
        kind { code label }
        title
        documentDate
        fileName
        mediaType
        bytes
        sha256
        uploadedBy
        uploadedAt
        downloadUrl
        links { target { code label } targetId }
      }
    }
    documentKinds { code label }
  }
`);

export const DocumentActivitiesQuery = graphql(`
  query DocumentActivities($tenantIds: [UUID!]) {
    activities(tenantIds: $tenantIds, first: 500) {
      items { id name tenantId }
    }
  }
`);

export const DeleteDocumentMutation = graphql(`
  mutation DeleteDocument($id: UUID!) {
    deleteDocument(id: $id)
  }
`);

export const LibraryQuery = graphql(`
  query Library {
    libraryResources {
      id
      organisationId
      title
      description
      category { code label }
      currentVersion
      updatedAt
      readByMe
      communesRead
      communesTotal
      current { id version kind fileName bytes url note publishedAt openUrl }
      versions { id version kind fileName bytes url note publishedBy publishedAt openUrl sha256 }
      communes { tenantId tenantName readCurrent lastVersionRead readers { readerName readAt } }
    }
    libraryCategories { code label }
  }
`);
