// The seed's story as the steps people take in the console, shared by the browser test and
// `npm run screenshots`: every control is found by its accessible name (SPEC "Console" and the
// console's shared names), in the language the story is played in.
import type { Locator, Page } from "playwright-core";
import type { Messages } from "../../console/src/messages/types.ts";
import { type LocalClient, orderBody } from "../../local/client.ts";

/** The accessible names the story relies on, in one language. */
export interface ConsoleNames {
  userId: string;
  role: string;
  roles: Record<Role, string>;
  signIn: string;
  signOut: string;
  createSampleOrders: string;
  myOrders: string;
  orderHeading: (orderId: string) => RegExp;
  /** The heading of an order's details, shown once the order is read. */
  orderDetails: string;
  requestCancellation: string;
  reason: string;
  comment: string;
  sendRequest: string;
  /** The region on the request form with what the request would refund. */
  refundPreview: string;
  /** The preview's term for the amount it would refund. */
  previewAmount: string;
  /** On an order's details: the order's status (term and words), per line the units cancelled,
   * and the total refunded. */
  orderStatus: string;
  orderStatuses: Record<"shipped" | "cancelled", string>;
  cancelledOf: (cancelled: number, quantity: number) => string;
  refunded: string;
  /** The list of a request's lines in a queue's entry. */
  queueLines: string;
  refresh: string;
  /** The queues' own re-read button. */
  reloadList: string;
  timeline: string;
  cancellationRequests: string;
  reviewQueue: string;
  refundFailures: string;
  refundInquiries: string;
  recordShipment: string;
  findOrder: string;
  orderId: string;
  find: string;
  trackingNumber: string;
  approve: string;
  reject: string;
  confirmRejection: string;
  retryRefund: string;
  status: Record<"awaitingSeller" | "awaitingMarketplace" | "completed" | "rejected", string>;
  /** The seller's link to their cancelled parcels not yet back, and that page's parts. */
  parcels: string;
  parcelFilter: string;
  allParcels: string;
  parcelStatus: Record<"IN_TRANSIT" | "DELIVERED" | "REFUSED", string>;
  /** On the order's details: the term of the parcel's status. */
  parcelTerm: string;
  /** The region of an order's return, its status term and the status while owed. */
  orderReturn: string;
  returnStatus: string;
  returnRequested: string;
  /** The seller's "Performance", the operators' "Seller performance" and their parts. */
  performance: string;
  sellerPerformance: string;
  /** The page's first words: a buyer's change of mind does not count against the seller. */
  fairness: string;
  sellerId: string;
  showFigures: string;
}

export type Role = "buyer" | "seller" | "operator";

export const ENGLISH: ConsoleNames = {
  userId: "User ID",
  role: "Role",
  roles: { buyer: "Buyer", seller: "Seller", operator: "Operator" },
  signIn: "Sign in",
  signOut: "Sign out",
  createSampleOrders: "Create sample orders",
  myOrders: "My orders",
  orderHeading: (orderId) => new RegExp(`^Order ${orderId}$`),
  orderDetails: "Order details",
  requestCancellation: "Request cancellation",
  reason: "Reason",
  comment: "Comment",
  sendRequest: "Send request",
  refundPreview: "Refund preview",
  previewAmount: "Refund",
  orderStatus: "Order status",
  orderStatuses: { shipped: "Shipped", cancelled: "Cancelled" },
  cancelledOf: (cancelled, quantity) => `${cancelled} of ${quantity} cancelled`,
  refunded: "Refunded",
  queueLines: "Items",
  refresh: "Refresh",
  reloadList: "Reload list",
  timeline: "Timeline",
  cancellationRequests: "Cancellation requests",
  reviewQueue: "Review queue",
  refundFailures: "Refund failures",
  refundInquiries: "Refund inquiries",
  recordShipment: "Record shipment",
  findOrder: "Find order",
  orderId: "Order ID",
  find: "Find",
  trackingNumber: "Tracking number",
  approve: "Approve",
  reject: "Reject",
  confirmRejection: "Confirm rejection",
  retryRefund: "Retry refund",
  status: {
    awaitingSeller: "Awaiting seller",
    awaitingMarketplace: "Awaiting marketplace",
    completed: "Completed",
    rejected: "Rejected",
  },
  parcels: "Parcels",
  parcelFilter: "Status",
  allParcels: "All",
  parcelStatus: { IN_TRANSIT: "In transit", DELIVERED: "Delivered", REFUSED: "Refused" },
  parcelTerm: "Parcel",
  orderReturn: "Return of cancelled items",
  returnStatus: "Return status",
  returnRequested: "Return requested",
  performance: "Performance",
  sellerPerformance: "Sellers",
  fairness:
    "Cancellations that buyers ask for because they changed their mind do not count against you.",
  sellerId: "Seller ID",
  showFigures: "Show figures",
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The names in another language, read from the console's own wording (only the English names
 * are fixed by the shared decisions; the story in Japanese uses whatever the console says). */
