"""Code 128 (set B) drawn by hand: the bars of a barcode as widths, for the return label.

No dependency: the symbol table is the standard one (ISO/IEC 15417), each symbol six
alternating bar/space widths of 11 modules; the stop symbol is 13. Set B covers printable
ASCII (32–126), enough for RMA numbers such as "R-1001-1".
"""

from __future__ import annotations

_TABLE = """
    212222 222122 222221 121223 121322 131222 122213 122312 132212 221213
    221312 231212 112232 122132 122231 113222 123122 123221 223211 221132
    221231 213212 223112 312131 311222 321122 321221 312212 322112 322211
    212123 212321 232121 111323 131123 131321 112313 132113 132311 211313
    231113 231311 112133 112331 132131 113123 113321 133121 313121 211331
    231131 213113 213311 213131 311123 311321 331121 312113 312311 332111
    314111 221411 431111 111224 111422 121124 121421 141122 141221 112214
    112412 122114 122411 142112 142211 241211 221114 413111 241112 134111
    111242 121142 121241 114212 124112 124211 411212 421112 421211 212141
    214121 412121 111143 111341 131141 114113 114311 411113 411311 113141
    114131 311141 411131 211412 211214 211232
""".split()
PATTERNS: list[str] = [*_TABLE, "2331112"]  # values 0–105, then STOP (106)
START_B = 104
STOP = 106


class BarcodeError(ValueError):
    pass


def values(text: str) -> list[int]:
    """Symbol values: start B, the characters, the checksum, stop."""
    if not text:
        raise BarcodeError("Nothing to encode.")
    out = [START_B]
    for char in text:
        code = ord(char)
        if not 32 <= code <= 126:
            raise BarcodeError(f"{char!r} cannot be encoded in Code 128 set B.")
        out.append(code - 32)
    checksum = (out[0] + sum(position * value for position, value in enumerate(out[1:], start=1))) % 103
    return [*out, checksum, STOP]


def widths(text: str) -> list[int]:
    """Alternating bar, space, bar… widths in modules, starting with a bar (no quiet zones)."""
    return [int(w) for value in values(text) for w in PATTERNS[value]]


def bars(text: str) -> list[tuple[int, int]]:
    """(x, width) of each bar, in modules from the first bar's left edge."""
    out, x = [], 0
    for index, width in enumerate(widths(text)):
        if index % 2 == 0:
            out.append((x, width))
        x += width
    return out
