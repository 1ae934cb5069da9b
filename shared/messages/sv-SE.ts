import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Begäran kunde inte behandlas.";
const NO_PERMISSION = "Du har inte behörighet att ladda ned den här bilagan.";

/** Swedish (Sweden). */
export const svSE: Messages = {
  errors: {
    "400-101": { developerMessage: "Frågeparametern '{parameter}' stöds inte.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Begärans brödtext är inte giltig JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Begärans brödtext måste vara ett JSON-objekt.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Det obligatoriska attributet '{attribute}' saknas.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Attributet '{attribute}' stöds inte.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Ogiltigt värde för attributet '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Auktoriseringstoken är ogiltig eller har gått ut.", userMessage: "Din session har gått ut. Logga in igen." },
    "401-104": { developerMessage: "Authorization-huvudet saknas eller har inte formen 'Bearer <token>'.", userMessage: "Logga in för att fortsätta." },
    "403-105": { developerMessage: "Anroparen har inte åtkomst till den här bilagan.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "Anroparen saknar åtgärden '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Bilagan hittades inte.", userMessage: "Det gick inte att hitta bilagan." },
    "404-101": { developerMessage: "Det finns ingen resurs på '{path}'.", userMessage: "Det gick inte att hitta den begärda resursen." },
    "405-100": { developerMessage: "Metoden '{method}' tillåts inte för den här resursen; tillåtna: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Inget av de begärda språken stöds.", userMessage: "Det begärda språket stöds inte." },
    "406-101": { developerMessage: "Ingen av de begärda medietyperna är tillgänglig; använd application/json eller application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "Begärans brödtext överskrider {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Begärans brödtext måste vara application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "För många begäranden; försök igen om {retryAfter} s.", userMessage: "För många begäranden. Försök igen om en liten stund." },
    "500-100": { developerMessage: "Det går inte att behandla begäran.", userMessage: "Något gick fel. Försök igen." },
    "503-100": { developerMessage: "Tjänsten är tillfälligt otillgänglig; försök igen om {retryAfter} s.", userMessage: "Tjänsten är upptagen. Försök igen om en liten stund." },
  },
  attachmentBlocked: "Den här bilagan har blockerats och kan inte laddas ned.",
};
