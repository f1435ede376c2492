"""Render a .pptx to one PNG per slide with LibreOffice headless (to look at exported decks).

    python scripts/render_pptx_preview.py deck.pptx --out-dir /tmp/preview

Needs `soffice` (Debian: apt-get install libreoffice-impress). LibreOffice converts the deck
to PDF (its PNG filter only writes the first slide); pypdfium2 renders each PDF page.
Native charts are redrawn by LibreOffice from the embedded data, so the preview also checks
that the chart data survived.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pptx_to_pdf(pptx: Path, out_dir: Path, timeout: int = 180, locale: str = "sv_SE.UTF-8") -> Path:
    """LibreOffice shows chart numbers in its own locale (PowerPoint: the OS locale); a
    Swedish locale makes the preview look like Swedish PowerPoint ("0,9")."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) not found; apt-get install libreoffice-impress")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        # A private profile: parallel runs do not fight over ~/.config/libreoffice.
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(pptx)],
            check=True, capture_output=True, timeout=timeout,
            env={**os.environ, "LANG": locale, "LC_ALL": locale})
    pdf = out_dir / (pptx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {pptx}")
    return pdf


def pdf_to_pngs(pdf: Path, out_dir: Path, scale: float = 1.5) -> list[Path]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    paths = []
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=scale).to_pil()
            path = out_dir / f"{pdf.stem}-slide{i + 1}.png"
            image.save(path)
            paths.append(path)
    finally:
        doc.close()
    return paths


def render(pptx: Path, out_dir: Path) -> list[Path]:
    return pdf_to_pngs(pptx_to_pdf(pptx, out_dir), out_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pptx", type=Path)
    ap.add_argument("--out-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    out_dir = args.out_dir or args.pptx.with_suffix("")
    for p in render(args.pptx, out_dir):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
