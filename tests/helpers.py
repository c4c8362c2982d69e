"""What the tests use to read outputs the way a user's tools would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
WJ = "\u2060"  # WORD JOINER: the DOCX writer keeps each figure with its unit by it; text checks drop it


def brief(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brief", *args], capture_output=True, text=True, cwd=cwd)


def render_once(factory: object, *args: str) -> Path:
    """Run one ``brief render``/``summary`` into a fresh dir; the year folder it wrote."""
    out = factory.mktemp("out")  # type: ignore[attr-defined]
    result = brief(*args, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / args[args.index("--year") + 1]


def data_copy(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> Path:
    """The project's data dir copied under ``tmp_path``, with text replaced per file (each must match)."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for rel, (old, new) in (edits or {}).items():
        path = data / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data


def pdftotext(path: Path, *flags: str) -> str:
    return subprocess.run(["pdftotext", *flags, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_body(path: Path) -> str:
    """The PDF's text without page furniture (page numbers, the draft watermark), squashed."""
    lines = [ln for ln in pdftotext(path, "-raw").splitlines()
             if not re.fullmatch(r"\s*— \d+ —\s*", ln) and ln.strip() != "征求意见稿"]
    return squash("\n".join(lines))


def pdffonts_rows(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def docx_paragraphs(path: Path, tables: bool = True) -> list[str]:
    """Every non-empty paragraph in document order; ``tables=False`` keeps top-level ones only."""
    import docx

    body = docx.Document(str(path)).element.body
    blocks = body.iter() if tables else iter(body)
    out = []
    for block in blocks:
        if block.tag.endswith("}p"):
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")).replace(WJ, "")
            if text.strip():
                out.append(text)
    return out


def docx_cells(path: Path) -> list[str]:
    import docx

    return [cell.text.replace(WJ, "") for table in docx.Document(str(path)).tables for row in table.rows
            for cell in row.cells]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def file_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def has(tool: str) -> bool:
    return shutil.which(tool) is not None


LATIN_ONLY = ("DejaVu", "Liberation")  # LibreOffice's own Latin families: no CJK glyphs


def cjk_in_latin_fonts(path: Path) -> tuple[int, list[tuple[str, str]]]:
    """A PDF's CJK characters: how many, and those set in a Latin-only font (a wrong fallback, as
    headings once fell back to DejaVu). The Latin text may use whatever the machine substitutes for
    Times New Roman (Liberation Serif, DejaVu Serif…): that is not asked."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        chars = [(c["text"], c["fontname"]) for page in pdf.pages for c in page.chars if ord(c["text"][0]) >= 0x2E80]
    return len(chars), sorted({(t, f) for t, f in chars if any(n in f for n in LATIN_ONLY)})
