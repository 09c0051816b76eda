// The audit references the API records ("user:<id>", "token:<id>") as people's names.
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { PeopleQuery } from "./directoryQueries";

export function personName(p: { email: string; givenName: string | null; usualName: string | null }): string {
  const name = [p.givenName, p.usualName].filter(Boolean).join(" ");
  return name || p.email;
}

export function usePeopleNames(): (ref: string) => string {
  const ctx = useAuthenticated();
  const people = useQuery(PeopleQuery, {}, { skip: !can(ctx.roles, "readDirectory") });
  return (ref: string) => {
    const m = ref.match(/^user:(.+)$/);
    if (m) {
      const p = people.data?.people.find((x) => x.id === m[1]);
      return p ? personName(p) : "une personne";
    }
    if (ref.startsWith("token:")) return "un script (jeton d'API)";
    return ref;
  };
}
