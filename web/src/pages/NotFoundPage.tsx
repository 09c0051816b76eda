import { Link } from "react-router-dom";
import { PageHeading } from "../layout/PageHeading";

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page introuvable">La page demandée n'existe pas.</PageHeading>
      <p>
        <Link to="/">Retour à l'accueil</Link>
      </p>
    </>
  );
}
