// The end of an activity: a draft (a mistake, a duplicate) is deleted; an activity the commune
// no longer carries out is archived (out of the register and its exports, kept in the audit
// trail). Each asks for a confirmation first.
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { ArchiveActivityMutation, DeleteActivityMutation } from "./activityLifecycleQueries";

export function ActivityLifecycle({
  id,
  name,
  version,
  draft,
  onArchived,
}: {
  id: string;
  name: string;
  version: number;
  draft: boolean;
  onArchived: () => void;
}) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    try {
      if (draft) {
        await request(DeleteActivityMutation, { id, version });
        navigate("/registre", { state: { notice: `Le brouillon « ${name} » a été supprimé.` } });
      } else {
        await request(ArchiveActivityMutation, { id, version });
        setConfirming(false);
        onArchived();
      }
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title" className="fr-h4">{draft ? "Supprimer le brouillon" : "Archiver le traitement"}</h2>
      <p className="fr-text--sm">
        {draft
          ? "Un brouillon créé par erreur ou en double se supprime ; son contenu reste dans le journal d'audit."
          : "Un traitement que la commune ne met plus en œuvre s'archive : il quitte le registre, ses exports et les indicateurs, et reste consultable ici et dans le journal d'audit."}
      </p>
      {error ? <Alert severity="error" small description={error} className="fr-mb-2w" /> : null}
      {confirming ? (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w">
          <p>
            {draft ? `Supprimer définitivement le brouillon « ${name} » ?` : `Archiver « ${name} » ? Il ne pourra plus être modifié.`}
          </p>
          <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline fr-mt-1w">
            <li>
              <button type="button" className="fr-btn fr-btn--sm" onClick={() => void run()}>
                {draft ? "Confirmer la suppression" : "Confirmer l'archivage"}
              </button>
            </li>
            <li>
              <button type="button" className="fr-btn fr-btn--sm fr-btn--tertiary" onClick={() => setConfirming(false)}>Annuler</button>
            </li>
          </ul>
        </div>
      ) : (
        <button type="button" className="fr-btn fr-btn--secondary" onClick={() => { setError(null); setConfirming(true); }}>
          {draft ? "Supprimer le brouillon" : "Archiver le traitement"}
        </button>
      )}
    </section>
  );
}
