"""Domain labels stored as '中文 English' show one half: the one of the language shown in."""
from django.utils import translation
from django.utils.functional import lazy


def pick(text, language: str = "zh-hans") -> str:
    """Return the language's half of a '中文 English' label; the whole text if it is not one."""
    text = str(text or "")
    head, sep, tail = text.partition(" ")
    if not sep or not head or head.isascii() or not tail[:1].isascii():
        return text
    return tail if language.startswith("en") else head


def _shown_half(label, lower_english: bool) -> str:
    language = translation.get_language() or "zh-hans"
    text = pick(label, language)
    return text.lower() if lower_english and language.startswith("en") else text


_lazy_half = lazy(_shown_half, str)


def half(label, lower_english: bool = False):
    """The active language's half of a label, decided when the text is shown (a refusal's param)."""
    return _lazy_half(label, lower_english)
