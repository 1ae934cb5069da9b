import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Não foi possível processar a solicitação.";
const NO_PERMISSION = "Você não tem permissão para baixar este anexo.";

/** Portuguese (Brazil). */
export const ptBR: Messages = {
  errors: {
    "400-101": { developerMessage: "O parâmetro de consulta '{parameter}' não é suportado.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "O corpo da solicitação não é um JSON válido.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "O corpo da solicitação deve ser um objeto JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "O atributo obrigatório '{attribute}' está faltando.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "O atributo '{attribute}' não é suportado.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valor inválido para o atributo '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "O token de autorização é inválido ou expirou.", userMessage: "Sua sessão expirou. Faça login novamente." },
    "401-104": { developerMessage: "O cabeçalho Authorization está ausente ou não está no formato 'Bearer <token>'.", userMessage: "Faça login para continuar." },
    "403-105": { developerMessage: "O chamador não tem permissão para acessar este anexo.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "O chamador não tem a ação '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Anexo não encontrado.", userMessage: "Não foi possível encontrar o anexo." },
    "404-101": { developerMessage: "Nenhum recurso em '{path}'.", userMessage: "Não foi possível encontrar o recurso solicitado." },
    "405-100": { developerMessage: "O método '{method}' não é permitido neste recurso; permitidos: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Nenhum dos idiomas solicitados é suportado.", userMessage: "O idioma solicitado não é suportado." },
    "406-101": { developerMessage: "Nenhum dos tipos de mídia solicitados está disponível; use application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "O corpo da solicitação excede {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "O corpo da solicitação deve ser application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Muitas solicitações; tente novamente em {retryAfter} s.", userMessage: "Muitas solicitações. Tente novamente em instantes." },
    "500-100": { developerMessage: "Não é possível processar a solicitação.", userMessage: "Algo deu errado. Tente novamente." },
    "503-100": { developerMessage: "O serviço está temporariamente indisponível; tente novamente em {retryAfter} s.", userMessage: "O serviço está ocupado. Tente novamente em instantes." },
  },
  attachmentBlocked: "Este anexo foi bloqueado e não pode ser baixado.",
};