export const namesFrom = (messages: Messages): ConsoleNames => ({
  userId: messages.signIn.userId,
  role: messages.signIn.role,
  roles: messages.roles,
  signIn: messages.signIn.submit,
  signOut: messages.signOut,
  createSampleOrders: messages.signIn.createSamples,
  myOrders: messages.nav.myOrders,
  orderHeading: (orderId) => new RegExp(`^${escapeRegExp(messages.order.heading(orderId))}$`),
  orderDetails: messages.order.summary,
  requestCancellation: messages.requestForm.open,
  reason: messages.requestForm.reason,
  comment: messages.requestForm.comment,
  sendRequest: messages.requestForm.submit,
  refundPreview: messages.requestForm.preview.heading,
  previewAmount: messages.requestForm.preview.amount,
  orderStatus: messages.order.status,
  orderStatuses: {
    shipped: messages.orderStatus.SHIPPED,
    cancelled: messages.orderStatus.CANCELLED,
  },
  cancelledOf: messages.order.cancelledOf,
  refunded: messages.order.refunded,
  queueLines: messages.queue.lines,
  refresh: messages.request.refresh,
  reloadList: messages.queue.reload,
  timeline: messages.request.timeline,
  cancellationRequests: messages.nav.sellerRequests,
  reviewQueue: messages.nav.reviewQueue,
  refundFailures: messages.nav.refundFailures,
  refundInquiries: messages.nav.refundInquiries,
  recordShipment: messages.nav.recordShipment,
  findOrder: messages.nav.findOrder,
  orderId: messages.find.orderId,
  find: messages.find.submit,
  trackingNumber: messages.shipment.trackingNumber,
  approve: messages.queue.approve,
  reject: messages.queue.reject,
  confirmRejection: messages.queue.confirmReject,
  retryRefund: messages.queue.retryRefund,
  status: {
    awaitingSeller: messages.requestStatus.AWAITING_SELLER,
    awaitingMarketplace: messages.requestStatus.AWAITING_MARKETPLACE,
    completed: messages.requestStatus.COMPLETED,
    rejected: messages.requestStatus.REJECTED,
  },
  parcels: messages.nav.parcels,
  parcelFilter: messages.parcels.filter,
  allParcels: messages.parcels.all,
  parcelStatus: {
    IN_TRANSIT: messages.parcelStatus.IN_TRANSIT,
    DELIVERED: messages.parcelStatus.DELIVERED,
    REFUSED: messages.parcelStatus.REFUSED,
  },
  parcelTerm: messages.parcel.status,
  orderReturn: messages.orderReturn.heading,
  returnStatus: messages.orderReturn.status,
  returnRequested: messages.returnStatus.REQUESTED,
  performance: messages.nav.performance,
  sellerPerformance: messages.nav.sellerPerformance,
  fairness: messages.performance.fairness,
  sellerId: messages.performance.sellerId,
  showFigures: messages.performance.submit,
});

/** The pages the story reaches; `visit` is called on each once it shows what it should. */
export type Stop =
  | "sign-in"
  | "sample-orders"
  | "orders"
  | "order"
  | "request-form"
  | "request-sent"
  | "request-error"
  | "seller-queue"
  | "decided"
  | "record-shipment"
  | "order-completed"
  | "review-queue"
  | "refund-failures"
  | "find-order"
  | "refund-inquiries"
  | "refund-reversed"
  | "refund-reversed-operator"
  | "order-rejected"
  | "partial-request-form"
  | "order-partly-cancelled"
  | "order-cancelled"
  | "seller-parcels"
  | "parcels-filtered"
  | "order-return"
  | "seller-performance"
  | "operator-seller-performance";

export interface Story {
  page: Page;
  /** For the few facts a person reads off the screen (which sample order is which). */
  api: LocalClient;
  /** Local mode's origin. */
  url: string;
  lang: "en" | "ja";
  names: ConsoleNames;
  /** Runs on each page the story reaches (an axe check in the test, a screenshot in the script). */
  visit: (stop: Stop, page: Page) => Promise<void>;
}

/** The seller every sample order belongs to (shared console decisions). */
export const SAMPLE_SELLER = "seller-1";

