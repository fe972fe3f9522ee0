// Turning a synthesized DefinitionString back into ASL: each intrinsic function CDK emits, and a
// clear error for a reference nobody supplied a value for.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub and DefinitionSubstitutions syntax.
import { describe, expect, it } from "vitest";
import {
  placeholderValues,
  resolveIntrinsics,
  stateMachineDefinition,
  UnresolvedReferenceError,
} from "../../infra/definition.ts";

const values = {
  "AWS::Partition": "aws",
  Table: "orders",
  "Fn.Arn": "arn:aws:lambda:ap-northeast-1:123456789012:function:fn",
};

describe("resolveIntrinsics", () => {
  it("resolves Ref, Fn::GetAtt (both forms) and Fn::Join", () => {
    expect(
      resolveIntrinsics(
        { "Fn::Join": ["-", [{ Ref: "Table" }, { "Fn::GetAtt": ["Fn", "Arn"] }, "x"]] },
        values,
      ),
    ).toBe(`orders-${values["Fn.Arn"]}-x`);
    expect(resolveIntrinsics({ "Fn::GetAtt": "Fn.Arn" }, values)).toBe(values["Fn.Arn"]);
  });

  it("resolves Fn::Select over Fn::Split, and Fn::Sub with and without variables", () => {
    const name = { "Fn::Select": [6, { "Fn::Split": [":", { "Fn::GetAtt": ["Fn", "Arn"] }] }] };
    expect(resolveIntrinsics(name, values)).toBe("fn");
    expect(
      resolveIntrinsics({ "Fn::Sub": "arn:${AWS::Partition}:x/${Table}/${!Literal}" }, values),
    ).toBe("arn:aws:x/orders/${Literal}");
    expect(
      resolveIntrinsics({ "Fn::Sub": ["${A}-${Table}", { A: { Ref: "Table" } }] }, values),
    ).toBe("orders-orders");
  });

  it("leaves plain objects and arrays as they are, resolving inside them", () => {
    expect(resolveIntrinsics({ a: [1, { Ref: "Table" }], b: { c: true } }, values)).toEqual({
      a: [1, "orders"],
      b: { c: true },
    });
  });

  it("names the reference it has no value for", () => {
    expect(() => resolveIntrinsics({ Ref: "Missing" }, values)).toThrow(UnresolvedReferenceError);
    expect(() => resolveIntrinsics({ "Fn::GetAtt": ["Table", "StreamArn"] }, values)).toThrow(
      /Table\.StreamArn/,
    );
    expect(() => resolveIntrinsics({ "Fn::If": ["c", 1, 2] }, values)).toThrow(/Fn::If/);
  });
});

describe("stateMachineDefinition", () => {
  const template = {
    Resources: {
      Fn: { Type: "AWS::Lambda::Function" },
      Machine: {
        Type: "AWS::StepFunctions::StateMachine",
        Properties: {
          DefinitionString: {
            "Fn::Join": [
              "",
              [
                '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                { "Fn::GetAtt": ["Fn", "Arn"] },
                '","Comment":"${note}","End":true}}}',
              ],
            ],
          },
          DefinitionSubstitutions: { note: { Ref: "Fn" } },
        },
      },
    },
  };

  it("parses the definition with references and substitutions resolved", () => {
    const definition = stateMachineDefinition(
      template,
      placeholderValues(template, { account: "123456789012", region: "ap-northeast-1" }),
    );
    expect(definition).toEqual({
      StartAt: "A",
      States: {
        A: {
          Type: "Task",
          Resource: "arn:aws:lambda:ap-northeast-1:123456789012:function:Fn",
          Comment: "Fn",
          End: true,
        },
      },
    });
  });

  it("asks which machine when there are several, or none", () => {
    expect(() => stateMachineDefinition({ Resources: {} }, values)).toThrow(/pick one/);
  });
});
