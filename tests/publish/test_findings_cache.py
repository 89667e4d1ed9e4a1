"""The findings computed once per build (publish/findings_cache.py): a restored store publishes
exactly what a fresh one computes, and any change of input is a different key."""

from __future__ import annotations

import pandas as pd
import pytest

from fslt_survey.pipeline import clean_survey
from fslt_survey.publish import findings_cache
from fslt_survey.publish.findings import Findings


@pytest.fixture(scope="module")
def demo_data() -> pd.DataFrame:
    return clean_survey("medlemsundersoegelse", demo=True).data


def _store(data, instrument, registry, **kw) -> Findings:
    return Findings(data, instrument, population=len(registry), **kw)


def test_a_restored_store_publishes_what_a_fresh_one_computes(
    tmp_path, demo_data, member_instrument, registry
):
    built = _store(demo_data, member_instrument, registry)
    table = built.table()
    findings_cache.persist(built, tmp_path)
    restored = _store(demo_data.copy(), member_instrument, registry)
    assert findings_cache.restore(restored, tmp_path)
    assert set(restored._memo) == set(built._memo) and len(restored._memo) == len(table)
    assert restored.table().to_csv(index=False) == table.to_csv(index=False)
    # a figure a page asks for beyond the catalogue is the same as computed fresh
    item = next(it for it in member_instrument.items if it.type == "likert")
    labels = item.scale.categories[:2]
    assert restored.share(item, labels) == _store(
        demo_data, member_instrument, registry).share(item, labels)


def test_cached_tables_are_read_when_asked_for_and_stay_the_same(
    tmp_path, demo_data, member_instrument, registry
):
    """Issue 20: the cached distributions are unpickled one by one when a page asks for them
    (unpickling all ~150 took a page longer than its own work); what is read is what was
    computed, and a restored store writes the same cache again."""
    built = _store(demo_data, member_instrument, registry)
    built.table()
    item = next(it for it in member_instrument.items if it.type == "likert")
    raw, sup = built.distribution(item)
    findings_cache.persist(built, tmp_path)
    restored = _store(demo_data.copy(), member_instrument, registry)
    assert findings_cache.restore(restored, tmp_path)
    packed = [k for k in restored._tabs if isinstance(dict.get(restored._tabs, k), bytes)]
    assert len(packed) >= 50  # nothing unpickled yet
    got_raw, got_sup = restored.distribution(item)
    pd.testing.assert_frame_equal(got_raw, raw)
    pd.testing.assert_frame_equal(got_sup, sup)
    assert restored.distribution(item)[1] is got_sup  # unpickled once
    findings_cache.persist(restored, tmp_path)  # unpacked and packed entries alike
    again = _store(demo_data.copy(), member_instrument, registry)
    assert findings_cache.restore(again, tmp_path)
    assert set(again._tabs) >= {k for k in built._tabs if k[0] != "design"}
    for key in [k for k in built._tabs if k[0] not in ("design", "wave")][:20]:
        for mine, theirs in zip(again._tabs[key], built._tabs[key], strict=True):
            pd.testing.assert_frame_equal(mine, theirs)
    assert again.table().to_csv(index=False) == built.table().to_csv(index=False)


def test_every_input_is_part_of_the_key(tmp_path, demo_data, member_instrument, registry):
    base = _store(demo_data, member_instrument, registry)
    findings_cache.persist(base, tmp_path)
    changed = demo_data.copy()
    col = next(c for c in changed.columns if c.startswith("behov_") and "__" not in c)
    changed.loc[changed.index[0], col] = changed[col].dropna().iloc[-1]
    assert not changed.equals(demo_data)
    others = [
        _store(changed, member_instrument, registry),
        _store(demo_data.iloc[1:], member_instrument, registry),
        _store(demo_data, member_instrument, registry, k=3),
        _store(demo_data, member_instrument, registry, conf=0.9),
        Findings(demo_data, member_instrument, population=len(registry) + 1),
        _store(demo_data, member_instrument, registry, indicators=[{"id": "x"}]),
    ]
    for other in others:
        assert findings_cache.fingerprint(other) != findings_cache.fingerprint(base)
        assert not findings_cache.restore(other, tmp_path)
        assert other._memo == {}


def test_a_broken_cache_file_is_recomputed_not_trusted(
    tmp_path, demo_data, member_instrument, registry
):
    store = _store(demo_data, member_instrument, registry)
    path = findings_cache.persist(store, tmp_path)
    path.write_bytes(b"not a pickle")
    assert not findings_cache.restore(_store(demo_data, member_instrument, registry), tmp_path)
    # only the newest build's file is kept
    findings_cache.persist(_store(demo_data, member_instrument, registry, k=3), tmp_path)
    assert [p.name for p in (tmp_path / "findings").iterdir()] != [path.name]
    assert len(list((tmp_path / "findings").glob("*.pickle"))) == 1
