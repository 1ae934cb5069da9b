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
    "403-106": { developerMessage: "Token saknar omfånget '{scope}' som det här anropet kräver.", userMessage: "Du har inte behörighet att göra detta." },
    "403-107": { developerMessage: "Bilagan har blockerats sedan länken utfärdades.", userMessage: "Den här bilagan har blockerats och kan inte laddas ned." },
    "403-178": { developerMessage: "Anroparen saknar åtgärden '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Bilagan hittades inte.", userMessage: "Det gick inte att hitta bilagan." },
    "404-101": { developerMessage: "Det finns ingen resurs på '{path}'.", userMessage: "Det gick inte att hitta den begärda resursen." },
    "404-102": { developerMessage: "Ingen {kind} '{id}' i katalogen.", userMessage: "Posten kunde inte hittas." },
    "404-103": { developerMessage: "Okänd eller utgången nedladdningslänk.", userMessage: "Den här nedladdningslänken är ogiltig eller har gått ut." },
    "405-100": { developerMessage: "Metoden '{method}' tillåts inte för den här resursen; tillåtna: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Inget av de begärda språken stöds.", userMessage: "Det begärda språket stöds inte." },
    "406-101": { developerMessage: "Ingen av de begärda medietyperna är tillgänglig; använd application/json eller application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "Begäran kom inte fram i sin helhet inom den tillåtna tiden.", userMessage: "Det tog för lång tid för begäran att komma fram. Försök igen." },
    "409-100": { developerMessage: "En nyare version av posten finns sparad (version {version}).", userMessage: "Posten har ändrats under tiden." },
    "410-100": { developerMessage: "Nedladdningslänken har återkallats.", userMessage: "Den här nedladdningslänken har dragits tillbaka." },
    "410-101": { developerMessage: "Nedladdningslänken har använts så många gånger som den tillåter.", userMessage: "Den här nedladdningslänken har redan använts." },
    "413-100": { developerMessage: "Begärans brödtext överskrider {limit} byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Begärans brödtext måste vara application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Begärans brödtext måste vara application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "Katalogens indata avvisades; de felaktiga raderna finns i detaljerna. Ingenting skrevs.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "För många begäranden; försök igen om {retryAfter} s.", userMessage: "För många begäranden. Försök igen om en liten stund." },
    "500-100": { developerMessage: "Det går inte att behandla begäran.", userMessage: "Något gick fel. Försök igen." },
    "503-100": { developerMessage: "Tjänsten är tillfälligt otillgänglig; försök igen om {retryAfter} s.", userMessage: "Tjänsten är upptagen. Försök igen om en liten stund." },
  },
  attachmentBlocked: "Den här bilagan har blockerats och kan inte laddas ned.",
};
