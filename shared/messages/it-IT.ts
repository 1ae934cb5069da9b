import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Impossibile elaborare la richiesta.";
const NO_PERMISSION = "Non hai l'autorizzazione per scaricare questo allegato.";

/** Italian (Italy). */
export const itIT: Messages = {
  errors: {
    "400-101": { developerMessage: "Il parametro di query '{parameter}' non è supportato.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Il corpo della richiesta non è un JSON valido.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Il corpo della richiesta deve essere un oggetto JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Manca l'attributo obbligatorio '{attribute}'.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "L'attributo '{attribute}' non è supportato.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valore non valido per l'attributo '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Il token di autorizzazione non è valido o è scaduto.", userMessage: "La sessione è scaduta. Accedi di nuovo." },
    "401-104": { developerMessage: "L'intestazione Authorization manca o non è nel formato 'Bearer <token>'.", userMessage: "Accedi per continuare." },
    "403-105": { developerMessage: "Il chiamante non è autorizzato ad accedere a questo allegato.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "Al chiamante manca l'azione '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Allegato non trovato.", userMessage: "Impossibile trovare l'allegato." },
    "404-101": { developerMessage: "Nessuna risorsa in '{path}'.", userMessage: "Impossibile trovare la risorsa richiesta." },
    "405-100": { developerMessage: "Il metodo '{method}' non è consentito su questa risorsa; consentiti: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Nessuna delle lingue richieste è supportata.", userMessage: "La lingua richiesta non è supportata." },
    "406-101": { developerMessage: "Nessuno dei tipi di contenuto richiesti è disponibile; usa application/json o application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "Il corpo della richiesta supera i {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Il corpo della richiesta deve essere application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Troppe richieste; riprova tra {retryAfter} s.", userMessage: "Troppe richieste. Riprova tra poco." },
    "500-100": { developerMessage: "Impossibile elaborare la richiesta.", userMessage: "Si è verificato un errore. Riprova." },
    "503-100": { developerMessage: "Il servizio è temporaneamente non disponibile; riprova tra {retryAfter} s.", userMessage: "Il servizio è occupato. Riprova tra poco." },
  },
  attachmentBlocked: "Questo allegato è stato bloccato e non può essere scaricato.",
};
