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
    assert [str(p.period) for p in history.points()] == ["2016/17 Q4", "2016/17"]


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


# ---- months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2017/18 M01",
        "2017/18 M1",
        "2017/18 m01",
        "2017-18 M01",
        "2017/2018 Month 1",
        "April 2017",
        "april 2017",
        "Apr 2017",
        "Apr-17",
        "Apr17",
        "2017-04",
        " Apr. 2017 ",
    ],
)
def test_spellings_of_one_month(text):
    assert str(Period.parse(text)) == "2017/18 M01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2018", "2017/18 M12"),
        ("Mar-18", "2017/18 M12"),
        ("2018-03", "2017/18 M12"),
        ("Jan 2018", "2017/18 M10"),
        ("December 2017", "2017/18 M09"),
        ("Sept 2019", "2019/20 M06"),
        ("2019/20 M06", "2019/20 M06"),
    ],
)
def test_months_belong_to_the_financial_year_they_fall_in(text, expected):
    assert str(Period.parse(text)) == expected


def test_a_financial_year_written_with_a_dash_is_still_a_year():
    assert str(Period.parse("2011-12")) == "2011/12"  # not December 2011
    assert str(Period.parse("Dec 2011")) == "2011/12 M09"


@pytest.mark.parametrize("text", ["2017/18 M13", "2017/18 M00", "Ma 2017", "Foo 2017", "2017-13"])
def test_bad_months_are_refused(text):
    with pytest.raises(PeriodError, match="2017/18"):
        Period.parse(text)


def test_month_neighbours():
    april = Period.parse("2017/18 M01")
    assert str(april.previous()) == "2016/17 M12"
    assert str(Period.parse("2017/18 M12").next()) == "2018/19 M01"
    assert str(Period.parse("2019/20 M06").previous()) == "2019/20 M05"
    assert str(Period.parse("2019/20 M06").same_period_last_year()) == "2018/19 M06"
    assert [str(p) for p in april.recent(3)] == ["2016/17 M11", "2016/17 M12", "2017/18 M01"]


def test_month_dates_and_quarter():
    march = Period.parse("2017/18 M12")
    assert march.start_date().isoformat() == "2018-03-01"
    assert march.end_date().isoformat() == "2018-03-31"
    assert Period.parse("2017/18 M11").end_date().isoformat() == "2018-02-28"
    assert march.quarter == 4
    assert Period.parse("2017/18 M04").quarter == 2
    assert march.is_month and not march.is_year
    assert march.month_label == "Mar 2018"
    assert Period.parse("2017/18 Q1").month_label == ""


def test_months_sort_among_quarters_and_years():
    texts = ["2017/18", "2017/18 Q1", "2017/18 M04", "2017/18 M03", "2017/18 M01", "2016/17 M12"]
    assert [str(p) for p in sorted(Period.parse(t) for t in texts)] == [
        "2016/17 M12",
        "2017/18 M01",
        "2017/18 M03",
        "2017/18 Q1",
        "2017/18 M04",
        "2017/18",
    ]
    assert (
        Period.parse("2017/18").sort_key(year_at_end=False) < Period.parse("2017/18 M01").sort_key()
    )


def test_a_month_is_not_its_quarter():
    assert Period.parse("2017/18 M01") != Period.parse("2017/18 Q1")
    assert Period(2017, month=1) == Period.parse("April 2017")


def test_month_out_of_range_refused_when_made_directly():
    with pytest.raises(PeriodError, match="M01"):
        Period(2017, month=13)


def test_a_months_templates_are_named_for_the_month():
    from kpi_excel.core.return_spec import template_file_name

    name = template_file_name("Customer services", Period.parse("2019/20 M06"))
    assert name == "2019-20-M06-customer-services.xlsx"
