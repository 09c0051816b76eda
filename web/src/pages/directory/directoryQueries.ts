import { graphql } from "../../gql";

export const PeopleQuery = graphql(`
  query People($organisationId: UUID) {
    people(organisationId: $organisationId) {
      id
      email
      givenName
      usualName
      lastLoginAt
      memberships {
        id
        organisationId
        tenantId
        role
        createdAt
      }
    }
  }
`);

export const InviteUserMutation = graphql(`
  mutation InviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      id
      role
      tenantId
    }
  }
`);

export const MemberTenantsQuery = graphql(`
  query MemberTenants($first: Int!, $offset: Int!) {
    tenants(kind: "commune", first: $first, offset: $offset) {
      totalCount
      items {
        id
        kind
        name
        inseeCode
        siren
        population
      }
    }
  }
`);
