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
# One search tells whether a value needs any work at all, which most values do not.
_NEEDS_ATTRIBUTE_WORK = re.compile(f'[&<>"\n\r\t{_FORBIDDEN_CHARACTERS}]')
_NEEDS_TEXT_WORK = re.compile(f"[&<>\r{_FORBIDDEN_CHARACTERS}]")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _FORBIDDEN.sub("", value)


def attribute(value: str) -> str:
    """``value`` escaped for use between the double quotes of an XML attribute."""
    if not _NEEDS_ATTRIBUTE_WORK.search(value):
        return value
    return (
        _FORBIDDEN.sub("", value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def text(value: str) -> str:
    """``value`` escaped for use as the character content of an XML element."""
    if not _NEEDS_TEXT_WORK.search(value):
        return value
    # A literal carriage return would be read back as a line feed.
    return (
        _FORBIDDEN.sub("", value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def token(value: str) -> str:
    """``value`` as an ``xsd:token`` (whitespace runs collapsed), escaped for an attribute."""
    return attribute(" ".join(xml_safe(value).split()))
