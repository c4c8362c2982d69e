"""``brief init DIR``: a new office's data dir, copied from the starter files shipped in the package.

The starter (brief/starter/) validates and builds as it is, so a new user sees a brief at once and
edits from there. The copy is made beside DIR and moved into place in one step: an interrupted init
leaves no half-filled data dir.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import BriefError

STARTER = Path(__file__).resolve().parent / "starter"


def init_data(target: Path) -> list[Path]:
    """Write the starter data dir at ``target`` (absent or empty); return the files written."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise BriefError.at(str(target), None, "-", "已有同名的文件；请换一个新目录名")
    if target.is_dir() and any(target.iterdir()):
        raise BriefError.at(str(target), None, "-", "目录不是空的；请换一个新目录名，或先清空它")
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".brief-init-", dir=parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would make the data dir private
        shutil.copytree(STARTER, staging, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        os.replace(staging, target)  # an empty target dir is replaced as a whole
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(p for p in target.rglob("*") if p.is_file())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
