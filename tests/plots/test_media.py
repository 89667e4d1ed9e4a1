"""Charts drawn for a medium: the print chart is the default; a screen or phone variant is the
same chart redrawn at the medium's width with no text under 12 CSS px at its natural size."""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from fslt_survey.plots import style
from fslt_survey.plots.style import FONT, PHONE, PRINT, SCREEN, drawn_for
from tests.plots.test_plots import BUILDERS

#: 1 pt = 4/3 CSS px; the smallest text a phone reader gets (issue 19)
MIN_PX = 12


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


@pytest.mark.parametrize("kind", sorted(BUILDERS))
@pytest.mark.parametrize("medium", [SCREEN, PHONE], ids=lambda m: m.name)
def test_a_chart_redrawn_for_a_screen_keeps_its_text_at_12_px(kind, medium) -> None:
    chart = BUILDERS[kind]()
    assert chart.medium == "print"
    variant = chart.drawn_for(medium)
    assert variant.medium == medium.name
    assert variant.alt == chart.alt and variant.title == chart.title
    width, _ = variant.fig.get_size_inches()
    if kind.startswith("heatmap"):
        assert width >= medium.width
    else:
        assert width == pytest.approx(medium.width)
    small = [t.get_text() for t in _texts(variant.fig) if t.get_fontsize() * 4 / 3 < MIN_PX]
    assert not small, f"text under {MIN_PX} px on a {medium.name}: {small[:5]}"
    # the print chart is untouched, and asking for its own medium gives it back
    assert chart.drawn_for(PRINT) is chart
    assert min(t.get_fontsize() for t in _texts(chart.fig)) < MIN_PX * 3 / 4


def test_font_sizes_follow_the_medium_and_fall_back_to_print() -> None:
    assert FONT.small == PRINT.fonts.small
    with drawn_for(PHONE):
        assert FONT.small == PHONE.fonts.small
        assert style.current_medium() is PHONE
    assert style.current_medium() is PRINT
