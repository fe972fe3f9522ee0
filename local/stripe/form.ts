// Stripe's v1 API takes its parameters form-encoded (the body of a POST, the query of a GET) with
// nested keys in brackets: `metadata[orderId]=o-1`, `payment_method_types[0]=card`, `expand[]=x`.
// Decoded here into plain objects and arrays, as Stripe reads them.

/** A decoded parameter: a string, or an object or array of them. */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

/** Why a form could not be read (a key both a value and an object, an unclosed bracket). */
export class FormError extends Error {
  constructor(readonly param: string) {
    super(`Invalid parameter: ${param}`);
  }
}

/** `a[b][0]` → ["a", "b", "0"]; `a[]` → ["a", ""]. */
const keyPath = (key: string): string[] | undefined => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return undefined;
  const [, head = "", rest = ""] = match;
  const segments = [...rest.matchAll(/\[([^[\]]*)\]/g)].map((segment) => segment[1] ?? "");
  return [head, ...segments];
};

type Node = { value?: string; children: Map<string, Node> };

/** The name a `[]` segment gets: one of its own each time, so each appends. */
const APPENDED = "\u0000";

const toValue = (node: Node, name: string): FormValue => {
  if (node.value !== undefined) return node.value;
  const entries = [...node.children.entries()];
  const isIndex = (key: string) => /^\d+$/.test(key);
  // `[0]`, `[1]`… (the SDK's arrays) or `[]` (curl's): an array, by index or in given order.
  if (entries.every(([key]) => isIndex(key))) {
    return entries
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([key, child]) => toValue(child, `${name}[${key}]`));
  }
  if (entries.every(([key]) => key.startsWith(APPENDED))) {
    return entries.map(([, child]) => toValue(child, `${name}[]`));
  }
  return Object.fromEntries(
    entries.map(([key, child]) => [key, toValue(child, `${name}[${key}]`)]),
  );
};

/**
 * Decodes `application/x-www-form-urlencoded` text. A key given twice keeps its last value (as
 * Stripe does); `[]` appends. Throws FormError for a key that cannot be read.
 */
export const decodeForm = (text: string): FormObject => {
  const root: Node = { children: new Map() };
  let appended = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    const path = keyPath(key);
    if (!path) throw new FormError(key);
    let node = root;
    path.forEach((segment, index) => {
      const name = segment === "" ? `${APPENDED}${appended++}` : segment;
      const last = index === path.length - 1;
      let child = node.children.get(name);
      if (!child) {
        child = { children: new Map() };
        node.children.set(name, child);
      }
      if (last) {
        if (child.children.size > 0) throw new FormError(key);
        child.value = value;
      } else if (child.value !== undefined) {
        throw new FormError(key);
      }
      node = child;
    });
  }
  const decoded: FormObject = {};
  for (const [key, child] of root.children) decoded[key] = toValue(child, key);
  return decoded;
};
