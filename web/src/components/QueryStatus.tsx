// What a screen shows while its data loads, or when the API refused it.
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { describeError } from "../api/errorMessages";

export function Loading({ what = "les données" }: { what?: string }) {
  return (
    <p role="status" aria-live="polite">
      Chargement de {what}…
    </p>
  );
}

export function QueryError({ error, title = "Chargement impossible" }: { error: unknown; title?: string }) {
  return <Alert severity="error" title={title} description={describeError(error)} className="fr-mb-3w" />;
}
