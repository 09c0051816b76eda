// What the console says about a failed request, and the split between errors about one field
// (shown next to it) and the others (shown above the form). The API writes its messages in
// French: they are shown once, as written. A code the console does not know, or an error
// without a message, gets a French sentence of its own, so nothing English or empty reaches
// the page.
import { GraphQLRequestError, type ApiError } from "./graphqlClient";

/** What to say when the API gave no usable message, by `extensions.code`. */
const fallbackByCode: Record<string, string> = {
  UNAUTHENTICATED: "Votre session a expiré : reconnectez-vous.",
  FORBIDDEN: "Votre rôle ne permet pas cette action.",
  NOT_FOUND: "Cet élément n'existe pas ou ne vous est pas accessible.",
  CONFLICT: "Cet élément a été modifié entre-temps : rechargez la page puis recommencez.",
  BAD_USER_INPUT: "Une valeur saisie est refusée : vérifiez le formulaire.",
  NOT_CONFIGURED: "Le serveur n'est pas configuré pour cette action : prévenez la DSI.",
  RATE_LIMITED: "Trop de requêtes : patientez un instant puis réessayez.",
  SERVICE_UNAVAILABLE: "Le service est momentanément indisponible : réessayez dans un instant.",
  INTERNAL_SERVER_ERROR: "Erreur interne du serveur : réessayez plus tard.",
  GRAPHQL_VALIDATION_FAILED: "La requête a été refusée par le serveur.",
  BAD_REQUEST: "La requête a été refusée par le serveur.",
};

/** For a code the console does not know (a newer server, a proxy's answer). */
export const UNKNOWN_ERROR = "L'action n'a pas abouti : réessayez, et si l'erreur persiste, prévenez la DSI.";

/** Codes the console knows: their message is the API's own (French) sentence. */
export function isKnownCode(code: string | undefined): boolean {
  return code !== undefined && code in fallbackByCode;
}

/** A sentence for an error of any kind. */
export function describeError(error: unknown): string {
  if (error instanceof GraphQLRequestError) {
    return error.errors.map(describeApiError).join(" ");
  }
  if (error instanceof Error && error.message) return error.message;
  return UNKNOWN_ERROR;
}

/** One API error: its message when the code is known (the API writes it in French), else the
 * French sentence for an unknown code. */
export function describeApiError(e: ApiError): string {
  const code = e.extensions?.code;
  const message = e.message?.trim();
  if (isKnownCode(code)) return message || fallbackByCode[code as string]!;
  // No code at all: the client's own errors (no answer, HTTP status), written in French here.
  if (code === undefined && message) return message;
  return UNKNOWN_ERROR;
}

/** Does this failure mean the session is gone (the page is shown, the cookie no longer holds)? */
export function isSessionLost(error: unknown): boolean {
  return (
    error instanceof GraphQLRequestError &&
    (error.status === 401 || error.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED"))
  );
}

/** Field errors (`extensions.field`) by field name, and the rest. A lost session is not a form
 * error: the page says it once, above everything (`SessionExpiredNotice`). */
export function splitFieldErrors(error: unknown): {
  fields: Record<string, string>;
  general: string[];
} {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (isSessionLost(error)) return { fields, general };
  if (error instanceof GraphQLRequestError) {
    for (const e of error.errors) {
      const field = e.extensions?.field;
      if (e.extensions?.code === "BAD_USER_INPUT" && typeof field === "string" && field) {
        const m = describeApiError(e);
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

/** `describeError`, or null for a lost session, which the page already says once above. */
export function errorText(error: unknown): string | null {
  return isSessionLost(error) ? null : describeError(error);
}
