import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Não foi possível processar o pedido.";
const NO_PERMISSION = "Não tem permissão para transferir este anexo.";

/** Portuguese (Portugal). */
export const ptPT: Messages = {
  errors: {
    "400-101": { developerMessage: "O parâmetro de consulta '{parameter}' não é suportado.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "O corpo do pedido não é um JSON válido.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "O corpo do pedido tem de ser um objeto JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Falta o atributo obrigatório '{attribute}'.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "O atributo '{attribute}' não é suportado.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valor inválido para o atributo '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "O token de autorização é inválido ou expirou.", userMessage: "A sua sessão expirou. Inicie sessão novamente." },
    "401-104": { developerMessage: "O cabeçalho Authorization está em falta ou não tem o formato 'Bearer <token>'.", userMessage: "Inicie sessão para continuar." },
    "403-105": { developerMessage: "O autor da chamada não tem permissão para aceder a este anexo.", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "O token não tem o âmbito '{scope}' exigido por esta chamada.", userMessage: "Não tem permissão para fazer isto." },
    "403-107": { developerMessage: "O anexo foi bloqueado depois de a ligação ter sido emitida.", userMessage: "Este anexo foi bloqueado e não pode ser transferido." },
    "403-178": { developerMessage: "Ao autor da chamada falta a ação '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Anexo não encontrado.", userMessage: "Não foi possível encontrar o anexo." },
    "404-101": { developerMessage: "Nenhum recurso em '{path}'.", userMessage: "Não foi possível encontrar o recurso pedido." },
    "404-102": { developerMessage: "Nenhum {kind} '{id}' no diretório.", userMessage: "Não foi possível encontrar o registo." },
    "404-103": { developerMessage: "Ligação de transferência desconhecida ou expirada.", userMessage: "Esta ligação de transferência não é válida ou expirou." },
    "405-100": { developerMessage: "O método '{method}' não é permitido neste recurso; permitidos: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Nenhum dos idiomas pedidos é suportado.", userMessage: "O idioma pedido não é suportado." },
    "406-101": { developerMessage: "Nenhum dos tipos de conteúdo pedidos está disponível; utilize application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "O pedido não chegou completo dentro do tempo permitido.", userMessage: "O pedido demorou demasiado tempo a chegar. Tente novamente." },
    "409-100": { developerMessage: "Está guardada uma versão mais recente deste registo (versão {version}).", userMessage: "O registo foi alterado entretanto." },
    "410-100": { developerMessage: "A ligação de transferência foi revogada.", userMessage: "Esta ligação de transferência foi retirada." },
    "410-101": { developerMessage: "A ligação de transferência foi usada o número máximo de vezes.", userMessage: "Esta ligação de transferência já foi utilizada." },
    "413-100": { developerMessage: "O corpo do pedido excede {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "O corpo do pedido tem de ser application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "O corpo do pedido tem de ser application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "A entrada do diretório foi rejeitada; as linhas com erro constam dos detalhes. Nada foi escrito.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Demasiados pedidos; tente novamente dentro de {retryAfter} s.", userMessage: "Demasiados pedidos. Tente novamente daqui a pouco." },
    "500-100": { developerMessage: "Não é possível processar o pedido.", userMessage: "Ocorreu um erro. Tente novamente." },
    "503-100": { developerMessage: "O serviço está temporariamente indisponível; tente novamente dentro de {retryAfter} s.", userMessage: "O serviço está ocupado. Tente novamente daqui a pouco." },
  },
  attachmentBlocked: "Este anexo foi bloqueado e não pode ser transferido.",
};
