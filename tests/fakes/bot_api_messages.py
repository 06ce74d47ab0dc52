"""The methods that put text into chats: send, edit, delete, send a document.

Each checks what Telegram checks (text length after entity parsing, HTML, button data)
and answers with the Message Telegram would return.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tests.fakes.bot_api_faults import bad_request
from tests.fakes.bot_api_html import HtmlParseError, ParsedText, parse_html, strip_text, utf16_len
from tests.fakes.bot_api_state import World
from tests.fakes.bot_api_updates import document_json

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    file_name: str
    content: bytes
    content_type: str


def formatted_text(
    params: dict, key: str = "text", limit: int = MAX_TEXT_LENGTH, count=utf16_len
) -> ParsedText:
    """The visible text and entities of ``params[key]``, checked as Telegram checks them."""
    raw = params.get(key)
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    if str(params.get("parse_mode", "")).lower() == "html":
        try:
            parsed = parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    else:
        entities_key = "entities" if key == "text" else f"{key}_entities"
        parsed = ParsedText(raw, list(params.get(entities_key) or []))
    parsed = strip_text(parsed)
    if key == "text" and not parsed.text:
        raise bad_request("message text is empty")
    if count(parsed.text) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return parsed


def check_reply_markup(markup: object) -> dict | None:
    """The reply_markup to echo back (inline keyboards only), after Telegram's checks."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return None
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in keyboard:
        for button in row:
            _check_button(button)
    return {"inline_keyboard": keyboard}


def _check_button(button: dict) -> None:
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [action for action in _BUTTON_ACTIONS if action in button]
    if len(actions) != 1:
        raise bad_request("BUTTON_TYPE_INVALID")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


def _new_message(world: World, params: dict) -> dict:
    chat = world.chat(params.get("chat_id"))
    thread_id = params.get("message_thread_id")
    message = {
        "message_id": world.next_message_id(chat.id),
        "from": world.bot.to_json(),
        "chat": chat.to_json(),
        "date": int(time.time()),
    }
    if thread_id is not None:
        if chat.type != "supergroup":
            raise bad_request("message thread not found")
        message["message_thread_id"] = int(thread_id)
        message["is_topic_message"] = chat.is_forum
    return message


def _with_text(message: dict, parsed: ParsedText, key: str = "text") -> dict:
    message[key] = parsed.text
    entities_key = "entities" if key == "text" else "caption_entities"
    if parsed.entities:
        message[entities_key] = parsed.entities
    else:
        message.pop(entities_key, None)
    return message


def send_message(world: World, params: dict) -> dict:
    parsed = formatted_text(params, count=world.count_text)
    markup = check_reply_markup(params.get("reply_markup"))
    message = _with_text(_new_message(world, params), parsed)
    if markup:
        message["reply_markup"] = markup
    if params.get("link_preview_options"):
        message["link_preview_options"] = params["link_preview_options"]
    world.messages[message["chat"]["id"], message["message_id"]] = dict(message)
    return message


def send_document(world: World, params: dict) -> dict:
    parsed = formatted_text(params, "caption", MAX_CAPTION_LENGTH, world.count_text)
    markup = check_reply_markup(params.get("reply_markup"))
    message = _new_message(world, params)
    message["document"] = _document(world, params.get("document"))
    if parsed.text:
        _with_text(message, parsed, "caption")
    if markup:
        message["reply_markup"] = markup
    world.messages[message["chat"]["id"], message["message_id"]] = dict(message)
    return message


def _document(world: World, document: object) -> dict:
    if isinstance(document, Upload):
        stored = world.store_file(document.content, document.file_name)
        return document_json(
            stored.file_id, document.file_name, len(document.content), document.content_type
        )
    if isinstance(document, str) and document in world.files:
        stored = world.files[document]
        name = stored.path.rsplit("/", 1)[-1]
        return document_json(stored.file_id, name, len(stored.content), "application/octet-stream")
    raise bad_request("wrong file identifier/HTTP URL specified")


def _message_to_edit(world: World, params: dict) -> dict:
    chat = world.chat(params.get("chat_id"))
    message = world.messages.get((chat.id, as_int(params.get("message_id"))))
    if message is None:
        raise bad_request("message to edit not found")
    return message


def edit_message_text(world: World, params: dict) -> dict | bool:
    parsed = formatted_text(params, count=world.count_text)
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return _edit_inline_message(world, params, parsed, markup)
    message = _message_to_edit(world, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    unchanged = (
        message["text"] == parsed.text
        and message.get("entities", []) == parsed.entities
        and message.get("reply_markup") == markup
    )
    if unchanged:
        raise bad_request(NOT_MODIFIED)
    _with_text(message, parsed)
    _set_markup(message, markup)
    message["edit_date"] = int(time.time())
    return dict(message)


def edit_message_reply_markup(world: World, params: dict) -> dict | bool:
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return _edit_inline_message(world, params, None, markup)
    message = _message_to_edit(world, params)
    if message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    _set_markup(message, markup)
    message["edit_date"] = int(time.time())
    return dict(message)


def _edit_inline_message(
    world: World, params: dict, parsed: ParsedText | None, markup: dict | None
) -> bool:
    """An edit by inline_message_id: Telegram answers `true`, not the message."""
    message = world.inline_messages.get(str(params["inline_message_id"]))
    if message is None:
        raise bad_request("MESSAGE_ID_INVALID")
    text = parsed.text if parsed else message["text"]
    entities = parsed.entities if parsed else message["entities"]
    if (message["text"], message["entities"], message.get("reply_markup")) == (
        text,
        entities,
        markup,
    ):
        raise bad_request(NOT_MODIFIED)
    message.update(text=text, entities=entities, edit_date=int(time.time()))
    _set_markup(message, markup)
    return True


def _set_markup(message: dict, markup: dict | None) -> None:
    # An edit without reply_markup removes the keyboard, as in Telegram
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def delete_message(world: World, params: dict) -> bool:
    chat = world.chat(params.get("chat_id"))
    if world.messages.pop((chat.id, as_int(params.get("message_id"))), None) is None:
        raise bad_request("message to delete not found")
    return True


def as_int(value: object) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
