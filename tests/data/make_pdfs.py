"""Write the PDF fixtures used by tests/test_pdf.py (run: python tests/data/make_pdfs.py).

The PDFs are committed; this script documents how they were made and can
rebuild them. It needs fpdf2 (a test dependency).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import EncryptionMethod

HERE = Path(__file__).resolve().parent
STAMP = datetime(2020, 1, 15, 9, 30, tzinfo=UTC)

INTRO = (
    "This strategy sets out how the partnership will reduce crime and disorder across the "
    "district over the next three years. It builds on the strategic assessment and on what "
    "residents told us during the consultation, and it explains how we will tackle "
    "anti-social behaviour together with the police, the fire service and local landlords."
)
PRIORITIES = [
    "Reducing anti-social behaviour in town centres and on housing estates, working with "
    "landlords and the police",
    "Protecting people at risk of domestic abuse and sexual violence",
    "Tackling county lines drug dealing and the exploitation of young people",
    "Preventing serious violence, including knife crime",
    "Reducing re-offending through integrated offender management",
]
WORKSTREAMS = ["Hate crime", "Prevent", "Fraud and scams affecting older residents"]


def _doc(title: str | None = "Greenfield Community Safety Strategy 2020-2023") -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(STAMP)  # fixed: rebuilding gives the same bytes
    if title:
        pdf.set_title(title)
    pdf.core_fonts_encoding = "windows-1252"  # for the bullet \u2022
    pdf.set_author("Greenfield Community Safety Partnership")
    pdf.set_margins(20, 20, 20)
    return pdf


def strategy() -> FPDF:
    pdf = _doc()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 10, "Greenfield Community Safety Strategy 2020-2023")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, "Published 17 December 2019", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, "1. Introduction", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, INTRO)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, "2. Our priorities", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "The partnership has agreed five priorities for 2020-2023:")
    for text in PRIORITIES:
        pdf.set_x(25)
        pdf.multi_cell(0, 6, "\u2022 " + text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Workstreams", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for i, text in enumerate(WORKSTREAMS, 1):
        pdf.set_x(25)
        pdf.multi_cell(0, 6, f"{i}. {text}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, "3. GOVERNANCE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        "The partnership reports to the county strategy board twice a year. Each priority "
        "has a lead officer who reports on progress against the measures below.",
    )
    pdf.ln(3)
    with pdf.table(col_widths=(60, 110), first_row_as_headings=True) as table:
        for row in [
            ("Priority", "Lead agency"),
            ("Anti-social behaviour", "District council"),
            ("Domestic abuse", "County council"),
            ("County lines", "Police"),
        ]:
            r = table.row()
            for cell in row:
                r.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Contact: community.safety@greenfield.example")
    pdf.link(x=20, y=pdf.get_y(), w=60, h=6, link="https://www.greenfield.example/safety")
    pdf.cell(0, 6, "www.greenfield.example/safety", link="https://www.greenfield.example/safety")
    return pdf


def encrypted() -> FPDF:
    pdf = _doc()
    pdf.set_encryption(
        owner_password="owner-secret",
        user_password="reader-secret",
        encryption_method=EncryptionMethod.RC4,
    )
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 6, "Restricted: partnership members only.")
    return pdf


def owner_only() -> FPDF:
    """Encrypted with an owner password only: anyone may read it."""
    pdf = _doc("Owner Locked Plan 2019-2022")
    pdf.set_encryption(owner_password="owner-secret", encryption_method=EncryptionMethod.RC4)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, "Owner Locked Plan 2019-2022", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "This plan can be read by anyone but not edited.")
    return pdf


def bullets_7f() -> bytes:
    """Some generators write the bullet as the byte 0x7f: swap it into an uncompressed file."""
    pdf = _doc("Cross-cutting themes 2021-2024")
    pdf.compress = False
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, "Cross-cutting themes", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for text in ("Mental health", "Substance misuse", "Reducing re-offending"):
        pdf.multi_cell(0, 6, "\u2022 " + text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()).replace(b"(\x95 ", b"(\x7f ")


def textless() -> FPDF:
    pdf = _doc("Scanned")
    pdf.add_page()
    pdf.rect(30, 30, 120, 80, style="F")
    return pdf


def main() -> None:
    strategy_bytes = bytes(strategy().output())
    (HERE / "strategy.pdf").write_bytes(strategy_bytes)
    (HERE / "encrypted.pdf").write_bytes(bytes(encrypted().output()))
    (HERE / "owner_only.pdf").write_bytes(bytes(owner_only().output()))
    (HERE / "bullets_7f.pdf").write_bytes(bullets_7f())
    (HERE / "textless.pdf").write_bytes(bytes(textless().output()))
    # a download cut short: the header and part of the first page, no xref or trailer
    (HERE / "truncated.pdf").write_bytes(strategy_bytes[: len(strategy_bytes) // 3])


if __name__ == "__main__":
    main()
