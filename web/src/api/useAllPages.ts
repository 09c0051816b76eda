// Loads every page of a list the console needs whole (the DPIA queue, filtered after reading):
// pages of 500 until the total the API counts, so nothing is ever cut without a word.
import { useCallback, useEffect, useState } from "react";
import type { TypedDocumentString } from "../gql/graphql";
import { request } from "./graphqlClient";

export type Page<T> = { items: T[]; totalCount: number };

export async function fetchAllPages<TResult, TVariables extends { first: number; offset: number }, T>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: Omit<TVariables, "first" | "offset">,
  pick: (r: TResult) => Page<T>,
  signal?: AbortSignal,
): Promise<{ items: T[]; last: TResult }> {
  const items: T[] = [];
  for (;;) {
    const last = await request(document, { ...variables, first: 500, offset: items.length } as TVariables, signal);
    const page = pick(last);
    items.push(...page.items);
    if (!page.items.length || items.length >= page.totalCount) return { items, last };
  }
}

export function useAllPages<TResult, TVariables extends { first: number; offset: number }, T>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: Omit<TVariables, "first" | "offset">,
  pick: (r: TResult) => Page<T>,
) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ items?: T[]; last?: TResult; error: unknown; loading: boolean }>({ error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, error: undefined, loading: true }));
    fetchAllPages(document, JSON.parse(key), pick, controller.signal).then(
      ({ items, last }) => setState({ items, last, error: undefined, loading: false }),
      (error) => {
        if (!controller.signal.aborted) setState({ error, loading: false });
      },
    );
    return () => controller.abort();
    // `pick` is a selector written inline: the query and its variables decide.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [document, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { items: state.items, data: state.last, error: state.error, loading: state.loading, reload };
}