/** A phone's viewport in CSS pixels (the narrow iPhones): the story is also played this wide. */
export const PHONE = { width: 390, height: 844 };

/** How a page fits the window's width, as measured in it. */
export interface WidthFit {
  scrollWidth: number;
  clientWidth: number;
  /** Elements reaching past the window's right edge (tag.class), for the failure message. */
  beyond: string[];
  /** Terms of a `.facts` list shown beside their value rather than above it (the refund
   * preview's, whose amounts are short, are meant to be beside them). */
  besideValues: string[];
  headerHeight: number;
}

/** Measures, in the page, whether it scrolls sideways and how its facts and header are laid out. */
export const widthFit = (page: Page): Promise<WidthFit> =>
  page.evaluate(`(() => {
    const root = document.documentElement;
    const name = (element) =>
      element.tagName.toLowerCase() + (element.className ? "." + String(element.className) : "");
    const beyond = [...document.querySelectorAll("body *")]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > root.clientWidth + 0.5;
      })
      .map(name)
      .slice(0, 8);
    // The refund preview's short amounts stay beside their labels by design.
    const besideValues = [...document.querySelectorAll(".facts > dt")]
      .filter((term) => !term.closest(".preview"))
      .filter((term) => {
        const value = term.nextElementSibling;
        if (!value) return false;
        return value.getBoundingClientRect().top < term.getBoundingClientRect().bottom - 1;
      })
      .map((term) => term.textContent)
      .slice(0, 8);
    const header = document.querySelector("header");
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      beyond,
      besideValues,
      headerHeight: header ? header.getBoundingClientRect().height : 0,
    };
  })()`) as Promise<WidthFit>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `target` is visible. The local workflow moves requests on in the background, so
 * meanwhile the page is re-read: with its "Refresh" button when it has one, else by reloading. */
export const untilVisible = async (
  story: Story,
  target: Locator,
  what: string,
  timeoutMs = 15_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await target.first().isVisible()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(400);
    if (await target.first().isVisible()) return;
    const reread = [story.names.refresh, story.names.reloadList]
      .map((name) => button(story, name).first())
      .map(async (candidate) => ((await candidate.isVisible()) ? candidate : undefined));
    const visible = (await Promise.all(reread)).find((candidate) => candidate !== undefined);
    if (visible) await visible.click();
    else await story.page.reload();
  }
};

/** Follows a navigation link, unless its page is the one shown (following it again would reload
 * the page, and a check could see the old content just before it goes). */
export const navigate = async (story: Story, name: string): Promise<void> => {
  const target = link(story, name);
  if ((await target.getAttribute("aria-current")) !== "page") await target.click();
};

export const button = (story: Story, name: string) =>
  story.page.getByRole("button", { name, exact: true });
export const link = (story: Story, name: string) =>
  story.page.getByRole("link", { name, exact: true });

/** Opens the console's start page in the story's language and waits for the sign-in form. */
export const openConsole = async (story: Story): Promise<void> => {
  await story.page.goto(`${story.url}/?lang=${story.lang}`);
  await story.page.getByRole("textbox", { name: story.names.userId }).waitFor();
  await story.visit("sign-in", story.page);
};

const fillSignIn = async (story: Story, userId: string, role: Role) => {
  await story.page.getByRole("textbox", { name: story.names.userId }).fill(userId);
  await story.page
    .getByRole("combobox", { name: story.names.role })
    .selectOption({ label: story.names.roles[role] });
};

export const signIn = async (story: Story, userId: string, role: Role): Promise<void> => {
  await fillSignIn(story, userId, role);
  await button(story, story.names.signIn).click();
  await button(story, story.names.signOut).waitFor();
};

export const signOut = async (story: Story): Promise<void> => {
  await button(story, story.names.signOut).click();
  await story.page.getByRole("textbox", { name: story.names.userId }).waitFor();
};

export interface SampleOrders {
  /** The ¥5,480 order (policy approves it). */
  standard: string;
  /** The ¥49,800 order (over the auto-approval limit: an operator reviews it). */
  highValue: string;
}

/** On the sign-in page: "Create sample orders" for `buyerId`, then tells which order is which by
 * its amount (through the API, as the buyer would by reading the list). */
