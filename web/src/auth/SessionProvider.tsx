// Who is logged in (from /auth/session), the communes they reach (GraphQL `tenants`), and
// the commune chosen in the tenant switcher (kept in this browser's localStorage).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { onSessionLost, setCsrfToken, request } from "../api/graphqlClient";
import { graphql } from "../gql";
import { fetchSession, logout as apiLogout, type DemoAccount, type Session } from "./sessionApi";
import { compareNames } from "../format/fr";

export const ViewerQuery = graphql(`
  query Viewer {
    me {
      displayName
      email
      roles
      grants {
        organisationId
        tenantId
        role
        expiresAt
      }
    }
    organisations {
      id
      name
      siren
    }
  }
`);

/** The tenants reached, a page at a time (an intercommunality may have hundreds of communes). */
const ViewerTenantsQuery = graphql(`
  query ViewerTenants($offset: Int!) {
    tenants(first: 500, offset: $offset) {
      totalCount
      items {
        id
        organisationId
        kind
        name
        inseeCode
        population
      }
    }
  }
`);

/** Every tenant reached: pages of 500 until the total the API counts. */
async function allTenants(): Promise<Tenant[]> {
  const out: Tenant[] = [];
  for (;;) {
    const page = await request(ViewerTenantsQuery, { offset: out.length });
    out.push(...page.tenants.items);
    if (!page.tenants.items.length || out.length >= page.tenants.totalCount) return out;
  }
}

export type Tenant = {
  id: string;
  organisationId: string;
  kind: string;
  name: string;
  inseeCode: string | null;
  population: number;
};
export type Organisation = { id: string; name: string; siren: string };
export type Grant = { organisationId: string; tenantId: string | null; role: string; expiresAt: string | null };

type LoggedIn = Extract<Session, { authenticated: true }>;

export type SessionState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "anonymous"; demo: boolean; oidc: boolean; demoAccounts: DemoAccount[] }
  | {
      status: "authenticated";
      session: LoggedIn;
      roles: string[];
      grants: Grant[];
      organisations: Organisation[];
      tenants: Tenant[];
    };

type Ctx = {
  state: SessionState;
  /** The commune chosen in the switcher; null = every commune reached. */
  tenantId: string | null;
  setTenantId: (id: string | null) => void;
  logout: () => Promise<void>;
  refresh: () => void;
  /** The session ended while the page was open (expired, or closed in another tab). */
  sessionLost: boolean;
};

const SessionContext = createContext<Ctx | null>(null);
const STORAGE_KEY = "mutualis.tenant";

function readStoredTenant(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const [tenantId, setTenantIdState] = useState<string | null>(readStoredTenant);
  const [generation, setGeneration] = useState(0);
  const [sessionLost, setSessionLost] = useState(false);

  useEffect(() => onSessionLost(() => setSessionLost(true)), []);

  useEffect(() => {
    let cancelled = false;
    setSessionLost(false);
    (async () => {
      try {
        const session = await fetchSession();
        if (!session.authenticated) {
          setCsrfToken(null);
          if (!cancelled) setState({
              status: "anonymous",
              demo: session.demo,
              oidc: session.oidc,
              demoAccounts: session.demoAccounts ?? [],
            });
          return;
        }
        setCsrfToken(session.csrfToken);
        const [viewer, tenants] = await Promise.all([request(ViewerQuery, {}), allTenants()]);
        if (cancelled) return;
        setState({
          status: "authenticated",
          session,
          roles: viewer.me.roles,
          grants: viewer.me.grants,
          organisations: viewer.organisations,
          tenants: tenants.sort((a, b) => compareNames(a.name, b.name)),
        });
      } catch (e) {
        if (!cancelled)
          setState({ status: "error", message: e instanceof Error ? e.message : String(e) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [generation]);

  // A stored choice that no longer matches a reachable commune is dropped; a person who
  // reaches exactly one commune always works in it.
  useEffect(() => {
    if (state.status !== "authenticated") return;
    const communes = state.tenants;
    if (communes.length === 1) {
      if (tenantId !== communes[0]!.id) setTenantIdState(communes[0]!.id);
    } else if (tenantId && !communes.some((t) => t.id === tenantId)) {
      setTenantIdState(null);
    }
  }, [state, tenantId]);

  const setTenantId = useCallback((id: string | null) => {
    setTenantIdState(id);
    try {
      if (id) window.localStorage.setItem(STORAGE_KEY, id);
      else window.localStorage.removeItem(STORAGE_KEY);
    } catch {
      /* private browsing: the choice lasts for this page only */
    }
  }, []);

  const logout = useCallback(async () => {
    const provider = await apiLogout();
    setCsrfToken(null);
    if (provider) {
      // The provider ends its own session, then sends the browser back to the login page.
      window.location.assign(provider);
      return;
    }
    setGeneration((g) => g + 1);
  }, []);

  const value = useMemo<Ctx>(
    () => ({ state, tenantId, setTenantId, logout, refresh: () => setGeneration((g) => g + 1), sessionLost }),
    [state, tenantId, setTenantId, logout, sessionLost],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Ctx {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error("useSession outside SessionProvider");
  return ctx;
}

/** For screens shown only once logged in. */
export function useAuthenticated() {
  const { state, tenantId, setTenantId } = useSession();
  if (state.status !== "authenticated") throw new Error("useAuthenticated while not logged in");
  const tenantIds = tenantId ? [tenantId] : null;
  const tenantName = (id: string) => state.tenants.find((t) => t.id === id)?.name ?? "Commune inconnue";
  const currentTenant = tenantId ? state.tenants.find((t) => t.id === tenantId) ?? null : null;
  return { ...state, tenantId, tenantIds, setTenantId, tenantName, currentTenant };
}
