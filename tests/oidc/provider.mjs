#!/usr/bin/env node
// Test-only OpenID Connect provider for Mutualis end-to-end login tests.
//
// It mimics the parts of ProConnect (the French public agents' identity
// federation) that a relying party relies on: a confidential client using
// client_secret_basic, authorization code + PKCE (S256), nonce, and the
// ProConnect claims (email, given_name, usual_name, siret) returned both
// from the userinfo endpoint and inside the ID token.
//
// Login uses oidc-provider's built-in development interactions: any login
// and any password are accepted, and the login typed becomes the account id
// (`sub`). Consent is granted automatically, so the flow for a plain HTTP
// client with a cookie jar is:
//
//   GET  /auth?response_type=code&client_id=...&redirect_uri=...&scope=...
//        &state=...&nonce=...&code_challenge=...&code_challenge_method=S256
//     -> 303 Location: /interaction/<uid>
//   GET  /interaction/<uid>            (optional, HTML login form)
//   POST /interaction/<uid>            form: prompt=login&login=<id>&password=<any>
//     -> 303 Location: <issuer>/auth/<uid>
//   GET  /auth/<uid>
//     -> 303 Location: <redirect_uri>?code=...&state=...&iss=...
//   POST /token  (Authorization: Basic, grant_type=authorization_code,
//                 code, redirect_uri, code_verifier; client_secret_post
//                 is accepted too)
//
// RP-initiated logout: GET /session/end?id_token_hint=...&post_logout_redirect_uri=...
// &state=... returns a form; POST /session/end/confirm with its hidden
// `xsrf` field and logout=yes -> 303 to post_logout_redirect_uri?state=...
//
// OP cookies are named oidc_op_* so that they never collide with the
// relying party's cookies (cookies are not isolated by port).
//
// Every authorization request starts a fresh OP session (the login form is
// always shown), so one cookie jar can log in as several accounts in turn.
// Set OIDC_SSO=1 to keep OP sessions (silent re-login) instead.
//
// Environment:
//   OIDC_PORT            listening port on 127.0.0.1 (default 9400)
//   OIDC_REDIRECT_URIS   comma separated redirect URIs of the client
//   OIDC_POST_LOGOUT_REDIRECT_URIS  comma separated post logout redirect URIs
//   OIDC_ACCOUNTS        JSON map login -> claim overrides,
//                        e.g. {"bob@x.fr":{"siret":"...","given_name":"Bob"}}
//                        (also settable at runtime: POST /__test/accounts
//                        with the same JSON, see below)
//   OIDC_DEFAULT_SIRET   siret of accounts without override (default
//                        21600158600017, Compiègne town hall)
//   OIDC_SSO=1           keep OP sessions between authorization requests
//   OIDC_STRICT_REDIRECT_URIS=1  only accept the registered redirect URIs
//                        (by default any http loopback URL, any port, is
//                        accepted, so relying parties may use ephemeral ports)
//   OIDC_VERBOSE=1       keep oidc-provider's development-mode warnings
//   DEBUG=oidc-provider:*  oidc-provider's own debug traces

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

// oidc-provider prints warnings about its quick-start features (in-memory
// adapter, dev interactions, runtime version...). They are expected here:
// filter them out unless OIDC_VERBOSE is set. Must happen before the import.
const NOISE = [
  /development-only/,
  /default \S+ function called/,
  /Unsupported runtime/,
  /experimental features are enabled/,
  /Acknowledging this feature/,
  /Breaking changes between experimental/,
  /disable this notice/,
];
if (!process.env.OIDC_VERBOSE) {
  for (const method of ['warn', 'info']) {
    const original = console[method].bind(console);
    console[method] = (...args) => {
      const first = typeof args[0] === 'string' ? args[0] : '';
      if (first.includes('oidc-provider') && NOISE.some((re) => re.test(first))) return;
      original(...args);
    };
  }
}

const { default: Provider, errors } = await import('oidc-provider');

const list = (value, fallback) => (value ?? fallback)
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const port = Number.parseInt(process.env.OIDC_PORT || '9400', 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`oidc-provider: invalid OIDC_PORT ${JSON.stringify(process.env.OIDC_PORT)}`);
  process.exit(2);
}
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;

