import type { Messages } from "./messages.js";

const NOT_PROCESSED = "요청을 처리할 수 없습니다.";
const NO_PERMISSION = "이 첨부 파일을 다운로드할 권한이 없습니다.";

/** Korean (Korea). */
export const koKR: Messages = {
  errors: {
    "400-101": { developerMessage: "쿼리 매개변수 '{parameter}'은(는) 지원되지 않습니다.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "요청 본문이 유효한 JSON이 아닙니다.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "요청 본문은 JSON 객체여야 합니다.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "필수 속성 '{attribute}'이(가) 없습니다.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "속성 '{attribute}'은(는) 지원되지 않습니다.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "속성 '{attribute}'의 값이 잘못되었습니다.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "인증 토큰이 잘못되었거나 만료되었습니다.", userMessage: "세션이 만료되었습니다. 다시 로그인하세요." },
    "401-104": { developerMessage: "Authorization 헤더가 없거나 'Bearer <token>' 형식이 아닙니다.", userMessage: "계속하려면 로그인하세요." },
    "403-105": { developerMessage: "호출자에게 이 첨부 파일에 대한 액세스 권한이 없습니다.", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "토큰에 이 호출에 필요한 범위 '{scope}'이(가) 없습니다.", userMessage: "이 작업을 수행할 권한이 없습니다." },
    "403-107": { developerMessage: "링크가 발급된 후 첨부 파일이 차단되었습니다.", userMessage: "이 첨부 파일은 차단되어 다운로드할 수 없습니다." },
    "403-178": { developerMessage: "호출자에게 '{action}' 작업 권한이 없습니다.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "첨부 파일을 찾을 수 없습니다.", userMessage: "첨부 파일을 찾지 못했습니다." },
    "404-101": { developerMessage: "'{path}'에 리소스가 없습니다.", userMessage: "요청한 리소스를 찾지 못했습니다." },
    "404-102": { developerMessage: "디렉터리에 {kind} '{id}'이(가) 없습니다.", userMessage: "레코드를 찾지 못했습니다." },
    "404-103": { developerMessage: "알 수 없거나 만료된 다운로드 링크입니다.", userMessage: "이 다운로드 링크가 유효하지 않거나 만료되었습니다." },
    "405-100": { developerMessage: "이 리소스에서는 '{method}' 메서드를 사용할 수 없습니다. 허용되는 메서드: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "요청한 언어 중 지원되는 언어가 없습니다.", userMessage: "요청한 언어는 지원되지 않습니다." },
    "406-101": { developerMessage: "요청한 미디어 유형 중 사용 가능한 것이 없습니다. application/json 또는 application/xml을 사용하세요.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "요청이 허용된 시간 내에 모두 도착하지 않았습니다.", userMessage: "요청이 도착하는 데 너무 오래 걸렸습니다. 다시 시도하세요." },
    "409-100": { developerMessage: "이 레코드의 더 새로운 버전이 저장되어 있습니다(버전 {version}).", userMessage: "그동안 레코드가 변경되었습니다." },
    "410-100": { developerMessage: "다운로드 링크가 취소되었습니다.", userMessage: "이 다운로드 링크는 철회되었습니다." },
    "410-101": { developerMessage: "다운로드 링크가 허용된 횟수만큼 사용되었습니다.", userMessage: "이 다운로드 링크는 이미 사용되었습니다." },
    "413-100": { developerMessage: "요청 본문이 {limit}바이트를 초과합니다.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "요청 본문은 application/json이어야 합니다.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "요청 본문은 application/x-ndjson이어야 합니다.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "디렉터리 입력이 거부되었습니다. 잘못된 줄은 세부 정보에 나와 있습니다. 아무것도 기록되지 않았습니다.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "요청이 너무 많습니다. {retryAfter}초 후에 다시 시도하세요.", userMessage: "요청이 너무 많습니다. 잠시 후 다시 시도하세요." },
    "500-100": { developerMessage: "요청을 처리할 수 없습니다.", userMessage: "문제가 발생했습니다. 다시 시도하세요." },
    "503-100": { developerMessage: "서비스를 일시적으로 사용할 수 없습니다. {retryAfter}초 후에 다시 시도하세요.", userMessage: "서비스가 사용 중입니다. 잠시 후 다시 시도하세요." },
  },
  attachmentBlocked: "이 첨부 파일은 차단되어 다운로드할 수 없습니다.",
};
