"""`/following`: the authors a chat follows, each with a ✖ button that stops following it.
Pure: names and a language in, text and buttons out."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import _, ngettext, use
from bot.render.follow_buttons import pack_unfollow
from bot.render.papers import RenderedMessage, escape

PER_ROW = 4


def render_following(names: Sequence[tuple[str, str]], lang: str) -> RenderedMessage:
    """The followed authors, `names` as (normal form, name) pairs, in the order followed."""
    with use(lang):
        if not names:
            nothing = _("This chat follows no authors yet.")
            how = _(
                "Send /follow and a name, for example /follow Yann LeCun, or press 👤 under a "
                "paper's card: their new papers then get a section of this chat's digest."
            )
            return RenderedMessage(f"👤 <b>{escape(nothing)}</b>\n{escape(how)}")
        title = ngettext(
            "This chat follows {count} author", "This chat follows {count} authors", len(names)
        ).format(count=len(names))
        lines = [f"{number}. {escape(name)}" for number, (_key, name) in enumerate(names, 1)]
        hint = _("Their new papers appear under “From authors you follow”. ✖ stops following.")
        text = "\n".join([f"👤 <b>{escape(title)}</b>", "", *lines, "", f"<i>{escape(hint)}</i>"])
        buttons = [
            InlineKeyboardButton(f"✖ {number}", callback_data=pack_unfollow(key))
            for number, (key, _name) in enumerate(names, 1)
        ]
        rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
        return RenderedMessage(text, InlineKeyboardMarkup(rows))
