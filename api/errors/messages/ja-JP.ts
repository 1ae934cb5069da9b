import type { Messages } from "./messages.js";

const NOT_PROCESSED = "リクエストを処理できませんでした。";
const NO_PERMISSION = "この添付ファイルをダウンロードする権限がありません。";

/** Japanese (Japan). */
export const jaJP: Messages = {
  errors: {
    "400-101": { developerMessage: "クエリパラメーター「{parameter}」はサポートされていません。", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "リクエスト本文が有効な JSON ではありません。", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "リクエスト本文は JSON オブジェクトである必要があります。", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "必須属性「{attribute}」がありません。", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "属性「{attribute}」はサポートされていません。", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "属性「{attribute}」の値が無効です。", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "認可トークンが無効か、有効期限が切れています。", userMessage: "セッションの有効期限が切れました。もう一度サインインしてください。" },
    "401-104": { developerMessage: "Authorization ヘッダーがないか、「Bearer <token>」の形式ではありません。", userMessage: "続行するにはサインインしてください。" },
    "403-105": { developerMessage: "呼び出し元にはこの添付ファイルへのアクセスが許可されていません。", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "トークンにこの呼び出しに必要なスコープ「{scope}」がありません。", userMessage: "この操作を行う権限がありません。" },
    "403-107": { developerMessage: "リンクの発行後に添付ファイルがブロックされました。", userMessage: "この添付ファイルはブロックされているため、ダウンロードできません。" },
    "403-178": { developerMessage: "呼び出し元にアクション「{action}」がありません。", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "添付ファイルが見つかりません。", userMessage: "添付ファイルが見つかりませんでした。" },
    "404-101": { developerMessage: "「{path}」にリソースはありません。", userMessage: "要求されたリソースが見つかりませんでした。" },
    "404-102": { developerMessage: "ディレクトリに {kind}「{id}」はありません。", userMessage: "レコードが見つかりませんでした。" },
    "404-103": { developerMessage: "不明または期限切れのダウンロードリンクです。", userMessage: "このダウンロードリンクは無効か、有効期限が切れています。" },
    "405-100": { developerMessage: "このリソースではメソッド「{method}」は許可されていません。許可されているメソッド: {allowed}。", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "要求された言語はいずれもサポートされていません。", userMessage: "要求された言語はサポートされていません。" },
    "406-101": { developerMessage: "要求されたメディアタイプはいずれも利用できません。application/json または application/xml を使用してください。", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "リクエストが許容時間内にすべて届きませんでした。", userMessage: "リクエストの到着に時間がかかりすぎました。もう一度お試しください。" },
    "409-100": { developerMessage: "このレコードのより新しいバージョンが保存されています（バージョン {version}）。", userMessage: "レコードはその間に変更されました。" },
    "410-100": { developerMessage: "ダウンロードリンクは取り消されました。", userMessage: "このダウンロードリンクは取り消されました。" },
    "410-101": { developerMessage: "ダウンロードリンクは許可された回数だけ使用されました。", userMessage: "このダウンロードリンクは既に使用されています。" },
    "413-100": { developerMessage: "リクエスト本文が {limit} バイトを超えています。", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "リクエスト本文は application/json である必要があります。", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "リクエスト本文は application/x-ndjson である必要があります。", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "ディレクトリの入力は拒否されました。誤りのある行は詳細に記載されています。何も書き込まれていません。", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "リクエストが多すぎます。{retryAfter} 秒後に再試行してください。", userMessage: "リクエストが多すぎます。しばらくしてからもう一度お試しください。" },
    "500-100": { developerMessage: "リクエストを処理できません。", userMessage: "問題が発生しました。もう一度お試しください。" },
    "503-100": { developerMessage: "サービスは一時的に利用できません。{retryAfter} 秒後に再試行してください。", userMessage: "サービスが混み合っています。しばらくしてからもう一度お試しください。" },
  },
  attachmentBlocked: "この添付ファイルはブロックされているため、ダウンロードできません。",
};
