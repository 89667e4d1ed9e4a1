"""Shared fixtures: the real instruments, the registry and small hand-made instruments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fslt_survey.codebook import Instrument, load_instrument, parse_instrument
from fslt_survey.registry import load_registry
from tests.site_fixture import site_dir, site_project, site_render  # noqa: F401 - one build

ROOT = Path(__file__).resolve().parent.parent
MEMBER_INSTRUMENT = ROOT / "surveys" / "medlemsundersoegelse" / "instrument.yml"
EVALUATION_INSTRUMENT = ROOT / "surveys" / "moedeevaluering" / "instrument.yml"


@pytest.fixture(autouse=True, scope="session")
def _fictional_registry_for_raw_test_exports():
    """Raw test exports (``clean --raw``) are made from the fictional registry, and real mode
    needs a registry (no fallback): point FSLT_REGISTRY at it for the whole session (it is in
    the render cache key, so it must not change between tests), as an analyst points it at the
    real one. Tests of the missing-registry error delete it with monkeypatch."""
    old = os.environ.get("FSLT_REGISTRY")
    os.environ["FSLT_REGISTRY"] = str(ROOT / "surveys" / "members.csv")
    yield
    if old is None:
        os.environ.pop("FSLT_REGISTRY", None)
    else:
        os.environ["FSLT_REGISTRY"] = old


@pytest.fixture(scope="session")
def member_instrument() -> Instrument:
    return load_instrument(MEMBER_INSTRUMENT)


@pytest.fixture(scope="session")
def evaluation_instrument() -> Instrument:
    return load_instrument(EVALUATION_INSTRUMENT)


@pytest.fixture(scope="session")
def registry():
    return load_registry(ROOT / "surveys" / "members.csv")


def small_instrument_dict() -> dict:
    """A tiny but complete instrument: every item type, a battery, skip logic."""
    return {
        "instrument": "lille",
        "title": "Lille testskema",
        "kind": "member",
        "waves": [2025, 2027],
        "scales": {
            "grad": {
                "ordered": True,
                "labels": [
                    {"code": 1, "label": "I høj grad"},
                    {"code": 2, "label": "I nogen grad"},
                    {"code": 3, "label": "I mindre grad"},
                    {"code": 4, "label": "Slet ikke"},
                    {"code": 9, "label": "Ved ikke", "missing": True},
                ],
            },
            "janej": {
                "ordered": False,
                "labels": [
                    {"code": 1, "label": "Ja"},
                    {"code": 2, "label": "Nej"},
                ],
            },
            "temaer": {
                "ordered": False,
                "labels": [
                    {"code": 1, "label": "Frivillige", "key": "frivillige"},
                    {"code": 2, "label": "Fundraising, fonde og §18", "key": "fundraising"},
                    {"code": 3, "label": "GDPR", "key": "gdpr"},
                ],
            },
        },
        "sections": [
            {
                "id": "a",
                "title": "Del A",
                "goals": [1],
                "items": [
                    {
                        "id": "forening",
                        "text": "Hvilken forening?",
                        "type": "association",
                        "sx": "forening",
                    },
                    {
                        "id": "behov_a",
                        "text": "Behov for A?",
                        "type": "likert",
                        "scale": "grad",
                        "battery": "behov",
                        "sx": "q1_1",
                        "core": True,
                    },
                    {
                        "id": "behov_b",
                        "text": "Behov for B?",
                        "type": "likert",
                        "scale": "grad",
                        "battery": "behov",
                        "sx": "q1_2",
                        "core": True,
                    },
                    {
                        "id": "driver",
                        "text": "Driver I grupper?",
                        "type": "single",
                        "scale": "janej",
                        "sx": "q2",
                    },
                    {
                        "id": "antal",
                        "text": "Hvor mange grupper?",
                        "type": "numeric",
                        "min": 0,
                        "max": 50,
                        "sx": "q3",
                        "relevant": {"item": "driver", "in": ["Ja"]},
                    },
                    {
                        "id": "temaer",
                        "text": "Hvilke temaer?",
                        "type": "multi",
                        "scale": "temaer",
                        "sx": "q4",
                    },
                    {"id": "fritekst", "text": "Største udfordring?", "type": "text", "sx": "q5"},
                ],
            }
        ],
    }


@pytest.fixture
def small_instrument() -> Instrument:
    return parse_instrument(small_instrument_dict())
