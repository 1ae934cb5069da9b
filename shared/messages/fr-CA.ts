import type { Messages } from "./messages.js";

// Canadian French: a space before the colon only, none before « ; ! ? »; "ouvrir une session" and
// "demande" where France says "se connecter" and "requête".
const NOT_PROCESSED = "La demande n’a pas pu être traitée.";
const NO_PERMISSION = "Vous n’avez pas l’autorisation de télécharger cette pièce jointe.";

/** French (Canada). */
export const frCA: Messages = {
  errors: {
    "400-101": { developerMessage: "Le paramètre de requête «\u00a0{parameter}\u00a0» n’est pas pris en charge.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Le corps de la requête n’est pas un JSON valide.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Le corps de la requête doit être un objet JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "L’attribut obligatoire «\u00a0{attribute}\u00a0» est manquant.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "L’attribut «\u00a0{attribute}\u00a0» n’est pas pris en charge.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valeur non valide pour l’attribut «\u00a0{attribute}\u00a0».", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Le jeton d’autorisation est non valide ou est expiré.", userMessage: "Votre session est expirée. Veuillez ouvrir une nouvelle session." },
    "401-104": { developerMessage: "L’en-tête Authorization est absent ou n’a pas la forme «\u00a0Bearer <token>\u00a0».", userMessage: "Veuillez ouvrir une session pour continuer." },
    "403-105": { developerMessage: "L’appelant n’a pas l’autorisation d’accéder à cette pièce jointe.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "L’appelant n’a pas l’action «\u00a0{action}\u00a0».", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Pièce jointe introuvable.", userMessage: "La pièce jointe est introuvable." },
    "404-101": { developerMessage: "Aucune ressource à l’adresse «\u00a0{path}\u00a0».", userMessage: "La ressource demandée est introuvable." },
    "405-100": { developerMessage: "La méthode «\u00a0{method}\u00a0» n’est pas permise pour cette ressource; méthodes permises\u00a0: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Aucune des langues demandées n’est prise en charge.", userMessage: "La langue demandée n’est pas prise en charge." },
    "406-101": { developerMessage: "Aucun des types de contenu demandés n’est offert; utilisez application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "Le corps de la requête dépasse {limit} octets.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Le corps de la requête doit être de type application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Trop de demandes; réessayez dans {retryAfter} s.", userMessage: "Trop de demandes. Veuillez réessayer dans un moment." },
    "500-100": { developerMessage: "Impossible de traiter la demande.", userMessage: "Un problème est survenu. Veuillez réessayer." },
    "503-100": { developerMessage: "Le service est temporairement non disponible; réessayez dans {retryAfter} s.", userMessage: "Le service est occupé. Veuillez réessayer dans un moment." },
  },
  attachmentBlocked: "Cette pièce jointe est bloquée et ne peut pas être téléchargée.",
};
