"""Every Bot API method the fake answers, by name, and the one place faults are applied.

Method names are matched case-insensitively, as Telegram does; an unknown one is 404.
"""

from __future__ import annotations

import json
import re

from tests.fakes import bot_api_messages as messages
from tests.fakes.bot_api_faults import ApiError, Faults, bad_request
from tests.fakes.bot_api_state import World
from tests.fakes.bot_api_updates import ANONYMOUS_ADMIN, FakeUser, chat_member_json

MAX_INLINE_RESULTS = 50
MAX_ID_BYTES = 64
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
# Methods that put something into a chat: a blocked, kicked or migrated chat refuses them
_CHAT_WRITES = frozenset(
    {
        "sendmessage", "senddocument", "editmessagetext", "editmessagereplymarkup",
        "deletemessage", "sendchataction",
    }
)  # fmt: skip
_RATE_LIMITED = frozenset({"sendmessage", "senddocument", "editmessagetext"})


def get_me(world: World, params: dict) -> dict:
    return {
        **world.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
    }


async def get_updates(world: World, params: dict) -> list[dict]:
    if world.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    world.updates.set_allowed(params.get("allowed_updates"))
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    offset = params.get("offset")
    timeout = float(params.get("timeout") or 0)
    return await world.updates.poll(None if offset is None else int(offset), limit, timeout)


def set_webhook(world: World, params: dict) -> bool:
    world.webhook = dict(params)
    return True


def delete_webhook(world: World, params: dict) -> bool:
    world.webhook = None
    if params.get("drop_pending_updates"):
        world.updates.pending.clear()
    return True


def get_webhook_info(world: World, params: dict) -> dict:
    url = (world.webhook or {}).get("url", "")
    return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}


def answer_callback_query(world: World, params: dict) -> bool:
    query_id = str(params.get("callback_query_id"))
    if query_id not in world.open_callback_queries:
        raise bad_request(QUERY_TOO_OLD)
    if len(str(params.get("text") or "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    world.open_callback_queries.discard(query_id)
    return True


def answer_inline_query(world: World, params: dict) -> bool:
    query_id = str(params.get("inline_query_id"))
    if query_id not in world.open_inline_queries:
        raise bad_request(QUERY_TOO_OLD)
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_inline_result(world, result, seen)
    if len(str(params.get("next_offset") or "").encode()) > MAX_ID_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    world.open_inline_queries.discard(query_id)
    return True


def _check_inline_result(world: World, result: dict, seen: set[str]) -> None:
    result_id = str(result.get("id", ""))
    if not 1 <= len(result_id.encode()) <= MAX_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        as_message = {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
        messages.formatted_text(as_message, count=world.count_text)
    messages.check_reply_markup(result.get("reply_markup"))


def get_chat(world: World, params: dict) -> dict:
    chat = world.chat(params.get("chat_id"))
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }


def _user(world: World, user_id: int) -> FakeUser:
    if user_id == world.bot.id:
        return world.bot
    if user_id == ANONYMOUS_ADMIN.id:
        return ANONYMOUS_ADMIN
    return world.users.get(user_id) or FakeUser(user_id, f"User {user_id}", language_code=None)


def _member(world: World, chat_id: int, user_id: int) -> dict:
    members = world.members_of(chat_id)
    member = chat_member_json(_user(world, user_id), members.status_of(user_id))
    if user_id in members.anonymous:
        member["is_anonymous"] = True
    return member


def get_chat_member(world: World, params: dict) -> dict:
    chat = world.chat(params.get("chat_id"))
    user_id = int(params.get("user_id") or 0)
    if chat.type == "private":
        status = "member" if user_id in (chat.id, world.bot.id) else "left"
        return chat_member_json(_user(world, user_id), status)
    return _member(world, chat.id, user_id)


def get_chat_administrators(world: World, params: dict) -> list[dict]:
    chat = world.chat(params.get("chat_id"))
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    members = world.members_of(chat.id)
    ids = ([members.creator] if members.creator is not None else []) + members.admins
    return [_member(world, chat.id, user_id) for user_id in ids]


def _commands_key(params: dict) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip


def set_my_commands(world: World, params: dict) -> bool:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope: unsupported type")
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    world.commands[_commands_key(params)] = commands
    return True


def get_my_commands(world: World, params: dict) -> list[dict]:
    return world.commands.get(_commands_key(params), [])


def delete_my_commands(world: World, params: dict) -> bool:
    world.commands.pop(_commands_key(params), None)
    return True


def set_chat_menu_button(world: World, params: dict) -> bool:
    chat_id = params.get("chat_id")
    if chat_id is not None:
        chat_id = world.chat(chat_id).id
    world.menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
    return True


def get_chat_menu_button(world: World, params: dict) -> dict:
    return world.menu_buttons.get(params.get("chat_id"), {"type": "default"})


def send_chat_action(world: World, params: dict) -> bool:
    world.chat(params.get("chat_id"))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def get_file(world: World, params: dict) -> dict:
    stored = world.files.get(str(params.get("file_id")))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": f"u{stored.file_id}",
        "file_size": len(stored.content),
        "file_path": stored.path,
    }


def always_true(world: World, params: dict) -> bool:
    return True


METHODS = {
    name.lower(): handler
    for name, handler in {
        "getMe": get_me,
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
        "logOut": always_true,
        "close": always_true,
        "sendMessage": messages.send_message,
        "sendDocument": messages.send_document,
        "editMessageText": messages.edit_message_text,
        "editMessageReplyMarkup": messages.edit_message_reply_markup,
        "deleteMessage": messages.delete_message,
        "answerCallbackQuery": answer_callback_query,
        "answerInlineQuery": answer_inline_query,
        "getChat": get_chat,
        "getChatMember": get_chat_member,
        "getChatAdministrators": get_chat_administrators,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "setChatMenuButton": set_chat_menu_button,
        "getChatMenuButton": get_chat_menu_button,
        "sendChatAction": send_chat_action,
        "getFile": get_file,
    }.items()
}


async def call_method(world: World, faults: Faults, method: str, params: dict) -> object:
    """The method's result, or the ApiError Telegram (or a scripted fault) answers with."""
    name = method.lower()
    handler = METHODS.get(name)
    if handler is None:
        raise ApiError(404, "Not Found")
    chat = world.find_chat(params.get("chat_id"))
    if faults.scripted:
        faults.raise_scripted(method, chat.id if chat else None)
    if chat is not None and name in _CHAT_WRITES:
        faults.check_chat(chat.id, chat.type, rate_limited=name in _RATE_LIMITED)
    if name == "getupdates":
        return await get_updates(world, params)
    return handler(world, params)
