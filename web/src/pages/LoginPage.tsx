// Login: the OpenID Connect flow of the API (ProConnect-compatible), and in the embedded
// mode the demo people, one button each (a form posted to the server, which sets the
// session cookie and comes back to the console's home page).
import { useLocation } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { ProConnectButton } from "@codegouvfr/react-dsfr/ProConnectButton";
import { PageHeading } from "../layout/PageHeading";
import type { DemoAccount } from "../auth/sessionApi";

export function LoginPage({
  demo,
  oidc,
  demoAccounts,
}: {
  demo: boolean;
  oidc: boolean;
  demoAccounts: DemoAccount[];
}) {
  const location = useLocation();
  const returnTo = `${location.pathname}${location.search}`;
  const loginHref = `/auth/login?return_to=${encodeURIComponent(returnTo)}`;
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-10 fr-col-lg-8">
        <PageHeading title="Connexion à Mutualis">
          Registres RGPD, sauvegardes, coûts et factures des services numériques partagés.
        </PageHeading>
        {oidc ? (
          <div className="fr-mb-4w">
            <h2 className="fr-h4">Agents des collectivités</h2>
            <p>Connectez-vous avec le compte de votre administration, par ProConnect (ou le fournisseur d'identité de l'intercommunalité).</p>
            <ProConnectButton url={loginHref} />
          </div>
        ) : null}
        {demo ? (
          <section className="fr-mb-4w" aria-labelledby="demo-titre">
            <h2 className="fr-h4" id="demo-titre">
              Démonstration
            </h2>
            <Alert
              severity="warning"
              small
              description="Ce serveur tourne en mode démonstration : données fictives sur le référentiel réel de l'Agglomération de la Région de Compiègne, connexion sans mot de passe réservée à cet ordinateur."
              className="fr-mb-3w"
            />
            {demoAccounts.length ? (
              <>
                <p>Choisissez qui vous êtes pour découvrir la console :</p>
                <ul className="fr-grid-row fr-grid-row--gutters mutualis-demo-accounts">
                  {demoAccounts.map((a) => (
                    <li key={a.email} className="fr-col-12 fr-col-md-6">
                      <form method="post" action="/auth/demo" className="fr-card fr-card--sm fr-p-3w">
                        <input type="hidden" name="email" value={a.email} />
                        <button type="submit" className="fr-btn">
                          {a.label}
                        </button>
                        <p className="fr-text--sm fr-mt-2w fr-mb-0">{a.description}</p>
                      </form>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p>La connexion de démonstration n'est offerte que depuis l'ordinateur qui fait tourner le serveur.</p>
            )}
          </section>
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
