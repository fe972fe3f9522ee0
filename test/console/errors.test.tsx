// @vitest-environment happy-dom
// The console's words for the domain's two lists (functions/domain/codes.ts): a reason for each of
// CANCELLATION_REASONS and a sentence for each problem code, in both languages; a failure's alert
// says the sentence of a code the API answers, and the HTTP status of anything else (even a string
// that happens to name another of the console's error words).
import { cleanup, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { FailureAlert } from "../../console/src/components/alerts.tsx";
import { MESSAGES } from "../../console/src/i18n.ts";
import { CANCELLATION_REASONS, PROBLEM_CODE_LIST } from "../../functions/domain/codes.ts";
import { renderInConsole } from "./render.tsx";

afterEach(cleanup);

describe("the domain's lists in the console's words", () => {
  it.each(["ja", "en"] as const)("names every reason and every problem code (%s)", (language) => {
    const messages = MESSAGES[language];
    expect(Object.keys(messages.reasons).sort()).toEqual([...CANCELLATION_REASONS].sort());
    for (const code of PROBLEM_CODE_LIST) expect(messages.errors[code], code).toBeTruthy();
  });
});

describe("a failure's alert", () => {
  const alertFor = (code: string, status: number) => {
    renderInConsole(
      <FailureAlert
        failure={{
          kind: "problem",
          status,
          problem: { code } as unknown as { code: "INTERNAL_ERROR" },
        }}
      />,
    );
    return screen.getByRole("alert").textContent;
  };

  it("says the sentence of the API's code", () => {
    expect(alertFor("WINDOW_CLOSED", 409)).toBe(
      "The time for cancelling after shipment has passed.",
    );
  });

  it("says the status of a code the API does not have", () => {
    expect(alertFor("SOMETHING_NEW", 418)).toBe("Something went wrong (HTTP 418).");
    cleanup();
    // "network" and "heading" are words of the console's errors table, not problem codes.
    expect(alertFor("network", 409)).toBe("Something went wrong (HTTP 409).");
    cleanup();
    expect(alertFor("heading", 400)).toBe("Something went wrong (HTTP 400).");
  });
});