export const createSampleOrders = async (story: Story, buyerId: string): Promise<SampleOrders> => {
  await fillSignIn(story, buyerId, "buyer");
  await button(story, story.names.createSampleOrders).click();
  const buyer = await story.api.buyer(buyerId);
  const orders = await story.api.until(async () => {
    const response = await story.api.get<{
      items: { orderId: string; status: string; payment: { paidAmount: number } }[];
    }>("/orders", buyer);
    const shipped = response.body.items?.filter((order) => order.status === "SHIPPED") ?? [];
    return shipped.length >= 2 ? shipped : undefined;
  }, `two shipped sample orders for ${buyerId}`);
  const byAmount = (amount: number) => {
    const order = orders.find((candidate) => candidate.payment.paidAmount === amount);
    if (!order) throw new Error(`no sample order of ¥${amount} for ${buyerId}`);
    return order.orderId;
  };
  const created = { standard: byAmount(5480), highValue: byAmount(49800) };
  // The page names the orders it created.
  for (const orderId of Object.values(created))
    await story.page.getByText(orderId).first().waitFor();
  await story.visit("sample-orders", story.page);
  return created;
};

/** From anywhere a buyer is signed in: "My orders", then the order's link. */
export const openOrder = async (story: Story, orderId: string): Promise<void> => {
  await navigate(story, story.names.myOrders);
  await link(story, orderId).waitFor();
  await story.visit("orders", story.page);
  await link(story, orderId).click();
  await story.page.getByRole("heading", { name: story.names.orderHeading(orderId) }).waitFor();
  // The page's heading comes first; the order itself once it is read (what follows depends on it).
  await story.page.getByRole("heading", { name: story.names.orderDetails, exact: true }).waitFor();
};

export const statusShown = (story: Story, word: string) =>
  story.page.getByRole("status").filter({ hasText: word });

/** On an order's page: "Request cancellation", a reason and comment, "Send request". */
export const requestCancellation = async (
  story: Story,
  request: { reason: string; comment: string },
): Promise<void> => {
  await story.visit("order", story.page);
  await button(story, story.names.requestCancellation).click();
  await story.page.getByRole("combobox", { name: story.names.reason }).selectOption(request.reason);
  await story.page.getByRole("textbox", { name: story.names.comment }).fill(request.comment);
  await story.visit("request-form", story.page);
  await button(story, story.names.sendRequest).click();
};

/** The request's entry in a seller's or operator's queue. */
export const queueItem = (story: Story, orderId: string) =>
  story.page.getByRole("listitem").filter({ hasText: orderId });

/** Opens a queue by its link and approves, rejects with a reason, or retries the refund of, the
 * request for `orderId`. */
export const decideInQueue = async (
  story: Story,
  queue: { link: string; stop: Stop },
  orderId: string,
  decision: { approve: true } | { rejectBecause: string } | { retryRefund: true },
): Promise<void> => {
  await navigate(story, queue.link);
  const item = queueItem(story, orderId);
  await untilVisible(story, item, `${orderId} in ${queue.link}`);
  await story.visit(queue.stop, story.page);
  if ("approve" in decision) {
    await item.getByRole("button", { name: story.names.approve, exact: true }).click();
  } else if ("retryRefund" in decision) {
    await item.getByRole("button", { name: story.names.retryRefund, exact: true }).click();
  } else {
    await item.getByRole("button", { name: story.names.reject, exact: true }).click();
    await item.getByRole("textbox", { name: story.names.reason }).fill(decision.rejectBecause);
    await item.getByRole("button", { name: story.names.confirmRejection, exact: true }).click();
  }
  // Decided: the request leaves the queue, and a notice says what happens next.
  await item.waitFor({ state: "detached" });
  await story.page.locator(".notice[role=status]").waitFor();
  await story.visit("decided", story.page);
};

/** Buyer signs in, opens the order and waits (re-reading) for the request's status. */
export const buyerSees = async (
  story: Story,
  buyerId: string,
  orderId: string,
  word: string,
): Promise<void> => {
  await signIn(story, buyerId, "buyer");
  await openOrder(story, orderId);
  await untilVisible(story, statusShown(story, word), `${orderId} to show "${word}"`);
};

/** The seed's story: the buyer asks to cancel the ¥5,480 order, the seller approves, policy
 * approves and refunds, and the buyer sees it completed with its timeline and refund (the story
 * ends there, the buyer signed in). */
export const standardStory = async (story: Story, buyerId: string, orderId: string) => {
  const { names } = story;
  await signIn(story, buyerId, "buyer");
  await openOrder(story, orderId);
  await requestCancellation(story, {
    reason: "FOUND_BETTER_PRICE",
    comment: story.lang === "ja" ? "他店の方が安かったため" : "Found it cheaper elsewhere",
  });
  await untilVisible(story, statusShown(story, names.status.awaitingSeller), "awaiting seller");
  await story.visit("request-sent", story.page);
  await signOut(story);

  await signIn(story, SAMPLE_SELLER, "seller");
  await decideInQueue(story, { link: names.cancellationRequests, stop: "seller-queue" }, orderId, {
    approve: true,
  });
  await signOut(story);

  await buyerSees(story, buyerId, orderId, names.status.completed);
  await story.page.getByRole("list", { name: names.timeline }).waitFor();
  await story.visit("order-completed", story.page);
};

