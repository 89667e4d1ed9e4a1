"""Deterministic generator of realistic, fictional raw exports (the demo data in ``surveys/demo``).

``python -m fslt_survey.demo`` (or :func:`write_demo`) writes, byte-identically for a seed:

========================================================  ======================================
file below ``surveys/demo/``                              what
========================================================  ======================================
``medlemsundersoegelse/2025/dataset.csv``,                baseline in SurveyXact: cp1252, ``;``,
``structure.csv``, ``labels.csv``                         CRLF; 182 rows, 115 never answered
``medlemsundersoegelse/2025/microsoft_forms_2025.xlsx``   9 late answers via a Microsoft Forms
                                                          copy (Danish UI metadata)
``medlemsundersoegelse/2027/dataset.csv``, ...            follow-up in SurveyXact: UTF-16 LE
                                                          with BOM, tab, CRLF; 181 rows, 114
                                                          never answered
``moedeevaluering/2025/microsoft_forms_2025.xlsx``        4 network meetings, 44 evaluations
``moedeevaluering/2026/microsoft_forms_2026.xlsx``        2 network meetings, 24 evaluations
``README.md``                                             the files and every planted case
========================================================  ======================================

The associations are those of the fictional registry ``surveys/members.csv``; the answers are
simulated. Xlsx files have fixed document properties and zip timestamps.

SurveyXact ``dataset.csv`` columns (as SurveyXact writes them: :mod:`fslt_survey.demo.surveyxact`)
    ``respondentid`` (the mailing list holds two contacts per association: the chair, 2025 =
    4812300 + the association's registry position, and the treasurer, 4812400 + position; an
    extra contact from 4812391, the centre's test respondent 4812399; 2027 likewise from
    7391200), the background variable ``forening`` (the association's name as on FSLT's mailing
    list), one column per item named by its ``sx`` variable (codes for single/likert items,
    ``<sx>_<code>`` per multi-select option: 1 if ticked, else 0 for everybody, invitees
    included; raw numbers; raw text), the overall status as the Multiple group ``stato_1`` ...
    ``stato_5`` (1 Ny, 2 Distribueret, 3 Nogle svar, 4 Gennemført, 5 Frafaldet; the demo uses 2
    for invitees who never answered, 3 for partial and blank responses, 4), then ``created``,
    ``modified``, ``closetime``, ``starttime`` (``dd-mm-yyyy HH:MM:SS``), ``difftime``
    (seconds), ``email`` (fictional mailing-list addresses) and ``name``. ``structure.csv``
    types: Closed/Single, Closed/Multiple, Open/Double, Open/String.

Microsoft Forms files
    Answers are text cells (numbers as typed), multi-select ``A;B;``, ``Mail`` ``anonymous``
    except the centre's own test; one late answer (F086) was edited two days later
    (``Tidspunkt for seneste ændring``). Meeting codes and associations are typed by hand.

The model (what the analyses will find) is described in :mod:`fslt_survey.demo.model`, which
holds it (the Danish phrase pools are in :mod:`fslt_survey.demo.text`);
:mod:`fslt_survey.demo.responses` makes the response frames and :mod:`fslt_survey.demo.build`
plants the problems below. This module lists them, writes the files and re-exports the public
names of those modules.

Planted problems: each one with file, row, id, column, value and expected outcome in
:data:`DEMO_CASES` (rows as a user sees the file, header = row 1); totals in :data:`DEMO_SUMMARY`.

===============  ==========================================  ====================================
case             where                                       expected cleaning outcome
===============  ==========================================  ====================================
duplicate        F033 twice in SX 2025 (partial, then        the earlier, less complete response
                 complete); F065 partial in SX 2025, then    is excluded (3 rows); the later,
                 complete in Forms; F021 twice in SX 2027    complete one is kept
partial          F012, F050 (SX 2025), F084 (SX 2027)        kept; later sections unanswered
blank            F041 (SX 2025), F031 (SX 2027)              excluded as blank (2 rows)
test             SX 2025 "Test"; Forms 2025 "test test"      excluded as test (2 rows)
not_member       Forms 2025 "Lyngby-Taarbæk Bridgeklub"      excluded as not a member (1 row)
name_variant     Forms 2025: case, spaces, hyphen, "."       linked after normalisation (6)
label_variant    Forms 2025: "I NOGEN GRAD", "i høj grad ",  recoded to the scale label (5)
                 "En  eller to gange om året", ...
label_alias      Forms 2025: "Ved ikke/ikke relevant"        typed missing "Ved ikke" (1)
unknown_label    Forms 2025: "Meget høj grad"                missing "Ugyldigt svar", logged (1)
out_of_range     Forms 2025: 999999 members                  missing "Ugyldigt svar", logged (1)
decimal_comma    Forms 2025: "12,0" volunteers               12 (1)
thousands_space  Forms 2025: "1 200" members                 1200 (1)
pii_*, url       SX 2025 texts: e-mail, +45 12 34 56 78,     redacted in the clean text (7);
                 12345678, tlf. 45 87 12 34, 010190-1234,    a personal name (Lise Holm) stays
                 a URL; SX 2027: an e-mail                   unless a name list is given
formula          SX 2025: the only cell ``=HYPERLINK(...)``  kept as text, never a formula
script           Forms 2025: ``<script>alert(1)</script>``   kept as text, escaped when shown
multiline        SX 2025: a quoted answer with line breaks   one cell
meeting_code     evaluations: "m2025-04", " M2025-09",       the meeting's code (3)
                 "m2026-03 "
===============  ==========================================  ====================================

Building blocks for benchmarks and tests: :func:`generate_member_responses`,
:func:`generate_meeting_responses` and the writers of :mod:`fslt_survey.demo.writers`
(re-exported here). With ``n`` larger than the registry, associations are drawn with
replacement (each row keeps its association's traits). Everything is vectorised: a million
responses generate in about 5 s and write as a SurveyXact trio in about 8 s.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import load_instrument
from fslt_survey.demo.build import (
    EV25,
    EV26,
    EVALUATION,
    MEMBER,
    MSF25,
    SX25,
    SX27,
    DemoBuild,
    DemoCase,
    build_demo,
)
from fslt_survey.demo.writers import (
    write_msforms_xlsx,
    write_surveyxact_trio,
)

__all__ = [
    "DEMO_CASES",
    "DEMO_SUMMARY",
    "demo_summary",
    "write_demo",
]

#: Every planted case of the default demo (seed ``config.DEMO_SEED``, the fictional registry);
#: ``tests/demo/test_demo.py`` checks that :func:`build_demo` plants exactly these.
DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("duplicate", SX25, 34, 4812333, "F033", None, None, "excluded:duplicate"),
    DemoCase("duplicate_kept", SX25, 92, 4812391, "F033", None, None, "kept"),
    DemoCase("duplicate", SX25, 66, 4812365, "F065", None, None, "excluded:duplicate"),
    DemoCase("partial", SX25, 13, 4812312, "F012", None, None, "kept:partial"),
    DemoCase("partial", SX25, 51, 4812350, "F050", None, None, "kept:partial"),
    DemoCase("blank", SX25, 42, 4812341, "F041", None, None, "excluded:blank"),
    DemoCase("test", SX25, 93, 4812399, None, "forening", "Test", "excluded:test"),
    DemoCase("pii_email", SX25, 6, 4812305, "F005", "s_31",
             "Vi mangler en ny kasserer. Kontakt gerne vores formand Lise Holm på "
             "lise.holm@example.org, hvis I kender nogen.", "redacted"),
    DemoCase("pii_phone", SX25, 15, 4812314, "F014", "s_32",
             "Ring til mig på +45 12 34 56 78 – så kan jeg forklare, hvorfor §18-ansøgningen "
             "skal gøres enklere.", "redacted"),
    DemoCase("pii_phone", SX25, 23, 4812322, "F022", "s_33",
             "Vores nye kasserer kan kontaktes på 12345678.", "redacted"),
    DemoCase("pii_phone", SX25, 37, 4812336, "F036", "s_31",
             "Kommunens sagsbehandler (tlf. 45 87 12 34) svarer sjældent, når vi ringer.",
             "redacted"),
    DemoCase("pii_cpr", SX25, 46, 4812345, "F045", "s_33",
             "Banken vil have kassererens CPR-nummer (010190-1234) hvert år – det er bøvlet.",
             "redacted"),
    DemoCase("url", SX25, 55, 4812354, "F054", "s_32",
             "Læs vores forslag til kommunen på https://www.example.org/forening/forslag",
             "redacted"),
    DemoCase("formula", SX25, 68, 4812367, "F067", "s_33",
             '=HYPERLINK("https://www.example.org/aarsberetning";"Se vores årsberetning")',
             "text"),
    DemoCase("multiline", SX25, 80, 4812379, "F079", "s_31",
             "Tre ting:\n1) lokaler\n2) frivillige\n3) økonomi", "text"),
    DemoCase("name_variant", MSF25, 3, 2, "F002", "Hvilken forening svarer du på vegne af?",
             "lyngby skakklub", "link:F002"),
    DemoCase("name_variant", MSF25, 4, 3, "F010", "Hvilken forening svarer du på vegne af?",
             "Lyngby Taarbæk Lokalhistorisk Forening", "link:F010"),
    DemoCase("name_variant", MSF25, 6, 5, "F025", "Hvilken forening svarer du på vegne af?",
             "  Lyngby Hjerteforening ", "link:F025"),
    DemoCase("name_variant", MSF25, 7, 6, "F047", "Hvilken forening svarer du på vegne af?",
             "LYNGBY MOTION FOR SENIORER", "link:F047"),
    DemoCase("name_variant", MSF25, 9, 8, "F063", "Hvilken forening svarer du på vegne af?",
             "Lyngby Hjemløsevenner.", "link:F063"),
    DemoCase("name_variant", MSF25, 10, 9, "F086", "Hvilken forening svarer du på vegne af?",
             "Ældrevenner  Lyngby", "link:F086"),
    DemoCase("duplicate_kept", MSF25, 8, 7, "F065", None, None, "kept"),
    DemoCase("not_member", MSF25, 5, 4, None, "Hvilken forening svarer du på vegne af?",
             "Lyngby-Taarbæk Bridgeklub", "excluded:not_member"),
    DemoCase("test", MSF25, 2, 1, None, "Hvilken forening svarer du på vegne af?",
             "test test", "excluded:test"),
    DemoCase("unknown_label", MSF25, 3, 2, "F002",
             "I hvilken grad har foreningen behov for støtte til at rekruttere nye frivillige?",
             "Meget høj grad", "missing:Ugyldigt svar"),
    DemoCase("label_alias", MSF25, 7, 6, "F047",
             "I hvilken grad har foreningen behov for rådgivning om forsikring?",
             "Ved ikke/ikke relevant", "missing:Ved ikke"),
    DemoCase("out_of_range", MSF25, 7, 6, "F047", "Hvor mange medlemmer har foreningen?",
             "999999", "missing:Ugyldigt svar"),
    DemoCase("thousands_space", MSF25, 4, 3, "F010", "Hvor mange medlemmer har foreningen?",
             "1 200", "value:1200"),
    DemoCase("decimal_comma", MSF25, 6, 5, "F025", "Hvor mange aktive frivillige har foreningen?",
             "12,0", "value:12"),
    DemoCase("script", MSF25, 9, 8, "F063", "Har du andre kommentarer til Frivilligcentret?",
             "<script>alert(1)</script> Tak for hjælpen med vores hjemmeside!", "text"),
    DemoCase("label_variant", MSF25, 6, 5, "F025",
             "I hvilken grad har foreningen behov for støtte til at fastholde sine frivillige?",
             "I NOGEN GRAD", "value:I nogen grad"),
    DemoCase("label_variant", MSF25, 9, 8, "F063",
             "I hvilken grad har foreningen behov for støtte til GDPR og IT?",
             "i høj grad ", "value:I høj grad"),
    DemoCase("label_variant", MSF25, 10, 9, "F086",
             "Hvor ofte har foreningen kontakt med Frivilligcentret?",
             "En  eller to gange om året", "value:En eller to gange om året"),
    DemoCase("label_variant", MSF25, 4, 3, "F010",
             "Det er let at finde ud af, hvem foreningen skal kontakte i kommunen",
             "HELT ENIG", "value:Helt enig"),
    DemoCase("label_variant", MSF25, 8, 7, "F065",
             "I hvilken grad er foreningen villig til at dele sine erfaringer med andre "
             "foreninger?",
             " slet ikke", "value:Slet ikke"),
    DemoCase("duplicate", SX27, 22, 7391221, "F021", None, None, "excluded:duplicate"),
    DemoCase("duplicate_kept", SX27, 92, 7391291, "F021", None, None, "kept"),
    DemoCase("partial", SX27, 85, 7391284, "F084", None, None, "kept:partial"),
    DemoCase("blank", SX27, 32, 7391231, "F031", None, None, "excluded:blank"),
    DemoCase("pii_email", SX27, 17, 7391216, "F016", "s_31",
             "Vi mangler frivillige. Skriv gerne til formand@example.org, hvis I vil hjælpe.",
             "redacted"),
    DemoCase("meeting_code", EV25, 14, 13, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             "m2025-04", "value:M2025-04"),
    DemoCase("meeting_code", EV25, 28, 27, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             " M2025-09", "value:M2025-09"),
    DemoCase("meeting_code", EV26, 2, 1, None,
             "Hvilket møde deltog du i? (mødekoden står på dagsordenen)",
             "m2026-03 ", "value:M2026-03"),
)  # fmt: skip
#: Raw rows and rows expected to survive cleaning per file; associations with a response.
DEMO_SUMMARY: dict[str, dict[str, int]] = {
    SX25: {"rows": 182, "invited": 115, "kept": 63},
    MSF25: {"rows": 9, "invited": 0, "kept": 7},
    SX27: {"rows": 181, "invited": 114, "kept": 65},
    EV25: {"rows": 44, "invited": 0, "kept": 44},
    EV26: {"rows": 24, "invited": 0, "kept": 24},
    "associations": {"2025": 70, "2027": 65, "both": 50},
}


def demo_summary(build: DemoBuild) -> dict[str, object]:
    """Raw rows and expected kept rows per file, and the associations answering per wave."""
    out: dict[str, object] = {}
    for file, df in build.frames.items():
        dropped = sum(c.file == file and c.outcome.startswith("excluded:") for c in build.cases)
        invited = int((df["status"] == "invited").sum()) if "status" in df else 0
        out[file] = {"rows": len(df), "invited": invited, "kept": len(df) - invited - dropped}
    waves = {}
    for wave, files in ((2025, (SX25, MSF25)), (2027, (SX27,))):
        ids: set[str] = set()
        for f in files:
            df = build.frames[f]
            answered = ~df["status"].isin(["blank", "invited"])
            ids |= set(df.loc[answered, "association_id"].dropna())
        waves[wave] = ids
    out["associations"] = {
        "2025": len(waves[2025]),
        "2027": len(waves[2027]),
        "both": len(waves[2025] & waves[2027]),
    }
    return out


def _readme(build: DemoBuild, seed: int) -> str:
    summary = demo_summary(build)
    lines = [
        "# Demo-eksporter (fiktive data)",
        "",
        "Skrevet af `python -m fslt_survey.demo` (`fslt_survey.demo.write_demo`, seed "
        f"{seed}). Ret dem aldrig i hånden: testene kræver, at de er identiske med en ny kørsel.",
        "Foreningerne findes i det fiktive register `surveys/members.csv`; svarene er simulerede.",
        "",
        "| fil | format | rækker | inviteret, ikke besvaret | forventet beholdt |",
        "|---|---|---|---|---|",
    ]
    formats = {
        SX25: "SurveyXact, cp1252, `;` (+ structure.csv, labels.csv)",
        MSF25: "Microsoft Forms xlsx, dansk brugerflade",
        SX27: "SurveyXact, UTF-16 med BOM, tabulator (+ structure.csv, labels.csv)",
        EV25: "Microsoft Forms xlsx, engelsk brugerflade",
        EV26: "Microsoft Forms xlsx, engelsk brugerflade",
    }
    for file, fmt in formats.items():
        s = summary[file]
        assert isinstance(s, dict)
        lines.append(f"| `{file}` | {fmt} | {s['rows']} | {s['invited']} | {s['kept']} |")
    a = summary["associations"]
    assert isinstance(a, dict)
    lines += [
        "",
        f"Foreninger med svar: {a['2025']} i 2025, {a['2027']} i 2027, {a['both']} i begge.",
        "",
        "## Indplantede problemer",
        "",
        "Række = rækken som i filen (overskrift = række 1); id = respondentid / Forms-Id.",
        "",
        "| tilfælde | fil | række | id | forening | kolonne | værdi | forventet |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in build.cases:
        value = "" if c.value is None else c.value.replace("\n", "\\n").replace("|", "\\|")
        col = "" if c.column is None else c.column.replace("|", "\\|")
        lines.append(
            f"| {c.case} | `{c.file}` | {c.row} | {c.id} | {c.association_id or ''} "
            f"| {col} | {value} | {c.outcome} |"
        )
    return "\n".join(lines) + "\n"


def write_demo(
    out_dir: Path | None = None,
    *,
    seed: int = config.DEMO_SEED,
    registry: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the demo exports (see the module docstring); the same seed gives the same bytes.

    Returns the written paths. ``registry`` defaults to ``surveys/members.csv`` (the fictional
    registry the committed demo files and :data:`DEMO_CASES` are made from).
    """
    out_dir = Path(out_dir) if out_dir is not None else config.demo_dir()
    member = load_instrument(config.SURVEYS_DIR / MEMBER / "instrument.yml")
    evaluation = load_instrument(config.SURVEYS_DIR / EVALUATION / "instrument.yml")
    b = build_demo(seed, registry=registry, member=member, evaluation=evaluation)
    paths = write_surveyxact_trio(
        b.frames[SX25], member, out_dir / MEMBER / "2025", encoding="cp1252", delimiter=";"
    )
    paths.append(write_msforms_xlsx(b.frames[MSF25], member, out_dir / MSF25, danish=True))
    paths += write_surveyxact_trio(
        b.frames[SX27], member, out_dir / MEMBER / "2027", encoding="utf-16", delimiter="\t"
    )
    paths.append(write_msforms_xlsx(b.frames[EV25], evaluation, out_dir / EV25, danish=False))
    paths.append(write_msforms_xlsx(b.frames[EV26], evaluation, out_dir / EV26, danish=False))
    readme = out_dir / "README.md"
    readme.write_text(_readme(b, seed), encoding="utf-8", newline="\n")
    return [*paths, readme]


def main() -> None:
    """``python -m fslt_survey.demo``: (re)write the committed demo exports."""
    for path in write_demo():
        print(
            path.relative_to(config.PROJECT_ROOT)
            if path.is_relative_to(config.PROJECT_ROOT)
            else path
        )


if __name__ == "__main__":
    main()
