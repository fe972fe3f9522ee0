// The sweep that starts the workflow of requests left in REQUESTED (their start failed and the
// buyer never retried), on DynamoDB Local.
import { Logger } from "@aws-lambda-powertools/logger";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { OrderStore } from "../../functions/adapters/order-store.ts";
import { WorkflowClient } from "../../functions/adapters/workflow-client.ts";
import type { AppDeps } from "../../functions/app/apply-event.ts";
import type { RequestStatus } from "../../functions/domain/types.ts";
import { createHandler, STALLED_AFTER_SECONDS } from "../../functions/workflow/restart-stalled.ts";
import { useTestTable } from "../support/dynamodb.ts";
import { cancellationRequest, orderRecord } from "../support/records.ts";
import { CapturingMailer } from "../support/workflow-harness.ts";

const NOW = "2026-11-26T12:00:00.000Z";
const ago = (seconds: number) => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

describe("restart stalled requests", () => {
  const table = useTestTable("dynamodb-local", "stalled");

  it("starts each request REQUESTED for longer than the grace period, and nothing else", async () => {
    const store = new OrderStore({
      client: table.current.client,
      tableName: table.current.tableName,
    });
    const seed = async (orderId: string, status: RequestStatus, createdSecondsAgo: number) => {
      const request = cancellationRequest({
        requestId: `${orderId}-r`,
        orderId,
        status,
        createdAt: ago(createdSecondsAgo),
        updatedAt: ago(createdSecondsAgo),
      });
      await store.create(
        orderRecord({ orderId, activeCancellationRequestId: request.requestId }, [request]),
      );
    };
    await seed("o-stalled-1", "REQUESTED", 600);
    await seed("o-stalled-2", "REQUESTED", STALLED_AFTER_SECONDS + 1);
    await seed("o-just-made", "REQUESTED", 5);
    await seed("o-running", "AWAITING_SELLER", 600);

    const sfn = new SFNClient({ region: "ap-northeast-1" });
    const sfnMock = mockClient(sfn);
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: "arn", startDate: new Date() });
    const deps: AppDeps = {
      store,
      mailer: new CapturingMailer(),
      workflow: new WorkflowClient({ client: sfn, stateMachineArn: "arn:aws:states:local" }),
      operatorEmails: [],
      logger: new Logger({ logLevel: "SILENT" }),
      now: () => NOW,
    };

    const result = await createHandler(() => deps)();

    expect(result.restarted.sort()).toEqual(["o-stalled-1-r", "o-stalled-2-r"]);
    const started = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(started.map((input) => input.name).sort()).toEqual(["o-stalled-1-r", "o-stalled-2-r"]);
    expect(JSON.parse(String(started[0]?.input))).toHaveProperty("orderId");
  });
});
