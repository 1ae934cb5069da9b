import type { Messages } from "./messages.js";

const NOT_PROCESSED = "De aanvraag kon niet worden verwerkt.";
const NO_PERMISSION = "U hebt geen toestemming om deze bijlage te downloaden.";

/** Dutch (Netherlands). */
export const nlNL: Messages = {
  errors: {
    "400-101": { developerMessage: "Queryparameter '{parameter}' wordt niet ondersteund.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "De hoofdtekst van de aanvraag is geen geldige JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "De hoofdtekst van de aanvraag moet een JSON-object zijn.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Verplicht attribuut '{attribute}' ontbreekt.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Attribuut '{attribute}' wordt niet ondersteund.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Ongeldige waarde voor attribuut '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Het autorisatietoken is ongeldig of verlopen.", userMessage: "Uw sessie is verlopen. Meld u opnieuw aan." },
    "401-104": { developerMessage: "De Authorization-header ontbreekt of heeft niet de vorm 'Bearer <token>'.", userMessage: "Meld u aan om verder te gaan." },
    "403-105": { developerMessage: "De aanroeper heeft geen toegang tot deze bijlage.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "De aanroeper mist de actie '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Bijlage niet gevonden.", userMessage: "De bijlage is niet gevonden." },
    "404-101": { developerMessage: "Geen resource op '{path}'.", userMessage: "De gevraagde resource is niet gevonden." },
    "405-100": { developerMessage: "Methode '{method}' is niet toegestaan voor deze resource; toegestaan: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Geen van de gevraagde talen wordt ondersteund.", userMessage: "De gevraagde taal wordt niet ondersteund." },
    "406-101": { developerMessage: "Geen van de gevraagde mediatypen is beschikbaar; gebruik application/json of application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "De hoofdtekst van de aanvraag is groter dan {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "De hoofdtekst van de aanvraag moet application/json zijn.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Te veel aanvragen; probeer het over {retryAfter} s opnieuw.", userMessage: "Te veel aanvragen. Probeer het zo opnieuw." },
    "500-100": { developerMessage: "De aanvraag kan niet worden verwerkt.", userMessage: "Er is iets misgegaan. Probeer het opnieuw." },
    "503-100": { developerMessage: "De service is tijdelijk niet beschikbaar; probeer het over {retryAfter} s opnieuw.", userMessage: "De service is bezet. Probeer het zo opnieuw." },
  },
  attachmentBlocked: "Deze bijlage is geblokkeerd en kan niet worden gedownload.",
};
