// The wording of the authenticator-app enrolment, in both languages. Only the deployed console shows
// it (to staff whose token holds their role back): local mode signs in without an authenticator.
import type { Language, Role } from "./types.ts";

export interface MfaWords {
  heading: string;
  /** Why the person is here: the roles held back, already in words. */
  intro: (roles: string) => string;
  startHint: string;
  start: string;
  keyHeading: string;
  steps: [string, string, string];
  setupKey: string;
  setupUri: string;
  code: string;
  codeHint: string;
  verify: string;
  codeRequired: string;
  codeMismatch: string;
  expired: string;
  failed: string;
  done: string;
  signInAgain: string;
  /** The label the app shows for the account. */
  deviceName: string;
  roleList: (roles: Role[], names: Record<Role, string>) => string;
}

const en: MfaWords = {
  heading: "Set up an authenticator app",
  intro: (roles) =>
    `Staff roles (here: ${roles}) need an authenticator app. Until you set one up, you are signed in without them.`,
  startHint:
    "Cognito's sign-in page opens once more to confirm it is you, then brings you back here.",
  start: "Set up authenticator",
  keyHeading: "Add this account to your authenticator app",
  steps: [
    "In your authenticator app, choose to add an account with a setup key (not a QR code).",
    "Enter the setup key below; it is time-based, with 6-digit codes. Some apps also accept the address below it.",
    "Enter the 6-digit code the app now shows, then choose Verify.",
  ],
  setupKey: "Setup key",
  setupUri: "Setup address",
  code: "Code from the app",
  codeHint: "6 digits",
  verify: "Verify",
  codeRequired: "Enter the 6-digit code from the app.",
  codeMismatch:
    "That code did not match. Check that the device's clock is right and enter the newest code.",
  expired: "This setup has expired. Sign out and sign in again to start over.",
  failed: "Setting up the authenticator did not work. Please try again.",
  done: "Your authenticator app is set up. Sign in again: from now on, signing in asks for a code from the app, and your role is back.",
  signInAgain: "Sign in again",
  deviceName: "Authenticator app",
  roleList: (roles, names) => roles.map((role) => names[role]).join(", "),
};

const ja: MfaWords = {
  heading: "認証アプリの設定",
  intro: (roles) =>
    `スタッフの役割（${roles}）には認証アプリが必要です。設定が済むまでは、その役割なしでサインインします。`,
  startHint: "本人確認のため Cognito のサインイン画面がもう一度開き、その後この画面に戻ります。",
  start: "認証アプリを設定する",
  keyHeading: "認証アプリにこのアカウントを追加",
  steps: [
    "認証アプリで、セットアップキーを入力してアカウントを追加する方法を選びます（QR コードは使いません）。",
    "下のセットアップキーを入力します。時間ベース、6 桁のコードです。下のアドレスを受け付けるアプリもあります。",
    "アプリに表示された 6 桁のコードを入力し、「確認」を選びます。",
  ],
  setupKey: "セットアップキー",
  setupUri: "セットアップ用アドレス",
  code: "アプリのコード",
  codeHint: "6 桁の数字",
  verify: "確認",
  codeRequired: "アプリに表示された 6 桁のコードを入力してください。",
  codeMismatch:
    "コードが一致しません。端末の時刻が正しいことを確かめ、最新のコードを入力してください。",
  expired:
    "この設定の有効期限が切れました。サインアウトしてもう一度サインインし、やり直してください。",
  failed: "認証アプリを設定できませんでした。もう一度お試しください。",
  done: "認証アプリを設定しました。もう一度サインインしてください。これからはサインインのたびにアプリのコードを入力し、役割も使えるようになります。",
  signInAgain: "もう一度サインイン",
  deviceName: "認証アプリ",
  roleList: (roles, names) => roles.map((role) => names[role]).join("・"),
};

export const MFA_WORDS: Record<Language, MfaWords> = { en, ja };
