// A decision body as the domain event it stands for (the schema requires a reason to reject).
import type { DomainEvent } from "../domain/events.ts";
import type { DecisionInput } from "../domain/schemas.ts";

type DecisionEvent = Extract<DomainEvent, { type: "SELLER_DECIDE" | "OPERATOR_DECIDE" }>;

export const decisionEvent = (
  type: DecisionEvent["type"],
  actor: string,
  requestId: string,
  input: DecisionInput,
): DecisionEvent =>
  input.decision === "REJECT"
    ? { type, actor, requestId, decision: "REJECT", reason: input.reason ?? "" }
    : { type, actor, requestId, decision: "APPROVE" };
