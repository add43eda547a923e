"""A text source as a PDF: headings, lists and tables in reading order, fixed dates, OGL footer."""

from __future__ import annotations

from datetime import UTC, datetime

from source_text import OGL_LINE, Source, plain


def render_pdf(src: Source) -> bytes:
    """A PDF with headings, lists and tables in reading order, fixed dates and OGL footer."""
    from fpdf import FPDF  # imported here so the parser can be used without fpdf2

    meta = src.meta
    footer_left = meta.get("footer", meta["title"])

    class Doc(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("helvetica", size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(
                0,
                4,
                f"{footer_left}   -   Page {self.page_no()}",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            self.cell(0, 4, OGL_LINE, align="C")
            self.set_text_color(0, 0, 0)

    pdf = Doc(format="A4")
    # cp1252 covers the curly quotes, dashes and bullets of the sources with the core fonts
    pdf.core_fonts_encoding = "windows-1252"
    stamp = datetime.combine(src.published, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    pdf.set_creation_date(stamp)
    pdf.set_title(meta["title"])
    pdf.set_author(meta.get("author", "Leicestershire County Council"))
    pdf.set_subject(meta.get("description", meta["title"]))
    pdf.set_keywords(meta.get("keywords", "community safety"))
    pdf.set_creator(meta.get("author", "Leicestershire County Council"))
    # a fixed producer string: the fpdf2 default carries its version, which would change the bytes
    pdf.set_producer("saferkg corpus builder (fpdf2)")
    pdf.set_lang("en-GB")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    sizes = {"h1": 15.0, "h2": 12.5, "h3": 11.0, "h4": 10.5}
    for block in src.blocks:
        if block.kind in sizes:
            pdf.ln(3 if block.kind != "h1" else 0)
            pdf.set_font("helvetica", "B", sizes[block.kind])
            pdf.multi_cell(
                width, sizes[block.kind] * 0.5, plain(block.text), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1.5)
        elif block.kind == "p":
            pdf.set_font("helvetica", size=10.5)
            pdf.multi_cell(width, 5.2, plain(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.2)
        elif block.kind == "note":
            pdf.set_font("helvetica", "I", 8.5)
            pdf.multi_cell(width, 4.4, plain(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif block.kind == "li":
            pdf.set_font("helvetica", size=10.5)
            indent = 6.0 * block.level
            marker = "\u2022" if block.marker == "-" else block.marker
            mark_w = 6.0 if block.marker == "-" else 9.0
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(mark_w, 5.2, marker)
            pdf.multi_cell(
                width - indent - mark_w, 5.2, plain(block.text), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1.2)
        elif block.kind == "table":
            pdf.set_font("helvetica", size=9)
            with pdf.table(width=width, line_height=4.6, first_row_as_headings=True) as table:
                for row in block.rows:
                    r = table.row()
                    for cell in row:
                        r.cell(plain(cell))
            pdf.ln(3)
        elif block.kind == "pagebreak":
            pdf.add_page()
    return bytes(pdf.output())