/** The high-value order: the buyer asks, the seller approves, an operator approves in the review
 * queue, and the buyer sees it completed (still signed in). */
export const highValueStory = async (story: Story, buyerId: string, orderId: string) => {
  const { names } = story;
  await signIn(story, buyerId, "buyer");
  await openOrder(story, orderId);
  await requestCancellation(story, {
    reason: "ORDERED_BY_MISTAKE",
    comment: story.lang === "ja" ? "サイズを間違えて注文しました" : "Ordered the wrong size",
  });
  await untilVisible(story, statusShown(story, names.status.awaitingSeller), "awaiting seller");
  await signOut(story);

  await signIn(story, SAMPLE_SELLER, "seller");
  await decideInQueue(story, { link: names.cancellationRequests, stop: "seller-queue" }, orderId, {
    approve: true,
  });
  await signOut(story);

  await signIn(story, "operator-1", "operator");
  await decideInQueue(story, { link: names.reviewQueue, stop: "review-queue" }, orderId, {
    approve: true,
  });
  await signOut(story);

  await buyerSees(story, buyerId, orderId, names.status.completed);
  await story.visit("order-completed", story.page);
};

/** The two-line order of the partial story: two mugs at ¥1,800 and a tea towel at ¥1,200, ¥500
 * shipping, a ¥300 coupon: ¥5,000 paid, of which ¥4,500 for the items. */
export const twoLineOrder = (lang: Story["lang"]) => ({
  mug: lang === "ja" ? "益子焼のマグカップ" : "Stoneware mug",
  towel: lang === "ja" ? "リネンのティータオル" : "Linen tea towel",
  /** One mug: ⌊1,800 × 4,500 ÷ 4,800⌋; shipping is refunded with the last unit (the policy's
   * default, WHEN_ALL_CANCELLED). */
  oneMug: "¥1,687",
  /** The rest: ¥4,500 − ¥1,687 for the items, and the ¥500 shipping. */
  rest: "¥3,313",
  paid: "¥5,000",
});

/** Imports the two-line order for `buyerId` (sold by the sample seller) and ships it, through the
 * API as the order system and the seller would. */
export const importTwoLineOrder = async (story: Story, buyerId: string): Promise<string> => {
  const titles = twoLineOrder(story.lang);
  const [system, seller] = await Promise.all([story.api.system(), story.api.seller(SAMPLE_SELLER)]);
  const body = orderBody(
    { buyerId, sellerId: SAMPLE_SELLER },
    {
      locale: story.lang,
      lines: [
        { lineId: "l1", sku: "MUG-1", title: titles.mug, quantity: 2, unitPrice: 1800 },
        { lineId: "l2", sku: "TOWEL-1", title: titles.towel, quantity: 1, unitPrice: 1200 },
      ],
      shippingFee: 500,
      payment: { method: "CARD", paidAmount: 5000 },
    },
  );
  const imported = await story.api.post("/orders", system, body);
  if (imported.status !== 201) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
  const shipped = await story.api.post(`/orders/${body.orderId}/shipment`, seller, {
    carrier: "yamato",
    trackingNumber: "4470-2222-0001",
  });
  if (shipped.status !== 200) throw new Error(`shipment failed: ${JSON.stringify(shipped.body)}`);
  return body.orderId;
};

/** The staff's other pages, from signed out: the seller's "Record shipment" (filled in, not sent),
 * then the operator's "Refund failures" and "Find order" with `orderId` found. Ends signed out. */
/** The operator's "Refund inquiries", once its list (or that none is open) is shown. */
export const refundInquiriesPage = async (story: Story): Promise<void> => {
  const { names, page } = story;
  await navigate(story, names.refundInquiries);
  await page.getByRole("heading", { level: 1, name: names.refundInquiries, exact: true }).waitFor();
  await page.locator("[aria-busy=true]").first().waitFor({ state: "detached" });
  await story.visit("refund-inquiries", page);
};

