"""XML text and attribute escaping, as ``xml.sax.saxutils`` does it, byte for byte.

Not imported from there: ``xml.sax.saxutils`` imports ``urllib.request`` and with it ``http.client``
and ``ssl``, 50-100 ms of every cold ``brief render`` for three string replacements.
"""

from __future__ import annotations


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``>`` and ``<`` as entities (ampersand first), then each of ``entities``."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def quoteattr(data: str) -> str:
    """An attribute value, escaped and quoted; ``"`` is escaped only when both quotes occur."""
    data = escape(data, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    if '"' in data:
        if "'" in data:
            quoted = data.replace('"', "&quot;")
            return f'"{quoted}"'
        return f"'{data}'"
    return f'"{data}"'
