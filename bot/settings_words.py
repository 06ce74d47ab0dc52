"""What a reader types to change a delivery setting, in Chinese or English, read as stored values.

Setting names (时区 / timezone / tz …); weekdays, 1–7 = Monday–Sunday, or by name (周一, 星期一,
礼拜一, Mon, Monday); whole hours (9, 09:00, 9点, 下午3点, 9pm); on / off (开 / 关); and
timezones: a city by name in either language (CLDR's cities, and the names readers use
instead, such as 北京 or San Francisco), an offset (UTC+8, GMT-05:30, 东八区) or an IANA name
in any letter case. Also the few cities offered as buttons, named in both languages.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from babel.dates import get_timezone_location

from bot.dates import FIXED_OFFSET, fixed_offset_name
from bot.reader_input import whole_number

SETTINGS = ("timezone", "weekday", "hour", "empty", "language")
_SETTING_WORDS = {
    "timezone": ("timezone", "tz", "zone", "time-zone", "时区"),
    "weekday": ("weekday", "day", "星期", "周几", "星期几", "推送日", "日子"),
    "hour": ("hour", "time", "时间", "小时", "几点", "钟点", "推送时间"),
    "empty": ("empty", "empty-topics", "空主题", "空", "空白主题"),
    "language": ("language", "lang", "语言"),
}

# The cities offered as buttons: (IANA zone, name in Chinese, name in English).
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Asia/Shanghai", "北京/上海", "Beijing/Shanghai"),
    ("Asia/Hong_Kong", "香港", "Hong Kong"),
    ("Asia/Taipei", "台北", "Taipei"),
    ("Asia/Singapore", "新加坡", "Singapore"),
    ("Asia/Tokyo", "东京", "Tokyo"),
    ("Asia/Seoul", "首尔", "Seoul"),
    ("Europe/London", "伦敦", "London"),
    ("Europe/Berlin", "柏林", "Berlin"),
    ("Europe/Paris", "巴黎", "Paris"),
    ("America/New_York", "纽约", "New York"),
    ("America/Los_Angeles", "旧金山/洛杉矶", "San Francisco/LA"),
    ("America/Toronto", "多伦多", "Toronto"),
    ("Australia/Sydney", "悉尼", "Sydney"),
    ("UTC", "UTC", "UTC"),
)
# Names readers use that CLDR files under another city.
_MORE_CITIES = {
    "Asia/Shanghai": (
        "北京", "beijing", "北京时间", "中国", "china", "深圳", "shenzhen", "广州", "guangzhou",
        "杭州", "hangzhou", "南京", "nanjing", "成都", "chengdu", "武汉", "wuhan", "西安", "xian",
        "天津", "重庆", "苏州", "合肥", "沪",
    ),
    "America/Los_Angeles": (
        "旧金山", "san francisco", "sf", "硅谷", "silicon valley", "西雅图", "seattle", "湾区",
        "bay area", "la", "圣何塞", "san jose",
    ),
    "America/New_York": ("波士顿", "boston", "华盛顿", "washington", "费城", "匹兹堡"),
    "Asia/Taipei": ("台湾", "taiwan", "臺北", "新竹"),
    "Asia/Hong_Kong": ("香港", "hk"),
    "Asia/Kolkata": ("班加罗尔", "bangalore", "bengaluru", "印度", "india", "孟买", "新德里"),
    "Europe/London": ("英国", "uk", "剑桥", "牛津", "oxford"),
    "Asia/Tokyo": ("日本", "japan"),
    "Asia/Seoul": ("韩国", "korea"),
    "UTC": ("utc", "gmt", "z", "协调世界时", "世界时", "格林尼治时间", "零时区"),
}  # fmt: skip

_WEEKDAY_SYNONYMS = {"天": 6, "日": 6}  # 星期天 / 礼拜天 / 周日 all name Sunday
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHINESE_NUMERALS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}
_ON = ("on", "yes", "y", "true", "1", "line", "开", "开启", "打开", "是", "发", "发送", "要")
_OFF = ("off", "no", "n", "false", "0", "skip", "关", "关闭", "否", "不发", "不发送", "不要")
_LANGUAGES = {
    "zh": ("zh", "中文", "汉语", "chinese", "简体中文"),
    "en": ("en", "english", "英文", "英语"),
}

_OFFSET = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")
_EAST_WEST = re.compile(r"([东西])(\d{1,2}|[一二三四五六七八九十]{1,3})区")
_HOUR = re.compile(r"(上午|早上|凌晨|中午|下午|晚上)?(\d{1,2})(?::00|点|点钟|時|时|am|pm)?")
_FULL_WIDTH = {0xFF01 + n: 0x21 + n for n in range(0x5E)}
MIN_OFFSET_MINUTES, MAX_OFFSET_MINUTES = -12 * 60, 14 * 60  # the offsets places keep
_OFFSET_MINUTES_PARTS = (0, 30, 45)  # India +5:30, Nepal +5:45, …


class OffsetOutOfRange(ValueError):
    """An offset written correctly that no place on Earth keeps, such as UTC+15."""

    def __init__(self, text: str) -> None:
        super().__init__(f"{text} is outside UTC-12:00..UTC+14:00")
        self.text = text


def normalized(text: str) -> str:
    """Full-width forms folded (＋８ → +8), spaces dropped, letters lower-cased.

    Only the full-width forms a Chinese input method types: ², ① and other scripts' digits
    stay what they are, so they are not read as numbers.
    """
    text = text.translate(_FULL_WIDTH).replace("−", "-")
    return re.sub(r"\s+", "", text).casefold()


def setting_named(word: str) -> str | None:
    """The setting a reader's word names (`时区`, `tz`, `Weekday`), or None."""
    word = normalized(word)
    for setting, words in _SETTING_WORDS.items():
        if word in words:
            return setting
    return None


