"""What a handout adds for the meeting itself: the programme, room for notes, the evaluation.

Split from :mod:`fslt_survey.network.handouts` (issue 19). The programme divides the meeting's
declared time (``time: "16:00-18:00"`` in ``netvaerk.yml``) into the usual parts of a network
meeting, on five-minute marks; the evaluation is the form's address (``evaluering:``) with the
meeting code, as a short link and a QR code generated offline (``segno``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import segno

from fslt_survey.danish import clock, time_range
from fslt_survey.errors import ConfigError
from fslt_survey.network.data import Meeting
from fslt_survey.tables import escape_markdown, markdown_image

__all__ = [
    "PROGRAMME",
    "agenda_markdown",
    "evaluation_markdown",
    "meeting_time",
    "notes_markdown",
]

#: The parts of a network meeting and where each starts, as a share of the meeting's time.
PROGRAMME = (
    (0.0, "Velkomst og kort præsentation af de fremmødte foreninger"),
    (0.15, "Tallene fra medlemsundersøgelsen (dette ark)"),
    (0.3, "Drøftelse i små grupper: spørgsmålene på arket"),
    (0.7, "Opsamling: hvad tager foreningerne med hjem?"),
    (0.88, "Evaluering af mødet og aftale om næste møde"),
)


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().replace(".", ":").partition(":")
    return int(hours) * 60 + int(minutes or 0)


def meeting_time(meeting: Meeting) -> str:
    """ "kl. 16.00–18.00" (the Danish style), or "oplyses senere" without a time."""
    if not meeting.time:
        return "oplyses senere"
    start, sep, end = meeting.time.partition("-")
    return time_range(start, end) if sep else f"kl. {clock(start)}"


def agenda_markdown(meeting: Meeting | None) -> str:
    """The programme with times ("kl. 16.00 Velkomst ..."), or a sentence without a time."""
    if meeting is None or not meeting.time:
        return "Programmet sendes ud sammen med invitationen.\n"
    start_text, sep, end_text = meeting.time.partition("-")
    try:
        start, end = _minutes(start_text), _minutes(end_text)
    except ValueError:
        start = end = -1
    if not sep or not 0 <= start < end <= 24 * 60:
        raise ConfigError(
            f"meeting {meeting.id}: time must be a span such as 16:00-18:00",
            expected="HH:MM-HH:MM",
            found=meeting.time,
        )
    rows = []
    for share, text in PROGRAMME:
        at = start + 5 * round(share * (end - start) / 5)
        rows.append(f"| kl. {clock(dt.time(at // 60, at % 60))} | {escape_markdown(text)} |")
    span = time_range(start_text, end_text)
    return (
        "| Tid | Punkt |\n|:--|:--|\n" + "\n".join(rows) + f"\n\n: Program, {span}\n"
    )


def notes_markdown(lines: int = 8) -> str:
    """Room to write: ruled lines in the PDF (a raw Typst block; HTML readers type notes)."""
    rule = "line(length: 100%, stroke: 0.4pt + luma(190))"
    return (
        "Skriv jeres egne noter fra drøftelsen her.\n\n"
        f"```{{=typst}}\n#for _ in range({lines}) {{ v(0.75cm); {rule} }}\n```\n"
    )


def evaluation_markdown(meeting: Meeting | None, url: str | None, folder: str | Path) -> str:
    """The evaluation form: its short link with the meeting code, and a QR code of it."""
    if meeting is None:
        return "Evalueringen åbner, når næste møde er planlagt.\n"
    if not url:
        return (
            f"Evaluér mødet på Frivilligcentrets evalueringsskema med mødekoden "
            f"**{escape_markdown(meeting.id)}**.\n"
        )
    link = f"{url.rstrip('/')}?kode={meeting.id}"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"evaluering-{meeting.id}.svg"
    segno.make(link, error="m").save(path, scale=4, border=2, title=f"Evaluering {meeting.id}")
    image = markdown_image(
        path.as_posix(), alt=f"QR-kode til evalueringen af mødet: {link}", caption=""
    )
    short = link.removeprefix("https://")
    return (
        "Brug 2 minutter på at evaluere mødet: scan koden, eller gå til "
        f"**{escape_markdown(short)}** (mødekode **{escape_markdown(meeting.id)}**).\n{image}"
    )
