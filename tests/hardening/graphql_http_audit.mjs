// The GraphQL-over-HTTP audit suite of graphql-http (`serverAudits`) against a running
// Mutualis's /graphql, once per way of calling it:
//
//   node tests/hardening/graphql_http_audit.mjs BASE_URL CREDENTIALS.json
//
//   anonymous  no credentials (what an unauthenticated client gets);
//   session    the console's way: the DSI's `mutualis_session` cookie, and `X-CSRF-Token` on
//              every request but GET/HEAD (the audits' own headers are kept);
//   token      a script's way: `Authorization: Bearer <API token of the DSI>`.
//
// CREDENTIALS.json comes from login.mjs. Every audit is printed with its result. Exits 1 when a
// MUST audit fails (or an audit crashes), or when a SHOULD audit's result is not the one decided
// in SHOULD_DECISIONS below (the table of tests/hardening/README.md): a SHOULD we pass must keep
// passing, and one we decided not to follow is known and explained.
import { readFileSync } from 'node:fs';
import { serverAudits } from 'graphql-http';

const [base, credsFile] = process.argv.slice(2);
if (!base || !credsFile) {
  console.error('usage: node graphql_http_audit.mjs BASE_URL CREDENTIALS.json');
  process.exit(2);
}
const creds = JSON.parse(readFileSync(credsFile, 'utf8'));
const url = new URL('/graphql', base).toString();

// id -> [expected status, why]. 'ok' for the SHOULDs we follow; 'warn' for the ones we decided
// not to, with the reason (also in README.md).
export const SHOULD_DECISIONS = {
  '22EB': ['ok', 'application/graphql-response+json accepted and answered with that type'],
  '47DE': ['ok', '*/* answered as application/json'],
  '80D8': ['ok', 'no Accept: application/json'],
  '9ABE': ['ok', 'POST without Content-Type refused with 4xx'],
  '34A2': ['ok', 'string query with graphql-response+json'],
  '8161': ['ok', 'string operationName with graphql-response+json'],
  '94B0': ['ok', 'null variables with graphql-response+json'],
  '94B1': ['ok', 'null operationName with graphql-response+json'],
  '94B2': ['ok', 'null extensions with graphql-response+json'],
  '2EA1': ['ok', 'map variables with graphql-response+json'],
  '428F': ['ok', 'map extensions with graphql-response+json'],
  BCF8: ['ok', '400 on malformed JSON (application/json)'],
  B7N8: ['ok', '400 on malformed JSON (graphql-response+json)'],
  '572B': ['ok', '200 on a parse error (application/json)'],
  FDE2: ['ok', '200 on a validation error (application/json)'],
  '7B9B': ['ok', '200 on variable coercion failure (application/json)'],
  '865D': ['ok', '4xx on a parse error (graphql-response+json)'],
  '556A': ['ok', '400 on a parse error (graphql-response+json)'],
  D586: ['ok', 'no data entry on a parse error (graphql-response+json)'],
  '51FE': ['ok', '4xx on a validation error (graphql-response+json)'],
  '74FF': ['ok', '400 on a validation error (graphql-response+json)'],
  '5E5B': ['ok', 'no data entry on a validation error (graphql-response+json)'],
  '86EE': ['ok', '400 on variable coercion failure (graphql-response+json)'],
};

const callers = {
  anonymous: {},
  session: { cookie: creds.roles.dsi.cookie, csrf: creds.roles.dsi.csrf },
  token: { bearer: creds.token },
};

function fetchAs(caller) {
  return (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    const method = (init.method || 'GET').toUpperCase();
    if (caller.cookie) {
      headers.set('cookie', caller.cookie);
      if (method !== 'GET' && method !== 'HEAD') headers.set('x-csrf-token', caller.csrf);
    }
    if (caller.bearer) headers.set('authorization', `Bearer ${caller.bearer}`);
    return fetch(input, { ...init, headers });
  };
}

let failures = 0;
const counts = {};
const seenShould = new Map();
for (const [name, caller] of Object.entries(callers)) {
  console.log(`== graphql-http ${'1.23.1'} serverAudits, ${name}`);
  const c = (counts[name] = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] });
  for (const audit of serverAudits({ url, fetchFn: fetchAs(caller) })) {
    const level = audit.name.split(' ')[0];
    let result;
    try {
      result = await audit.fn();
    } catch (err) {
      result = { status: 'error', reason: `audit crashed: ${err && err.stack ? err.stack : err}` };
    }
    const ok = result.status === 'ok';
    c[level][0] += ok ? 1 : 0;
    c[level][1] += 1;
    let verdict = ok ? 'pass' : result.status;
    if (level === 'MUST' && !ok) failures += 1;
    if (level === 'SHOULD') {
      const decided = SHOULD_DECISIONS[audit.id];
      const got = ok ? 'ok' : 'warn';
      seenShould.set(audit.id, audit.name);
      if (!decided) {
        verdict += ' (UNDECIDED: add it to SHOULD_DECISIONS and README.md)';
        failures += 1;
      } else if (decided[0] !== got) {
        verdict += ` (DECIDED ${decided[0]}: ${decided[1]})`;
        failures += 1;
      } else if (!ok) {
        verdict += ` (decided: ${decided[1]})`;
      }
    }
    if (result.status === 'error' && level !== 'MUST') failures += 1;
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${audit.id} ${audit.name}: ${verdict}`);
    if (!ok && result.reason) {
      let body = '';
      try {
        body = result.response ? ` — HTTP ${result.response.status}: ${(await result.response.text()).slice(0, 300)}` : '';
      } catch {
        /* body already read by the audit */
      }
      console.log(`       ${result.reason}${body}`);
    }
  }
}
for (const id of Object.keys(SHOULD_DECISIONS)) {
  if (!seenShould.has(id)) {
    console.log(`  decision for ${id} matches no audit of this graphql-http version: remove it`);
    failures += 1;
  }
}
console.log('== graphql-http audit summary (passed/total)');
for (const [name, c] of Object.entries(counts)) {
  console.log(
    `  ${name.padEnd(9)} MUST ${c.MUST[0]}/${c.MUST[1]}  SHOULD ${c.SHOULD[0]}/${c.SHOULD[1]}  MAY ${c.MAY[0]}/${c.MAY[1]}`,
  );
}
console.log(failures ? `graphql-http audit: ${failures} failure(s)` : 'graphql-http audit: ok');
process.exit(failures ? 1 : 0);
