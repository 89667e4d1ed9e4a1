"""Every path and default in one place."""

from __future__ import annotations

import os
from pathlib import Path

#: Root of the project (the folder holding ``_quarto.yml``). Overridable for tests and users
#: who keep their data elsewhere.
PROJECT_ROOT = Path(os.environ.get("FSLT_PROJECT_ROOT", Path(__file__).resolve().parent.parent))

SURVEYS_DIR = PROJECT_ROOT / "surveys"
REPORTS_DIR = PROJECT_ROOT / "reports"
SITE_DIR = PROJECT_ROOT / "_site"
DEMO_DIR = SURVEYS_DIR / "demo"
#: The fictional member registry the demo data is made from (committed).
DEMO_REGISTRY_FILE = SURVEYS_DIR / "members.csv"
#: The member registry used with real data: set ``FSLT_REGISTRY`` to the real registry (kept out
#: of git); without it the fictional demo registry is used.
REGISTRY_FILE = Path(os.environ.get("FSLT_REGISTRY", DEMO_REGISTRY_FILE))
#: Where ``fslt-survey build`` puts the clean data that the reports read.
CLEAN_DIR = PROJECT_ROOT / "build" / "clean"

#: The surveys the toolkit ships with: the member survey (unit: association) and the meeting
#: evaluations (unit: participant), in the order ``fslt-survey build`` cleans them.
MEMBER_SURVEY = "medlemsundersoegelse"
EVALUATION_SURVEY = "moedeevaluering"
SURVEYS = (MEMBER_SURVEY, EVALUATION_SURVEY)

#: Label of the overall row/group in tables that are broken down by a group ("I alt").
TOTAL_LABEL = "I alt"

#: Minimum number of contributors for a published cell (disclosure control).
SUPPRESSION_K = 5

#: Confidence level for every interval.
CONFIDENCE = 0.95

#: Seed of the demo generator.
DEMO_SEED = 2025

#: Typed missing reasons, in the order they are reported.
MISSING_REASONS = ("Ved ikke", "Ikke relevant", "Ønsker ikke at svare")
#: Reason used when a respondent saw an item but left it blank.
NOT_ANSWERED = "Ikke besvaret"

#: The four strategic goals 2025-2027 (number -> Danish short name).
GOALS = {
    1: "Styrkelse af medlemsforeningerne",
    2: "Dialog og samarbejde med kommunen",
    3: "Udvikling af selvhjælpsområdet",
    4: "Styrkelse af Frivilligcentret",
}

#: Unknown answer labels: "fail" stops cleaning, "warn" logs them and sets the value missing.
UNKNOWN_VALUE_POLICY = "warn"

#: Missing reasons the cleaner itself assigns (besides a scale's own missing labels).
INVALID_ANSWER = "Ugyldigt svar"

#: A response is a test response when the association field matches one of these (normalised
#: text, regular expressions).
TEST_PATTERNS = (r"^test\b", r"^prøve\b", r"^testforening\b", r"\btest test\b")

#: Sub-folders of a raw data folder named by wave (a four-digit year).
WAVE_DIR_PATTERN = r"^(19|20)\d\d$"
