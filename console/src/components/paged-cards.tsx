// A staff list, page by page: its first page loaded, "Show more" for the next, an item acted on
// leaving the list (focus moving on to the first remaining item, or the heading), a notice saying
// what was done, and "Reload" starting over (as does a change of what is asked, such as a filter).
// The seller's and operators' queues, the refund inquiries and the seller's parcels are such
// lists; each page says what its items show and do.
import type { ComponentChildren, RefObject, VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Failure, Outcome } from "../api.ts";
import { useMessages } from "../i18n.ts";
import { type Loaded, useLoad } from "../load.ts";
import { FailureAlert, Loading } from "./alerts.tsx";
import { PageHeading } from "./page-heading.tsx";

type Page<T> = { items: T[]; nextCursor: string | null };

/** The list's state: `page(cursor?)` reads one page; `dependencies` reload it when they change;
 * `idOf` names an item (what `remove` is given). */
export const usePagedCards = <T, Notice>(
  page: (cursor?: string) => Promise<Outcome<Page<T>>>,
  dependencies: unknown[],
  idOf: (item: T) => string,
) => {
  const [loaded, reload] = useLoad(() => page(), dependencies);
  // Further pages, after "Show more": their items and the cursor of the next one.
  const [more, setMore] = useState<{ items: T[]; cursor?: string | null }>({ items: [] });
  const [moreFailure, setMoreFailure] = useState<Failure>();
  const [gone, setGone] = useState<{ ids: string[]; notice?: Notice }>({ ids: [] });
  const list = useRef<HTMLUListElement>(null);
  // Another list asked for: what was read of the last one, and done to it, is forgotten.
  useEffect(() => {
    setMore({ items: [] });
    setMoreFailure(undefined);
    setGone({ ids: [] });
  }, dependencies);
  const nextCursor =
    more.cursor !== undefined ? more.cursor : loaded.state === "ok" ? loaded.data.nextCursor : null;
  return {
    loaded,
    list,
    nextCursor,
    moreFailure,
    notice: gone.notice,
    /** What is listed: every page read, less the items acted on. */
    items:
      loaded.state === "ok"
        ? [...loaded.data.items, ...more.items].filter((item) => !gone.ids.includes(idOf(item)))
        : [],
    showMore: async () => {
      if (!nextCursor) return;
      const result = await page(nextCursor);
      if (!result.ok) return setMoreFailure(result.failure);
      setMoreFailure(undefined);
      setMore(({ items }) => ({
        items: [...items, ...result.data.items],
        cursor: result.data.nextCursor,
      }));
    },
    /** The item was acted on: it leaves the list, and focus moves on. */
    remove: (id: string, notice?: Notice) => {
      setGone(({ ids }) => ({ ids: [...ids, id], notice }));
      setTimeout(() => {
        const next = list.current?.querySelector<HTMLElement>("li a");
        (next ?? document.querySelector<HTMLElement>("h1"))?.focus();
      });
    },
    setNotice: (notice: Notice) => setGone((current) => ({ ...current, notice })),
    reload: () => {
      setGone({ ids: [] });
      setMore({ items: [] });
      void reload();
    },
  };
};

/** What the page shows of the list's state. */
export interface PagedCardsState<T> {
  loaded: Loaded<Page<T>>;
  items: T[];
  list: RefObject<HTMLUListElement>;
  moreFailure?: Failure;
  nextCursor?: string | null;
  showMore: () => Promise<void>;
  reload: () => void;
}

/** The list as a page: heading, intro, the notice, "Reload" (with any controls of the list, such
 * as a filter), the cards and "Show more". */
export const PagedCards = <T,>({
  heading,
  intro,
  notice,
  controls,
  paged,
  words,
  children,
}: {
  heading: string;
  intro: string;
  /** What the last action did, as paragraphs. */
  notice?: ComponentChildren;
  /** Shown before "Reload": what narrows the list. */
  controls?: ComponentChildren;
  paged: PagedCardsState<T>;
  words: { reload: string; empty: string; listLabel: string };
  children: (item: T) => VNode;
}) => {
  const messages = useMessages();
  const { loaded, items, list, moreFailure, nextCursor } = paged;
  return (
    <>
      <PageHeading title={heading} />
      <p>{intro}</p>
      {notice && (
        <div role="status" class="notice">
          {notice}
        </div>
      )}
      <div class="actions list-controls">
        {controls}
        <button type="button" onClick={paged.reload}>
          {words.reload}
        </button>
      </div>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "failed" && <FailureAlert failure={loaded.failure} />}
      {loaded.state === "ok" && items.length === 0 && <p>{words.empty}</p>}
      {items.length > 0 && (
        <ul class="cards" aria-label={words.listLabel} ref={list}>
          {items.map(children)}
        </ul>
      )}
      {moreFailure && <FailureAlert failure={moreFailure} />}
      {nextCursor && (
        <button type="button" onClick={() => void paged.showMore()}>
          {messages.orders.more}
        </button>
      )}
    </>
  );
};
