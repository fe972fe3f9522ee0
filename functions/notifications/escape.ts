// The one HTML escaper: every string that reaches a mail's HTML part goes through it (the console
// renders with Preact, which escapes text itself).

/** Text made safe inside an HTML element or a quoted attribute value. */
export const escapeHtml = (value: string): string =>
  value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
