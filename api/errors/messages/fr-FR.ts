import type { Messages } from "./messages.js";

// French typography: a no-break space before the colon and inside guillemets, a narrow one before the semicolon.
const NOT_PROCESSED = "La requête n’a pas pu être traitée.";
const NO_PERMISSION = "Vous n’êtes pas autorisé à télécharger cette pièce jointe.";

/** French (France). */
export const frFR: Messages = {
  errors: {
    "400-101": { developerMessage: "Le paramètre de requête «\u00a0{parameter}\u00a0» n’est pas pris en charge.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Le corps de la requête n’est pas un JSON valide.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Le corps de la requête doit être un objet JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "L’attribut obligatoire «\u00a0{attribute}\u00a0» est manquant.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "L’attribut «\u00a0{attribute}\u00a0» n’est pas pris en charge.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Valeur non valide pour l’attribut «\u00a0{attribute}\u00a0».", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Le jeton d’autorisation est non valide ou a expiré.", userMessage: "Votre session a expiré. Veuillez vous reconnecter." },
    "401-104": { developerMessage: "L’en-tête Authorization est absent ou n’est pas de la forme «\u00a0Bearer <token>\u00a0».", userMessage: "Veuillez vous connecter pour continuer." },
    "403-105": { developerMessage: "L’appelant n’est pas autorisé à accéder à cette pièce jointe.", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "Le jeton n’a pas la portée «\u00a0{scope}\u00a0» requise par cet appel.", userMessage: "Vous n’êtes pas autorisé à effectuer cette action." },
    "403-107": { developerMessage: "La pièce jointe a été bloquée depuis l’émission du lien.", userMessage: "Cette pièce jointe a été bloquée et ne peut pas être téléchargée." },
    "403-178": { developerMessage: "L’appelant ne dispose pas de l’action «\u00a0{action}\u00a0».", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Pièce jointe introuvable.", userMessage: "La pièce jointe est introuvable." },
    "404-101": { developerMessage: "Aucune ressource à l’adresse «\u00a0{path}\u00a0».", userMessage: "La ressource demandée est introuvable." },
    "404-102": { developerMessage: "Aucun {kind} «\u00a0{id}\u00a0» dans l’annuaire.", userMessage: "L’enregistrement est introuvable." },
    "404-103": { developerMessage: "Lien de téléchargement inconnu ou expiré.", userMessage: "Ce lien de téléchargement n’est pas valide ou a expiré." },
    "405-100": { developerMessage: "La méthode «\u00a0{method}\u00a0» n’est pas autorisée sur cette ressource\u202f; méthodes autorisées\u00a0: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Aucune des langues demandées n’est prise en charge.", userMessage: "La langue demandée n’est pas prise en charge." },
    "406-101": { developerMessage: "Aucun des types de contenu demandés n’est disponible\u202f; utilisez application/json ou application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "La requête n’est pas arrivée en entier dans le délai imparti.", userMessage: "La requête a mis trop de temps à arriver. Veuillez réessayer." },
    "409-100": { developerMessage: "Une version plus récente de cet enregistrement est stockée (version {version}).", userMessage: "L’enregistrement a été modifié entre-temps." },
    "410-100": { developerMessage: "Le lien de téléchargement a été révoqué.", userMessage: "Ce lien de téléchargement a été retiré." },
    "410-101": { developerMessage: "Le lien de téléchargement a été utilisé autant de fois qu’il le permet.", userMessage: "Ce lien de téléchargement a déjà été utilisé." },
    "413-100": { developerMessage: "Le corps de la requête dépasse {limit} octets.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Le corps de la requête doit être de type application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Le corps de la requête doit être de type application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "L’entrée de l’annuaire a été refusée\u00a0; ses lignes erronées figurent dans les détails. Rien n’a été écrit.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Trop de requêtes\u202f; réessayez dans {retryAfter} s.", userMessage: "Trop de requêtes. Veuillez réessayer dans quelques instants." },
    "500-100": { developerMessage: "Impossible de traiter la requête.", userMessage: "Une erreur s’est produite. Veuillez réessayer." },
    "503-100": { developerMessage: "Le service est temporairement indisponible\u202f; réessayez dans {retryAfter} s.", userMessage: "Le service est surchargé. Veuillez réessayer dans quelques instants." },
  },
  attachmentBlocked: "Cette pièce jointe a été bloquée et ne peut pas être téléchargée.",
};
