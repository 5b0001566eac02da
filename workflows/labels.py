"""Domain labels are stored as '中文 English'; this picks the half for a language."""


def pick(text, language: str = "zh-hans") -> str:
    """Return the language's half of a '中文 English' label; the whole text if it is not one."""
    text = str(text or "")
    head, sep, tail = text.partition(" ")
    if not sep or not head or head.isascii() or not tail[:1].isascii():
        return text
    return tail if language.startswith("en") else head
