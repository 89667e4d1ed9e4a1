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
