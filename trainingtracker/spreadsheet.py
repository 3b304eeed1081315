"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection).

A cell starting with =, +, -, @, a tab or a carriage return is run as a formula by Excel and
LibreOffice; written with an apostrophe in front, it is shown as the text it is (the apostrophe
is the spreadsheets' own "this is text" mark, hidden when shown). A cell that starts with an
apostrophe gets one more, so that reading a cell back takes exactly one off what `cell_out`
added: a CSV exported, edited and imported again holds the values it was exported with.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def cell_out(value) -> str:
    """`value` as a CSV cell that no spreadsheet takes for a formula."""
    text = str(value)
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def cell_in(text: str) -> str:
    """What `cell_out` was given, from the cell it wrote (or a spreadsheet saved again)."""
    return text[1:] if text.startswith(TEXT_MARK) else text
