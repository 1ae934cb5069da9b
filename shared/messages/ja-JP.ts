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
    "403-178": { developerMessage: "呼び出し元にアクション「{action}」がありません。", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "添付ファイルが見つかりません。", userMessage: "添付ファイルが見つかりませんでした。" },
    "404-101": { developerMessage: "「{path}」にリソースはありません。", userMessage: "要求されたリソースが見つかりませんでした。" },
    "405-100": { developerMessage: "このリソースではメソッド「{method}」は許可されていません。許可されているメソッド: {allowed}。", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "要求された言語はいずれもサポートされていません。", userMessage: "要求された言語はサポートされていません。" },
    "406-101": { developerMessage: "要求されたメディアタイプはいずれも利用できません。application/json または application/xml を使用してください。", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "リクエスト本文が {limit} バイトを超えています。", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "リクエスト本文は application/json である必要があります。", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "リクエストが多すぎます。{retryAfter} 秒後に再試行してください。", userMessage: "リクエストが多すぎます。しばらくしてからもう一度お試しください。" },
    "500-100": { developerMessage: "リクエストを処理できません。", userMessage: "問題が発生しました。もう一度お試しください。" },
    "503-100": { developerMessage: "サービスは一時的に利用できません。{retryAfter} 秒後に再試行してください。", userMessage: "サービスが混み合っています。しばらくしてからもう一度お試しください。" },
  },
  attachmentBlocked: "この添付ファイルはブロックされているため、ダウンロードできません。",
};
