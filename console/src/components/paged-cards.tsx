// A staff list of requests, page by page: its first page loaded, "Show more" for the next, an
// item acted on leaving the list (focus moving on to the first remaining item, or the heading),
// a notice saying what was done, and "Reload" starting over. The seller's and operators' queues
// and the refund inquiries are such lists; each page says what its items show and do.
import type { ComponentChildren, RefObject, VNode } from "preact";
import { useRef, useState } from "preact/hooks";
import type { Failure, Outcome } from "../api.ts";
import { useMessages } from "../i18n.ts";
import { type Loaded, useLoad } from "../load.ts";
import { FailureAlert, Loading } from "./alerts.tsx";
import { PageHeading } from "./page-heading.tsx";

type Page<T> = { items: T[]; nextCursor: string | null };

/** The list's state: `page(cursor?)` reads one page; `dependencies` reload it when they change. */
export const usePagedCards = <T extends { requestId: string }, Notice>(
  page: (cursor?: string) => Promise<Outcome<Page<T>>>,
  dependencies: unknown[],
) => {
  const [loaded, reload] = useLoad(() => page(), dependencies);
  // Further pages, after "Show more": their items and the cursor of the next one.
  const [more, setMore] = useState<{ items: T[]; cursor?: string | null }>({ items: [] });
  const [moreFailure, setMoreFailure] = useState<Failure>();
  const [gone, setGone] = useState<{ requestIds: string[]; notice?: Notice }>({ requestIds: [] });
  const list = useRef<HTMLUListElement>(null);
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
        ? [...loaded.data.items, ...more.items].filter(
            (item) => !gone.requestIds.includes(item.requestId),
          )
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
    remove: (requestId: string, notice?: Notice) => {
      setGone(({ requestIds }) => ({ requestIds: [...requestIds, requestId], notice }));
      setTimeout(() => {
        const next = list.current?.querySelector<HTMLElement>("li a");
        (next ?? document.querySelector<HTMLElement>("h1"))?.focus();
      });
    },
    setNotice: (notice: Notice) => setGone((current) => ({ ...current, notice })),
    reload: () => {
      setGone({ requestIds: [] });
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

/** The list as a page: heading, intro, the notice, "Reload", the cards and "Show more". */
export const PagedCards = <T extends { requestId: string }>({
  heading,
  intro,
  notice,
  paged,
  words,
  children,
}: {
  heading: string;
  intro: string;
  /** What the last action did, as paragraphs. */
  notice?: ComponentChildren;
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
      <p class="actions">
        <button type="button" onClick={paged.reload}>
          {words.reload}
        </button>
      </p>
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
