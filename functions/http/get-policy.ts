// GET /policy: anyone → the policy in force (defaults merged with the deployment's POLICY_JSON).
import { currentPolicy } from "../adapters/config.ts";
import { httpHandler } from "./middleware.ts";
import { getPolicyRoute } from "./routes.ts";

export const createHandler = httpHandler(getPolicyRoute, {}, async () => ({
  status: 200,
  body: currentPolicy(),
}));

export const handler = createHandler(() => ({}));
