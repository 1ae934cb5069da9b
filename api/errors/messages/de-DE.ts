import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Die Anfrage konnte nicht verarbeitet werden.";
const NO_PERMISSION = "Sie sind nicht berechtigt, diesen Anhang herunterzuladen.";

/** German (Germany). */
export const deDE: Messages = {
  errors: {
    "400-101": { developerMessage: "Der Abfrageparameter „{parameter}“ wird nicht unterstützt.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Der Anfragetext ist kein gültiges JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Der Anfragetext muss ein JSON-Objekt sein.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Das Pflichtattribut „{attribute}“ fehlt.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Das Attribut „{attribute}“ wird nicht unterstützt.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Ungültiger Wert für das Attribut „{attribute}“.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Das Autorisierungstoken ist ungültig oder abgelaufen.", userMessage: "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an." },
    "401-104": { developerMessage: "Der Authorization-Header fehlt oder hat nicht die Form „Bearer <token>“.", userMessage: "Bitte melden Sie sich an, um fortzufahren." },
    "403-105": { developerMessage: "Der Aufrufer darf nicht auf diesen Anhang zugreifen.", userMessage: NO_PERMISSION },
    "403-106": { developerMessage: "Dem Token fehlt der Geltungsbereich „{scope}“, den dieser Aufruf braucht.", userMessage: "Sie sind dazu nicht berechtigt." },
    "403-107": { developerMessage: "Der Anhang wurde gesperrt, nachdem der Link ausgegeben wurde.", userMessage: "Dieser Anhang wurde gesperrt und kann nicht heruntergeladen werden." },
    "403-178": { developerMessage: "Dem Aufrufer fehlt die Aktion „{action}“.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Anhang nicht gefunden.", userMessage: "Der Anhang wurde nicht gefunden." },
    "404-101": { developerMessage: "Unter „{path}“ gibt es keine Ressource.", userMessage: "Die angeforderte Ressource wurde nicht gefunden." },
    "404-102": { developerMessage: "Kein {kind} „{id}“ im Verzeichnis.", userMessage: "Der Datensatz wurde nicht gefunden." },
    "404-103": { developerMessage: "Unbekannter oder abgelaufener Download-Link.", userMessage: "Dieser Download-Link ist ungültig oder abgelaufen." },
    "405-100": { developerMessage: "Die Methode „{method}“ ist für diese Ressource nicht zulässig; zulässig: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Keine der angeforderten Sprachen wird unterstützt.", userMessage: "Die angeforderte Sprache wird nicht unterstützt." },
    "406-101": { developerMessage: "Keiner der angeforderten Medientypen ist verfügbar; verwenden Sie application/json oder application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "Die Anfrage ist nicht innerhalb der erlaubten Zeit vollständig angekommen.", userMessage: "Die Anfrage hat zu lange gedauert. Bitte versuchen Sie es erneut." },
    "409-100": { developerMessage: "Eine neuere Version dieses Datensatzes ist gespeichert (Version {version}).", userMessage: "Der Datensatz wurde zwischenzeitlich geändert." },
    "410-100": { developerMessage: "Der Download-Link wurde widerrufen.", userMessage: "Dieser Download-Link wurde zurückgezogen." },
    "410-101": { developerMessage: "Der Download-Link wurde so oft verwendet, wie er erlaubt.", userMessage: "Dieser Download-Link wurde bereits verwendet." },
    "413-100": { developerMessage: "Der Anfragetext ist größer als {limit} Byte.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Der Anfragetext muss application/json sein.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Der Anfragetext muss application/x-ndjson sein.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "Die Verzeichniseingabe wurde abgelehnt; ihre fehlerhaften Zeilen stehen in den Details. Es wurde nichts geschrieben.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Zu viele Anfragen; erneut versuchen in {retryAfter} s.", userMessage: "Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal." },
    "500-100": { developerMessage: "Die Anfrage kann nicht verarbeitet werden.", userMessage: "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut." },
    "503-100": { developerMessage: "Der Dienst ist vorübergehend nicht verfügbar; erneut versuchen in {retryAfter} s.", userMessage: "Der Dienst ist ausgelastet. Bitte versuchen Sie es gleich noch einmal." },
  },
  attachmentBlocked: "Dieser Anhang wurde gesperrt und kann nicht heruntergeladen werden.",
};
