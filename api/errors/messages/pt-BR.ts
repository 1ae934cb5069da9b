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
    "403-106": { developerMessage: "O token não tem o escopo '{scope}' exigido por esta chamada.", userMessage: "Você não tem permissão para fazer isso." },
    "403-107": { developerMessage: "O anexo foi bloqueado depois que o link foi emitido.", userMessage: "Este anexo foi bloqueado e não pode ser baixado." },
    "403-178": { developerMessage: "O chamador não tem a ação '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Anexo não encontrado.", userMessage: "Não foi possível encontrar o anexo." },
    "404-101": { developerMessage: "Nenhum recurso em '{path}'.", userMessage: "Não foi possível encontrar o recurso solicitado." },
    "404-102": { developerMessage: "Nenhum {kind} '{id}' no diretório.", userMessage: "Não foi possível encontrar o registro." },
    "404-103": { developerMessage: "Link de download desconhecido ou expirado.", userMessage: "Este link de download não é válido ou expirou." },
    "405-100": { developerMessage: "O método '{method}' não é permitido neste recurso; permitidos: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Nenhum dos idiomas solicitados é suportado.", userMessage: "O idioma solicitado não é suportado." },
    "406-101": { developerMessage: "Nenhum dos tipos de mídia solicitados está disponível; use application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "A solicitação não chegou completa dentro do tempo permitido.", userMessage: "A solicitação demorou demais para chegar. Tente novamente." },
    "409-100": { developerMessage: "Uma versão mais recente deste registro está armazenada (versão {version}).", userMessage: "O registro foi alterado nesse meio-tempo." },
    "410-100": { developerMessage: "O link de download foi revogado.", userMessage: "Este link de download foi retirado." },
    "410-101": { developerMessage: "O link de download foi usado o número máximo de vezes.", userMessage: "Este link de download já foi usado." },
    "413-100": { developerMessage: "O corpo da solicitação excede {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "O corpo da solicitação deve ser application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "O corpo da solicitação deve ser application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "A entrada do diretório foi rejeitada; as linhas com erro estão nos detalhes. Nada foi gravado.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Muitas solicitações; tente novamente em {retryAfter} s.", userMessage: "Muitas solicitações. Tente novamente em instantes." },
    "500-100": { developerMessage: "Não é possível processar a solicitação.", userMessage: "Algo deu errado. Tente novamente." },
    "503-100": { developerMessage: "O serviço está temporariamente indisponível; tente novamente em {retryAfter} s.", userMessage: "O serviço está ocupado. Tente novamente em instantes." },
  },
  attachmentBlocked: "Este anexo foi bloqueado e não pode ser baixado.",
};
