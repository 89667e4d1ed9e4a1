"""User-facing words the built-in engine adds to pages (navigation, callout titles...).

Danish is the house language; English is the fallback for any other ``lang``.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "da": {
        "skip": "Spring til indhold",
        "nav": "Hovedmenu",
        "pdf": "Hent som PDF",
        "other-formats": "Andre formater",
        "toc": "Indhold",
        "code-summary": "Kode",
        "callout-note": "Bemærk",
        "callout-tip": "Tip",
        "callout-warning": "Advarsel",
        "callout-important": "Vigtigt",
        "callout-caution": "Forsigtig",
        "fig": "Figur",
        "tbl": "Tabel",
        "sec": "Afsnit",
        "missing-alt": "Figur uden beskrivelse",
        "table-region": "Tabel (kan rulles vandret)",
        "redirect": "Siden er flyttet til",
        "page": "Side",
        "search": "Søg",
        "search-none": "Ingen sider matcher søgningen",
        "sidebar": "Navigation",
    },
    "en": {
        "skip": "Skip to content",
        "nav": "Main menu",
        "pdf": "Download as PDF",
        "other-formats": "Other formats",
        "toc": "Contents",
        "code-summary": "Code",
        "callout-note": "Note",
        "callout-tip": "Tip",
        "callout-warning": "Warning",
        "callout-important": "Important",
        "callout-caution": "Caution",
        "fig": "Figure",
        "tbl": "Table",
        "sec": "Section",
        "missing-alt": "Figure without description",
        "table-region": "Table (scrolls horizontally)",
        "redirect": "This page has moved to",
        "page": "Page",
        "search": "Search",
        "search-none": "No page matches the search",
        "sidebar": "Navigation",
    },
}


def strings(lang: str | None) -> dict[str, str]:
    """The word list for ``lang`` (``da``, ``da-DK`` ... -> Danish; otherwise English)."""
    base = (lang or "en").split("-")[0].split("_")[0].lower()
    return STRINGS.get(base, STRINGS["en"])


#: Month names for ``date-format: long`` (Quarto's default display of ``date``).
MONTHS: dict[str, tuple[str, ...]] = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
#: The ``date-format`` values the engine implements (others stop the render).
DATE_FORMATS = ("long", "iso")


def format_date(iso: str, fmt: str | None, lang: str) -> str:
    """An ISO date as Quarto displays it: ``long`` (the default) "5. december 2026" in Danish,
    "December 5, 2026" in English; ``iso`` unchanged. A value that is not an ISO date is
    shown as written."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    if (fmt or "long") == "iso":
        return day.isoformat()
    if lang.split("-")[0] == "da":
        return f"{day.day}. {MONTHS['da'][day.month - 1]} {day.year}"
    return f"{MONTHS['en'][day.month - 1]} {day.day}, {day.year}"