export const staffPages = async (story: Story, orderId: string): Promise<void> => {
  const { names, page } = story;
  await signIn(story, SAMPLE_SELLER, "seller");
  await link(story, names.recordShipment).click();
  await page.getByRole("textbox", { name: names.trackingNumber }).fill("4470-0000-0009");
  await story.visit("record-shipment", page);
  await signOut(story);
  await signIn(story, "operator-1", "operator");
  await navigate(story, names.refundFailures);
  await button(story, names.reloadList).waitFor();
  await page.locator("[aria-busy=true]").first().waitFor({ state: "detached" });
  await story.visit("refund-failures", page);
  await refundInquiriesPage(story);
  await link(story, names.findOrder).click();
  await page.getByRole("textbox", { name: names.orderId }).fill(orderId);
  await button(story, names.find).click();
  await page.getByRole("heading", { name: names.orderDetails, exact: true }).waitFor();
  await story.visit("find-order", page);
  await signOut(story);
};

/** The refund preview on the request form. */
export const refundPreview = (story: Story) =>
  story.page.getByRole("region", { name: story.names.refundPreview, exact: true });

const exactly = (text: string) => new RegExp(`^${escapeRegExp(text)}$`);

/** Waits until the value next to a term (`<dt>`) of a region's facts is `value`. */
export const factShown = (region: Locator, term: string, value: string) =>
  region
    .locator("dt")
    .filter({ hasText: exactly(term) })
    .locator("xpath=following-sibling::dd[1]")
    .filter({ hasText: exactly(value) })
    .waitFor();

/** The order's details on its page. */
export const orderDetails = (story: Story) =>
  story.page.getByRole("region", { name: story.names.orderDetails, exact: true });

/** On an order's page: "Request cancellation", each line's quantity (by its title), a reason;
 * waits for the refund preview to show `expectedRefund`, then "Send request". */
export const requestSomeCancellation = async (
  story: Story,
  request: { quantities: Record<string, number>; reason: string; expectedRefund: string },
  stop?: Stop,
): Promise<void> => {
  await button(story, story.names.requestCancellation).click();
  for (const [title, quantity] of Object.entries(request.quantities)) {
    await story.page.getByRole("spinbutton", { name: title, exact: true }).fill(String(quantity));
  }
  await story.page.getByRole("combobox", { name: story.names.reason }).selectOption(request.reason);
  // Only the answer to the latest choice is shown: this amount is the one for these quantities.
  await factShown(refundPreview(story), story.names.previewAmount, request.expectedRefund);
  if (stop) await story.visit(stop, story.page);
  await button(story, story.names.sendRequest).click();
};

/** The seller finds the request for `orderId` in their queue naming the lines it covers (by
 * their titles) and approves it (policy then approves and refunds); the buyer sees it completed on
 * the order's page (signed in at the end). */
const approvedBySellerAndSeen = async (
  story: Story,
  buyerId: string,
  orderId: string,
  titles: string[],
) => {
  const { names } = story;
  await untilVisible(story, statusShown(story, names.status.awaitingSeller), "awaiting seller");
  await signOut(story);
  await signIn(story, SAMPLE_SELLER, "seller");
  await navigate(story, names.cancellationRequests);
  await untilVisible(story, queueItem(story, orderId), `${orderId} in the seller's queue`);
  const lines = queueItem(story, orderId).getByRole("list", { name: names.queueLines });
  for (const title of titles) await lines.getByText(title, { exact: true }).waitFor();
  const listed = await lines.getByRole("listitem").count();
  if (listed !== titles.length)
    throw new Error(`the queue lists ${listed} lines, not ${titles.length}`);
  await decideInQueue(story, { link: names.cancellationRequests, stop: "seller-queue" }, orderId, {
    approve: true,
  });
  await signOut(story);
  await buyerSees(story, buyerId, orderId, names.status.completed);
};

/** Part of an order, then the rest: the buyer cancels one mug of two (the preview shows its share
 * of what was paid), the seller approves, and the order stays shipped with that mug cancelled and
 * its refund shown; then the buyer asks for what is left (the form preset to it, the preview with
 * the rest and shipping), and once approved the order is cancelled. Ends with the buyer signed in. */
