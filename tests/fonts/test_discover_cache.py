"""fonts/discover.py: the facts of the faces resolve() looks at are read from one sealed entry,
and made again, face by face, from the font files when that entry is missing or damaged."""

from __future__ import annotations

import pytest

import brief.fonts as fonts
from brief.fonts import config, discover
from brief.fonts.cache import read_marshal, write_marshal


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    for role in config.PDF_ROLES:
        monkeypatch.delenv(config.ENV_PREFIX + role.upper(), raising=False)
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    fonts.forget()
    yield
    fonts.forget()


def test_face_facts_are_read_together_and_made_again_when_damaged(tmp_path, monkeypatch):
    first = fonts.resolve()
    (entry,) = (tmp_path / "info").glob("faces-*.marshal")
    together = read_marshal(entry)
    assert len(together) >= len({(f.path, f.index) for f in (*first.roles, *first.fallbacks)})
    for single in (tmp_path / "info").glob("*.json"):
        single.unlink()  # the one-file-per-face entries: not needed while the entry holds them
    parsed: list[str] = []
    real = discover._read_info
    monkeypatch.setattr(discover, "_read_info", lambda path, index: parsed.append(path) or real(path, index))
    fonts.forget()
    assert fonts.resolve() == first and parsed == []

    entry.write_bytes(b"damaged")  # not read: every face read again from its file, and the entry made again
    fonts.forget()
    assert fonts.resolve() == first and len(parsed) >= len(together)
    assert read_marshal(entry) == together

    name = next(iter(together))  # sealed, but one face's facts of another shape: that face alone read again
    write_marshal(entry, {**together, name: {"family": 1}})
    fonts.forget()
    assert fonts.resolve() == first and read_marshal(entry) == together
