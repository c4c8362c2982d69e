#!/usr/bin/env bash
# All set-up on a fresh Debian machine (run as root): fonts and checkers from Debian's packages, then
# brief itself from this checkout (pip install -e) with its Python dependencies from PyPI.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei
  texlive-lang-chinese          # FandolFang: the only complete 仿宋 in Debian (converted once, cached)
  fontconfig poppler-utils qpdf # pdffonts/pdftotext/pdftoppm and qpdf --check, used by the tests
  ghostscript                   # gs pdfwrite: the test that text survives a print server
  libreoffice-writer-nogui libreoffice-calc-nogui  # real readers for the DOCX and Excel tests
  chromium chromium-driver      # the browser the brief serve tests drive (Selenium)
)
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || APT_PACKAGES+=(python3)
"$PY" -m pip --version >/dev/null 2>&1 || APT_PACKAGES+=(python3-pip)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pip skips what is already installed; --break-system-packages only where Debian's own Python refuses.
"$PY" -m pip install -q -e '.[test]' 2>/dev/null \
  || "$PY" -m pip install -q --break-system-packages -e '.[test]'

# Convert the OpenType fonts to TrueType once (cached in ~/.cache/brief), so no brief pays for it.
"$PY" -m brief fonts >/dev/null
