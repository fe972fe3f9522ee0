// People in a deployed stack: `npm run users -- add --email … --role seller|operator|buyer`, `list`
// and `remove --email …`, through the Cognito admin API with the caller's AWS credentials. The
// user pool is the deployed stack's (its `UserPoolId` output) unless `--user-pool-id` names one.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  type AttributeType,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { ROLE_GROUPS, type Role } from "../functions/http/routes.ts";
import { STACK_NAME } from "./create-app.ts";

export const USAGE = `usage: npm run users -- <command> [options]

  add --email <address> --role seller|operator|buyer
      creates the user (Cognito mails a temporary password) and adds them to the role's group;
      a user who already exists is only added to the group
  list [--role seller|operator|buyer]
      every user (or the role's), with their user id (sub: an order's buyerId or sellerId)
  remove --email <address>
      deletes the user

  --user-pool-id <id>   the pool (default: the UserPoolId output of the deployed stack)
  --stack-name <name>   the stack to read it from (default: ${STACK_NAME})
  --region <region>     default: the AWS SDK's (AWS_REGION, the profile)

AWS credentials are the caller's own (environment, profile or SSO), as for the AWS CLI.`;

const ROLES = Object.keys(ROLE_GROUPS) as Role[];
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface UsersDeps {
  cognito: CognitoIdentityProviderClient;
  cloudFormation: CloudFormationClient;
  out: (line: string) => void;
}

export interface UserRow {
  email: string;
  sub: string;
  status: string;
  enabled: boolean;
  roles: Role[];
}

const parse = (argv: string[]) => {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      "user-pool-id": { type: "string" },
      "stack-name": { type: "string" },
      region: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  return { command: positionals[0], extra: positionals.slice(1), values };
};

const readRole = (value: string | undefined): Role | undefined => {
  if (value === undefined) return undefined;
  if (!(ROLES as string[]).includes(value)) {
    throw new UsageError(`--role must be one of ${ROLES.join(", ")}, not "${value}"`);
  }
  return value as Role;
};

const readEmail = (value: string | undefined): string => {
  if (value === undefined) throw new UsageError("--email is required");
  const email = value.trim();
  if (!EMAIL.test(email)) throw new UsageError(`"${value}" is not an email address`);
  return email;
};

/** The pool: the flag, or the `UserPoolId` output of the deployed stack. */
export const findUserPoolId = async (
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<string> => {
  const { Stacks: stacks = [] } = await cloudFormation.send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const output = stacks[0]?.Outputs?.find((candidate) => candidate.OutputKey === "UserPoolId");
  if (!output?.OutputValue) {
    throw new Error(
      `stack ${stackName} has no UserPoolId output: is it deployed? (--user-pool-id)`,
    );
  }
  return output.OutputValue;
};

const attribute = (attributes: AttributeType[] | undefined, name: string) =>
  attributes?.find((candidate) => candidate.Name === name)?.Value;

const rowOf = (user: UserType, roles: Role[] = []): UserRow => ({
  email: attribute(user.Attributes, "email") ?? "",
  sub: attribute(user.Attributes, "sub") ?? user.Username ?? "",
  status: user.UserStatus ?? "UNKNOWN",
  enabled: user.Enabled ?? true,
  roles,
});

const allUsers = async (cognito: CognitoIdentityProviderClient, userPoolId: string) => {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken: token }),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
};

const usersInGroup = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  groupName: string,
) => {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersInGroupCommand({
        UserPoolId: userPoolId,
        GroupName: groupName,
        NextToken: token,
      }),
    );
    users.push(...(page.Users ?? []));
    token = page.NextToken;
  } while (token);
  return users;
};

/** Users with their roles: everyone (ListUsers) or one role's group (ListUsersInGroup). */
export const listUsers = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  role?: Role,
): Promise<UserRow[]> => {
  const roles = role ? [role] : ROLES;
  const rolesByUsername = new Map<string, Role[]>();
  const members: UserType[] = [];
  for (const each of roles) {
    for (const user of await usersInGroup(cognito, userPoolId, ROLE_GROUPS[each])) {
      const username = user.Username ?? "";
      if (!rolesByUsername.has(username)) members.push(user);
      rolesByUsername.set(username, [...(rolesByUsername.get(username) ?? []), each]);
    }
  }
  const users = role ? members : await allUsers(cognito, userPoolId);
  return users
    .map((user) => rowOf(user, rolesByUsername.get(user.Username ?? "") ?? []))
    .sort((a, b) => a.email.localeCompare(b.email));
};

/** Creates the user (Cognito mails the temporary password) unless they exist, then the group. */
export const addUser = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
  role: Role,
): Promise<{ created: boolean; sub: string | undefined }> => {
  let created = true;
  let sub: string | undefined;
  try {
    const { User: user } = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        // The pool signs in by email: the address is the user name (Cognito's is the sub).
        Username: email,
        UserAttributes: [
          { Name: "email", Value: email },
          // The marketplace vouches for the address it onboards; recovery mail goes there.
          { Name: "email_verified", Value: "true" },
        ],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    sub = attribute(user?.Attributes, "sub");
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
    created = false;
  }
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPoolId,
      Username: email,
      GroupName: ROLE_GROUPS[role],
    }),
  );
  return { created, sub };
};

export const removeUser = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<void> => {
  await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
};

const formatRow = (row: UserRow) =>
  [
    row.email,
    row.roles.join(",") || "-",
    row.sub,
    row.enabled ? row.status : `${row.status} (disabled)`,
  ].join("\t");

/** Runs one command line (without `node users.ts`). */
export const runUsers = async (argv: string[], deps: UsersDeps): Promise<void> => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { command, extra, values } = parsed;
  if (values.help) {
    deps.out(USAGE);
    return;
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (command !== "add" && command !== "list" && command !== "remove") {
    throw new UsageError(command ? `unknown command "${command}"` : "no command");
  }
  // Validate the whole command line before any AWS call.
  const role = readRole(values.role);
  const email = command === "list" ? undefined : readEmail(values.email);
  if (command === "add" && role === undefined) throw new UsageError("--role is required");
  if (command === "remove" && role !== undefined) throw new UsageError("remove takes no --role");
  if (command === "list" && values.email !== undefined) {
    throw new UsageError("list takes no --email");
  }

  const userPoolId =
    values["user-pool-id"] ??
    (await findUserPoolId(deps.cloudFormation, values["stack-name"] ?? STACK_NAME));

  if (command === "add" && email && role) {
    const { created, sub } = await addUser(deps.cognito, userPoolId, email, role);
    deps.out(
      created
        ? `created ${email} (${role}, user id ${sub ?? "?"}); Cognito mailed a temporary password`
        : `${email} already exists: added to ${ROLE_GROUPS[role]}`,
    );
    return;
  }
  if (command === "remove" && email) {
    await removeUser(deps.cognito, userPoolId, email);
    deps.out(`removed ${email}`);
    return;
  }
  const rows = await listUsers(deps.cognito, userPoolId, role);
  deps.out(["email", "roles", "user id (sub)", "status"].join("\t"));
  for (const row of rows) deps.out(formatRow(row));
};

const main = async () => {
  const region = (() => {
    const index = process.argv.indexOf("--region");
    return index >= 0 ? process.argv[index + 1] : undefined;
  })();
  const deps: UsersDeps = {
    cognito: new CognitoIdentityProviderClient(region ? { region } : {}),
    cloudFormation: new CloudFormationClient(region ? { region } : {}),
    out: (line) => process.stdout.write(`${line}\n`),
  };
  try {
    await runUsers(process.argv.slice(2), deps);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
