"""Chart geometry with plain values."""

from decimal import Decimal

from fairclaim.dashboard.charts import BAR_AREA_HEIGHT, Point, bar_chart, column_chart


def test_tallest_column_fills_the_area_and_others_scale():
    chart = column_chart("c", "Matches", [Point("a", 10), Point("b", 5), Point("c", 0)])
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == BAR_AREA_HEIGHT - 16
    assert heights[1] == heights[0] / 2
    assert heights[2] == 0
    assert all(bar.y + bar.height == BAR_AREA_HEIGHT for bar in chart.bars)


def test_summary_names_the_total_and_the_highest_bar():
    chart = bar_chart("d", "Top domains", [Point("x.example", 3), Point("y.example", 7)], "hits")
    assert chart.summary == "Top domains: 2 bars, total 10 hits; highest 7 (y.example)."


def test_empty_chart_says_so_and_never_divides_by_zero():
    chart = column_chart("e", "Money", [Point("Jan", Decimal(0)), Point("Feb", Decimal(0))])
    assert chart.empty
    assert chart.summary == "Money: nothing yet."


def test_money_values_keep_their_printed_form():
    chart = column_chart("m", "Money", [Point("Jan", Decimal("1250.50"), shown="1,251")])
    assert chart.bars[0].text == "1,251"
