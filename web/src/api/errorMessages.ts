// French wording for the API's error codes, and the split between errors about one field
// (shown next to it) and the others (shown above the form).
import { GraphQLRequestError, type ApiError } from "./graphqlClient";
import { messageFr } from "./messagesFr";

const byCode: Record<string, string> = {
  UNAUTHENTICATED: "Vous n'êtes pas connecté(e) : reconnectez-vous.",
  FORBIDDEN: "Vous n'avez pas les droits nécessaires pour cette action.",
  NOT_FOUND: "Cet élément n'existe pas ou ne vous est pas accessible.",
  CONFLICT: "Cet élément a été modifié entre-temps par quelqu'un d'autre.",
  INTERNAL_SERVER_ERROR: "Erreur interne du serveur.",
  GRAPHQL_VALIDATION_FAILED: "La requête a été refusée par le serveur.",
};

/** A sentence for an error of any kind. */
export function describeError(error: unknown): string {
  if (error instanceof GraphQLRequestError) {
    return error.errors.map(describeApiError).join(" ");
  }
  if (error instanceof Error) return error.message;
  return "Erreur inconnue.";
}

export function describeApiError(e: ApiError): string {
  const code = e.extensions?.code;
  const general = code ? byCode[code] : undefined;
  // Input errors carry the API's own explanation; other codes get a French sentence,
  // followed by the server's detail.
  if (code === "BAD_USER_INPUT" || !general) return messageFr(e.message);
  return e.message ? `${general} (${messageFr(e.message)})` : general;
}

/** Field errors (`extensions.field`) by field name, and the rest. */
export function splitFieldErrors(error: unknown): {
  fields: Record<string, string>;
  general: string[];
} {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (error instanceof GraphQLRequestError) {
    for (const e of error.errors) {
      const field = e.extensions?.field;
      if (e.extensions?.code === "BAD_USER_INPUT" && typeof field === "string" && field) {
        const m = messageFr(e.message);
        fields[field] = fields[field] ? `${fields[field]} ${m}` : m;
      } else {
        general.push(describeApiError(e));
      }
    }
  } else if (error) {
    general.push(describeError(error));
  }
  return { fields, general };
}
