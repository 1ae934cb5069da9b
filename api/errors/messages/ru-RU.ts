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
    "403-106": { developerMessage: "У токена нет области «{scope}», нужной для этого вызова.", userMessage: "У вас нет разрешения на это действие." },
    "403-107": { developerMessage: "Вложение заблокировано после выдачи ссылки.", userMessage: "Это вложение заблокировано и не может быть загружено." },
    "403-178": { developerMessage: "У вызывающей стороны нет действия «{action}».", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Вложение не найдено.", userMessage: "Не удалось найти вложение." },
    "404-101": { developerMessage: "По адресу «{path}» нет ресурса.", userMessage: "Запрошенный ресурс не найден." },
    "404-102": { developerMessage: "В каталоге нет записи {kind} «{id}».", userMessage: "Запись не найдена." },
    "404-103": { developerMessage: "Неизвестная или просроченная ссылка для загрузки.", userMessage: "Эта ссылка для загрузки недействительна или устарела." },
    "405-100": { developerMessage: "Метод «{method}» не разрешён для этого ресурса; разрешены: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "Ни один из запрошенных языков не поддерживается.", userMessage: "Запрошенный язык не поддерживается." },
    "406-101": { developerMessage: "Ни один из запрошенных типов содержимого недоступен; используйте application/json или application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "Запрос не поступил полностью за отведённое время.", userMessage: "Запрос поступал слишком долго. Повторите попытку." },
    "409-100": { developerMessage: "Сохранена более новая версия этой записи (версия {version}).", userMessage: "Запись была изменена за это время." },
    "410-100": { developerMessage: "Ссылка для загрузки отозвана.", userMessage: "Эта ссылка для загрузки отозвана." },
    "410-101": { developerMessage: "Ссылка для загрузки использована максимально допустимое число раз.", userMessage: "Эта ссылка для загрузки уже использована." },
    "413-100": { developerMessage: "Тело запроса превышает {limit} байт.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "Тело запроса должно иметь тип application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "Тело запроса должно иметь тип application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "Входные данные каталога отклонены; ошибочные строки перечислены в деталях. Ничего не записано.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Слишком много запросов; повторите попытку через {retryAfter} с.", userMessage: "Слишком много запросов. Повторите попытку чуть позже." },
    "500-100": { developerMessage: "Невозможно обработать запрос.", userMessage: "Что-то пошло не так. Повторите попытку." },
    "503-100": { developerMessage: "Сервис временно недоступен; повторите попытку через {retryAfter} с.", userMessage: "Сервис перегружен. Повторите попытку чуть позже." },
  },
  attachmentBlocked: "Это вложение заблокировано, и его нельзя скачать.",
};
