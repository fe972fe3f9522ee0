// `npm run users`: the Cognito admin calls each command makes, against mocked AWS clients.
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { runUsers, UsageError } from "../../infra/users.ts";

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const cloudFormationMock = mockClient(CloudFormationClient);
const POOL = "ap-northeast-1_Pool";

let lines: string[];
const run = (...argv: string[]) =>
  runUsers(argv, {
    cognito: new CognitoIdentityProviderClient({ region: "ap-northeast-1" }),
    cloudFormation: new CloudFormationClient({ region: "ap-northeast-1" }),
    out: (line) => lines.push(line),
  });

const user = (email: string, sub: string, status = "CONFIRMED"): UserType => ({
  Username: sub,
  UserStatus: status as UserType["UserStatus"],
  Enabled: true,
  Attributes: [
    { Name: "sub", Value: sub },
    { Name: "email", Value: email },
  ],
});

beforeEach(() => {
  lines = [];
  cognitoMock.reset();
  cloudFormationMock.reset();
  cloudFormationMock.on(DescribeStacksCommand, { StackName: "ShippedCancellation" }).resolves({
    Stacks: [
      {
        StackName: "ShippedCancellation",
        CreationTime: new Date(),
        StackStatus: "UPDATE_COMPLETE",
        Outputs: [
          { OutputKey: "ApiUrl", OutputValue: "https://api.example" },
          { OutputKey: "UserPoolId", OutputValue: POOL },
        ],
      },
    ],
  });
});

describe("add", () => {
  it("creates the user in the deployed stack's pool, email verified, then adds them to the role's group", async () => {
    cognitoMock.on(AdminCreateUserCommand).resolves({ User: user("s@example.com", "sub-s") });
    cognitoMock.on(AdminAddUserToGroupCommand).resolves({});
    await run("add", "--email", "s@example.com", "--role", "seller");

    expect(cloudFormationMock.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    const [create] = cognitoMock.commandCalls(AdminCreateUserCommand);
    expect(create?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: "s@example.com",
      UserAttributes: [
        { Name: "email", Value: "s@example.com" },
        { Name: "email_verified", Value: "true" },
      ],
      DesiredDeliveryMediums: ["EMAIL"],
    });
    const [group] = cognitoMock.commandCalls(AdminAddUserToGroupCommand);
    expect(group?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: "s@example.com",
      GroupName: "sellers",
    });
    expect(lines.join("\n")).toMatch(/created s@example\.com \(seller, user id sub-s\)/);
  });

  it("adds an existing user to the group only, and --user-pool-id skips CloudFormation", async () => {
    cognitoMock
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: "exists", $metadata: {} }));
    cognitoMock.on(AdminAddUserToGroupCommand).resolves({});
    await run("add", "--email", "o@example.com", "--role", "operator", "--user-pool-id", "other");

    expect(cloudFormationMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    const [group] = cognitoMock.commandCalls(AdminAddUserToGroupCommand);
    expect(group?.args[0].input).toEqual({
      UserPoolId: "other",
      Username: "o@example.com",
      GroupName: "operators",
    });
    expect(lines).toEqual(["o@example.com already exists: added to operators"]);
  });

  it("passes other Cognito errors on and adds no group", async () => {
    cognitoMock.on(AdminCreateUserCommand).rejects(new Error("AccessDenied"));
    await expect(run("add", "--email", "b@example.com", "--role", "buyer")).rejects.toThrow(
      "AccessDenied",
    );
    expect(cognitoMock.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });

  it("reads the pool from --stack-name, and says so when the stack has no such output", async () => {
    cloudFormationMock.on(DescribeStacksCommand, { StackName: "Staging" }).resolves({
      Stacks: [{ StackName: "Staging", CreationTime: new Date(), StackStatus: "CREATE_COMPLETE" }],
    });
    await expect(
      run("add", "--email", "b@example.com", "--role", "buyer", "--stack-name", "Staging"),
    ).rejects.toThrow(/stack Staging has no UserPoolId output/);
    expect(cognitoMock.calls()).toHaveLength(0);
  });
});

