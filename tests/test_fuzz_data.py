"""Fuzz: random mutants of a real county file are either valid or refused line by line, never a crash.

A seeded mutator (reproducible: case N is always the same mutant) deletes, duplicates, swaps and
re-indents lines, inserts characters people and attackers type (quotes, brackets, colons, tabs,
full-width forms, invisible breaks, bidi controls, anchors, tags, huge numbers, random Unicode),
replaces values with random text and truncates the file. Each mutant goes through the public
``validate`` in-process (fast); a few go through ``brief validate`` in a subprocess too, where a
signal, a hang or "内部错误" would show. More cases on demand: ``BRIEF_FUZZ_CASES=5000 pytest ...``.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from brief.check import validate

ROOT = Path(__file__).resolve().parents[1]
COUNTY = "counties/yingjisha/2023.yaml"
ORIGINAL = (ROOT / "data" / COUNTY).read_text(encoding="utf-8")
CASES = int(os.environ.get("BRIEF_FUZZ_CASES", "300"))
CLI_CASES = min(CASES, 20)
SEED = 20261201
LINE = re.compile(r"^[^:]+:\d+: [^:]+: .+")
SECONDS = 10  # per mutant; the real file validates in 0.05 s

# Mutants known to fail (case number: what breaks), run as strict xfail so that a fix turns the test
# red until its entry is removed. Empty: the six found with BRIEF_FUZZ_CASES=3000 (cases 439, 1034,
# 1072, 1454, 1700, 2586: huge figures, over-long image names) are fixed. The numbers hold for this
# mutator only: after changing it, run 3000 cases again.
KNOWN_FAILING_OUTSIDE_YAMLFILE: dict[int, str] = {}

PIECES = [
    "'", '"', "[", "]", "{", "}", ":", ": ", " :", "#", " #", ",", "-", "- ", "?", "? ", "|", ">", "!", "%", "@", "`",
    "&a ", "*a", "&x [1, 2]", "<<: *a", "!!python/object:os.system ", "!!str ", "---", "...", "\t", "：", "，",
    "\u3000", "\u00a0", "\u2028", "\u2029", "\x85", "\r", "\r\n", "\n", "\x00", "\x0b", "\x1b", "\x7f", "\x9b",
    "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\ufffd", "😀", "𝟗", "٣", "４", "万", "亿", "万元", "%",
    "9" * 30, "99999999999999999999亿", "1e999", "-0", "0x1F", "1_000", "0.0000000001", "NaN", "inf", "~", "null",
    "no", "yes", "2023-01-01", "{{", "}}", "{{ ind.nope }}", "{% for %}", "[[", "]]", "\\", '\\"', "\\x",
]


def random_text(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
    if kind == 1:
        return "".join(_random_char(rng) for _ in range(rng.randint(1, 12)))
    if kind == 2:  # any magnitude, from 0 to 40 digits, with a unit or not
        number = str(rng.randint(0, 10 ** rng.randint(1, 40)))
        if rng.random() < 0.3:
            at = rng.randint(1, len(number))
            number = number[:at] + "." + number[at:] + "0" * rng.randint(0, 3)
        unit = rng.choice(["", "万", "亿", "%", "元", "万元", "人次", "个", "余"])
        return rng.choice(["", "-", "+", "约"]) + number + unit
    if kind == 3:  # deep or long: nesting, repetition
        return rng.choice(["[", "{a: ", "- ", "? ", "&a [", "x" * 50, "测" * 30]) * rng.randint(2, 60)
    return rng.choice(PIECES) + rng.choice(["", "测试", "x", "490"]) + rng.choice(PIECES)


def _random_char(rng: random.Random) -> str:
    while True:
        code = rng.choice([rng.randint(0, 0x7f), rng.randint(0x80, 0x3000), rng.randint(0x4e00, 0x9fff),
                           rng.randint(0x10000, 0x10ffff)])
        if not 0xD800 <= code <= 0xDFFF:  # lone surrogates cannot be written as UTF-8
            return chr(code)


def _delete(rng: random.Random, lines: list[str]) -> str:
    del lines[rng.randrange(len(lines))]
    return "delete a line"


def _duplicate(rng: random.Random, lines: list[str]) -> str:
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return f"duplicate line {i + 1}"


def _swap(rng: random.Random, lines: list[str]) -> str:
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return f"swap lines {i + 1} and {j + 1}"


def _insert(rng: random.Random, lines: list[str]) -> str:
    i = rng.randrange(len(lines))
    at = rng.randint(0, len(lines[i]))
    piece = random_text(rng)
    lines[i] = lines[i][:at] + piece + lines[i][at:]
    return f"insert {piece!r} in line {i + 1}"


def _cut(rng: random.Random, lines: list[str]) -> str:
    i = rng.randrange(len(lines))
    start = rng.randint(0, len(lines[i]))
    end = rng.randint(start, len(lines[i]))
    lines[i] = lines[i][:start] + lines[i][end:]
    return f"cut columns {start}-{end} of line {i + 1}"


def _indent(rng: random.Random, lines: list[str]) -> str:
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[i] = " " * rng.choice([1, 2, 3, 4, 8]) + lines[i]
    else:
        lines[i] = lines[i].lstrip(" ") if rng.random() < 0.5 else lines[i][1:]
    return f"re-indent line {i + 1}"


def _value(rng: random.Random, lines: list[str]) -> str:
    keyed = [i for i, line in enumerate(lines) if ": " in line]
    i = rng.choice(keyed) if keyed else rng.randrange(len(lines))
    head = lines[i].split(": ", 1)[0]
    piece = random_text(rng)
    lines[i] = f"{head}: {piece}"
    return f"value of line {i + 1} := {piece!r}"


def _new_line(rng: random.Random, lines: list[str]) -> str:
    i = rng.randrange(len(lines) + 1)
    indent = " " * rng.choice([0, 2, 4, 6])
    line = indent + rng.choice([f"{random_text(rng)}: {random_text(rng)}", f"- {random_text(rng)}", random_text(rng)])
    lines.insert(i, line)
    return f"new line {i + 1}"


MUTATIONS: list[Callable[[random.Random, list[str]], str]] = [
    _delete, _duplicate, _swap, _insert, _insert, _insert, _cut, _indent, _value, _value, _new_line,
]


def mutant(case: int) -> tuple[bytes, list[str]]:
    """The county file after 1-3 random edits; the same case number always gives the same bytes."""
    rng = random.Random(SEED * 1_000_003 + case)
    lines = ORIGINAL.split("\n")
    done = [rng.choice(MUTATIONS)(rng, lines) for _ in range(rng.choice([1, 1, 2, 3]))]
    raw = "\n".join(lines).encode("utf-8")
    roll = rng.random()
    if roll < 0.04:
        cut = rng.randrange(len(raw))
        raw = raw[:cut]  # may cut a character in half: not UTF-8 any more
        done.append(f"truncate at byte {cut}")
    elif roll < 0.06:
        at = rng.randrange(len(raw))
        raw = raw[:at] + bytes([rng.randint(0x80, 0xff)]) + raw[at:]
        done.append(f"raw byte at {at}")
    return raw, done


def _case_params(cases: Iterator[int]) -> list[object]:
    return [pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN_FAILING_OUTSIDE_YAMLFILE[case], strict=True))
            if case in KNOWN_FAILING_OUTSIDE_YAMLFILE else case for case in cases]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(ROOT / "data", data)
    return data


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def explain(case: int, raw: bytes, done: list[str], detail: str) -> str:
    shown = raw.decode("utf-8", "backslashreplace")
    return f"mutant {case} ({'; '.join(done)}): {detail}\n--- mutant ---\n{shown}"


@pytest.mark.parametrize("case", _case_params(iter(range(CASES))))
@pytest.mark.slow
def test_mutant_is_valid_or_refused_line_by_line(case: int, data_dir: Path) -> None:
    raw, done = mutant(case)
    target = data_dir / COUNTY
    target.write_bytes(raw)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    try:
        problems, _ = validate([], data_dir)
    except Hang:
        pytest.fail(explain(case, raw, done, f"took more than {SECONDS} s"))
    except Exception as exc:  # what the CLI would print as 内部错误
        pytest.fail(explain(case, raw, done, f"{type(exc).__name__}: {exc}"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        target.write_text(ORIGINAL, encoding="utf-8")
    bad = [str(p) for p in problems if not LINE.match(str(p))]
    assert not bad, explain(case, raw, done, f"lines not file:line: key: message: {bad}")


@pytest.mark.parametrize("case", _case_params(iter(range(CLI_CASES))))
@pytest.mark.slow
def test_mutant_through_the_cli(case: int, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    raw, done = mutant(case)
    (data / COUNTY).write_bytes(raw)
    try:
        result = subprocess.run([sys.executable, "-m", "brief.cli", "validate", "--data", "data"],
                                capture_output=True, text=True, cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(explain(case, raw, done, "brief validate hung"))
    detail = f"exit {result.returncode}\n{result.stderr}"
    assert result.returncode in (0, 1), explain(case, raw, done, detail)  # a signal is negative
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, explain(case, raw, done, detail)
    if result.returncode == 1:
        assert result.stderr and all(LINE.match(line) for line in result.stderr.splitlines()), \
            explain(case, raw, done, detail)
    else:
        assert result.stderr == "", explain(case, raw, done, detail)
