// Which language the console speaks: `?lang=` first, then the browser's preferred languages,
// Japanese when none of them is Japanese or English. The switch button changes it for the page.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en } from "./messages/en.ts";
import { ja } from "./messages/ja.ts";
import type { Language, Messages } from "./messages/types.ts";

export const MESSAGES: Record<Language, Messages> = { ja, en };

const asLanguage = (tag: string | null | undefined): Language | undefined => {
  const primary = tag?.trim().toLowerCase().split("-")[0];
  return primary === "ja" || primary === "en" ? primary : undefined;
};

/** `?lang=ja|en` overrides; otherwise the first of the browser's languages the console speaks. */
export const pickLanguage = (search: string, browserLanguages: readonly string[]): Language => {
  const requested = asLanguage(new URLSearchParams(search).get("lang"));
  if (requested) return requested;
  for (const tag of browserLanguages) {
    const language = asLanguage(tag);
    if (language) return language;
  }
  return "ja";
};

export const MessagesContext = createContext<Messages>(ja);

/** The wording of the language in use. */
export const useMessages = (): Messages => useContext(MessagesContext);
