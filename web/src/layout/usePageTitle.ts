// Each screen names itself in the tab title. After a navigation inside the console, focus
// moves to the new screen's heading so that screen reader users hear where they arrived; on
// a page load it stays at the top of the page (the skip links come first).
import { useEffect, useRef } from "react";
import { useLocation } from "react-router-dom";

export function usePageTitle(title: string) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { key } = useLocation();
  useEffect(() => {
    document.title = `${title} — Mutualis`;
  }, [title]);
  useEffect(() => {
    // "default" is the key of the location the page was loaded at.
    if (key !== "default") heading.current?.focus({ preventScroll: false });
  }, [key]);
  return heading;
}
