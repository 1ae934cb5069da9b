import type { Messages } from "./messages.js";

const NOT_PROCESSED = "No se ha podido procesar la solicitud.";
const NO_PERMISSION = "No tiene permiso para descargar este archivo adjunto.";

/** Spanish (Spain). */
export const esES: Messages = {
  errors: {
    "400-101": { developerMessage: "El parámetro de consulta '{parameter}' no es compatible.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "El cuerpo de la solicitud no es un JSON válido.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "El cuerpo de la solicitud debe ser un objeto JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Falta el atributo obligatorio '{attribute}'.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "El atributo '{attribute}' no es compatible.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valor no válido para el atributo '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "El token de autorización no es válido o ha caducado.", userMessage: "Su sesión ha caducado. Vuelva a iniciar sesión." },
    "401-104": { developerMessage: "Falta la cabecera Authorization o no tiene el formato 'Bearer <token>'.", userMessage: "Inicie sesión para continuar." },
    "403-105": { developerMessage: "El llamante no tiene permiso para acceder a este archivo adjunto.", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "El token no tiene el ámbito '{scope}' que necesita esta llamada.", userMessage: "No tiene permiso para hacer esto." },
    "403-107": { developerMessage: "El archivo adjunto se ha bloqueado después de emitirse el enlace.", userMessage: "Este archivo adjunto se ha bloqueado y no se puede descargar." },
    "403-178": { developerMessage: "Al llamante le falta la acción '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "No se ha encontrado el archivo adjunto.", userMessage: "No se ha podido encontrar el archivo adjunto." },
    "404-101": { developerMessage: "No hay ningún recurso en '{path}'.", userMessage: "No se ha podido encontrar el recurso solicitado." },
    "404-102": { developerMessage: "No hay ningún {kind} '{id}' en el directorio.", userMessage: "No se ha podido encontrar el registro." },
    "404-103": { developerMessage: "Enlace de descarga desconocido o caducado.", userMessage: "Este enlace de descarga no es válido o ha caducado." },
    "405-100": { developerMessage: "El método '{method}' no está permitido en este recurso; permitidos: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Ninguno de los idiomas solicitados es compatible.", userMessage: "El idioma solicitado no es compatible." },
    "406-101": { developerMessage: "Ninguno de los tipos de contenido solicitados está disponible; use application/json o application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "La solicitud no ha llegado completa en el tiempo permitido.", userMessage: "La solicitud ha tardado demasiado en llegar. Inténtelo de nuevo." },
    "409-100": { developerMessage: "Hay almacenada una versión más reciente de este registro (versión {version}).", userMessage: "El registro ha cambiado mientras tanto." },
    "410-100": { developerMessage: "El enlace de descarga se ha revocado.", userMessage: "Este enlace de descarga se ha retirado." },
    "410-101": { developerMessage: "El enlace de descarga se ha usado tantas veces como permite.", userMessage: "Este enlace de descarga ya se ha utilizado." },
    "413-100": { developerMessage: "El cuerpo de la solicitud supera los {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "El cuerpo de la solicitud debe ser application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "El cuerpo de la solicitud debe ser application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "Se ha rechazado la entrada del directorio; sus líneas erróneas figuran en los detalles. No se ha escrito nada.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Demasiadas solicitudes; vuelva a intentarlo dentro de {retryAfter} s.", userMessage: "Demasiadas solicitudes. Vuelva a intentarlo en unos instantes." },
    "500-100": { developerMessage: "No se puede procesar la solicitud.", userMessage: "Se ha producido un error. Vuelva a intentarlo." },
    "503-100": { developerMessage: "El servicio no está disponible temporalmente; vuelva a intentarlo dentro de {retryAfter} s.", userMessage: "El servicio está ocupado. Vuelva a intentarlo en unos instantes." },
  },
  attachmentBlocked: "Este archivo adjunto está bloqueado y no se puede descargar.",
};
