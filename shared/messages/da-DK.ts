import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Anmodningen kunne ikke behandles.";
const NO_PERMISSION = "Du har ikke tilladelse til at downloade denne vedhæftede fil.";

/** Danish (Denmark). */
export const daDK: Messages = {
  errors: {
    "400-101": { developerMessage: "Forespørgselsparameteren '{parameter}' understøttes ikke.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Anmodningens brødtekst er ikke gyldig JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Anmodningens brødtekst skal være et JSON-objekt.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Den obligatoriske attribut '{attribute}' mangler.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Attributten '{attribute}' understøttes ikke.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Ugyldig værdi for attributten '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Autorisationstokenet er ugyldigt eller udløbet.", userMessage: "Din session er udløbet. Log ind igen." },
    "401-104": { developerMessage: "Authorization-headeren mangler eller har ikke formen 'Bearer <token>'.", userMessage: "Log ind for at fortsætte." },
    "403-105": { developerMessage: "Kalderen har ikke adgang til denne vedhæftede fil.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "Kalderen mangler handlingen '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Den vedhæftede fil blev ikke fundet.", userMessage: "Den vedhæftede fil kunne ikke findes." },
    "404-101": { developerMessage: "Der findes ingen ressource på '{path}'.", userMessage: "Den ønskede ressource kunne ikke findes." },
    "405-100": { developerMessage: "Metoden '{method}' er ikke tilladt for denne ressource; tilladte: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Ingen af de ønskede sprog understøttes.", userMessage: "Det ønskede sprog understøttes ikke." },
    "406-101": { developerMessage: "Ingen af de ønskede medietyper er tilgængelige; brug application/json eller application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "Anmodningens brødtekst overstiger {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Anmodningens brødtekst skal være application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "For mange anmodninger; prøv igen om {retryAfter} s.", userMessage: "For mange anmodninger. Prøv igen om lidt." },
    "500-100": { developerMessage: "Anmodningen kan ikke behandles.", userMessage: "Noget gik galt. Prøv igen." },
    "503-100": { developerMessage: "Tjenesten er midlertidigt utilgængelig; prøv igen om {retryAfter} s.", userMessage: "Tjenesten er optaget. Prøv igen om lidt." },
  },
  attachmentBlocked: "Denne vedhæftede fil er blokeret og kan ikke downloades.",
};
