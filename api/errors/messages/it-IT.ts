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
    "403-106": { developerMessage: "Il token non ha l'ambito '{scope}' richiesto da questa chiamata.", userMessage: "Non hai l'autorizzazione per eseguire questa operazione." },
    "403-107": { developerMessage: "L'allegato è stato bloccato dopo l'emissione del link.", userMessage: "Questo allegato è stato bloccato e non può essere scaricato." },
    "403-178": { developerMessage: "Al chiamante manca l'azione '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Allegato non trovato.", userMessage: "Impossibile trovare l'allegato." },
    "404-101": { developerMessage: "Nessuna risorsa in '{path}'.", userMessage: "Impossibile trovare la risorsa richiesta." },
    "404-102": { developerMessage: "Nessun {kind} '{id}' nella directory.", userMessage: "Impossibile trovare il record." },
    "404-103": { developerMessage: "Link di download sconosciuto o scaduto.", userMessage: "Questo link di download non è valido o è scaduto." },
    "405-100": { developerMessage: "Il metodo '{method}' non è consentito su questa risorsa; consentiti: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Nessuna delle lingue richieste è supportata.", userMessage: "La lingua richiesta non è supportata." },
    "406-101": { developerMessage: "Nessuno dei tipi di contenuto richiesti è disponibile; usa application/json o application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "La richiesta non è arrivata completa entro il tempo consentito.", userMessage: "La richiesta ha impiegato troppo tempo ad arrivare. Riprova." },
    "409-100": { developerMessage: "È memorizzata una versione più recente di questo record (versione {version}).", userMessage: "Il record è stato modificato nel frattempo." },
    "410-100": { developerMessage: "Il link di download è stato revocato.", userMessage: "Questo link di download è stato ritirato." },
    "410-101": { developerMessage: "Il link di download è stato usato tutte le volte consentite.", userMessage: "Questo link di download è già stato utilizzato." },
    "413-100": { developerMessage: "Il corpo della richiesta supera i {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Il corpo della richiesta deve essere application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Il corpo della richiesta deve essere application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "L'input della directory è stato rifiutato; le righe errate sono elencate nei dettagli. Non è stato scritto nulla.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Troppe richieste; riprova tra {retryAfter} s.", userMessage: "Troppe richieste. Riprova tra poco." },
    "500-100": { developerMessage: "Impossibile elaborare la richiesta.", userMessage: "Si è verificato un errore. Riprova." },
    "503-100": { developerMessage: "Il servizio è temporaneamente non disponibile; riprova tra {retryAfter} s.", userMessage: "Il servizio è occupato. Riprova tra poco." },
  },
  attachmentBlocked: "Questo allegato è stato bloccato e non può essere scaricato.",
};
