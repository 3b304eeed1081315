"""Reading PDFs back in tests: their text, via poppler's pdftotext."""

import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

FONT = re.compile(rb"/BaseFont\s*/([^\s/>\[\]]+)")


def pdf_text(pdf: bytes) -> str:
    """The text of `pdf` (pdftotext, in reading order); the test is skipped without poppler."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pdf_fonts(pdf: bytes) -> set[str]:
    """The families of the fonts that `pdf` embeds ("TT-Chinese", ...: pdf_fonts.css's names),
    read from its compressed streams, without poppler."""
    found = set()
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            text = zlib.decompressobj().decompress(pdf[match.end() :])
        except zlib.error:
            continue
        found |= {name.split(b"+")[-1].decode() for name in FONT.findall(text)}
    return found
