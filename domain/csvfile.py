"""Reading a CSV file as spreadsheets save it: bounded in size, streamed row by row.

Excel saves "CSV UTF-8" (with a byte-order mark), plain "CSV" (Windows-1252 in most of the
US), "Unicode Text" (UTF-16, tab-separated), and in some places separates cells with `;`.
Each reads here. A workbook (.xlsx, .xls) or another binary file is refused with how to save
it as CSV UTF-8.
"""
import codecs
import csv
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MAX_MEGABYTES = 20
MAX_CELL = 5000       # characters: the longest a cell may be (a sheriff's counties fit many times over)
SAVE_AS = 'in Excel choose File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)"'
WORKBOOKS = {b"PK\x03\x04": "an Excel workbook (.xlsx)", b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)"}
DELIMITERS = (",", ";", "\t")


class Unreadable(Exception):
    """The file cannot be read as a CSV; the message says why and what to do."""


@dataclass
class Table:
    """A CSV file's header (lower-cased, trimmed) and its records, each with the line it starts on."""

    header: list[str]
    records: Iterator[tuple[int, list[str]]]
    encoding: str


@contextmanager
def opened(path: Path, known_columns: tuple[str, ...], max_megabytes: float = MAX_MEGABYTES) -> Iterator[Table]:
    """The file's header and records, read as they are needed; Unreadable when it is too large,
    not a CSV, or has no header row."""
    encoding = _encoding(path, max_megabytes)
    with _opening(path, encoding) as text:
        first = text.readline()
        if not first.strip():
            raise Unreadable(f"{path} is empty: the first line must be the header row naming the columns.")
        delimiter = _delimiter(first, known_columns)
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        header = [cell.strip().lower() for cell in next(reader)]
        yield Table(header, _records(reader), encoding)


@contextmanager
def _opening(path: Path, encoding: str):
    try:
        with path.open(encoding=encoding, newline="") as text:
            yield text
    except UnicodeDecodeError:   # only a file that changed while it was read
        raise Unreadable(f"{path} changed while it was read, or mixes encodings; {SAVE_AS}.") from None


def _encoding(path: Path, max_megabytes: float) -> str:
    """Refuse a file too large or not text; name the encoding it was saved in."""
    try:
        size = path.stat().st_size
        if size > max_megabytes * 1024 * 1024:
            raise Unreadable(f"{path} is {size / 1024 / 1024:,.1f} MB, larger than the {max_megabytes:g} MB "
                             "allowed: split it into smaller files, or raise the limit with --max-mb.")
        with path.open("rb") as raw:
            encoding = _declared(raw.read(4096))
            if encoding is None and not _decodes(raw, "utf-8"):
                encoding = "cp1252" if _decodes(raw, "cp1252") else "latin-1"
    except OSError as wrong:
        raise Unreadable(f"Cannot read {path}: {wrong.strerror or wrong}.") from None
    return encoding or "utf-8-sig"


def _declared(start: bytes) -> str | None:
    """The encoding a byte-order mark declares (or a UTF-16 file's zero bytes); refuse binary files."""
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for magic, kind in WORKBOOKS.items():
        if start.startswith(magic):
            raise Unreadable(f"This is {kind}, not a CSV file: {SAVE_AS}, and import that file.")
    if b"\x00" in start:
        zeros_odd = start[1::2].count(0) > len(start) // 4
        zeros_even = start[0::2].count(0) > len(start) // 4
        if zeros_odd != zeros_even:
            return "utf-16-le" if zeros_odd else "utf-16-be"
        raise Unreadable(f"This is not a text file (it holds zero bytes): {SAVE_AS}.")
    return None


def _decodes(raw, encoding: str) -> bool:
    """True when the whole file decodes in this encoding (read in chunks: memory stays flat)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    raw.seek(0)
    try:
        while chunk := raw.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(first_line: str, known_columns: tuple[str, ...]) -> str:
    """The separator that splits the header into the most known column names (a comma if none does)."""
    def known(delimiter: str) -> int:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(cell.strip().lower().lstrip("\ufeff") in known_columns for cell in cells)

    return max(DELIMITERS, key=known)


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """Each non-empty record with the line it starts on; a record csv cannot read ends the file."""
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield line, record
            line = reader.line_num + 1
    except csv.Error as wrong:
        raise Unreadable(f"line {line}: this row cannot be read ({wrong}); a quotation mark inside a cell is "
                         "written twice (\"\"), and a cell with a comma in it is put in quotes.") from None
