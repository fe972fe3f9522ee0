// The parcel after a cancellation (SPEC "The parcel after a cancellation"): where the shipped
// parcel is, moved only forward by the carrier's events, and the return a buyer owes when they
// take delivery of cancelled units anyway. transition.ts calls these on its Draft.
import { type Draft, refuse, SYSTEM } from "./draft.ts";
import { DomainError } from "./events.ts";
import { returnDaysOf } from "./policy.ts";
import { latestRequest } from "./requests.ts";
import type { TrackingEventType } from "./schemas.ts";
import type { Order, OrderReturn, Parcel, ParcelStatus, ParcelTimelineType } from "./types.ts";

const DAY_SECONDS = 86_400;

/** How far ahead of the service's clock a carrier's time may be (clock skew). */
export const MAX_CARRIER_CLOCK_SKEW_SECONDS = 300;

/** Where each status may go next: the parcel never moves back, and RETURNED is the end. */
const FORWARD: Readonly<Record<ParcelStatus, readonly ParcelStatus[]>> = {
  IN_TRANSIT: ["DELIVERED", "REFUSED", "RETURNING", "RETURNED"],
  DELIVERED: ["RETURNING", "RETURNED"],
  REFUSED: ["RETURNING", "RETURNED"],
  RETURNING: ["RETURNED"],
  RETURNED: [],
};

export const canMove = (from: ParcelStatus, to: ParcelStatus): boolean =>
  FORWARD[from].includes(to);

/** The status each tracking event reports, and the order's timeline entry that records it. */
export const TRACKING_MOVES: Readonly<
  Record<TrackingEventType, { to: ParcelStatus; entry: ParcelTimelineType }>
> = {
  DELIVERY_REFUSED: { to: "REFUSED", entry: "DELIVERY_REFUSED" },
  RETURNING_TO_SENDER: { to: "RETURNING", entry: "RETURNING_TO_SENDER" },
  RETURNED_TO_SENDER: { to: "RETURNED", entry: "RETURNED_TO_SENDER" },
};

/**
 * The order's parcel: as kept, or (orders stored before it was) as the order's delivery says.
 * Null before shipment.
 */
export const parcelOf = (order: Order): Parcel | null => {
  if (order.parcel) return order.parcel;
  if (!order.shipment) return null;
  return order.deliveredAt
    ? { status: "DELIVERED", updatedAt: order.deliveredAt }
    : { status: "IN_TRANSIT", updatedAt: order.shipment.shippedAt };
};

/**
 * Whether the order's parcel was handed to `carrier` (a client's bound carrier code; undefined: a
 * client bound to none, which may report on every parcel). Sellers type the carrier: "Yamato" and
 * " yamato" are the code `yamato`.
 */
export const handedTo = (order: Order, carrier: string | undefined): boolean =>
  carrier === undefined || order.shipment?.carrier.trim().toLowerCase() === carrier;

/** Whether a carrier's event would move the parcel (forward); a repeat or a step back would not. */
export const wouldMove = (order: Order, event: TrackingEventType): boolean => {
  const parcel = parcelOf(order);
  return parcel !== null && canMove(parcel.status, TRACKING_MOVES[event].to);
};

/** A carrier's time: not before the shipment, not ahead of the service's clock beyond skew. */
export const checkCarrierTime = (order: Order, at: string, now: string, name: string) => {
  const details = { field: `body.${name}` };
  if (order.shipment && Date.parse(at) < Date.parse(order.shipment.shippedAt)) {
    throw new DomainError("VALIDATION_FAILED", `${name} is before the shipment`, details);
  }
  if (Date.parse(at) > Date.parse(now) + MAX_CARRIER_CLOCK_SKEW_SECONDS * 1000) {
    throw new DomainError("VALIDATION_FAILED", `${name} is in the future`, details);
  }
};

/** The units completed requests cancelled, line by line (those a delivered parcel still held). */
export const cancelledUnits = (order: Order): OrderReturn["lines"] =>
  order.lines
    .filter((line) => line.cancelledQuantity > 0)
    .map(({ lineId, cancelledQuantity }) => ({ lineId, quantity: cancelledQuantity }));

/** Whether the order's return is still owed (not yet back with the seller). */
export const isReturnOpen = (order: Order): boolean =>
  order.return?.status === "REQUESTED" || order.return?.status === "OVERDUE";

/**
 * The parcel reached the buyer holding units that were cancelled and refunded: a return of them
 * is opened (or, should one be open, widened to every cancelled unit), due within the latest
 * request's policy's days.
 */
export const openReturnIfOwed = (draft: Draft, actor: string) => {
  const { order } = draft;
  const lines = cancelledUnits(order);
  if (lines.length === 0 || parcelOf(order)?.status !== "DELIVERED") return;
  if (order.return?.status === "RECEIVED") return;
  const policy = latestRequest(draft.record)?.policy;
  const days = policy ? returnDaysOf(policy) : undefined;
  if (days === undefined) return;
  if (order.return && isReturnOpen(order)) {
    order.return.lines = lines;
    return;
  }
  order.return = {
    status: "REQUESTED",
    lines,
    dueBy: new Date(Date.parse(draft.now) + days * DAY_SECONDS * 1000).toISOString(),
    openedAt: draft.now,
    closedAt: null,
  };
  draft.log(order, "DELIVERED_AFTER_CANCELLATION", actor);
};

/**
 * Moves the parcel to `to` as the carrier reported at `at` (callers checked it moves forward).
 * `updatedAt` never goes back: a later status reported with an earlier time (carriers' clocks and
 * feeds disagree) keeps the time already known.
 */
export const moveParcel = (order: Order, to: ParcelStatus, at: string) => {
  const known = parcelOf(order)?.updatedAt;
  const updatedAt = known !== undefined && Date.parse(known) > Date.parse(at) ? known : at;
  order.parcel = { status: to, updatedAt };
};

/**
 * The carrier's event: the parcel moves forward and the order's timeline says so; back with the
 * seller, it closes an open return. An event that would not move it is refused (the route answers
 * it as a replay: nothing changes, 200).
 */
export const trackParcel = (draft: Draft, actor: string, event: TrackingEventType, at: string) => {
  const { order } = draft;
  const parcel = parcelOf(order);
  if (parcel === null) refuse("NOT_SHIPPED", "the order has not been shipped");
  checkCarrierTime(order, at, draft.now, "at");
  const move = TRACKING_MOVES[event];
  if (!canMove(parcel.status, move.to)) {
    refuse("INVALID_STATE", `the parcel is ${parcel.status}: it cannot become ${move.to}`);
  }
  moveParcel(order, move.to, at);
  draft.log(order, move.entry, actor);
  if (move.to === "RETURNED" && order.return && isReturnOpen(order)) {
    order.return.status = "RECEIVED";
    order.return.closedAt = draft.now;
    draft.log(order, "RETURN_RECEIVED", SYSTEM);
  }
};

/** Past its `dueBy` and not back: the return is overdue, and operators are told. */
export const markReturnOverdue = (draft: Draft) => {
  const { order } = draft;
  const owed = order.return;
  if (owed?.status !== "REQUESTED" || Date.parse(draft.now) < Date.parse(owed.dueBy)) {
    refuse("INVALID_STATE", "no return is overdue");
  }
  owed.status = "OVERDUE";
  draft.log(order, "RETURN_OVERDUE", SYSTEM);
};

/** When the order's open return becomes overdue, if it has one still REQUESTED. */
export const returnDueBy = (order: Order): string | undefined =>
  order.return?.status === "REQUESTED" ? order.return.dueBy : undefined;
