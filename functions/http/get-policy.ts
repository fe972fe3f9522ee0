// GET /policy: anyone → the policy in force (defaults merged with the deployment's POLICY_JSON).
import { currentPolicy } from "../adapters/config.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler("GetPolicy", {}, async () => ({
  status: 200,
  body: currentPolicy(),
}));

export const handler = createHandler(() => ({}));
