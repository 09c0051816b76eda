// Logs in every demo role of a running Mutualis (demo login, loopback only) and writes their
// credentials as JSON for the hardening suites:
//
//   node tests/hardening/login.mjs http://127.0.0.1:PORT OUT.json
//
// { "roles": { "<role>": { "email", "cookie", "csrf" } }, "token": "<bearer secret>" }
//
// A session is what the console uses: the `mutualis_session` cookie, and `X-CSRF-Token` on every
// request that is not a GET (read from /auth/session). The bearer token is an API token of the
// DSI (org_admin), created through `createApiToken` with the DSI's session, valid one day.
import { writeFileSync } from 'node:fs';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node login.mjs BASE_URL OUT.json');
  process.exit(2);
}

// The demo people (tenants/src/demo.rs), by the role names the reports use.
export const ROLES = {
  dsi: 'dsi@demo.mutualis.invalid',
  dpo: 'dpo@demo.mutualis.invalid',
  commune_admin: 'mairie-compiegne@demo.mutualis.invalid',
  editor: 'agent-margny@demo.mutualis.invalid',
  auditor: 'auditeur@demo.mutualis.invalid',
};

async function login(email) {
  const res = await fetch(new URL('/auth/demo', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
    redirect: 'manual',
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('mutualis_session='));
  if (!setCookie) {
    throw new Error(`demo login of ${email}: HTTP ${res.status}, no session cookie: ${await res.text()}`);
  }
  const cookie = setCookie.split(';')[0];
  const session = await (await fetch(new URL('/auth/session', base), { headers: { cookie } })).json();
  if (!session.authenticated || !session.csrfToken) {
    throw new Error(`session of ${email} not usable: ${JSON.stringify(session)}`);
  }
  return { email, cookie, csrf: session.csrfToken, roles: session.roles };
}

async function gql(creds, query, variables) {
  const res = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: creds.cookie, 'x-csrf-token': creds.csrf },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (res.status !== 200 || body.errors) {
    throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

const roles = {};
for (const [role, email] of Object.entries(ROLES)) {
  roles[role] = await login(email);
}
const { organisations } = await gql(roles.dsi, '{ organisations { id } }');
const created = await gql(
  roles.dsi,
  `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret } }`,
  {
    input: {
      organisationId: organisations[0].id,
      name: 'hardening audit',
      role: 'org_admin',
      expiresAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
    },
  },
);
writeFileSync(out, JSON.stringify({ roles, token: created.createApiToken.secret }, null, 2));
console.error(`[hardening] logged in: ${Object.keys(roles).join(', ')}; API token created`);
