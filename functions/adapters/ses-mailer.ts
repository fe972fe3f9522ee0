// Sends email through Amazon SES (v1 API, `@aws-sdk/client-ses`). Recipients come from order
// records only; subjects are fixed wording plus an order id, so nothing a user typed reaches a header.
// The SES SDK is loaded on the first send (sdk.ts): a function that sends no mail never loads it.
import type { SESClient } from "@aws-sdk/client-ses";
import type { Mail, Mailer } from "../app/ports.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { sesSdk } from "./sdk.ts";

export class SesMailer implements Mailer {
  constructor(
    private readonly options: {
      client: ClientSource<SESClient>;
      from: string;
      configurationSet?: string;
    },
  ) {}

  async send(mail: Mail): Promise<void> {
    const client = await clientOf(this.options.client);
    const { SendEmailCommand } = sesSdk();
    await client.send(
      new SendEmailCommand({
        Source: this.options.from,
        Destination: { ToAddresses: mail.to },
        ConfigurationSetName: this.options.configurationSet,
        Message: {
          Subject: { Data: mail.subject, Charset: "UTF-8" },
          Body: {
            Text: { Data: mail.text, Charset: "UTF-8" },
            Html: { Data: mail.html, Charset: "UTF-8" },
          },
        },
      }),
    );
  }
}
