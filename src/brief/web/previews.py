"""Page images of a built PDF for the browser: pdftoppm once per PDF content, cached by its hash."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from pathlib import Path

RESOLUTION = 80  # dpi: an A4 page is 660 px wide, readable on a 1280×800 screen
_PAGE = re.compile(r"-(\d+)\.png$")
_lock = threading.Lock()


class PreviewError(Exception):
    """A one-line Chinese reason the pages cannot be shown."""


def pages(pdf: Path, cache: Path) -> tuple[str, int]:
    """The PDF's hash (the cache key) and its number of pages, rendering them when not yet cached."""
    try:
        data = pdf.read_bytes()  # once: a build may replace the PDF while we render it
    except OSError:  # removed since the page listed it
        raise PreviewError("这份简报的 PDF 刚被移走或正在重新生成：请稍后刷新页面") from None
    digest = hashlib.sha256(data).hexdigest()
    folder = cache / digest
    with _lock:  # two tabs opening one brief render it once
        if not (folder / "done").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            # pdftoppm reads the bytes that were hashed, not the path again: pages of a newer PDF
            # must never be kept under the hash of the older one
            snapshot = folder / "snapshot.pdf"
            snapshot.write_bytes(data)
            try:
                subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-png", str(snapshot), str(folder / "page")],
                               check=True, capture_output=True, timeout=120)
            except FileNotFoundError:
                raise PreviewError("预览需要 pdftoppm（poppler-utils），请先安装") from None
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                raise PreviewError("无法生成预览图片：PDF 可能已损坏，请重新生成") from None
            finally:
                snapshot.unlink(missing_ok=True)
            (folder / "done").write_text("")
    return digest, len(_files(folder))


def page_file(cache: Path, digest: str, number: int) -> Path | None:
    """The cached image of page ``number`` (1-based) of the PDF with this hash."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    files = _files(cache / digest)
    return files[number - 1] if 1 <= number <= len(files) else None


def _files(folder: Path) -> list[Path]:
    found = [(int(m.group(1)), p) for p in folder.glob("page-*.png") if (m := _PAGE.search(p.name))]
    return [p for _, p in sorted(found)]
