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
    "403-106": { developerMessage: "Tokenet mangler det scope '{scope}', som dette kald kræver.", userMessage: "Du har ikke tilladelse til at gøre dette." },
    "403-107": { developerMessage: "Den vedhæftede fil er blevet blokeret, efter linket blev udstedt.", userMessage: "Denne vedhæftede fil er blokeret og kan ikke downloades." },
    "403-178": { developerMessage: "Kalderen mangler handlingen '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Den vedhæftede fil blev ikke fundet.", userMessage: "Den vedhæftede fil kunne ikke findes." },
    "404-101": { developerMessage: "Der findes ingen ressource på '{path}'.", userMessage: "Den ønskede ressource kunne ikke findes." },
    "404-102": { developerMessage: "Ingen {kind} '{id}' i kataloget.", userMessage: "Posten kunne ikke findes." },
    "404-103": { developerMessage: "Ukendt eller udløbet downloadlink.", userMessage: "Dette downloadlink er ugyldigt eller udløbet." },
    "405-100": { developerMessage: "Metoden '{method}' er ikke tilladt for denne ressource; tilladte: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Ingen af de ønskede sprog understøttes.", userMessage: "Det ønskede sprog understøttes ikke." },
    "406-101": { developerMessage: "Ingen af de ønskede medietyper er tilgængelige; brug application/json eller application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "Anmodningen nåede ikke at ankomme fuldt ud inden for den tilladte tid.", userMessage: "Anmodningen var for lang tid om at ankomme. Prøv igen." },
    "409-100": { developerMessage: "En nyere version af denne post er gemt (version {version}).", userMessage: "Posten er blevet ændret i mellemtiden." },
    "410-100": { developerMessage: "Downloadlinket er blevet tilbagekaldt.", userMessage: "Dette downloadlink er trukket tilbage." },
    "410-101": { developerMessage: "Downloadlinket er brugt så mange gange, som det tillader.", userMessage: "Dette downloadlink er allerede brugt." },
    "413-100": { developerMessage: "Anmodningens brødtekst overstiger {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Anmodningens brødtekst skal være application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Anmodningens brødtekst skal være application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "Katalogets input blev afvist; de forkerte linjer står i detaljerne. Intet blev skrevet.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "For mange anmodninger; prøv igen om {retryAfter} s.", userMessage: "For mange anmodninger. Prøv igen om lidt." },
    "500-100": { developerMessage: "Anmodningen kan ikke behandles.", userMessage: "Noget gik galt. Prøv igen." },
    "503-100": { developerMessage: "Tjenesten er midlertidigt utilgængelig; prøv igen om {retryAfter} s.", userMessage: "Tjenesten er optaget. Prøv igen om lidt." },
  },
  attachmentBlocked: "Denne vedhæftede fil er blokeret og kan ikke downloades.",
};
