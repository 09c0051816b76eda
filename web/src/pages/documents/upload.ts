// Files go to the server as multipart forms (POST /documents, /library/resources…), outside
// GraphQL. An API refusal becomes a GraphQLRequestError like any other, so the forms show it
// next to the field it names: a file refused for its size or its content (FILE_TOO_LARGE,
// UNSUPPORTED_FILE_TYPE) is an error of the « file » field, in the API's French words.
import { getCsrfToken, GraphQLRequestError, type ApiError } from "../../api/graphqlClient";

export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const csrf = getCsrfToken();
  if (csrf) headers["X-CSRF-Token"] = csrf;
  let response: Response;
  try {
    response = await fetch(path, { method: "POST", credentials: "same-origin", headers, body: form });
  } catch {
    throw new GraphQLRequestError([{ message: "Le serveur ne répond pas. Vérifiez votre connexion et réessayez." }]);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok) return body as T;
  const err = (body as { error?: { code?: string; field?: string; message?: string } } | null)?.error;
  const code = err?.code;
  const fileError = code === "FILE_TOO_LARGE" || code === "UNSUPPORTED_FILE_TYPE";
  const e: ApiError = {
    message:
      err?.message ??
      (response.status === 413
        ? "Le fichier dépasse la taille maximale acceptée."
        : `Le serveur a répondu ${response.status} : réessayez plus tard.`),
    extensions: {
      code: fileError ? "BAD_USER_INPUT" : code ?? (response.status === 401 ? "UNAUTHENTICATED" : undefined),
      ...(fileError ? { field: "file", detail: code } : err?.field ? { field: err.field } : {}),
    },
  };
  if (!e.extensions?.code) delete e.extensions;
  throw new GraphQLRequestError([e], response.status);
}

/** The accepted files, for the file inputs' `accept` attribute. */
export const ACCEPTED_FILES =
  ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods,application/pdf,image/png,image/jpeg," +
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document," +
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet," +
  "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet";

export const ACCEPTED_HINT = "PDF, PNG, JPEG, DOCX, XLSX, ODT ou ODS ; 20 Mo au plus. Le contenu du fichier est vérifié.";
