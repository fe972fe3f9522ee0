// Loading data for a page: the call's outcome as state, and a reload.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Failure, Outcome } from "./api.ts";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ok"; data: T }
  | { state: "failed"; failure: Failure };

export const useLoad = <T>(
  load: () => Promise<Outcome<T>>,
  dependencies: unknown[],
): [Loaded<T>, () => Promise<void>, (data: T) => void] => {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  // The latest call wins: an earlier answer arriving late is dropped.
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    const result = await load();
    if (mine !== generation.current) return;
    setLoaded(
      result.ok ? { state: "ok", data: result.data } : { state: "failed", failure: result.failure },
    );
  }, dependencies);
  useEffect(() => {
    setLoaded({ state: "loading" });
    void reload();
  }, [reload]);
  const replace = useCallback((data: T) => {
    generation.current++;
    setLoaded({ state: "ok", data });
  }, []);
  return [loaded, reload, replace];
};
