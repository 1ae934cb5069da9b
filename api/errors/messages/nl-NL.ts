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
    "403-106": { developerMessage: "Het token mist de scope '{scope}' die deze aanroep nodig heeft.", userMessage: "U hebt geen toestemming om dit te doen." },
    "403-107": { developerMessage: "De bijlage is geblokkeerd nadat de link is uitgegeven.", userMessage: "Deze bijlage is geblokkeerd en kan niet worden gedownload." },
    "403-178": { developerMessage: "De aanroeper mist de actie '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Bijlage niet gevonden.", userMessage: "De bijlage is niet gevonden." },
    "404-101": { developerMessage: "Geen resource op '{path}'.", userMessage: "De gevraagde resource is niet gevonden." },
    "404-102": { developerMessage: "Geen {kind} '{id}' in de directory.", userMessage: "Het record is niet gevonden." },
    "404-103": { developerMessage: "Onbekende of verlopen downloadlink.", userMessage: "Deze downloadlink is ongeldig of verlopen." },
    "405-100": { developerMessage: "Methode '{method}' is niet toegestaan voor deze resource; toegestaan: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Geen van de gevraagde talen wordt ondersteund.", userMessage: "De gevraagde taal wordt niet ondersteund." },
    "406-101": { developerMessage: "Geen van de gevraagde mediatypen is beschikbaar; gebruik application/json of application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "De aanvraag is niet binnen de toegestane tijd volledig aangekomen.", userMessage: "Het duurde te lang voordat de aanvraag aankwam. Probeer het opnieuw." },
    "409-100": { developerMessage: "Er is een nieuwere versie van dit record opgeslagen (versie {version}).", userMessage: "Het record is intussen gewijzigd." },
    "410-100": { developerMessage: "De downloadlink is ingetrokken.", userMessage: "Deze downloadlink is ingetrokken." },
    "410-101": { developerMessage: "De downloadlink is zo vaak gebruikt als toegestaan.", userMessage: "Deze downloadlink is al gebruikt." },
    "413-100": { developerMessage: "De hoofdtekst van de aanvraag is groter dan {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "De hoofdtekst van de aanvraag moet application/json zijn.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "De hoofdtekst van de aanvraag moet application/x-ndjson zijn.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "De directory-invoer is geweigerd; de foute regels staan in de details. Er is niets geschreven.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Te veel aanvragen; probeer het over {retryAfter} s opnieuw.", userMessage: "Te veel aanvragen. Probeer het zo opnieuw." },
    "500-100": { developerMessage: "De aanvraag kan niet worden verwerkt.", userMessage: "Er is iets misgegaan. Probeer het opnieuw." },
    "503-100": { developerMessage: "De service is tijdelijk niet beschikbaar; probeer het over {retryAfter} s opnieuw.", userMessage: "De service is bezet. Probeer het zo opnieuw." },
  },
  attachmentBlocked: "Deze bijlage is geblokkeerd en kan niet worden gedownload.",
};
