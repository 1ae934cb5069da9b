import type { Messages } from "./messages.js";

const NOT_PROCESSED = "无法处理该请求。";
const NO_PERMISSION = "您没有下载此附件的权限。";

/** Simplified Chinese (China). */
export const zhCN: Messages = {
  errors: {
    "400-101": { developerMessage: "不支持查询参数“{parameter}”。", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "请求正文不是有效的 JSON。", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "请求正文必须是 JSON 对象。", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "缺少必需的属性“{attribute}”。", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "不支持属性“{attribute}”。", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "属性“{attribute}”的值无效。", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "授权令牌无效或已过期。", userMessage: "您的会话已过期，请重新登录。" },
    "401-104": { developerMessage: "缺少 Authorization 标头，或其格式不是“Bearer <token>”。", userMessage: "请登录后继续。" },
    "403-105": { developerMessage: "调用方无权访问此附件。", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "令牌缺少此调用所需的范围“{scope}”。", userMessage: "您无权执行此操作。" },
    "403-107": { developerMessage: "链接发放后该附件已被阻止。", userMessage: "此附件已被阻止，无法下载。" },
    "403-178": { developerMessage: "调用方缺少操作“{action}”。", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "未找到附件。", userMessage: "找不到该附件。" },
    "404-101": { developerMessage: "“{path}”处没有资源。", userMessage: "找不到所请求的资源。" },
    "404-102": { developerMessage: "目录中没有 {kind}“{id}”。", userMessage: "找不到该记录。" },
    "404-103": { developerMessage: "下载链接未知或已过期。", userMessage: "此下载链接无效或已过期。" },
    "405-100": { developerMessage: "此资源不允许使用方法“{method}”；允许的方法：{allowed}。", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "不支持所请求的任何语言。", userMessage: "不支持所请求的语言。" },
    "406-101": { developerMessage: "所请求的媒体类型均不可用；请使用 application/json 或 application/xml。", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "请求未在允许的时间内完整到达。", userMessage: "请求到达时间过长。请重试。" },
    "409-100": { developerMessage: "已存储此记录的更新版本（版本 {version}）。", userMessage: "该记录在此期间已被更改。" },
    "410-100": { developerMessage: "下载链接已被撤销。", userMessage: "此下载链接已被撤回。" },
    "410-101": { developerMessage: "下载链接的使用次数已达上限。", userMessage: "此下载链接已被使用。" },
    "413-100": { developerMessage: "请求正文超过 {limit} 字节。", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "请求正文必须是 application/json。", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "请求正文必须是 application/x-ndjson。", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "目录输入被拒绝；错误的行列在详细信息中。未写入任何内容。", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "请求过多；请在 {retryAfter} 秒后重试。", userMessage: "请求过多，请稍后重试。" },
    "500-100": { developerMessage: "无法处理请求。", userMessage: "出现问题，请重试。" },
    "503-100": { developerMessage: "服务暂时不可用；请在 {retryAfter} 秒后重试。", userMessage: "服务繁忙，请稍后重试。" },
  },
  attachmentBlocked: "此附件已被阻止，无法下载。",
};
