"""Survey instruments (codebooks): YAML -> frozen dataclasses, validated once at load.

An instrument file describes one questionnaire. The format (see ``surveys/README.md``)::

    instrument: medlemsundersoegelse      # stable id
    title: Medlemsundersøgelse
    kind: member                          # member | evaluation
    waves: [2025, 2027]                   # the waves the instrument is fielded in
    scales:
      grad:
        ordered: true
        labels:
          - {code: 1, label: I høj grad}
          - {code: 2, label: I nogen grad}
          - {code: 9, label: Ved ikke, missing: true}
    sections:
      - id: behov
        title: Foreningens behov
        theme: behov                      # report theme the items feed
        goals: [1]                        # strategic goals 1-4 the items serve
        items:
          - id: behov_frivillige
            text: I hvilken grad har foreningen behov for hjælp til at rekruttere frivillige?
            type: likert                  # single | multi | likert | numeric | text | association
            scale: grad
            sx: q12_1                     # optional SurveyXact variable name
            short: Rekruttering af frivillige
            core: true                    # asked in every wave with this id
            sensitive: false              # true: all-or-none answers of a group are hidden too

Loading reports *every* problem at once, each with file, item id and what is wrong.

Examples
--------
>>> from fslt_survey.codebook import normalise
>>> normalise("  I  HØJ grad. ")
'i høj grad'
"""

from __future__ import annotations

from fslt_survey.codebook.model import (
    CHOICE_TYPES,
    ITEM_TYPES,
    KINDS,
    Condition,
    Instrument,
    Item,
    Label,
    Scale,
    Section,
    choice_name,
    normalise,
)
from fslt_survey.codebook.parse import load_instrument, parse_instrument

__all__ = [
    "CHOICE_TYPES",
    "ITEM_TYPES",
    "KINDS",
    "Condition",
    "Instrument",
    "Item",
    "Label",
    "Scale",
    "Section",
    "choice_name",
    "load_instrument",
    "normalise",
    "parse_instrument",
]
