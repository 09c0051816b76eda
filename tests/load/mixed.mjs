// Mixed tenant traffic at a fixed rate with autocannon (npm), against a running Mutualis.
// Reads a JSON plan written by `tests/examples/mixed_load.rs`:
//   { url, rate, seconds, connections, requests: [{ label, cookie, csrf, body, write, tenant }] }
// Every answer is checked, not only its status: a GraphQL error counts as an error, and a list
// holding another tenant's row counts as a leak. Prints one JSON summary on stdout.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const counts = { graphqlErrors: 0, leaks: 0, rateLimited: 0, byLabel: {} };
const firstErrors = [];
let serial = 0;

function check(r, status, body) {
  const c = (counts.byLabel[r.label] ??= { n: 0, errors: 0 });
  c.n += 1;
  if (status === 429) counts.rateLimited += 1;
  let doc;
  try {
    doc = JSON.parse(body);
  } catch {
    c.errors += 1;
    if (firstErrors.length < 5) firstErrors.push(`${r.label}: HTTP ${status}, not JSON`);
    return;
  }
  if (doc.errors) {
    counts.graphqlErrors += 1;
    c.errors += 1;
    if (firstErrors.length < 5) firstErrors.push(`${r.label}: ${JSON.stringify(doc.errors[0])}`);
    return;
  }
  // Every row of a list must belong to the caller's own commune.
  for (const rows of Object.values(doc.data ?? {})) {
    if (Array.isArray(rows) && rows.some((x) => x.tenantId && x.tenantId !== r.tenant)) {
      counts.leaks += 1;
    }
  }
}

const requests = plan.requests.map((r) => ({
  method: 'POST',
  path: '/graphql',
  headers: {
    'content-type': 'application/json',
    cookie: `mutualis_session=${r.cookie}`,
    'x-csrf-token': r.csrf,
  },
  // Writes get a fresh value each time, so none is a replay of another.
  setupRequest: (req) => ({ ...req, body: r.write ? r.body.replaceAll('__N__', String(serial++)) : r.body }),
  onResponse: (status, body) => check(r, status, body),
}));

const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  overallRate: plan.rate,
  duration: plan.seconds,
  requests,
});

const total = result.requests.total;
console.log(
  JSON.stringify({
    total,
    seconds: plan.seconds,
    achievedRate: total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    ...counts,
    firstErrors,
  }),
);
