// The synthesized state machine definition as plain ASL JSON. CloudFormation receives it as a
// DefinitionString assembled with Fn::Join, Ref and Fn::GetAtt; local mode and the tests need the
// JSON itself, with each reference replaced by a value they choose (a local ARN, a placeholder).

/** The parts of a synthesized CloudFormation template this module reads. */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * Values of references: `LogicalId` for `{ Ref }`, `LogicalId.Attribute` for `{ Fn::GetAtt }`, and
 * pseudo parameters by name (`AWS::Partition`, `AWS::Region`, `AWS::AccountId`, `AWS::URLSuffix`).
 */
export type ReferenceValues = Readonly<Record<string, string>>;

export class UnresolvedReferenceError extends Error {
  constructor(readonly reference: string) {
    super(`no value for ${reference} (add it to the reference values)`);
    this.name = "UnresolvedReferenceError";
  }
}

const lookup = (values: ReferenceValues, key: string): string => {
  const value = values[key];
  if (value === undefined) throw new UnresolvedReferenceError(key);
  return value;
};

const asString = (value: unknown, where: string): string => {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
};

const isIntrinsic = (value: object): value is Record<string, unknown> => {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || (keys[0]?.startsWith("Fn::") ?? false));
};

/** `${Name}` and `${LogicalId.Attribute}` in Fn::Sub; `${!Literal}` stays `${Literal}`. */
const substitute = (text: string, lookupName: (name: string) => string): string =>
  text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) =>
    literal ? `\${${name}}` : lookupName(name.trim()),
  );

/** Resolves the intrinsic functions CDK emits in definitions; anything else is an error. */
export const resolveIntrinsics = (value: unknown, values: ReferenceValues): unknown => {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, values));
  if (value === null || typeof value !== "object") return value;
  if (!isIntrinsic(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveIntrinsics(item, values)]),
    );
  }
  const [name, argument] = Object.entries(value)[0] as [string, unknown];
  const resolved = () => resolveIntrinsics(argument, values);
  switch (name) {
    case "Ref":
      return lookup(values, asString(argument, "Ref"));
    case "Fn::GetAtt": {
      const [logicalId, attribute] = Array.isArray(argument)
        ? argument.map((part) => asString(resolveIntrinsics(part, values), "Fn::GetAtt"))
        : asString(argument, "Fn::GetAtt").split(/\.(.*)/s);
      return lookup(values, `${logicalId}.${attribute}`);
    }
    case "Fn::Join": {
      const [separator, parts] = resolved() as [unknown, unknown];
      if (!Array.isArray(parts)) throw new Error("Fn::Join: expected a list");
      return parts.map((part) => asString(part, "Fn::Join")).join(asString(separator, "Fn::Join"));
    }
    case "Fn::Split": {
      const [separator, text] = resolved() as [unknown, unknown];
      return asString(text, "Fn::Split").split(asString(separator, "Fn::Split"));
    }
    case "Fn::Select": {
      const [index, list] = resolved() as [unknown, unknown];
      if (!Array.isArray(list)) throw new Error("Fn::Select: expected a list");
      const item = list[Number(index)];
      if (item === undefined) throw new Error(`Fn::Select: no item ${String(index)}`);
      return item;
    }
    case "Fn::Sub": {
      const [text, variables = {}] = Array.isArray(argument) ? argument : [argument];
      const local = resolveIntrinsics(variables, values) as Record<string, unknown>;
      return substitute(asString(text, "Fn::Sub"), (key) =>
        key in local ? asString(local[key], "Fn::Sub") : lookup(values, key),
      );
    }
    default:
      throw new Error(`unsupported intrinsic function ${name}`);
  }
};

/** Logical ids of the template's state machines. */
export const stateMachineIds = (template: CfnTemplate): string[] =>
  stateMachines(template).map(({ logicalId }) => logicalId);

