// An AWS SDK client handed to an adapter: the client itself, or a function that creates it on first
// use (aws-clients.ts), so a function whose calls never need the service never loads its SDK.
export type ClientSource<T extends object> = T | (() => Promise<T>);

/** The client of a source, created by the source on first use. */
export const clientOf = async <T extends object>(source: ClientSource<T>): Promise<T> =>
  typeof source === "function" ? source() : source;

/** A source that creates its client once, on the first call; a failed creation is tried again. */
export const lazyClient = <T extends object>(create: () => Promise<T>): (() => Promise<T>) => {
  let client: Promise<T> | undefined;
  return () => {
    client ??= create().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
};
