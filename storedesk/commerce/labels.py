"""Return labels: a small carrier interface, and the built-in label for stores without a
carrier account (a one-page PDF with the RMA number, the return address and the items).

A carrier account (UPS, DHL, a platform's own return labels) is a new `Carrier` here; the
built-in one never calls out, so it cannot fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from storedesk.commerce.lib import code128
from storedesk.commerce.models import ReturnRequest


@dataclass(frozen=True)
class Label:
    carrier: str
    tracking_number: str
    reference: str


class Carrier(Protocol):
    name: str

    def create_label(self, ret: ReturnRequest) -> Label:
        """Make a prepaid label for `ret`; raise ProviderError(permanent=…) when it cannot."""
        ...


class BuiltinCarrier:
    """No carrier account: the customer prints our label and drops the parcel off; the RMA
    number is the tracking number, and the store marks it received when it arrives."""

    name = "Storedesk label"

    def create_label(self, ret: ReturnRequest) -> Label:
        return Label(carrier=self.name, tracking_number=ret.rma, reference=f"builtin:{ret.rma}")


def carrier_for(ret: ReturnRequest) -> Carrier:
    return BuiltinCarrier()


def _pdf_text(value: str) -> str:
    safe = value.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


BARCODE_BOX = (28.0, 52.0, 250.0, 50.0)  # x, y, most width, height in points (A6 label: 298 × 420)


def barcode_ops(text: str) -> str:
    """PDF drawing operators for `text` as a Code 128 barcode: one filled rectangle per bar,
    modules at most 1.2 pt wide, fitted into BARCODE_BOX; "" when it cannot be encoded."""
    try:
        bars = code128.bars(text)
    except code128.BarcodeError:
        return ""
    x0, y0, most, height = BARCODE_BOX
    total = sum(code128.widths(text))
    module = min(1.2, most / total)
    rects = "".join(f"{x0 + x * module:.2f} {y0} {w * module:.2f} {height} re\n" for x, w in bars)
    return f"0 0 0 rg\n{rects}f\n"


def label_pdf(ret: ReturnRequest, lines: list[str], return_address: list[str]) -> bytes:
    """A one-page A6 PDF: big RMA number, where to send it, what is inside."""
    rows = [(22, 28, 370, f"RETURN {ret.rma}"), (11, 28, 340, f"Order {ret.order.name}")]
    y = 310
    rows.append((10, 28, y, "Send to:"))
    for part in return_address:
        y -= 14
        rows.append((12, 28, y, part))
    y -= 24
    rows.append((10, 28, y, "Items:"))
    for item in lines[:8]:
        y -= 13
        rows.append((10, 28, y, item))
    rows.append((9, 28, 40, ret.rma))
    rows.append((8, 28, 18, f"Write {ret.rma} on the parcel if this label is not stuck on it."))
    stream = "BT\n" + "".join(f"/F1 {size} Tf 1 0 0 1 {x} {yy} Tm ({_pdf_text(t)}) Tj\n" for size, x, yy, t in rows)
    stream += "ET\n0 0 0 RG 4 w 16 352 265 40 re S\n" + barcode_ops(ret.rma)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
