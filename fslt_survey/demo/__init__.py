"""Deterministic generator of realistic, fictional raw exports (``python -m fslt_survey.demo``).
"""

from __future__ import annotations

from fslt_survey.demo.build import (
    CENTRE_EMAIL,
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
from fslt_survey.demo.generator import (
    DEMO_CASES,
    DEMO_SUMMARY,
    demo_summary,
    write_demo,
)
from fslt_survey.demo.params import (
    NEEDS,
)
from fslt_survey.demo.responses import (
    DEMO_MEETINGS,
    association_profiles,
    generate_meeting_responses,
    generate_member_responses,
)
from fslt_survey.demo.surveyxact import (
    write_spss,
    write_surveyxact_trio,
)
from fslt_survey.demo.text import (
    CHALLENGES,
    COMMENTS,
    COMMENTS_LATER,
    MEETING_COMMENTS,
    RECOMMENDATIONS,
    RECOMMENDATIONS_GENERAL,
)
from fslt_survey.demo.writers import (
    META_COLUMNS,
    write_googleforms_csv,
    write_msforms_xlsx,
)

__all__ = [
    "CENTRE_EMAIL",
    "CHALLENGES",
    "COMMENTS",
    "COMMENTS_LATER",
    "DEMO_CASES",
    "DEMO_MEETINGS",
    "DEMO_SUMMARY",
    "EV25",
    "EV26",
    "EVALUATION",
    "MEETING_COMMENTS",
    "MEMBER",
    "META_COLUMNS",
    "MSF25",
    "NEEDS",
    "RECOMMENDATIONS",
    "RECOMMENDATIONS_GENERAL",
    "SX25",
    "SX27",
    "DemoBuild",
    "DemoCase",
    "association_profiles",
    "build_demo",
    "demo_summary",
    "generate_meeting_responses",
    "generate_member_responses",
    "write_demo",
    "write_googleforms_csv",
    "write_msforms_xlsx",
    "write_spss",
    "write_surveyxact_trio",
]
