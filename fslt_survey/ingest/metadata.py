"""Metadata columns of each survey tool: which columns are not answers, and what they hold.

Each table maps a role (``respondent_id``, ``started``, ``submitted``, ``status``, ...) to the
headers a tool writes for it, compared case- and punctuation-insensitively (:func:`name_key`).
The readers use them to recognise a layout (Microsoft Forms by its leading columns, Google Forms
by its first) and to set metadata aside; column matching in :mod:`fslt_survey.clean.match` uses
:data:`ANY_ROLES` for generic files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fslt_survey.ingest.raw import name_key

#: Microsoft Forms metadata columns (role -> accepted headers, compared case- and
#: punctuation-insensitively). English UI first, then the Danish UI's names and variants.
MSFORMS_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("ID", "Id", "Svar-id"),
    "started": ("Start time", "Starttidspunkt", "Starttid", "Tidspunkt for start"),
    "submitted": ("Completion time", "Fuldførelsestidspunkt", "Tidspunkt for fuldførelse",
                  "Afslutningstidspunkt", "Sluttidspunkt", "Sluttid"),
    "email": ("Email", "E-mail", "Mail", "Mailadresse", "E-mailadresse"),
    "name": ("Name", "Navn"),
    "modified": ("Last modified time", "Tidspunkt for seneste ændring",
                 "Tidspunkt for sidste ændring", "Seneste ændringstidspunkt", "Senest ændret",
                 "Sidst ændret"),
    "points": ("Total points", "Samlet antal point", "Point i alt", "Samlede point"),
    "feedback": ("Quiz feedback", "Quizfeedback", "Feedback på quiz"),
    "graded": ("Grade posted time", "Tidspunkt for offentliggørelse af karakter"),
}
#: Google Forms metadata columns (the first column must be the timestamp).
GOOGLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "submitted": ("Timestamp", "Tidsstempel"),
    "email": ("Email Address", "Email", "E-mailadresse", "Mailadresse", "E-mail"),
    "points": ("Score", "Samlet score"),
}
#: SurveyXact dataset columns that are not questions (plus ``stat*`` status columns).
SURVEYXACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("respondentid", "respondent_id", "respondent"),
    "created": ("created", "createtime", "createdate"),
    "started": ("starttime", "startdate"),
    "submitted": ("closetime", "closedate", "completetime", "completiontime"),
    "modified": ("lastchanged", "lastmodified", "changetime", "modified"),
    "duration": ("difftime",),
    "email": ("email", "e_mail", "mail"),
    "name": ("name", "navn"),
    "status": ("statoverall", "status", "statstatus", "digitaldistributionstatus"),
    "distribution": ("distributiondate", "distributiontime", "sendtime"),
    "language": ("language", "sprog"),
}
#: Other platforms' metadata (Qualtrics, LimeSurvey): used for SPSS files and as a fallback.
PLATFORM_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("ResponseId", "ResponseID", "id", "token"),
    "started": ("StartDate", "startdate"),
    "submitted": ("EndDate", "submitdate", "RecordedDate"),
    "modified": ("datestamp",),
    "status": ("Status", "Finished", "Progress", "lastpage"),
    "email": ("RecipientEmail",),
    "name": ("RecipientFirstName", "RecipientLastName"),
    "ip": ("IPAddress", "ipaddr"),
    "duration": ("Duration (in seconds)", "Duration__in_seconds_"),
    "language": ("UserLanguage", "startlanguage"),
    "location": ("LocationLatitude", "LocationLongitude"),
    "channel": ("DistributionChannel", "refurl"),
    "external_id": ("ExternalReference", "ExternalDataReference"),
}
#: Every metadata table by layout (SPSS files: SurveyXact's names and the other platforms').
METADATA_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "msforms": MSFORMS_COLUMNS, "googleforms": GOOGLE_COLUMNS,
    "surveyxact": SURVEYXACT_COLUMNS,
    "spss": {role: SURVEYXACT_COLUMNS.get(role, ()) + PLATFORM_COLUMNS.get(role, ())
             for role in {**SURVEYXACT_COLUMNS, **PLATFORM_COLUMNS}},
}

QUIZ_RE = re.compile(r"^\s*(points?|pointtal|score|feedback|tilbagemelding)\s*[-–:]\s*(\S.*)$",
                      re.IGNORECASE)


#: SurveyXact's status variables: the groups ``statoverall`` (option columns ``stato_1`` ...
#: ``stato_5`` or ``statoverall_1`` ...), ``statinternal``, ``statcreation``,
#: ``statdistribution``, ``statsource``, ``statcollect``.
SX_STATUS_RE = re.compile(
    r"^stat(o|overall|us|status|internal|creation|distribution|source|collect)?(_\w+)?$",
    re.IGNORECASE,
)
#: The overall response status group (``statoverall`` or its option columns).
SX_OVERALL_RE = re.compile(r"^stat(o|overall)(_(\d+))?$", re.IGNORECASE)


def _role_table(*tables: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in tables:
        for role, names in table.items():
            for name in names:
                out.setdefault(name_key(name), role)
    return out


MS_ROLES = _role_table(MSFORMS_COLUMNS)
GOOGLE_ROLES = _role_table(GOOGLE_COLUMNS)
SX_ROLES = _role_table(SURVEYXACT_COLUMNS)
SPSS_ROLES = _role_table(SURVEYXACT_COLUMNS, PLATFORM_COLUMNS)
ANY_ROLES = _role_table(MSFORMS_COLUMNS, GOOGLE_COLUMNS, SURVEYXACT_COLUMNS, PLATFORM_COLUMNS)


def layout_of(header: list[str | None]) -> str | None:
    names = [h or "" for h in header]
    if msforms_metadata(names) is not None:
        return "msforms"
    if google_metadata(names) is not None:
        return "googleforms"
    return None


def _leading(names: list[str], roles: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        role = roles.get(name_key(name)) if name else None
        if role is None:
            break
        out[name] = role
    return out


def quiz_role(name: str) -> str | None:
    m = QUIZ_RE.match(name)
    if m is None:
        return None
    return "feedback" if m[1].casefold() in ("feedback", "tilbagemelding") else "points"


def msforms_metadata(names: list[str]) -> dict[str, str] | None:
    meta = _leading(names, MS_ROLES)
    roles = set(meta.values())
    if "respondent_id" not in roles or not roles & {"started", "submitted"}:
        return None
    for name in names:
        role = quiz_role(name) or (MS_ROLES.get(name_key(name)) if name not in meta else None)
        if name not in meta and role in ("points", "feedback", "graded"):
            meta[name] = role
    return meta


def google_metadata(names: list[str]) -> dict[str, str] | None:
    if not names or GOOGLE_ROLES.get(name_key(names[0])) != "submitted":
        return None
    return _leading(names, GOOGLE_ROLES)
