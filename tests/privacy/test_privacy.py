"""Tests for fslt_survey.privacy: redaction, pseudonymisation, suppression and safe output."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fslt_survey import config
from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy import (
    PLACEHOLDERS,
    crosstab_suppression_status,
    escape_html,
    find_recoverable_counts,
    find_recoverable_crosstab,
    neutralise_formula,
    neutralise_frame,
    pseudonymise,
    redact_series,
    redact_series_counts,
    redact_text,
    redact_text_counts,
    scan_for_personal_data,
    suppress_counts,
    suppress_crosstab,
    write_csv_safe,
    write_xlsx_safe,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------
# Redaction
# ---------------------------------------------------------------------------------------------

#: (text, kind) - every spelling must disappear behind the placeholder of its kind.
PERSONAL = [
    ("anna@fslt.dk", "email"),
    ("ANNA.HANSEN@FSLT.DK", "email"),
    ("anna.hansen+nyhedsbrev@mail.example.com", "email"),
    ("kontakt@sub.domæne.lyngby-taarbaek.dk", "email"),
    ("mailto:anna@fslt.dk", "email"),
    ("MAILTO:Anna@Fslt.Dk", "email"),
    ("søren_ø@gmail.com", "email"),
    ("anna (at) fslt (dot) dk", "email"),
    ("anna[at]fslt.dk", "email"),
    ("anna snabel-a fslt.dk", "email"),
    ("anna @ fslt.dk", "email"),
    ("anna @fslt.dk", "email"),
    ("anna@ fslt.dk", "email"),
    ("Anna.Hansen @ Mail.Example.COM", "email"),
    ("anna\u00a0@\u00a0lyngby-taarbaek.dk", "email"),
    ("12345678", "phone"),
    ("12 34 56 78", "phone"),
    ("12-34-56-78", "phone"),
    ("12.34.56.78", "phone"),
    ("1234 5678", "phone"),
    ("1234-5678", "phone"),
    ("123 456 78", "phone"),
    ("+45 12345678", "phone"),
    ("+4512345678", "phone"),
    ("+45 12 34 56 78", "phone"),
    ("+45-1234-5678", "phone"),
    ("0045 12 34 56 78", "phone"),
    ("004512345678", "phone"),
    ("(+45) 12 34 56 78", "phone"),
    ("(45) 1234 5678", "phone"),
    ("45 12 34 56 78", "phone"),
    ("12\u00a034\u00a056\u00a078", "phone"),
    ("12 34 5678", "phone"),
    ("1234 56 78", "phone"),
    ("12-34-5678", "phone"),
    ("1234.56.78", "phone"),
    ("29\u00a047\u00a05861", "phone"),
    ("+45 12 34 5678", "phone"),
    ("0045 1234 56 78", "phone"),
    ("(+45) 29-47-5861", "phone"),
    ("010190-1234", "cpr"),
    ("0101901234", "cpr"),
    ("010190 1234", "cpr"),
    ("311299-4321", "cpr"),
    ("https://www.fslt.dk/kontakt?navn=anna&mail=anna@fslt.dk", "url"),
    ("http://example.com/12345678", "url"),
    ("HTTPS://FSLT.DK/Anna-Hansen", "url"),
    ("www.facebook.com/anna.hansen.123", "url"),
]

#: Spellings glued to words or punctuation: (text, expected result).
GLUED = [
    ("tlf.12345678", "tlf.[telefon]"),
    ("tlf:12 34 56 78", "tlf:[telefon]"),
    ("Tlf.: +45 1234 5678.", "Tlf.: [telefon]."),
    ("ring12345678nu", "ring[telefon]nu"),
    ("cpr:0101901234", "cpr:[CPR-nr.]"),
    ("CPR0101901234x", "CPR[CPR-nr.]x"),
    ("mail:anna@fslt.dk.", "mail:[e-mail]."),
    ("(se www.fslt.dk)", "(se [link])"),
    ("<anna@fslt.dk>", "<[e-mail]>"),
    ("12345678 87654321", "[telefon] [telefon]"),
    ("12345678/87654321", "[telefon]/[telefon]"),
    ("ring 29 47 5861 nu", "ring [telefon] nu"),
    ("tlf:2947 58 61.", "tlf:[telefon]."),
    ("kontakt:anna @ fslt.dk.", "kontakt:[e-mail]."),
    ("(anna @fslt.dk)", "([e-mail])"),
]

#: Ordinary text that must come back unchanged.
ORDINARY = [
    "Vi har 25 medlemmer og 3 frivillige.",
    "Strategien gælder 2025-2027, og i 2025 holder vi generalforsamling.",
    "Kontingentet er 1.500 kr. om året (ca. 125 kr./md.).",
    "Budgettet er 1.234.567,89 kr. og 2.500.000 kr. i alt.",
    "Mødet er den 12-03-2025 kl. 19.30-21.00.",
    "Datoerne 12.03.2025, 2025-03-12 og 12/03/2025.",
    "Uge 12, lokale 3, 2800 Kongens Lyngby, Rustenborgvej 2A.",
    "I perioden 2024–2025 og 1999-2000 voksede vi med 12,5 %.",
    "Svarprocenten var 87 % af 90 foreninger (n = 78).",
    "Vi håber at frivillige.dk vil hjælpe (se side 12-14).",
    "Telefontid: 10-12 og 13-15.",
    "Kontonummer 1234567890 og et ID 123456789012.",
    "Netværket 192.168.10.12 virker.",
    "§ 18-midler på 40.000 kr. i 2023 og 45.000 kr. i 2024.",
    "Mød os @ Rustenborgvej 2A eller @ huset, og skriv @alle i gruppen.",
    "Vi ses @ 19.30 @ frivilligcentret.Kom gerne @ fslt i morgen.",
    "Mødet er den 12 03 2025, fristen 31 12 1999 og 03.31.2025 (amerikansk).",
    "Datoerne 2025 03 12, 2025.03.12 og 1999-12-31.",
    "",
]


@pytest.mark.parametrize(("text", "kind"), PERSONAL)
def test_each_spelling_is_redacted_and_scan_finds_nothing(text: str, kind: str) -> None:
    for context in ("{}", "Skriv: {} tak.", "({})"):
        original = context.format(text)
        red, counts = redact_text_counts(original)
        assert PLACEHOLDERS[kind] in red, (original, red)
        assert counts[kind] >= 1
        assert scan_for_personal_data(red) == []
        assert "@" not in red
        assert not re.search(r"\d{4}", red), red


def test_scan_finds_each_spelling_of_email_phone_and_cpr() -> None:
    for text, kind in PERSONAL:
        if kind == "url":
            continue
        findings = scan_for_personal_data(f"Tekst {text} slut")
        assert [f.kind for f in findings] == [kind], text


@pytest.mark.parametrize(("text", "expected"), GLUED)
def test_glued_spellings(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert redact_text(text) == text
    assert scan_for_personal_data(text) == []


def test_cpr_needs_a_plausible_date() -> None:
    assert redact_text("3213901234") == "3213901234"  # month 13: not a CPR, too long for a phone
    assert redact_text("0000001234") == "0000001234"


def test_spaced_at_needs_a_domain_with_a_plausible_tld() -> None:
    assert redact_text("anna @ fslt.dk") == "[e-mail]"
    assert redact_text("anna @ fslt") == "anna @ fslt"  # no dot
    assert redact_text("mød os @ huset.xyz") == "mød os @ huset.xyz"  # not a plausible TLD
    assert redact_text("mød os @ fslt.dkx") == "mød os @ fslt.dkx"
    assert redact_text("anna@huset.xyz") == "[e-mail]"  # without spaces any TLD counts
    assert [f.kind for f in scan_for_personal_data("skriv til anna @ fslt.dk")] == ["email"]
    assert scan_for_personal_data("skriv til Info @ FSLT.dk", allow=["info@fslt.dk"]) == []


def test_2_2_4_and_4_2_2_need_one_separator_and_must_not_be_a_date() -> None:
    assert redact_text("12 34 5678 og 1234 56 78") == "[telefon] og [telefon]"
    assert redact_text("12 34-5678") == "12 34-5678"  # mixed separators
    for date in ("12 03 2025", "03-12-2025", "12.03.2025", "2025 03 12", "2025-12-03"):
        assert redact_text(date) == date
    assert redact_text("14 13 2025") == "[telefon]"  # neither 14 nor 13 is a month
    assert redact_text("12 03 2125") == "[telefon]"  # not a year 19xx/20xx
    text = "ring 29 47 5861"
    (finding,) = scan_for_personal_data(text)
    assert (finding.kind, text[finding.start : finding.end]) == ("phone", "29 47 5861")


def test_url_with_email_is_one_link() -> None:
    red, counts = redact_text_counts("Se https://x.dk/?mail=anna@x.dk og tlf 12345678")
    assert red == "Se [link] og tlf [telefon]"
    assert counts == {"url": 1, "email": 0, "cpr": 0, "phone": 1, "name": 0}


def test_names_whole_word_case_insensitive() -> None:
    names = ["Anna Hansen", "Bo", "Søren"]
    text = "anna  hansen og BO mødte Søren, Sørens ven og Bodil i Borup."
    assert redact_text(text, names) == "[navn] og [navn] mødte [navn], [navn] ven og Bodil i Borup."
    # a name that equals a placeholder word does not break the placeholders
    assert redact_text("skriv til anna@x.dk", names=["mail", "e"]) == "skriv til [e-mail]"


def test_placeholders_are_left_alone() -> None:
    text = "Allerede redigeret: [e-mail], [telefon], [CPR-nr.], [link], [navn]."
    assert redact_text(text, names=["navn", "link"]) == text


def test_na_stays_na_and_series_keep_index() -> None:
    s = pd.Series(["ring 12345678", None, "ok", 12345678.0], index=[5, 6, 7, 8], name="fritekst")
    out, counts = redact_series_counts(s)
    assert out.index.tolist() == [5, 6, 7, 8] and out.name == "fritekst"
    assert out.tolist()[0] == "ring [telefon]" and pd.isna(out.tolist()[1])
    assert out.tolist()[3] == "[telefon]"  # a phone number that Excel read as a number
    assert counts["phone"] == 2
    strings = pd.Series(["anna@x.dk", pd.NA], dtype="string")
    red = redact_series(strings)
    assert red.dtype == strings.dtype and red.isna().tolist() == [False, True]
    assert redact_text(None) is None  # type: ignore[arg-type]
    assert s.tolist()[0] == "ring 12345678"  # input untouched


def test_scan_positions_lines_and_allow_list() -> None:
    text = "Kontakt info@fslt.dk\nAnna: anna@x.dk, 12 34 56 78\ncpr 010190-1234"
    findings = scan_for_personal_data(text, allow=["INFO@fslt.dk"])
    assert [(f.kind, f.line, f.column) for f in findings] == [
        ("email", 2, 7),
        ("phone", 2, 18),
        ("cpr", 3, 5),
    ]
    assert text[findings[1].start : findings[1].end] == "12 34 56 78"
    assert str(findings[0]) == "line 2, column 7: email"
    assert [f.kind for f in scan_for_personal_data("Anna kom", names=["anna"])] == ["name"]
    assert scan_for_personal_data("ring 1234 5678", allow=["+45 12 34 56 78"]) == []


def test_scan_is_linear_on_long_runs() -> None:
    blob = "data:image/png;base64," + "A" * 200_000 + "." * 50_000 + "1" * 100_000
    assert scan_for_personal_data(blob) == []


_FRAGMENTS = [t for t, _ in PERSONAL] + ORDINARY + [
    " ", "-", ".", "@", "+45", "45 ", "(", ")", "[", "]", "www.", "http://", "0", "12", "2025",
    "anna", "[telefon]", "[at]", " (dot) ", ":", "\n",
]  # fmt: skip
_texts = st.one_of(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join),
    st.text(alphabet=st.sampled_from(list("0123456789 -.+@()[]abæ:/\n")), max_size=60),
)


@FAST
@given(_texts)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text, names=["anna", "Bo"])
    assert redact_text(once, names=["anna", "Bo"]) == once
    assert scan_for_personal_data(once) == []


def _long_digits(text: str) -> int:
    return sum(len(m) for m in re.findall(r"\d{8,}", text))


@FAST
@given(_texts)
def test_redaction_never_adds_long_digit_runs(text: str) -> None:
    assert _long_digits(redact_text(text)) <= _long_digits(text)


@FAST
@given(st.sampled_from(PERSONAL), st.sampled_from(ORDINARY), st.sampled_from(ORDINARY))
def test_personal_data_in_ordinary_text(item: tuple[str, str], before: str, after: str) -> None:
    text, kind = item
    red = redact_text(f"{before} {text} {after}")
    assert PLACEHOLDERS[kind] in red
    assert scan_for_personal_data(red) == []


# ---------------------------------------------------------------------------------------------
# Pseudonymisation
# ---------------------------------------------------------------------------------------------

SALT = "test-salt-0123456789abcdef"


def test_pseudonymise_is_stable_and_keyed() -> None:
    values = pd.Series(["Foreningen A", "foreningen a ", "Foreningen B", None], index=list("wxyz"))
    codes = pseudonymise(values, SALT)
    assert codes.index.tolist() == list("wxyz")
    assert codes["w"] == codes["x"] != codes["y"]
    assert pd.isna(codes["z"])
    assert all(re.fullmatch(r"F-[0-9a-f]{6}", c) for c in codes.dropna())
    assert pseudonymise(["Foreningen A"], SALT).iloc[0] == codes["w"]
    assert pseudonymise(["Foreningen A"], SALT + "x").iloc[0] != codes["w"]
    raw = pseudonymise(values, SALT, normalise=False)
    assert raw["w"] != raw["x"]  # without normalising, case and spaces matter
    assert codes.dtype == "string"
    assert re.fullmatch(r"[0-9a-f]{10}", pseudonymise([1], SALT, prefix="", length=10).iloc[0])


@pytest.mark.parametrize("salt", ["", "kort", None])
def test_pseudonymise_requires_a_real_salt(salt: str | None) -> None:
    with pytest.raises(SurveyDataError, match="salt"):
        pseudonymise(["x"], salt)  # type: ignore[arg-type]


def test_pseudonymise_is_hmac_sha256_of_the_normalised_text() -> None:
    """The code is HMAC-SHA256(salt, NFC + collapsed whitespace + casefold) in hex, computed here
    with the standard library as the reference; a bytes salt is the same key as its text."""
    import hashlib
    import hmac

    values = pd.Series([None, "  Foreningen\u00a0\u00a0A\u030a ", "Foreningen Å"], name="navn")
    codes = pseudonymise(values, SALT, prefix="X", length=64)
    want = hmac.new(SALT.encode("utf-8"), "foreningen å".encode(), hashlib.sha256).hexdigest()
    assert codes.tolist()[1:] == [f"X-{want}", f"X-{want}"]
    assert codes.iloc[0] is pd.NA and codes.name == "navn" and len(codes) == 3
    assert isinstance(codes.dtype, pd.StringDtype)
    assert pseudonymise(["Foreningen Å"], SALT.encode(), length=4).tolist() == [f"F-{want[:4]}"]
    raw = hmac.new(SALT.encode(), b" A", hashlib.sha256).hexdigest()[:6]
    assert pseudonymise([" A"], SALT, normalise=False, prefix="").tolist() == [raw]


def test_pseudonymise_bounds_and_collisions() -> None:
    """Salt of 16 characters and lengths 4 and 64 are accepted; 15, 3 and 65 are refused with a
    message saying what was expected; two values sharing a truncated code are an error."""
    assert pseudonymise(["x"], "s" * 16).notna().all()
    with pytest.raises(SurveyDataError, match="salt of at least 16 characters") as info:
        pseudonymise(["x"], "s" * 15)
    assert info.value.found == "15 characters"
    assert info.value.message == "pseudonymisation needs a secret salt of at least 16 characters"
    assert info.value.expected == "a secret such as secrets.token_hex(16)"
    with pytest.raises(SurveyDataError, match="salt") as info:
        pseudonymise(["x"], None)  # type: ignore[arg-type]
    assert info.value.found is None
    for length in (4, 64):
        assert len(pseudonymise(["x"], SALT, prefix="", length=length).iloc[0]) == length
    for length in (3, 65):
        with pytest.raises(ValueError, match=f"length must be between 4 and 64, got {length}"):
            pseudonymise(["x"], SALT, length=length)
    with pytest.raises(ValueError, match=r"two different values share the code F-[0-9a-f]{4}"):
        pseudonymise([f"Forening {i}" for i in range(2000)], SALT, length=4)  # 16**4 codes
    assert pseudonymise(["A", "a", "A "], SALT, length=4).nunique() == 1  # same value: no error


def test_allowed_values_are_compared_as_normalised_values() -> None:
    """``allow`` compares e-mails case- and ``mailto:``-insensitively with spaces around ``@``
    removed, phone numbers by their last 8 digits and CPR numbers by all 10 digits."""
    text = ("Skriv til Info @ FSLT.dk eller ring +45 12 34 56 78. "
            "CPR 010190-1234 og 110190-1234.")
    allow = ["MAILTO:info@fslt.dk", "12345678", "0101901234"]
    kinds = [f.kind for f in scan_for_personal_data(text, allow=allow)]
    assert kinds == ["cpr"]  # only the CPR number that differs in its first digits
    assert [f.kind for f in scan_for_personal_data(text)] == ["email", "phone", "cpr", "cpr"]
    assert [f.kind for f in scan_for_personal_data("a@b.dk", allow=["mailto:c@b.dk"])] == [
        "email"]


def test_redact_series_uses_the_names() -> None:
    s = pd.Series(["Hej fra Anna Hansen", None], name="svar")
    out = redact_series(s, names=["Anna Hansen"])
    assert out.iloc[0] == "Hej fra [navn]" and pd.isna(out.iloc[1]) and out.name == "svar"
    red, counts = redact_series_counts(s, ["Anna Hansen"])
    assert counts["name"] == 1 and red.iloc[0] == "Hej fra [navn]"


# ---------------------------------------------------------------------------------------------
# Small-cell suppression
# ---------------------------------------------------------------------------------------------


def _tidy_1d(counts: list[int], **extra: object) -> pd.DataFrame:
    base = sum(counts)
    return pd.DataFrame(
        {
            "category": [f"k{i}" for i in range(len(counts))],
            "n": counts,
            "base": base,
            "pct": [100 * c / base if base else np.nan for c in counts],
            "ci_low": [0.0] * len(counts),
            "ci_high": [1.0] * len(counts),
            **extra,
        }
    )


def test_default_k_comes_from_config() -> None:
    assert config.SUPPRESSION_K == 5
    out = suppress_counts(_tidy_1d([4, 10, 20]))
    assert out["suppression"].tolist()[0] == "primær"
    assert suppress_counts(_tidy_1d([4, 10, 20]), k=3)["suppressed"].sum() == 0


def test_1d_one_primary_gets_the_smallest_nonzero_complement() -> None:
    table = _tidy_1d([2, 0, 30, 10, 50])
    before = table.copy()
    out = suppress_counts(table, k=5)
    pd.testing.assert_frame_equal(table, before)
    assert out["suppression"].fillna("").tolist() == ["primær", "", "", "sekundær", ""]
    assert out["n"].isna().tolist() == [True, False, False, True, False]
    for col in ("pct", "ci_low", "ci_high"):
        assert out[col].isna().tolist() == out["suppressed"].tolist()
    assert out["n"].dtype == "Int64" and out["suppressed"].dtype == bool
    assert out["base"].tolist() == [92] * 5  # the base stays published
    assert find_recoverable_counts(out) == []


def test_1d_small_hidden_sum_gets_another_complement() -> None:
    out = suppress_counts(_tidy_1d([1, 2, 30, 40]), k=5)
    assert out["suppression"].fillna("").tolist() == ["primær", "primær", "sekundær", ""]


def test_1d_zero_is_not_a_complement_when_a_nonzero_cell_exists() -> None:
    out = suppress_counts(_tidy_1d([0, 3, 0, 9]), k=5)
    assert out["suppressed"].tolist() == [False, True, False, True]
    assert find_recoverable_counts(out) == []


def test_1d_small_base_suppresses_the_whole_group() -> None:
    out = suppress_counts(_tidy_1d([3, 0, 1]), k=5)
    assert out["suppressed"].all() and set(out["suppression"]) == {"primær"}
    assert out["base"].tolist() == [4, 4, 4]
    assert find_recoverable_counts(out) == []


def test_1d_single_category_hides_the_base_as_last_resort() -> None:
    out = suppress_counts(_tidy_1d([3]), k=5)
    assert out["n"].isna().all() and out["base"].isna().all()


def test_1d_nothing_small_nothing_suppressed() -> None:
    out = suppress_counts(_tidy_1d([5, 0, 12]), k=5)
    assert not out["suppressed"].any() and out["suppression"].isna().all()


def test_naive_primary_suppression_is_caught_by_the_checker() -> None:
    table = _tidy_1d([2, 10, 30])
    naive = table.assign(n=table["n"].astype("Int64").mask(table["n"] < 5))
    found = find_recoverable_counts(naive, hide_cols=[])
    assert [(c.column, c.value, c.method) for c in found] == [("k0", 2.0, "subtraction")]
    leaky = suppress_counts(table, k=5).assign(pct=table["pct"])  # percent left published
    assert {c.method for c in find_recoverable_counts(leaky)} == {"pct×base"}


def test_by_splits_into_independent_tables() -> None:
    table = pd.concat([_tidy_1d([2, 10, 30], item="q1"), _tidy_1d([20, 10, 30], item="q2")])
    out = suppress_counts(table, by=["item"], k=5)
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]
    assert out.index.tolist() == table.index.tolist()
    assert find_recoverable_counts(out, by=["item"]) == []


def test_multi_select_applies_only_primary_and_base_rules() -> None:
    table = _tidy_1d([2, 40, 35]).assign(base=50)  # counts add up to more than the base
    with pytest.raises(SurveyDataError, match="multi_select"):
        suppress_counts(table, k=5)
    out = suppress_counts(table, k=5, multi_select=True)
    assert out["suppression"].fillna("").tolist() == ["primær", "", ""]
    assert find_recoverable_counts(out, multi_select=True) == []


def test_bad_input_gives_clear_errors() -> None:
    with pytest.raises(SurveyDataError, match="lacks a column"):
        suppress_counts(_tidy_1d([1, 2]).drop(columns="base"))
    with pytest.raises(SurveyDataError, match="whole numbers"):
        suppress_counts(_tidy_1d([1, 2]).assign(n=[1.5, 2]))
    with pytest.raises(SurveyDataError, match="duplicate"):
        suppress_counts(pd.concat([_tidy_1d([1, 2]), _tidy_1d([1, 2])]))
    with pytest.raises(ValueError, match="k must"):
        suppress_counts(_tidy_1d([1, 2]), k=0)


def _wide(cells: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        cells,
        index=[f"g{i}" for i in range(len(cells))],
        columns=[f"k{j}" for j in range(len(cells[0]))],
    )


def _tidy_2d(wide: pd.DataFrame, total: str | None = None) -> pd.DataFrame:
    if total is not None:
        wide = pd.concat([wide, wide.sum().to_frame(total).T])
    tidy = wide.rename_axis(index="group", columns="category").stack().rename("n").reset_index()
    tidy["base"] = tidy.groupby("group", sort=False)["n"].transform("sum")
    tidy["pct"] = 100 * tidy["n"] / tidy["base"].replace(0, np.nan)
    return tidy


def test_crosstab_example_with_margins() -> None:
    wide = _wide([[3, 10, 12], [8, 0, 9], [20, 15, 2]])
    out = suppress_crosstab(wide, k=5)
    status = crosstab_suppression_status(wide, k=5)
    assert out.index.tolist()[-1] == "I alt" and out.columns.tolist()[-1] == "I alt"
    assert status.loc["g0", "k0"] == "primær" and status.loc["g2", "k2"] == "primær"
    assert (status != "").sum().sum() == 6
    assert out.loc["I alt", "I alt"] == 79
    assert find_recoverable_crosstab(out) == []
    full = suppress_crosstab(wide, k=1)  # nothing hidden: the full table with margins
    naive = full.mask(
        full.gt(0) & full.lt(5) & full.index.isin(wide.index)[:, None]
    )  # primary only
    assert {(c.row, c.column) for c in find_recoverable_crosstab(naive)} == {
        ("g0", "k0"),
        ("g2", "k2"),
    }
    with_margins = pd.crosstab(
        pd.Series(["a", "a", "b"] * 10, name="g"),
        pd.Series(["x", "y", "y"] * 10, name="k"),
        margins=True,
        margins_name="I alt",
    )
    assert suppress_crosstab(with_margins, k=5).shape == with_margins.shape


def test_crosstab_without_margins_needs_only_primary() -> None:
    wide = _wide([[3, 10, 12], [8, 0, 9], [20, 15, 2]])
    out = suppress_crosstab(wide, k=5, margins=False)
    assert out.shape == wide.shape
    assert out.isna().to_numpy().tolist() == (wide.isin([3, 2])).to_numpy().tolist()


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
tables = st.integers(2, 5).flatmap(
    lambda rows: st.integers(2, 5).flatmap(
        lambda cols: st.lists(
            st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@FAST
@given(tables, st.sampled_from([3, 5]))
def test_crosstab_property_nothing_recoverable(cells: list[list[int]], k: int) -> None:
    wide = _wide(cells)
    before = wide.copy()
    out = suppress_crosstab(wide, k=k)
    status = crosstab_suppression_status(wide, k=k)
    pd.testing.assert_frame_equal(wide, before)
    assert find_recoverable_crosstab(out) == []
    full = pd.concat([wide, wide.sum().to_frame("I alt").T])
    full["I alt"] = full.sum(axis=1)
    primary = status.eq("primær").to_numpy()
    assert (full.to_numpy()[primary] < k).all()
    small = ((full > 0) & (full < k)).to_numpy()
    assert out.isna().to_numpy()[small].all()
    assert (out.isna().to_numpy() == status.ne("").to_numpy()).all()


@FAST
@given(tables)
def test_tidy_2d_with_total_group_property(cells: list[list[int]]) -> None:
    tidy = _tidy_2d(_wide(cells), total="I alt")
    before = tidy.copy()
    out = suppress_counts(tidy, group_col="group", total_group="I alt", k=5)
    pd.testing.assert_frame_equal(tidy, before)
    assert find_recoverable_counts(out, group_col="group", total_group="I alt") == []
    primary = out["suppression"].eq("primær").fillna(False).to_numpy(bool)
    assert (tidy["n"].to_numpy()[primary] < 5).all()
    assert out["suppressed"].to_numpy()[((tidy["n"] > 0) & (tidy["n"] < 5)).to_numpy()].all()
    assert out["pct"].isna().to_numpy()[out["suppressed"].to_numpy()].all()


@FAST
@given(tables)
def test_tidy_2d_with_external_totals_property(cells: list[list[int]]) -> None:
    wide = _wide(cells)
    tidy = _tidy_2d(wide)
    out = suppress_counts(tidy, group_col="group", k=5)
    totals = wide.sum()
    published = totals.where((totals == 0) | (totals >= 5))  # small totals hidden in their table
    assert find_recoverable_counts(out, group_col="group", column_totals=published) == []
    assert find_recoverable_counts(out, group_col="group") == []
    small_group = (tidy["base"] > 0) & (tidy["base"] < 5)
    assert out.loc[small_group, "suppressed"].all()


@FAST
@given(st.lists(counts, min_size=2, max_size=8), st.sampled_from([3, 5, 10]))
def test_1d_property(cells: list[int], k: int) -> None:
    table = _tidy_1d(cells)
    out = suppress_counts(table, k=k)
    assert find_recoverable_counts(out) == []
    primary = out["suppression"].eq("primær").fillna(False).to_numpy(bool)
    assert (table["n"].to_numpy()[primary] < k).all()
    hidden = out["suppressed"].to_numpy()
    assert hidden.sum() != 1


def test_small_group_in_a_crosstab_hides_the_group_and_complements() -> None:
    tidy = _tidy_2d(_wide([[3, 0, 0], [10, 12, 9], [20, 15, 11]]))
    out = suppress_counts(tidy, group_col="group", k=5)
    assert out.loc[out["group"] == "g0", "suppressed"].all()
    assert out.loc[out["group"] == "g0", "base"].tolist() == [3, 3, 3]
    totals = tidy.groupby("category")["n"].sum()
    assert find_recoverable_counts(out, group_col="group", column_totals=totals) == []


def test_degenerate_tables() -> None:
    one_group = suppress_counts(_tidy_2d(_wide([[3, 10, 20]])), group_col="group", k=5)
    assert one_group["suppression"].fillna("").tolist() == ["primær", "sekundær", ""]
    one_category = suppress_counts(_tidy_2d(_wide([[3], [10], [20]])), group_col="group", k=5)
    assert one_category["base"].isna().tolist() == [True, True, False]  # n = base otherwise
    assert suppress_crosstab(_wide([[0, 0], [0, 0]]), k=5).notna().all().all()
    assert suppress_crosstab(_wide([[3]]), k=5).isna().all().all()


# ---------------------------------------------------------------------------------------------
# Output safety
# ---------------------------------------------------------------------------------------------

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_neutralise_formula_prefixes(prefix: str) -> None:
    assert neutralise_formula(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise_formula(neutralise_formula(prefix + "x")) == "'" + prefix + "x"


def test_neutralise_leaves_numbers_and_plain_text() -> None:
    for value in (-5, -2.5, 3, None, True, "tekst", "'=allerede", " =mellemrum"):
        assert neutralise_formula(value) == value


def _injection_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "=kolonne": ["=SUM(A1:A2)", "+45 12", "-x", "@cmd", "\tt", "\rr", "almindelig", None],
            "tal": [-1, 2, -3, 4, 5, 6, 7, 8],
            "andel": [-1.5, 0.25, 1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
            "kat": pd.Categorical(["=a", "b", "=a", "b", "b", "b", "b", "b"]),
        }
    )


def test_neutralise_frame_does_not_mutate_and_keeps_numbers() -> None:
    df = _injection_frame()
    before = df.copy()
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out.columns.tolist() == ["'=kolonne", "tal", "andel", "kat"]
    assert out["'=kolonne"].tolist()[:7] == [
        "'=SUM(A1:A2)", "'+45 12", "'-x", "'@cmd", "'\tt", "'\rr", "almindelig"
    ]  # fmt: skip
    assert pd.isna(out["'=kolonne"].iloc[7])
    pd.testing.assert_series_equal(out["tal"], df["tal"])
    assert out["kat"].tolist()[0] == "'=a"


def test_xlsx_round_trip_cells_are_neutralised_strings(tmp_path: Path) -> None:
    path = write_xlsx_safe(_injection_frame(), tmp_path / "tabel.xlsx", sheet_name="Tabel 1")
    sheet = openpyxl.load_workbook(path)["Tabel 1"]
    header = sheet[1]
    assert header[0].value == "'=kolonne" and header[0].data_type == "s"
    for row, prefix in enumerate(PREFIXES, start=2):
        cell = sheet.cell(row=row, column=1)
        # XML turns a stored "\r" into "\n" on reading; what matters is the leading "'"
        expected = "'" + prefix.replace("\r", "\n")
        assert cell.data_type == "s" and cell.value.startswith(expected), cell.value
    assert sheet.cell(row=2, column=2).value == -1 and sheet.cell(row=2, column=2).data_type == "n"
    assert sheet.cell(row=9, column=1).value is None
    assert sheet.cell(row=2, column=4).value == "'=a"
    assert list(tmp_path.iterdir()) == [path]


def test_csv_is_danish_excel_friendly_and_neutralised(tmp_path: Path) -> None:
    path = write_csv_safe(_injection_frame(), tmp_path / "tabel.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "'=kolonne;tal;andel;kat"
    assert "-1,5" in text and "0,25" in text
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["tal"].tolist() == [-1, 2, -3, 4, 5, 6, 7, 8]
    assert back["andel"].iloc[0] == -1.5
    assert str(back["'=kolonne"].iloc[0]).startswith("'=")
    assert list(tmp_path.iterdir()) == [path]


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "ud" / "tabel.csv"
    write_csv_safe(pd.DataFrame({"a": [1]}), target)
    write_csv_safe(pd.DataFrame({"a": [2]}), target)
    assert target.read_text(encoding="utf-8-sig").splitlines() == ["a", "2"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_csv_safe(pd.DataFrame({"a": [Boom()]}), target)
    with pytest.raises(ValueError, match="Invalid character / found in sheet title"):
        write_xlsx_safe(pd.DataFrame({"a": [1]}), target.with_suffix(".xlsx"), sheet_name="a/b")
    assert target.read_text(encoding="utf-8-sig").splitlines() == ["a", "2"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["tabel.csv"]


def test_escape_html() -> None:
    assert escape_html("<a href=\"x\">Ø & 'y'</a>") == (
        "&lt;a href=&quot;x&quot;&gt;Ø &amp; &#x27;y&#x27;&lt;/a&gt;"
    )
    assert escape_html(None) == "" and escape_html(3) == "3"


# --------------------------------------------------------------------------- bad tables, exactly


def _raises(message: str, func, *args, **kwargs) -> SurveyDataError:
    with pytest.raises(SurveyDataError, match=re.escape(message)) as info:
        func(*args, **kwargs)
    return info.value


def test_suppression_refuses_bad_tables_naming_column_expected_and_found() -> None:
    """Each refusal of a bad table says what, where (column), what was expected and found."""
    t = pd.DataFrame({"category": ["A", "B", "C"], "n": [2, 10, 30], "base": 42})
    cases = [
        (t.assign(category=["A", None, "C"]),
         ("suppression keys must not be missing", "category", None, None)),
        (pd.concat([t, t.iloc[[0]]]),
         ("the table has duplicate cells", "category", "one row per cell", None)),
        (t.assign(n=[2.5, 10, 30]), ("counts must be non-negative whole numbers", "n",
                                     "counts such as 0, 3, 12", "1 invalid value(s)")),
        (t.assign(n=["x", 10, 30]), ("counts must be non-negative whole numbers", "n",
                                     "counts such as 0, 3, 12", "1 invalid value(s)")),
        (t.assign(base=[42, -1, 42]), ("bases must be non-negative whole numbers", "base",
                                       "counts such as 0, 3, 12", "1 invalid value(s)")),
        (t.drop(columns="base"), ("the table lacks a column that suppression needs", "base",
                                  "column 'base'", "category, n")),
        (t.assign(n=[20, 10, 30]), ("the counts of a group add up to more than its base", None,
                                    "single-select counts (or pass multi_select=True)", None)),
    ]
    for table, expected in cases:
        exc = _raises(expected[0], suppress_counts, table, k=5)
        assert (exc.message, exc.column, exc.expected, exc.found) == expected
    two = pd.DataFrame({"g": ["a", "a", "b", "b"], "h": ["u", "u", "v", "v"],
                        "category": ["x", "y", "x", "y"], "n": [3, 4, 5, 6],
                        "base": [7, 7, 12, 11]})
    exc = _raises("the base differs", suppress_counts, two, k=5, group_col="g")
    assert (exc.message, exc.found) == ("the base differs within one group", "b")
    exc = _raises("keys must not be missing", suppress_counts,
                  two.assign(g=["a", None, "b", "b"]), k=5, group_col="g")
    assert exc.column == "g, category"
    exc = _raises("keys must not be missing", suppress_counts,
                  two.assign(h=[None, "u", "v", "v"]), k=5, by=["h"], group_col="g")
    assert exc.column == "h, g, category"
    wide = pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["a", "b"])
    exc = _raises("cross-tab cells must be", suppress_crosstab, wide.assign(z=[1.5, 2]), k=5)
    assert (exc.message, exc.column) == ("cross-tab cells must be non-negative whole numbers",
                                         "z")


def test_suppression_output_types_and_hidden_columns() -> None:
    """``n`` and ``base`` come back as Int64, ``suppression`` as string; every ``hide_cols``
    column (and only those) is NA in suppressed cells."""
    t = pd.DataFrame({"category": ["A", "B", "C"], "n": [2, 10, 30], "base": 42,
                      "x": [1.0, 2.0, 3.0], "pct": [4.8, 23.8, 71.4]}, index=[7, 8, 9])
    out = suppress_counts(t, k=5, hide_cols=["x"])
    assert out.index.tolist() == [7, 8, 9]
    assert str(out["n"].dtype) == "Int64" and str(out["base"].dtype) == "Int64"
    assert isinstance(out["suppression"].dtype, pd.StringDtype)
    assert out["suppression"].tolist() == ["primær", "sekundær", pd.NA]
    assert out["x"].isna().tolist() == [True, True, False]
    assert out["pct"].tolist() == [4.8, 23.8, 71.4]  # not in hide_cols: left alone
    assert suppress_counts(t, k=5)["pct"].isna().tolist() == [True, True, False]  # default


# --------------------------------------------------------------------------- boundaries of k


def test_crosstab_small_margins_at_the_boundaries() -> None:
    """A row (column) whose total is 1 is suppressed whole, zeros and margin included; a total
    of exactly k is not a small total (its zeros stay published), k = 5."""
    wide = pd.DataFrame({"x": [6, 1, 5, 5], "y": [7, 0, 5, 0], "z": [8, 0, 5, 0]},
                        index=["a", "b", "c", "d"])
    for table, flip in ((wide, False), (wide.T, True)):
        status = crosstab_suppression_status(table, k=5)
        status = status.T if flip else status
        assert status.loc["b"].tolist() == ["primær"] * 4  # total 1: the whole line
        assert status.loc["d", "y"] == status.loc["d", "z"] == ""  # total 5: zeros published
        assert status.loc["a"].tolist() == ["", "", "", ""]
        assert status.index[-1] == "I alt" and status.columns[-1] == "I alt"
        assert find_recoverable_crosstab(suppress_crosstab(table, k=5)) == []


def test_group_bases_of_one_and_zero() -> None:
    """A group of base 1 is suppressed whole (its zero too); a group of base 0 publishes its
    zeros (nothing to protect)."""
    rows = [("a", "x", 6, 13), ("a", "y", 7, 13), ("b", "x", 1, 1), ("b", "y", 0, 1),
            ("c", "x", 0, 0), ("c", "y", 0, 0), ("d", "x", 8, 17), ("d", "y", 9, 17)]
    t = pd.DataFrame(rows, columns=["group", "category", "n", "base"])
    out = suppress_counts(t, k=5, group_col="group").set_index(["group", "category"])
    assert out.loc[("b", "x"), "suppression"] == out.loc[("b", "y"), "suppression"] == "primær"
    assert out.loc[("c", "x"), "n"] == 0 and out.loc[("c", "y"), "n"] == 0
    assert not out.loc["c", "suppressed"].any()


def test_column_totals_decide_the_secondary_suppression_of_other_groups() -> None:
    """Group a's 1 is hidden with its row complement. Only if the column totals are published
    (``column_totals=True``) does group b lose its cells too: 10 - b.x would give a.x."""
    t = pd.DataFrame({"group": ["a", "a", "b", "b"], "category": ["x", "y", "x", "y"],
                      "n": [1, 9, 9, 9], "base": [10, 10, 18, 18]})
    unpublished = suppress_counts(t, k=5, group_col="group", column_totals=False)
    assert unpublished["suppression"].tolist() == ["primær", "sekundær", pd.NA, pd.NA]
    published = suppress_counts(t, k=5, group_col="group", column_totals=True)
    assert published["suppression"].tolist() == ["primær", "sekundær", "sekundær", "sekundær"]


def test_crosstab_margins_are_checked_one_condition_at_a_time() -> None:
    """Given margins must be last on both axes and equal the row sums, the column sums and the
    grand total; each violated alone is refused. Margins on one axis only are refused too."""
    good = pd.DataFrame({"x": [6, 7, 13], "y": [8, 9, 17], "I alt": [14, 16, 30]},
                        index=["a", "b", "I alt"])
    assert suppress_crosstab(good, k=5).equals(suppress_crosstab(good.iloc[:2, :2], k=5))
    bad_tables = {
        "row order": good.iloc[[2, 0, 1]],
        "column order": good[["I alt", "x", "y"]],
        "row sums": good.assign(**{"I alt": [15, 15, 30]}),
        "column sums": good.assign(x=[6, 7, 14], y=[8, 9, 16]),  # grand total still 30
        "grand total": good.assign(**{"I alt": [14, 16, 31]}),
        # all sums hold in an empty table: only the position gives the margins away
        "zeros, margin row first": (good * 0).iloc[[2, 0, 1]],
        "zeros, margin column first": (good * 0)[["I alt", "x", "y"]],
    }
    for what, table in bad_tables.items():
        with pytest.raises(SurveyDataError, match="not last or do not equal the sums") as info:
            crosstab_suppression_status(table, k=5)
        assert info.value.found == "I alt", what
    for one_axis in (good.iloc[:, :2], good.iloc[:2]):
        with pytest.raises(SurveyDataError, match="margins on both axes or on none") as info:
            suppress_crosstab(one_axis, k=5)
        assert info.value.found == "I alt"


def test_crosstab_without_published_margins_and_with_another_margin_name() -> None:
    """``margins=False`` drops given margins and applies primary suppression only (same labels);
    a custom ``margins_name`` is recognised by both functions."""
    wide = pd.DataFrame({"x": [1, 7, 8], "y": [9, 9, 18], "Total": [10, 16, 26]},
                        index=["a", "b", "Total"])
    out = suppress_crosstab(wide, k=5, margins=False, margins_name="Total")
    assert out.index.tolist() == ["a", "b"] and out.columns.tolist() == ["x", "y"]
    assert out.isna().to_numpy().tolist() == [[True, False], [False, False]]
    status = crosstab_suppression_status(wide, k=5, margins=False, margins_name="Total")
    assert status.index.tolist() == ["a", "b"] and status.columns.tolist() == ["x", "y"]
    kept = suppress_crosstab(wide, k=5, margins_name="Total")
    assert kept.index.tolist() == ["a", "b", "Total"] and str(kept["x"].dtype) == "Int64"
    assert pd.isna(kept.loc["a", "x"]) and pd.isna(kept.loc["b", "x"])  # column x: 8 - 7


def test_a_bridge_between_two_cycles_gets_one_more_complement() -> None:
    """Every line has two or more hidden cells summing to at least k, yet b-y joins two cycles of
    hidden cells (a "dumbbell"): it lies on no cycle, so the published margins determine it
    exactly (Gusfield 1988). One complement linking the two sides is added: the smallest
    published link, 19 at c-w here and 21 at a-y when that is the smallest."""
    base = [[3, 3, 21, 22], [3, 3, 2, 25], [30, 23, 3, 3], [26, 27, 3, 3]]
    for smallest, value in (("a-y", 21), ("c-w", 19)):
        counts = [row[:] for row in base]
        if smallest == "c-w":
            counts[2][0] = value
        wide = pd.DataFrame(counts, index=list("abcd"), columns=list("wxyz"))
        status = crosstab_suppression_status(wide, k=5)
        inner = status.iloc[:4, :4]
        primary = {(r, c) for r in "abcd" for c in "wxyz" if inner.loc[r, c] == "primær"}
        assert primary == {(r, c) for r in "abcd" for c in "wxyz" if counts["abcd".index(r)][
            "wxyz".index(c)] < 5}
        secondary = [f"{r}-{c}" for r in status.index for c in status.columns
                     if status.loc[r, c] == "sekundær"]
        assert secondary == [smallest]
        assert find_recoverable_crosstab(suppress_crosstab(wide, k=5)) == []


def test_secondary_suppression_adds_no_unneeded_cell_on_a_bridged_table() -> None:
    """A 5x4 table whose protection needs the bridge step: the result is safe against the
    attacker, and each secondary cell is needed (publishing it again makes a hidden cell
    recoverable), so a broken bridge step that hides one cell too many is caught too."""
    counts = [[3, 20, 3, 20], [12, 3, 3, 0], [12, 3, 30, 8], [30, 4, 12, 8], [2, 30, 8, 20]]
    wide = pd.DataFrame(counts, index=[f"r{i}" for i in range(5)],
                        columns=[f"c{j}" for j in range(4)])
    status = crosstab_suppression_status(wide, k=5)
    out = suppress_crosstab(wide, k=5)
    assert find_recoverable_crosstab(out) == []
    full = wide.assign(**{"I alt": wide.sum(axis=1)})
    full.loc["I alt"] = full.sum(axis=0)
    secondary = [(r, c) for r in status.index for c in status.columns
                 if status.loc[r, c] == "sekundær"]
    assert secondary == [("r2", "c0"), ("r2", "c3"), ("r3", "c3"), ("r4", "c2")]
    for r, c in secondary:
        again = out.copy()
        again.loc[r, c] = full.loc[r, c]
        assert find_recoverable_crosstab(again) != [], (r, c)