export const partialStory = async (story: Story, buyerId: string, orderId: string) => {
  const { names } = story;
  const order = twoLineOrder(story.lang);
  await signIn(story, buyerId, "buyer");
  await openOrder(story, orderId);
  await requestSomeCancellation(
    story,
    {
      quantities: { [order.mug]: 1, [order.towel]: 0 },
      reason: "ORDERED_BY_MISTAKE",
      expectedRefund: order.oneMug,
    },
    "partial-request-form",
  );
  await approvedBySellerAndSeen(story, buyerId, orderId, [order.mug]);
  const details = orderDetails(story);
  await factShown(details, names.orderStatus, names.orderStatuses.shipped);
  await details
    .getByRole("listitem")
    .filter({ hasText: order.mug })
    .getByText(names.cancelledOf(1, 2), { exact: true })
    .waitFor();
  await factShown(details, names.refunded, order.oneMug);
  await story.visit("order-partly-cancelled", story.page);

  // What is left: one mug and the towel, preset; the whole rest is asked for.
  await requestSomeCancellation(story, {
    quantities: {},
    reason: "NO_LONGER_NEEDED",
    expectedRefund: order.rest,
  });
  await approvedBySellerAndSeen(story, buyerId, orderId, [order.mug, order.towel]);
  await factShown(orderDetails(story), names.orderStatus, names.orderStatuses.cancelled);
  await factShown(orderDetails(story), names.refunded, order.paid);
  await story.visit("order-cancelled", story.page);
};

/** Imports an order of `buyerId` sold by `sellerId` (the two-line order), ships it with Yamato and
 * has it wholly cancelled: the buyer asks, the seller approves, policy approves and refunds; all
 * through the API, as the order system, the people and the workflow would. */
const cancelledInTransit = async (
  story: Story,
  buyerId: string,
  sellerId: string,
  trackingNumber: string,
  /** Why the buyer cancels, and whether the order shipped after its shipBy (an hour after placed). */
  cause: { reason: string; late: boolean } = { reason: "NO_LONGER_NEEDED", late: false },
): Promise<string> => {
  const { api } = story;
  const [system, seller, buyer] = await Promise.all([
    api.system(),
    api.seller(sellerId),
    api.buyer(buyerId),
  ]);
  const titles = twoLineOrder(story.lang);
  const body = orderBody(
    { buyerId, sellerId },
    {
      locale: story.lang,
      lines: [
        { lineId: "l1", sku: "MUG-1", title: titles.mug, quantity: 2, unitPrice: 1800 },
        { lineId: "l2", sku: "TOWEL-1", title: titles.towel, quantity: 1, unitPrice: 1200 },
      ],
      shippingFee: 500,
      payment: { method: "CARD", paidAmount: 5000 },
      ...(cause.late ? { shipBy: new Date(Date.now() - 23 * 3_600_000).toISOString() } : {}),
    },
  );
  const orderPath = `/orders/${body.orderId}`;
  const expectStatus = (
    what: string,
    response: { status: number; body: unknown },
    want: number,
  ) => {
    if (response.status !== want)
      throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  };
  expectStatus("import", await api.post("/orders", system, body), 201);
  const shipment = { carrier: "yamato", trackingNumber };
  expectStatus("shipment", await api.post(`${orderPath}/shipment`, seller, shipment), 200);
  const asked = await api.post(
    `${orderPath}/cancellation-requests`,
    buyer,
    { reason: cause.reason },
    { "idempotency-key": `${body.orderId}-cancel` },
  );
  expectStatus("request", asked, 202);
  const requestPath = `${orderPath}/cancellation-requests/${String(asked.body.requestId)}`;
  const reach = (status: string) =>
    api.until(async () => {
      const request = await api.get(requestPath, buyer);
      return request.body.status === status ? true : undefined;
    }, `${body.orderId} to reach ${status}`);
  await reach("AWAITING_SELLER");
  const approval = { decision: "APPROVE" };
  expectStatus("approval", await api.post(`${requestPath}/seller-decision`, seller, approval), 200);
  await reach("COMPLETED");
  return body.orderId;
};

/** A parcel's card on the seller's Parcels page: the list item whose link is the order's id. */
export const parcelCard = (story: Story, orderId: string) =>
  story.page
    .getByRole("listitem")
    .filter({ has: story.page.getByRole("link", { name: orderId, exact: true }) });

/**
 * The parcel after a cancellation: a seller (`sellerId`, with no other parcels) has two wholly
 * cancelled orders of `buyerId` still with the carrier; the buyer takes the second one anyway
 * (the carrier reports it delivered: a return is opened). The seller's "Parcels" lists both (in
 * transit; delivered with the return's date), the "Status" filter narrows it to the delivered
 * one; the carrier reports the first back with the seller and, once the list is reloaded, it has
 * left it. Then the buyer reads on the second order's page what to send back, how and by when.
 * Ends with the buyer signed in, on that page.
 */
