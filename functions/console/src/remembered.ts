// The requests a buyer made from this browser, by order. A finished request is no longer the
// order's active one and the order names no other, so the console keeps its id to show it later.
const keyOf = (userId: string) => `console.requests.${userId}`;

const read = (userId: string, storage: Storage): Record<string, string> => {
  try {
    const value = JSON.parse(storage.getItem(keyOf(userId)) ?? "{}") as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
};

export const rememberedRequest = (
  userId: string,
  orderId: string,
  storage: Storage = localStorage,
): string | undefined => read(userId, storage)[orderId];

export const rememberRequest = (
  userId: string,
  orderId: string,
  requestId: string,
  storage: Storage = localStorage,
) => {
  storage.setItem(
    keyOf(userId),
    JSON.stringify({ ...read(userId, storage), [orderId]: requestId }),
  );
};