describe("list", () => {
  it("lists every user with their roles from the groups, across pages", async () => {
    cognitoMock
      .on(ListUsersCommand, { UserPoolId: POOL, PaginationToken: undefined })
      .resolves({
        Users: [user("s@example.com", "sub-s"), user("b@example.com", "sub-b")],
        PaginationToken: "p2",
      })
      .on(ListUsersCommand, { UserPoolId: POOL, PaginationToken: "p2" })
      .resolves({ Users: [user("new@example.com", "sub-n", "FORCE_CHANGE_PASSWORD")] });
    cognitoMock
      .on(ListUsersInGroupCommand)
      .resolves({ Users: [] })
      .on(ListUsersInGroupCommand, { GroupName: "sellers", NextToken: undefined })
      .resolves({ Users: [user("s@example.com", "sub-s")], NextToken: "g2" })
      .on(ListUsersInGroupCommand, { GroupName: "sellers", NextToken: "g2" })
      .resolves({ Users: [] })
      .on(ListUsersInGroupCommand, { GroupName: "buyers" })
      .resolves({ Users: [user("b@example.com", "sub-b"), user("s@example.com", "sub-s")] });
    await run("list");

    expect(lines).toEqual([
      "email\troles\tuser id (sub)\tstatus",
      "b@example.com\tbuyer\tsub-b\tCONFIRMED",
      "new@example.com\t-\tsub-n\tFORCE_CHANGE_PASSWORD",
      "s@example.com\tbuyer,seller\tsub-s\tCONFIRMED",
    ]);
    expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(2);
    expect(
      cognitoMock.commandCalls(ListUsersInGroupCommand).map((call) => call.args[0].input.GroupName),
    ).toEqual(expect.arrayContaining(["buyers", "sellers", "operators"]));
  });

  it("--role lists that group only (ListUsersInGroup)", async () => {
    cognitoMock
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: "operators" })
      .resolves({ Users: [user("o@example.com", "sub-o")] });
    await run("list", "--role", "operator");
    expect(lines).toEqual([
      "email\troles\tuser id (sub)\tstatus",
      "o@example.com\toperator\tsub-o\tCONFIRMED",
    ]);
    expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(0);
    expect(cognitoMock.commandCalls(ListUsersInGroupCommand)).toHaveLength(1);
  });
});

describe("remove", () => {
  it("deletes the user", async () => {
    cognitoMock.on(AdminDeleteUserCommand).resolves({});
    await run("remove", "--email", "b@example.com");
    const [call] = cognitoMock.commandCalls(AdminDeleteUserCommand);
    expect(call?.args[0].input).toEqual({ UserPoolId: POOL, Username: "b@example.com" });
    expect(lines).toEqual(["removed b@example.com"]);
  });
});

describe("command line", () => {
  it.each([
    [[], /no command/],
    [["rename"], /unknown command "rename"/],
    [["add", "--email", "b@example.com"], /--role is required/],
    [["add", "--role", "buyer"], /--email is required/],
    [["add", "--email", "not-an-address", "--role", "buyer"], /not an email address/],
    [["add", "--email", "b@example.com", "--role", "admin"], /--role must be one of/],
    [["remove"], /--email is required/],
    [["list", "--email", "b@example.com"], /list takes no --email/],
    [["list", "--verbose"], /verbose/],
    [["list", "extra"], /unexpected argument "extra"/],
  ])("%j is refused before any AWS call", async (argv, message) => {
    const failure = run(...argv);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(UsageError);
    expect(cognitoMock.calls()).toHaveLength(0);
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });

  it("--help prints the usage", async () => {
    await run("--help");
    expect(lines.join("\n")).toMatch(/add --email <address> --role seller\|operator\|buyer/);
  });
});
