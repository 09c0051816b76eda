// The API's view of the browser session (GET /auth/session) and the logout (POST /auth/logout).
import { getCsrfToken } from "../api/graphqlClient";

export type Session =
  | {
      authenticated: true;
      displayName: string;
      email: string | null;
      roles: string[];
      csrfToken: string | null;
      demo: boolean;
      /** The server serves its GraphQL explorer at /graphiql (MUTUALIS_GRAPHQL_EXPLORER). */
      graphqlExplorer: boolean;
    }
  | {
      authenticated: false;
      demo: boolean;
      graphqlExplorer: boolean;
      oidc: boolean;
      demoAccounts: DemoAccount[] | null;
    };

/** A person of the demo login (embedded mode, offered to this computer only). */
export type DemoAccount = { email: string; label: string; description: string };

export async function fetchSession(): Promise<Session> {
  const response = await fetch("/auth/session", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`Session illisible (HTTP ${response.status}).`);
  return (await response.json()) as Session;
}

/**
 * Ends the session server-side (the CSRF token is required: a cross-site form cannot). Answers
 * the identity provider's logout address when the login came from it (ProConnect asks that its
 * session end too): the caller sends the browser there.
 */
export async function logout(): Promise<string | null> {
  const token = getCsrfToken();
  const response = await fetch("/auth/logout", {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(token ? { "X-CSRF-Token": token } : {}) },
    redirect: "manual",
  });
  if (!response.ok) return null;
  try {
    const body = (await response.json()) as { logoutUrl?: string | null };
    return body.logoutUrl ?? null;
  } catch {
    return null;
  }
}
