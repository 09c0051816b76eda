export function EmptyState({ children }: { children: React.ReactNode }) {
  return <p className="fr-text--lg fr-my-3w">{children}</p>;
}
