#!/usr/bin/env python3
"""A paper figure as a reader's PDF tools see it (plain Python, poppler-utils):
check_figure_pdf.py FIG.pdf "TITLE" [MIN_PT MAX_PT]

Every word (pdftotext -bbox) lies on the page and overlaps no other, words of
three or more characters are MIN_PT..MAX_PT points (default 6..9), the title
appears whole, and every image (pdfimages -list) is losslessly encoded and not
interpolated. Exits non-zero with one line saying what is wrong."""
import html
import re
import subprocess
import sys


def main(pdf, title, low=6.0, high=9.0):
    page = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True, capture_output=True, text=True).stdout
    images = subprocess.run(["pdfimages", "-list", pdf], check=True, capture_output=True, text=True).stdout
    w, h = (float(x) for x in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', page).groups())
    words = [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
    assert len(words) > 10, f"only {len(words)} words"
    text = " ".join(t for *_, t in words)
    assert title in text, f"title cut: {text[:200]}"
    for x0, y0, x1, y1, t in words:
        assert -0.5 <= x0 and x1 <= w + 0.5 and -0.5 <= y0 and y1 <= h + 0.5, f"{t} leaves the page"
        # The box across the reading direction is the font's ascent + descent, 1.164 x its size.
        if len(t) > 2:
            size = min(x1 - x0, y1 - y0) / 1.164
            assert low - 0.2 <= size <= high + 0.2, f"{t}: {size:.1f} pt"

    def overlap(a, b, e=0.3):
        return a[0] + e < b[2] - e and b[0] + e < a[2] - e and a[1] + e < b[3] - e and b[1] + e < a[3] - e

    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            assert not overlap(words[i], words[j]), f"{words[i][4]!r} overlaps {words[j][4]!r}"
    for line in images.splitlines()[2:]:
        cols = line.split()
        assert cols[8] == "image" and cols[9] == "no", f"image not lossless or interpolated: {line}"


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2], *(float(x) for x in sys.argv[3:5]))
    except AssertionError as e:
        sys.exit(f"{sys.argv[1]}: {e}")
