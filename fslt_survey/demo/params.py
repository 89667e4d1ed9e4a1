"""The parameters of the demo's answer model (see :mod:`fslt_survey.demo.model`): needs by
association type and size, cooperation with the municipality, the change between the waves,
fieldwork dates and mailing-list ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

NEEDS = (
    "rekruttering",
    "fastholdelse",
    "bestyrelse",
    "fundraising",
    "paragraf18",
    "regnskab",
    "gdpr",
    "kommunikation",
    "lokaler",
    "forsikring",
    "boerneattester",
    "uddannelse",
)
NEED_BASE = dict(
    zip(NEEDS, (0.9, 0.3, 0.4, 0.4, 0.0, -0.3, 0.0, 0.3, -0.3, -0.6, -1.0, 0.0), strict=True)
)
NEED_TYPE = {
    "selvhjaelp": {"lokaler": 1.4, "uddannelse": 0.9, "rekruttering": 0.2, "boerneattester": -0.8},
    "aeldre": {"gdpr": 1.3, "bestyrelse": 1.0, "rekruttering": 0.3, "boerneattester": -1.2},
    "kultur": {"lokaler": 1.0, "kommunikation": 1.0, "rekruttering": -0.2, "paragraf18": -0.5},
    "social": {"rekruttering": 0.8, "fundraising": 0.9, "fastholdelse": 0.5, "paragraf18": 0.4},
    "sundhed": {"rekruttering": 0.4, "kommunikation": 0.5, "bestyrelse": 0.4, "gdpr": 0.3},
    "boern": {"boerneattester": 1.8, "rekruttering": 0.6, "fastholdelse": 0.4, "forsikring": 0.4},
}
NEED_SIZE = (
    {"regnskab": 1.0, "paragraf18": 0.5, "fundraising": 0.2, "bestyrelse": 0.3},
    {"regnskab": 0.3},
    {},
    {"regnskab": -0.6, "gdpr": 0.2},
)
NEED_CHANGE = {"gdpr": -0.15, "paragraf18": -0.2, "uddannelse": -0.1}  # per 2 years
NOT_RELEVANT = {"boerneattester": 0.55, "lokaler": 0.08, "forsikring": 0.03}
COOP_MEAN = {
    "roller": -0.4,
    "lytter": 0.1,
    "kontakt": -0.2,
    "anerkendelse": 0.5,
    "inddragelse": -0.6,
}
COOP_CHANGE = {
    "roller": 0.5,
    "lytter": 0.1,
    "kontakt": 0.3,
    "anerkendelse": 0.1,
    "inddragelse": 0.15,
}
COOP_DONTKNOW = {"roller": 0.03, "inddragelse": 0.06, "kontakt": 0.02}
TYPES = ("social", "sundhed", "selvhjaelp", "kultur", "boern", "aeldre")
TYPE_LABELS = (
    "Social og humanitær forening",
    "Sundheds- og patientforening",
    "Selvhjælpsgruppe eller netværk",
    "Kultur og fritid",
    "Børn, unge og familier",
    "Ældre og seniorer",
)
BANDS = ("Under 25", "25-99", "100-499", "500 eller flere")
SELFHELP = dict(zip(TYPES, (0.14, 0.42, 0.9, 0.03, 0.1, 0.08), strict=True))
P18 = dict(zip(TYPES, (0.65, 0.55, 0.55, 0.25, 0.4, 0.45), strict=True))
BUSINESS = dict(zip(TYPES, (0.22, 0.25, 0.08, 0.4, 0.35, 0.15), strict=True))
SH_INTEREST = dict(zip(TYPES, (0.4, 0.6, 0.5, -0.6, 0.2, 0.1), strict=True))
OFFER_KNOWN = {
    "raadgivning": 0.3,
    "kurser": 0.6,
    "lokaler": 0.9,
    "fundraising": -0.4,
    "formidling": 0.1,
    "netvaerk": -0.1,
    "nyhedsbrev": 1.0,
    "selvhjaelp": -0.8,
}
FIELDWORK = {2025: "2025-03-03", 2027: "2027-03-01"}
SX_ID_BASE = {2025: 4_812_300, 2027: 7_391_200}


def column(s: pd.Series) -> np.ndarray:
    """A profile column as a numpy array (strings as objects)."""
    return s.to_numpy(dtype=object) if s.dtype.kind not in "biufM" else s.to_numpy()


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def change(wave: int) -> float:
    """Share of the 2025 -> 2027 change reached in a wave (0 in 2025, 1 from 2027)."""
    return float(np.clip((wave - 2025) / 2, 0.0, 1.0))


