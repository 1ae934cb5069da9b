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
    "403-106": { developerMessage: "Le jeton n’a pas la portée «\u00a0{scope}\u00a0» requise par cet appel.", userMessage: "Vous n’avez pas l’autorisation d’effectuer cette action." },
    "403-107": { developerMessage: "La pièce jointe a été bloquée depuis l’émission du lien.", userMessage: "Cette pièce jointe a été bloquée et ne peut pas être téléchargée." },
    "403-178": { developerMessage: "L’appelant n’a pas l’action «\u00a0{action}\u00a0».", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Pièce jointe introuvable.", userMessage: "La pièce jointe est introuvable." },
    "404-101": { developerMessage: "Aucune ressource à l’adresse «\u00a0{path}\u00a0».", userMessage: "La ressource demandée est introuvable." },
    "404-102": { developerMessage: "Aucun {kind} «\u00a0{id}\u00a0» dans le répertoire.", userMessage: "L’enregistrement est introuvable." },
    "404-103": { developerMessage: "Lien de téléchargement inconnu ou expiré.", userMessage: "Ce lien de téléchargement n’est pas valide ou a expiré." },
    "405-100": { developerMessage: "La méthode «\u00a0{method}\u00a0» n’est pas permise pour cette ressource; méthodes permises\u00a0: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Aucune des langues demandées n’est prise en charge.", userMessage: "La langue demandée n’est pas prise en charge." },
    "406-101": { developerMessage: "Aucun des types de contenu demandés n’est offert; utilisez application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "La demande n’est pas arrivée au complet dans le délai permis.", userMessage: "La demande a pris trop de temps à arriver. Veuillez réessayer." },
    "409-100": { developerMessage: "Une version plus récente de cet enregistrement est stockée (version {version}).", userMessage: "L’enregistrement a été modifié entre-temps." },
    "410-100": { developerMessage: "Le lien de téléchargement a été révoqué.", userMessage: "Ce lien de téléchargement a été retiré." },
    "410-101": { developerMessage: "Le lien de téléchargement a été utilisé autant de fois qu’il le permet.", userMessage: "Ce lien de téléchargement a déjà été utilisé." },
    "413-100": { developerMessage: "Le corps de la requête dépasse {limit} octets.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Le corps de la requête doit être de type application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Le corps de la requête doit être de type application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "L’entrée du répertoire a été refusée; ses lignes erronées figurent dans les détails. Rien n’a été écrit.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Trop de demandes; réessayez dans {retryAfter} s.", userMessage: "Trop de demandes. Veuillez réessayer dans un moment." },
    "500-100": { developerMessage: "Impossible de traiter la demande.", userMessage: "Un problème est survenu. Veuillez réessayer." },
    "503-100": { developerMessage: "Le service est temporairement non disponible; réessayez dans {retryAfter} s.", userMessage: "Le service est occupé. Veuillez réessayer dans un moment." },
  },
  attachmentBlocked: "Cette pièce jointe est bloquée et ne peut pas être téléchargée.",
};
