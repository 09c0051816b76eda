import type { ReactNode } from "react";
import { usePageTitle } from "./usePageTitle";

/** The page's h1 (focused on arrival) and document title. */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = usePageTitle(title);
  return (
    <div className="fr-mb-4w">
      <h1 ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {children ? <div className="fr-text--lead fr-mb-0">{children}</div> : null}
    </div>
  );
}