def weekday(text: str) -> int | None:
    """0 (Monday) to 6 from 1–7 or a day's name in either language; None otherwise."""
    word = normalized(text)
    if (number := whole_number(word, 1, 7)) is not None:
        return number - 1
    for prefix in ("星期", "礼拜", "周", "禮拜"):
        if word.startswith(prefix) and len(word) == len(prefix) + 1:
            rest = word[len(prefix) :]
            if rest in _WEEKDAY_SYNONYMS:
                return _WEEKDAY_SYNONYMS[rest]
            number = _CHINESE_NUMERALS.get(rest) or whole_number(rest, 1, 7)
            return number - 1 if number and number <= 6 else None
    if word in _WEEKDAY_SYNONYMS:  # `/settings 星期 日`
        return _WEEKDAY_SYNONYMS[word]
    if (number := _CHINESE_NUMERALS.get(word)) is not None and number <= 6:  # `/settings 星期 五`
        return number - 1
    word = word.rstrip(".")
    for index, name in enumerate(_ENGLISH_DAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def hour(text: str) -> int | None:
    """0 to 23 from 9, 09:00, 9点, 下午3点, 9pm; None otherwise (also for 9:30)."""
    match = _HOUR.fullmatch(normalized(text))
    if match is None:
        return None
    part, value = match[1], whole_number(match[2], 0, 23)
    if value is None:
        return None
    afternoon = part in ("下午", "晚上") or text.strip().lower().endswith("pm")
    morning = part in ("上午", "早上", "凌晨") or text.strip().lower().endswith("am")
    if afternoon and 1 <= value <= 11:
        return value + 12
    if (afternoon or morning) and value > 12:
        return None
    return 0 if morning and value == 12 else value


def switch(text: str) -> bool | None:
    """开 / on / yes (True), 关 / off / no (False); None otherwise."""
    word = normalized(text)
    return True if word in _ON else False if word in _OFF else None


def language(text: str) -> str | None:
    """zh or en from 中文 / English / zh …; None otherwise."""
    word = normalized(text)
    return next((code for code, words in _LANGUAGES.items() if word in words), None)


def timezone(text: str) -> str | None:
    """The zone name to store for a city, an offset or an IANA name; None when unknown.

    OffsetOutOfRange for an offset beyond UTC-12..UTC+14.
    """
    word = normalized(text)
    if not word:
        return None
    if (minutes := _offset_minutes(word, text)) is not None:
        return fixed_offset_name(minutes)
    return _zone_names().get(word) or _zone_names().get(word.replace("_", ""))


def city_name(zone: str, lang: str) -> str | None:
    """The zone's city in `lang`: the button's name, else CLDR's; None for an offset."""
    for name, zh, en in CITIES:
        if name == zone:
            return zh if lang == "zh" else en
    if FIXED_OFFSET.fullmatch(zone) or zone.startswith("Etc/") or zone not in _iana():
        return None
    return get_timezone_location(zone, locale=_babel_locale(lang), return_city=True)


def _offset_minutes(word: str, original: str) -> int | None:
    match = _OFFSET.fullmatch(word)
    if match is not None:
        hours, minutes = int(match[2]), int(match[3] or 0)
        sign = -1 if match[1] == "-" else 1
    elif (east_west := _EAST_WEST.fullmatch(word)) is not None:
        number = east_west[2]
        hours = int(number) if number.isascii() else _chinese_number(number)
        minutes, sign = 0, (1 if east_west[1] == "东" else -1)
    else:
        return None
    if minutes not in _OFFSET_MINUTES_PARTS or hours is None:
        return None
    total = sign * (hours * 60 + minutes)
    if not MIN_OFFSET_MINUTES <= total <= MAX_OFFSET_MINUTES:
        raise OffsetOutOfRange(original.strip()[:20])
    return total


def _chinese_number(text: str) -> int | None:
    # 一 … 十二: enough for the twelve zones east and west
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE_NUMERALS.get(text[1:], 100)
    return _CHINESE_NUMERALS.get(text) if len(text) == 1 else None


def _babel_locale(lang: str) -> str:
    return "zh_Hans_CN" if lang == "zh" else "en_US"


@cache
def _iana() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory", "posixrules"}


@cache
def _zone_names() -> dict[str, str]:
    """Every way of naming a zone this module reads, normalized, to the zone."""
    names: dict[str, str] = {}
    for zone in sorted(_iana()):
        names[normalized(zone)] = zone
        if not zone.startswith("Etc/") and "/" in zone:
            # Europe/Berlin is also "berlin" and "柏林"; the first zone to claim a city keeps it
            names.setdefault(normalized(zone.rsplit("/", 1)[1].replace("_", " ")), zone)
            for lang in ("zh", "en"):
                city = city_name(zone, lang)
                if city:
                    names.setdefault(normalized(city), zone)
    for zone, zh, en in CITIES:
        for name in (zh, en, *zh.split("/"), *en.split("/")):
            names[normalized(name)] = zone
    for zone, more in _MORE_CITIES.items():
        for name in more:
            names[normalized(name)] = zone
    return names
