// The frame of every screen: skip links, DSFR header (with the demo badge and the navigation
// of the person's roles), the commune switcher, the page, the footer.
import type { ReactNode } from "react";
import { useLocation } from "react-router-dom";
import { Header } from "@codegouvfr/react-dsfr/Header";
import { Footer } from "@codegouvfr/react-dsfr/Footer";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { SkipLinks } from "@codegouvfr/react-dsfr/SkipLinks";
import { MainNavigation } from "@codegouvfr/react-dsfr/MainNavigation";
import { useSession } from "../auth/SessionProvider";
import { isActive, navigationFor } from "./navigation";
import { TenantSwitcher } from "./TenantSwitcher";

const brandTop = (
  <>
    Services
    <br />
    numériques
    <br />
    mutualisés
  </>
);

function isDemo(state: ReturnType<typeof useSession>["state"]): boolean {
  if (state.status === "authenticated") return state.session.demo;
  if (state.status === "anonymous") return state.demo;
  return false;
}

export function AppLayout({ children }: { children: ReactNode }) {
  const { state, logout } = useSession();
  const { pathname } = useLocation();
  const demo = isDemo(state);
  // The explorer link only where the server serves it.
  const explorer = state.status === "authenticated" && state.session.graphqlExplorer;
  const authenticated = state.status === "authenticated";
  const navigation = authenticated
    ? navigationFor(state.roles).map((item) =>
        "entry" in item
          ? { text: item.entry.label, linkProps: { to: item.entry.path }, isActive: isActive(item.entry, pathname) }
          : {
              text: item.group,
              isActive: item.entries.some((e) => isActive(e, pathname)),
              menuLinks: item.entries.map((e) => ({ text: e.label, linkProps: { to: e.path }, isActive: isActive(e, pathname) })),
            },
      )
    : undefined;

  return (
    <>
      <SkipLinks
        links={[
          { label: "Contenu", anchor: "#contenu" },
          ...(authenticated ? [{ label: "Menu", anchor: "#navigation" }] : []),
          { label: "Pied de page", anchor: "#footer" },
        ]}
      />
      <Header
        brandTop={brandTop}
        homeLinkProps={{ to: "/", title: "Accueil — Mutualis" }}
        serviceTitle={
          <>
            Mutualis{" "}
            {demo ? (
              <Badge as="span" noIcon severity="warning" small>
                DÉMONSTRATION
              </Badge>
            ) : null}
          </>
        }
        serviceTagline="Services numériques partagés de l'intercommunalité et de ses communes"
        navigation={navigation ? <MainNavigation id="navigation" items={navigation} /> : undefined}
        quickAccessItems={
          authenticated
            ? [
                {
                  iconId: "fr-icon-account-circle-line",
                  text: state.session.displayName,
                  linkProps: { to: "/" },
                },
                {
                  iconId: "fr-icon-logout-box-r-line",
                  text: "Se déconnecter",
                  buttonProps: { onClick: () => void logout(), type: "button" },
                },
              ]
            : []
        }
      />
      {authenticated ? <TenantSwitcher /> : null}
      <main id="contenu" role="main" className="console-main fr-container fr-py-4w" tabIndex={-1}>
        {demo ? (
          <p className="fr-sr-only">
            Démonstration : données fictives sur un référentiel réel.
          </p>
        ) : null}
        {children}
      </main>
      <Footer
        id="footer"
        accessibility="partially compliant"
        contentDescription="Mutualis : registres RGPD, commande publique, sauvegardes, répartition des coûts et facturation des services numériques partagés entre l'intercommunalité et ses communes membres."
        bottomItems={explorer ? [{ text: "Explorateur GraphQL", linkProps: { href: "/graphiql" } }] : []}
      />
    </>
  );
}
