// Loads a typed query when its variables change; `reload` asks again.
import { useCallback, useEffect, useRef, useState } from "react";
import type { TypedDocumentString } from "../gql/graphql";
import { request } from "./graphqlClient";

export type QueryState<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
};

export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TResult> {
  const key = JSON.stringify(variables ?? {});
  const [state, setState] = useState<{ data?: TResult; error: unknown; loading: boolean }>({
    error: undefined,
    loading: !options.skip,
  });
  const [generation, setGeneration] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;

  useEffect(() => {
    if (options.skip) {
      setState({ error: undefined, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    request(document, vars.current, controller.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error) => {
        if (controller.signal.aborted) return;
        setState({ error, loading: false });
      },
    );
    return () => controller.abort();
  }, [document, key, generation, options.skip]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
