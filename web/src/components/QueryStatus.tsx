// What a screen shows while its data loads, or when the API refused it.
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { describeError, isSessionLost } from "../api/errorMessages";

export function Loading({ what = "les données" }: { what?: string }) {
  return (
    <p role="status" aria-live="polite">
      Chargement de {what}…
    </p>
  );
}

export function QueryError({ error, title = "Chargement impossible" }: { error: unknown; title?: string }) {
  // A lost session is said once, above the page (SessionExpiredNotice).
  if (isSessionLost(error)) return null;
  return <Alert severity="error" title={title} description={describeError(error)} className="fr-mb-3w" />;
}
