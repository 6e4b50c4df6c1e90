"""QR codes as a grid of dark and light modules, from reportlab's encoder (the one that
draws the checkpoint PDF's code): the window paints it into an image, the terminal prints
it with half blocks. No other QR library is needed."""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of light border a reader needs (ISO/IEC 18004)


def qr_modules(text: str) -> list[list[bool]]:
    """The modules of ``text``'s QR code (error correction M), True for dark, with the
    quiet zone around them."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    size = count + 2 * QUIET_ZONE
    grid = [[False] * size for _ in range(size)]
    for row in range(count):
        for column in range(count):
            grid[row + QUIET_ZONE][column + QUIET_ZONE] = bool(code.isDark(row, column))
    return grid


def qr_text(text: str) -> str:
    """The QR code for a terminal: two rows of modules per line, with half blocks (dark
    modules as spaces on a light background would depend on the terminal's colours, so
    light modules are drawn: full, upper and lower blocks)."""
    grid = qr_modules(text)
    if len(grid) % 2:
        grid.append([False] * len(grid[0]))
    lines = []
    for top, bottom in zip(grid[0::2], grid[1::2], strict=True):
        line = []
        for dark_top, dark_bottom in zip(top, bottom, strict=True):
            if not dark_top and not dark_bottom:
                line.append("█")
            elif not dark_top:
                line.append("▀")
            elif not dark_bottom:
                line.append("▄")
            else:
                line.append(" ")
        lines.append("".join(line))
    return "\n".join(lines)
