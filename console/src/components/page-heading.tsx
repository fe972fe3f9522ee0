// A page's main heading: names the document, and takes the focus when the person moved to this
// page (so screen readers start reading at the new content, and Tab continues from there).
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../app-context.ts";
import { useMessages } from "../i18n.ts";

export const PageHeading = ({
  title,
  children,
}: {
  title: string;
  children?: ComponentChildren;
}) => {
  const { focusOnPageChange } = useApp();
  const messages = useMessages();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — ${messages.appName}`;
  }, [title, messages.appName]);
  useEffect(() => {
    if (focusOnPageChange) heading.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={heading} class="page-heading">
      {children ?? title}
    </h1>
  );
};