const CLIENT_ID = 'mutualis-test';
const CLIENT_SECRET = 'mutualis-test-secret';
const redirectUris = list(
  process.env.OIDC_REDIRECT_URIS,
  'http://127.0.0.1:38181/auth/callback,http://localhost:38181/auth/callback',
);
const postLogoutRedirectUris = list(
  process.env.OIDC_POST_LOGOUT_REDIRECT_URIS,
  'http://127.0.0.1:38181/,http://localhost:38181/',
);
const DEFAULT_SIRET = process.env.OIDC_DEFAULT_SIRET || '21600158600017';
const flag = (name) => ['1', 'true', 'yes'].includes((process.env[name] || '').toLowerCase());
const SSO = flag('OIDC_SSO');
const STRICT_REDIRECTS = flag('OIDC_STRICT_REDIRECT_URIS');

let accountOverrides = {};
if (process.env.OIDC_ACCOUNTS) {
  try {
    accountOverrides = JSON.parse(process.env.OIDC_ACCOUNTS);
    if (accountOverrides === null || typeof accountOverrides !== 'object' || Array.isArray(accountOverrides)) {
      throw new TypeError('expected a JSON object');
    }
  } catch (err) {
    console.error(`oidc-provider: invalid OIDC_ACCOUNTS: ${err.message}`);
    process.exit(2);
  }
}

// "jean-pierre" -> "Jean-Pierre", "de la tour" -> "De La Tour"
const capitalize = (s) => s.replace(/(^|[\s-])(\p{L})/gu, (_, sep, c) => sep + c.toUpperCase());

// The claims of an account: everything derives from the login typed in the
// dev login form, unless OIDC_ACCOUNTS overrides it.
function accountClaims(id) {
  const email = id.includes('@') ? id : `${id}@example.fr`;
  const local = email.slice(0, email.lastIndexOf('@'));
  let givenName = 'Agent';
  let usualName = 'Test';
  const dot = local.indexOf('.');
  if (dot > 0 && dot < local.length - 1) {
    givenName = capitalize(local.slice(0, dot));
    usualName = capitalize(local.slice(dot + 1).replace(/\./g, ' '));
  }
  return {
    email,
    given_name: givenName,
    usual_name: usualName,
    siret: DEFAULT_SIRET,
    ...(accountOverrides[id] || {}),
    sub: id,
  };
}

// Ephemeral signing key, regenerated at each start (relying parties fetch
// it from jwks_uri).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: `test-${Date.now()}` };

const ttl = {
  AccessToken: 3600,
  AuthorizationCode: 120,
  ClientCredentials: 600,
  DeviceCode: 600,
  BackchannelAuthenticationRequest: 600,
  Grant: 24 * 3600,
  IdToken: 3600,
  Interaction: 3600,
  RefreshToken: 24 * 3600,
  Session: 24 * 3600,
};

const html = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'Mutualis (tests)',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  cookies: {
    // Cookies do not isolate ports: prefix the names so that they never
    // collide with the relying party's own cookies on 127.0.0.1.
    names: {
      session: 'oidc_op_session',
      interaction: 'oidc_op_interaction',
      resume: 'oidc_op_interaction_resume',
    },
    keys: [randomBytes(32).toString('base64url')],
  },
  // ProConnect-like scopes and claims.
  scopes: ['openid', 'offline_access', 'email', 'given_name', 'usual_name', 'siret', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    siret: ['siret'],
    profile: ['given_name', 'usual_name'],
  },
  // Put the scope-granted claims in the ID token as well (ProConnect does).
  conformIdTokenClaims: false,
  acrValues: ['eidas1'],
  pkce: {
    // Required for every client, confidential ones included.
    required: () => true,
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // Form fields: xsrf (hidden), logout=yes to end the OP session.
        ctx.body = html('Logout', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = html('Signed out', '<p>Signed out.</p>');
      },
    },
  },
  ttl,
  findAccount(ctx, id) {
    if (typeof id !== 'string' || id === '') return undefined;
    return {
      accountId: id,
      async claims() {
        return accountClaims(id);
      },
    };
  },
  // Automatic consent: extend (or create) the grant with everything the
  // request asks for, so the consent prompt never shows up.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const clientId = oidc.client.clientId;
    const accountId = oidc.account.accountId;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
      grant = new oidc.provider.Grant({ accountId, clientId });
    }
    const scopes = [...oidc.requestParamOIDCScopes];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const claims = [...oidc.requestParamClaims];
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [indicator, server] of Object.entries(oidc.resourceServers || {})) {
      const wanted = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s));
      if (wanted.length) grant.addResourceScope(indicator, wanted.join(' '));
    }
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = html('Error', Object.entries(out).map(([k, v]) => `<pre>${escape(k)}: ${escape(v)}</pre>`).join(''));
  },
  clientBasedCORS: () => true,
};

