// Shown above the page when the session ends while the page is open (it expired, or was
// closed from another tab): one French message with a way back in, instead of a form error
// on whatever the person was doing.
import { useEffect, useRef } from "react";
import { useLocation } from "react-router-dom";
import { useSession } from "./SessionProvider";

export function SessionExpiredNotice() {
  const { sessionLost } = useSession();
  const location = useLocation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (sessionLost) ref.current?.focus();
  }, [sessionLost]);
  if (!sessionLost) return null;
  // Reloading the page finds no session and shows the login page, which brings the person
  // back here once logged in.
  const here = `${location.pathname}${location.search}`;
  return (
    <div className="fr-alert fr-alert--warning fr-mb-4w" role="alert" tabIndex={-1} ref={ref} id="session-expiree">
      <h2 className="fr-alert__title">Votre session a expiré</h2>
      <p>
        Reconnectez-vous pour continuer ; ce que vous n'avez pas enregistré sur cette page devra être saisi à nouveau.{" "}
        <a href={here} className="fr-link">
          Se reconnecter
        </a>
      </p>
    </div>
  );
}
