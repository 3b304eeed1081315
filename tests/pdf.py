"""Reading PDFs back in tests: their text, via poppler's pdftotext."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


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
