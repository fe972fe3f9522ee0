// `npm start`: local mode in the foreground. PORT (default 3000), POLICY_FILE and DATA_DIR come
// from the environment; Ctrl-C stops everything it started.
import { startLocal } from "./start.ts";

const started = Date.now();
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${process.env.PORT}`);
  process.exit(2);
}

try {
  const local = await startLocal({
    port,
    policyFile: process.env.POLICY_FILE,
    dataDir: process.env.DATA_DIR,
    log: (line) => console.error(line),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
発送済みキャンセル — post-shipment cancellation service, local mode
  Console    ${local.url}/  (sign in with a user id and a role; ?lang=en for English)
  API        ${local.url}  (${local.routes.length} routes from the synthesized CDK app)
  Reference  ${local.url}/docs  (the OpenAPI document: ${local.url}/openapi.json)
  DynamoDB   ${local.database}${process.env.DATA_DIR ? `, data in ${process.env.DATA_DIR}` : ", in memory"}
  Workflow   the synthesized state machines on aws-local-stepfunctions, started by the
             table's stream through the pipe stand-in (dead letters: GET /_local/queues)
  Email      SES stand-in: GET ${local.url}/_local/emails
  Events     EventBridge stand-in: GET ${local.url}/_local/events
  Stripe     stand-in at ${local.stripe.apiBase} (its keys: GET /_local/info), webhooks to /webhooks/stripe
  Tools      GET /_local/info (endpoints for the AWS CLI), /_local/faults, POST /_local/sweep
  Seals      the audit chains' hourly seals: GET ${local.url}/_local/seals (POST /_local/sweep seals now)
  Policy     ${local.policy.version}${process.env.POLICY_FILE ? ` (with ${process.env.POLICY_FILE})` : " (defaults)"}

Try it:
  curl -s ${local.url}/policy
  TOKEN=$(curl -s -X POST ${local.url}/_local/tokens -H 'content-type: application/json' \\
    -d '{"sub":"buyer-1","groups":["buyers"]}' | node -p 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl -s ${local.url}/orders -H "Authorization: Bearer $TOKEN"
  (README.md "Try it" walks the whole story; npm run demo plays it.)

Ready on ${local.url} in ${seconds} s. Ctrl-C stops.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping local mode…`);
    await local.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  console.error(`local mode could not start: ${(error as Error).message}`);
  process.exit(1);
}