/** The template's state machines: logical id and type (CloudFormation's default: STANDARD). */
export const stateMachines = (
  template: CfnTemplate,
): { logicalId: string; type: "STANDARD" | "EXPRESS" }[] =>
  Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === "AWS::StepFunctions::StateMachine")
    .map(([logicalId, resource]) => ({
      logicalId,
      type: resource.Properties?.StateMachineType === "EXPRESS" ? "EXPRESS" : "STANDARD",
    }));

/**
 * The ASL definition of a state machine in a synthesized template, every reference resolved.
 * `logicalId` may be left out when the template holds exactly one state machine.
 */
export const stateMachineDefinition = (
  template: CfnTemplate,
  values: ReferenceValues,
  logicalId?: string,
): Record<string, unknown> => {
  const ids = stateMachineIds(template);
  const id = logicalId ?? (ids.length === 1 ? ids[0] : undefined);
  if (id === undefined || !ids.includes(id)) {
    throw new Error(`pick one state machine of [${ids.join(", ")}]`);
  }
  const properties = template.Resources?.[id]?.Properties ?? {};
  const substitutions = resolveIntrinsics(
    properties.DefinitionSubstitutions ?? {},
    values,
  ) as Record<string, unknown>;
  const withSubstitutions = (text: string) =>
    text.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in substitutions ? asString(substitutions[key], "DefinitionSubstitutions") : match,
    );
  if (properties.Definition !== undefined) {
    const definition = resolveIntrinsics(properties.Definition, values);
    return JSON.parse(withSubstitutions(JSON.stringify(definition)));
  }
  const text = asString(resolveIntrinsics(properties.DefinitionString, values), "DefinitionString");
  return JSON.parse(withSubstitutions(text));
};

export interface PlaceholderEnv {
  account: string;
  region: string;
  partition?: string;
  urlSuffix?: string;
}

/**
 * Plausible values for every reference a template can make: pseudo parameters, and for each
 * resource its Ref and Arn (named after its logical id), in the shape its type really has.
 */
export const placeholderValues = (template: CfnTemplate, env: PlaceholderEnv): ReferenceValues => {
  const partition = env.partition ?? "aws";
  const { account, region } = env;
  const values: Record<string, string> = {
    "AWS::Partition": partition,
    "AWS::Region": region,
    "AWS::AccountId": account,
    "AWS::URLSuffix": env.urlSuffix ?? "amazonaws.com",
    "AWS::StackName": "placeholder-stack",
  };
  const arn = (service: string, resource: string, withRegion = true, withAccount = true) =>
    `arn:${partition}:${service}:${withRegion ? region : ""}:${withAccount ? account : ""}:${resource}`;
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    let ref = id;
    const attributes: Record<string, string> = {};
    switch (resource.Type) {
      case "AWS::Lambda::Function":
        attributes.Arn = arn("lambda", `function:${id}`);
        break;
      case "AWS::DynamoDB::Table":
      case "AWS::DynamoDB::GlobalTable":
        attributes.Arn = arn("dynamodb", `table/${id}`);
        attributes.StreamArn = `${attributes.Arn}/stream/placeholder`;
        break;
      case "AWS::StepFunctions::StateMachine":
        ref = arn("states", `stateMachine:${id}`);
        attributes.Arn = ref;
        attributes.Name = id;
        break;
      case "AWS::SNS::Topic":
        ref = arn("sns", id);
        attributes.TopicArn = ref;
        attributes.TopicName = id;
        break;
      case "AWS::SQS::Queue":
        ref = `https://sqs.${region}.amazonaws.com/${account}/${id}`;
        attributes.Arn = arn("sqs", id);
        attributes.QueueName = id;
        break;
      case "AWS::IAM::Role":
        attributes.Arn = arn("iam", `role/${id}`, false);
        break;
      case "AWS::Logs::LogGroup":
        attributes.Arn = arn("logs", `log-group:${id}:*`);
        break;
      default:
        attributes.Arn = arn(resource.Type.split("::")[1]?.toLowerCase() ?? "unknown", id);
    }
    values[id] = ref;
    for (const [attribute, value] of Object.entries(attributes)) {
      values[`${id}.${attribute}`] = value;
    }
  }
  return values;
};
