// CDK CLI entry (cdk.json: `npx tsx infra/app.ts`). Settings come from context: see infra/config.ts.
import { createApp } from "./create-app.ts";

createApp().app.synth();
