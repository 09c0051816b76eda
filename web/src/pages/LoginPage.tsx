// Login: the OpenID Connect flow of the API (ProConnect-compatible), and in the embedded
// mode the demo login page of the server.
import { useLocation } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { PageHeading } from "../layout/PageHeading";

export function LoginPage({ demo, oidc }: { demo: boolean; oidc: boolean }) {
  const location = useLocation();
  const returnTo = `${location.pathname}${location.search}`;
  const loginHref = `/auth/login?return_to=${encodeURIComponent(returnTo)}`;
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <PageHeading title="Connexion à Mutualis">
          Registres RGPD, sauvegardes, coûts et factures des services numériques partagés.
        </PageHeading>
        {oidc ? (
          <div className="fr-mb-4w">
            <h2 className="fr-h4">Agents des collectivités</h2>
            <p>Connectez-vous avec le compte de votre administration (fournisseur d'identité de l'intercommunalité).</p>
            <a className="fr-btn fr-btn--lg" href={loginHref}>
              Se connecter
            </a>
          </div>
        ) : null}
        {demo ? (
          <div className="fr-mb-4w">
            <Alert
              severity="warning"
              title="Démonstration"
              description="Ce serveur tourne en mode démonstration : données fictives sur un référentiel réel, connexion sans mot de passe réservée à cet ordinateur."
              className="fr-mb-3w"
            />
            <a className={oidc ? "fr-btn fr-btn--secondary" : "fr-btn fr-btn--lg"} href="/auth/demo">
              Se connecter avec un compte de démonstration
            </a>
          </div>
        ) : null}
        {!oidc && !demo ? (
          <Alert
            severity="error"
            title="Connexion indisponible"
            description="Aucun fournisseur d'identité n'est configuré sur ce serveur. Contactez la DSI de l'intercommunalité."
          />
        ) : null}
      </div>
    </div>
  );
}