const provider = new Provider(issuer, configuration);

// Log errors: a failing end-to-end test is much easier to debug with them.
for (const event of [
  'authorization.error',
  'grant.error',
  'end_session.error',
  'userinfo.error',
  'introspection.error',
  'revocation.error',
  'server_error',
]) {
  provider.on(event, (ctx, err) => {
    const detail = err instanceof errors.OIDCProviderError
      ? `${err.error}: ${err.error_description}${err.error_detail ? ` (${err.error_detail})` : ''}`
      : (err?.stack || String(err));
    console.error(`oidc-provider ${event}: ${detail}`);
  });
}

// Like ProConnect, record an eIDAS "low" password authentication: the ID
// token carries acr "eidas1" when the request has acr_values=eidas1.
const interactionFinished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result?.login) result.login = { acr: 'eidas1', amr: ['pwd'], ...result.login };
  return interactionFinished(req, res, result, options);
};

// Test hook: set claim overrides at runtime, like OIDC_ACCOUNTS.
//   POST /__test/accounts  {"bob@x.fr":{"siret":"13002526500013"}}  -> 204
//   GET  /__test/accounts  -> current overrides
// An account's overrides are replaced as a whole; null removes them.
provider.use(async (ctx, next) => {
  if (ctx.path !== '/__test/accounts') {
    await next();
    return;
  }
  if (ctx.method === 'GET') {
    ctx.body = accountOverrides;
    return;
  }
  if (ctx.method !== 'POST' && ctx.method !== 'PUT') {
    ctx.status = 405;
    return;
  }
  let body;
  try {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('expected a JSON object');
  } catch (err) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: err.message };
    return;
  }
  const bad = Object.entries(body).find(([, c]) => c !== null && (typeof c !== 'object' || Array.isArray(c)));
  if (bad) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: `claims of ${bad[0]} must be an object or null` };
    return;
  }
  for (const [id, claims] of Object.entries(body)) {
    if (claims === null) delete accountOverrides[id];
    else accountOverrides[id] = claims;
  }
  ctx.status = 204;
});

if (!STRICT_REDIRECTS) {
  // Any http loopback URL (127.0.0.1, localhost, [::1], any port, any path)
  // is an acceptable redirect_uri / post_logout_redirect_uri, so that tests
  // may bind their relying party to an ephemeral port. The registered URIs
  // above remain the client's metadata.
  const isLoopback = (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' && url.hash === ''
        && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  };
  const { prototype } = provider.Client;
  const redirectUriAllowed = prototype.redirectUriAllowed;
  const postLogoutRedirectUriAllowed = prototype.postLogoutRedirectUriAllowed;
  prototype.redirectUriAllowed = function allowed(value) {
    return redirectUriAllowed.call(this, value) || isLoopback(value);
  };
  prototype.postLogoutRedirectUriAllowed = function allowed(value) {
    return postLogoutRedirectUriAllowed.call(this, value) || isLoopback(value);
  };
}

if (!SSO) {
  // Hide the OP session cookie from the authorization endpoint (/auth) and
  // its resume step (/auth/<uid>): each authorization request shows the
  // login form and ends in a new OP session for the account typed, whatever
  // account logged in before with the same cookie jar.
  const sessionCookie = provider.cookieName('session');
  const strip = new RegExp(`^\\s*${sessionCookie}(?:\\.sig|\\.legacy(?:\\.sig)?)?=`);
  provider.use(async (ctx, next) => {
    if ((ctx.path === '/auth' || ctx.path.startsWith('/auth/')) && ctx.headers.cookie) {
      const kept = ctx.headers.cookie.split(';').filter((c) => !strip.test(c));
      if (kept.length) ctx.headers.cookie = kept.join(';');
      else delete ctx.headers.cookie;
    }
    await next();
  });
}

const server = http.createServer(provider.callback());
server.on('error', (err) => {
  console.error(`oidc-provider: cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`oidc-provider: ${signal} received, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
