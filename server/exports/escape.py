"""Turning arbitrary Python strings into text that well-formed XML 1.0 can carry.

XML 1.0 cannot hold most C0 control characters, lone surrogates, U+FFFE or U+FFFF at all, not
even as character references, so they are removed. Inside attribute values, line breaks and tabs
are written as character references, because XML parsers normalise literal ones to spaces.
"""

from __future__ import annotations

import re

__all__ = ["attribute", "text", "token", "xml_safe"]

_FORBIDDEN_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARACTERS}]")

# In order: "&" first, or it would escape the "&" of the references before it.
_MARKUP = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE = (*_MARKUP, ('"', "&quot;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;"))
# In content a literal carriage return would be read back as a line feed.
_TEXT = (*_MARKUP, ("\r", "&#13;"))


def _needs_work(replacements: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One search tells whether a value needs any work at all, which most values do not."""
    characters = "".join(re.escape(old) for old, _ in replacements)
    return re.compile(f"[{characters}{_FORBIDDEN_CHARACTERS}]")


_NEEDS_ATTRIBUTE_WORK = _needs_work(_ATTRIBUTE)
_NEEDS_TEXT_WORK = _needs_work(_TEXT)


def _escape(value: str, replacements: tuple[tuple[str, str], ...]) -> str:
    # The membership tests are cheaper than a replace that finds nothing, and values that get
    # here usually hold one kind of character to escape (the quotes of JSON lists, mostly).
    if _FORBIDDEN.search(value):
        value = _FORBIDDEN.sub("", value)
    for old, new in replacements:
        if old in value:
            value = value.replace(old, new)
    return value


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _FORBIDDEN.sub("", value)


def attribute(value: str) -> str:
    """``value`` escaped for use between the double quotes of an XML attribute."""
    if not _NEEDS_ATTRIBUTE_WORK.search(value):
        return value
    return _escape(value, _ATTRIBUTE)


def text(value: str) -> str:
    """``value`` escaped for use as the character content of an XML element."""
    if not _NEEDS_TEXT_WORK.search(value):
        return value
    return _escape(value, _TEXT)


def token(value: str) -> str:
    """``value`` as an ``xsd:token`` (whitespace runs collapsed), escaped for an attribute."""
    return attribute(" ".join(xml_safe(value).split()))
