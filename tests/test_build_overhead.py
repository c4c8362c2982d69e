"""What a build does around the briefs (issue 19): the manifest, formatted entry by entry, is the same
text json.dumps gives; the collector is paused while the parsed data arrives and on again after."""

from __future__ import annotations

import gc
import json

from hypothesis import given
from hypothesis import strategies as st

from brief import build
from brief.collector import collector_paused

texts = st.text(alphabet="ab/\\\"\n中 ’\u2028\x00é", max_size=8)
entries = st.fixed_dictionaries({"path": texts, "sha256": texts, "inputs": st.lists(texts, max_size=3),
                                 "fingerprint": texts})


@given(st.lists(entries, max_size=5), st.lists(entries, max_size=5))
def test_the_manifest_is_json_dumps_with_indent_byte_for_byte(first: list[dict], second: list[dict]) -> None:
    for outputs in (first, second, first):  # entries formatted before are reused only while unchanged
        body = {"tool": "brief 0.1.0", "outputs": outputs}
        assert build.manifest_text(body) == json.dumps(body, ensure_ascii=False, indent=2)


def test_an_entry_changed_in_place_is_formatted_again() -> None:
    entry = {"path": "2023/x.pdf", "sha256": "a", "inputs": ["data:counties/x/2023.yaml"], "fingerprint": "f"}
    body = {"tool": "brief 0.1.0", "outputs": [entry]}
    assert build.manifest_text(body) == json.dumps(body, ensure_ascii=False, indent=2)
    entry["inputs"].append("data:indicators.yaml")
    entry["sha256"] = "b"
    assert build.manifest_text(body) == json.dumps(body, ensure_ascii=False, indent=2)
    body["outputs"] = [{k: entry[k] for k in reversed(entry)}]  # equal, but its keys in another order
    assert build.manifest_text(body) == json.dumps(body, ensure_ascii=False, indent=2)


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