export const parcelStory = async (story: Story, buyerId: string, sellerId: string) => {
  const { names, page, api } = story;
  const [backSoon, keptByBuyer] = await Promise.all([
    cancelledInTransit(story, buyerId, sellerId, "4470-3333-0001"),
    cancelledInTransit(story, buyerId, sellerId, "4470-3333-0002"),
  ]);
  const carrier = await api.carrier();
  const delivered = await api.post(`/orders/${keptByBuyer}/delivery`, carrier, {
    deliveredAt: new Date().toISOString(),
  });
  if (delivered.status !== 200)
    throw new Error(`delivery: ${delivered.status} ${JSON.stringify(delivered.body)}`);

  await signIn(story, sellerId, "seller");
  await navigate(story, names.parcels);
  await page.getByRole("heading", { level: 1, name: names.parcels, exact: true }).waitFor();
  const inTransit = parcelCard(story, backSoon);
  const kept = parcelCard(story, keptByBuyer);
  await untilVisible(story, kept, `${keptByBuyer} in the seller's parcels`);
  await inTransit.getByText(names.parcelStatus.IN_TRANSIT, { exact: true }).waitFor();
  await kept.getByText(names.parcelStatus.DELIVERED, { exact: true }).waitFor();
  await kept.getByText(names.returnRequested, { exact: false }).waitFor();
  await story.visit("seller-parcels", page);

  const filter = page.getByRole("combobox", { name: names.parcelFilter, exact: true });
  await filter.selectOption({ label: names.parcelStatus.DELIVERED });
  // The list is read again for the status (in transit gone first, as the old list goes).
  await inTransit.waitFor({ state: "detached" });
  await kept.waitFor();
  if ((await inTransit.count()) > 0) throw new Error("the filter kept a parcel in transit");
  await story.visit("parcels-filtered", page);
  await filter.selectOption({ label: names.allParcels });
  await inTransit.waitFor();

  // The carrier brings the first parcel back to the seller: it leaves the list.
  const returned = await api.post(`/orders/${backSoon}/tracking-events`, carrier, {
    type: "RETURNED_TO_SENDER",
    at: new Date().toISOString(),
  });
  if (returned.status !== 200)
    throw new Error(`tracking event: ${returned.status} ${JSON.stringify(returned.body)}`);
  const deadline = Date.now() + 15_000;
  while (await inTransit.isVisible()) {
    if (Date.now() > deadline) throw new Error(`${backSoon} stayed in the seller's parcels`);
    await button(story, names.reloadList).click();
    await pause(300);
  }
  await kept.waitFor();
  await signOut(story);

  await signIn(story, buyerId, "buyer");
  await openOrder(story, keptByBuyer);
  const owed = page.getByRole("region", { name: names.orderReturn, exact: true });
  await factShown(owed, names.returnStatus, names.returnRequested);
  await factShown(orderDetails(story), names.parcelTerm, names.parcelStatus.DELIVERED);
  await story.visit("order-return", page);
  return { backSoon, keptByBuyer };
};

/**
 * Seller performance: a seller (`sellerId`, with no other orders) has two orders of `buyerId`
 * cancelled and refunded, one because delivery was too slow and it shipped after its ship-by date
 * (the seller's fault), one a change of mind. "Performance" says first that the buyer's change of
 * mind does not count, then a rate of one in two orders, and draws the chart. An operator reads
 * the same seller's figures by the id. Ends signed out.
 */
export const performanceStory = async (story: Story, buyerId: string, sellerId: string) => {
  const { names, page } = story;
  await Promise.all([
    cancelledInTransit(story, buyerId, sellerId, "4470-4444-0001", {
      reason: "DELIVERY_TOO_SLOW",
      late: true,
    }),
    cancelledInTransit(story, buyerId, sellerId, "4470-4444-0002"),
  ]);
  const shown = async () => {
    await page.getByText(names.fairness, { exact: true }).waitFor();
    await page
      .locator(".rate")
      .filter({ hasText: /^50\s?%$/ })
      .waitFor();
    await page.getByRole("img").first().waitFor();
  };
  await signIn(story, sellerId, "seller");
  await navigate(story, names.performance);
  await page.getByRole("heading", { level: 1, name: names.performance, exact: true }).waitFor();
  await shown();
  await story.visit("seller-performance", page);
  await signOut(story);

  await signIn(story, "operator-1", "operator");
  await navigate(story, names.sellerPerformance);
  await page.getByRole("textbox", { name: names.sellerId }).fill(sellerId);
  await button(story, names.showFigures).click();
  await page.getByRole("heading", { level: 2, name: sellerId, exact: true }).waitFor();
  await shown();
  await story.visit("operator-seller-performance", page);
  await signOut(story);
};
