import type { Messages } from "./messages.js";

const NOT_PROCESSED = "Не удалось обработать запрос.";
const NO_PERMISSION = "У вас нет разрешения на скачивание этого вложения.";

/** Russian (Russia). */
export const ruRU: Messages = {
  errors: {
    "400-101": { developerMessage: "Параметр запроса «{parameter}» не поддерживается.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "Тело запроса не является допустимым JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "Тело запроса должно быть объектом JSON.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Отсутствует обязательный атрибут «{attribute}».", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Атрибут «{attribute}» не поддерживается.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Недопустимое значение атрибута «{attribute}».", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "Токен авторизации недействителен или истёк.", userMessage: "Срок действия сеанса истёк. Войдите снова." },
    "401-104": { developerMessage: "Заголовок Authorization отсутствует или не имеет вида «Bearer <token>».", userMessage: "Войдите, чтобы продолжить." },
    "403-105": { developerMessage: "Вызывающей стороне запрещён доступ к этому вложению.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "У вызывающей стороны нет действия «{action}».", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Вложение не найдено.", userMessage: "Не удалось найти вложение." },
    "404-101": { developerMessage: "По адресу «{path}» нет ресурса.", userMessage: "Запрошенный ресурс не найден." },
    "405-100": { developerMessage: "Метод «{method}» не разрешён для этого ресурса; разрешены: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Ни один из запрошенных языков не поддерживается.", userMessage: "Запрошенный язык не поддерживается." },
    "406-101": { developerMessage: "Ни один из запрошенных типов содержимого недоступен; используйте application/json или application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "Тело запроса превышает {limit} байт.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Тело запроса должно иметь тип application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Слишком много запросов; повторите попытку через {retryAfter} с.", userMessage: "Слишком много запросов. Повторите попытку чуть позже." },
    "500-100": { developerMessage: "Невозможно обработать запрос.", userMessage: "Что-то пошло не так. Повторите попытку." },
    "503-100": { developerMessage: "Сервис временно недоступен; повторите попытку через {retryAfter} с.", userMessage: "Сервис перегружен. Повторите попытку чуть позже." },
  },
  attachmentBlocked: "Это вложение заблокировано, и его нельзя скачать.",
};
