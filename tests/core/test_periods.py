import pytest

from kpi_excel.core.periods import Period, PeriodError


@pytest.mark.parametrize(
    "text",
    [
        "2017/18 Q1",
        "2017/18 q1",
        "2017-18 Q1",
        "2017/2018 Q1",
        " 2017/18  Quarter 1 ",
        "FY2017/18 Q1",
    ],
)
def test_spellings_of_one_quarter(text):
    assert str(Period.parse(text)) == "2017/18 Q1"


def test_year_alone():
    assert str(Period.parse("2016/17")) == "2016/17"
    assert Period.parse("2016/17").is_year


@pytest.mark.parametrize("text", ["2017/19 Q1", "Q1", "2017 Q5", "", "17/18 Q1"])
def test_bad_periods_say_how_to_write_them(text):
    with pytest.raises(PeriodError, match="2017/18"):
        Period.parse(text)


def test_q1_follows_previous_years_q4():
    assert str(Period.parse("2017/18 Q1").previous()) == "2016/17 Q4"
    assert str(Period.parse("2017/18 Q4").next()) == "2018/19 Q1"
    assert str(Period.parse("2017/18 Q3").same_period_last_year()) == "2016/17 Q3"


def test_quarter_dates_follow_the_financial_year():
    q4 = Period.parse("2017/18 Q4")
    assert q4.start_date().isoformat() == "2018-01-01"
    assert q4.end_date().isoformat() == "2018-03-31"
    assert Period.parse("2017/18 Q1").end_date().isoformat() == "2017-06-30"


def test_recent_lists_oldest_first():
    assert [str(p) for p in Period.parse("2017/18 Q2").recent(3)] == [
        "2016/17 Q4",
        "2017/18 Q1",
        "2017/18 Q2",
    ]


def test_short_year_label():
    assert Period.parse("2016/17").short_year_label == "16-17"


def test_years_and_quarters_sort_together():
    periods = [Period.parse(p) for p in ("2016/17", "2016/17 Q4", "2016/17 Q1", "2015/16 Q4")]
    assert [str(p) for p in sorted(periods)] == [
        "2015/16 Q4",
        "2016/17 Q1",
        "2016/17 Q4",
        "2016/17",
    ]
    assert (
        Period.parse("2016/17").sort_key(year_at_end=False) < Period.parse("2016/17 Q1").sort_key()
    )


def test_history_with_a_year_and_its_q4_sorts():
    from kpi_excel.core.models import HistoryPoint
    from kpi_excel.history.files import History

    history = History(
        [
            HistoryPoint(indicator_id="A", period="2016/17", value=1),
            HistoryPoint(indicator_id="A", period="2016/17 Q4", value=2),
        ]
    )
    assert [p.period for p in history.points()] == ["2016/17 Q4", "2016/17"]


def test_a_history_csv_saved_by_excel_on_windows_is_read(tmp_path):
    from kpi_excel.core.models import Indicator
    from kpi_excel.history.files import load_history

    path = tmp_path / "history.csv"
    path.write_bytes(
        "indicator_id,period,value,label\r\nA,2016/17 Q4,5,(16\u201317 \u00a3)\r\n".encode("cp1252")
    )
    indicator = Indicator(id="A", section="S", service_area="X", name="N", polarity="bigger")
    history, problems = load_history(path, {"A": indicator})
    point = history.get("A", Period.parse("2016/17 Q4"))
    assert (point.value, point.label, problems) == (5, "(16\u201317 \u00a3)", [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q3 2024/25", "2024/25 Q3"),
        ("Quarter 1 2017-18", "2017/18 Q1"),
        ("q2, FY2024/25", "2024/25 Q2"),
    ],
)
def test_the_quarter_may_come_first(text: str, expected: str) -> None:
    assert str(Period.parse(text)) == expected
