// Errors the ports answer with, for the use cases and handlers to tell apart.

/** `create` found the order already stored; the caller re-reads it and compares. */
export class OrderExistsError extends Error {
  override readonly name = "OrderExistsError";
  constructor() {
    super("order already exists");
  }
}

/** The stored version was not the expected one: someone else changed the order first. */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(message = "the order changed concurrently") {
    super(message);
  }
}

/** A list cursor that is malformed or belongs to another query (400 VALIDATION_FAILED). */
export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
  constructor(message = "invalid cursor") {
    super(message);
  }
}

/** A refund the provider will never make (as opposed to a transient failure worth retrying). */
export class RefundDeclinedError extends Error {
  override readonly name = "RefundDeclined";
}
