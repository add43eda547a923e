"""Plan periods and dates as partnerships write them."""

from __future__ import annotations

import pytest

from ingest.dates import Period, find_dates, find_period, find_period_in, parse_date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Community Safety Plan 2021-2024", 2021, 2024),
        ("Community Safety Plan 2021–24", 2021, 2024),
        ("Partnership Plan 2021/22 - 2023/24", 2021, 2024),
        ("Strategy 2021 to 2024", 2021, 2024),
        ("Charnwood - 2017-20", 2017, 2020),
        ("Strategic assessment 2014-2017", 2014, 2017),
        ("Plan for 2019 – 2021, agreed by Cabinet", 2019, 2021),
        ("Delivery plan 2020/21", 2020, 2021),
    ],
)
def test_find_period_reads_the_usual_ways_of_writing_a_plan_period(
    text: str, start: int, end: int
) -> None:
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == (start, end)
    assert period.label in text


@pytest.mark.parametrize(
    "text",
    [
        "Strategy 2024-2021",  # ends before it starts
        "Vision 2000-2030",  # longer than any partnership plan
        "Archive 1970-1975",  # outside the years plans exist
        "Call 0116 305 2021 or write to us",
        "Crime fell by 2021-03-12",  # a date, not a period
        "No years here at all",
        "",
    ],
)
def test_find_period_rejects_nonsense(text: str) -> None:
    assert find_period(text) is None


def test_a_range_beats_an_earlier_single_financial_year() -> None:
    period = find_period("In 2020/21 crime fell; this plan covers 2021-2024.")
    assert period == Period("2021-2024", 2021, 2024)


def test_find_period_in_prefers_the_title_then_headings_then_body() -> None:
    title, heading, body = "Strategy 2019-2021", "Review of 2016-2019", "Plans for 2022-2025"
    assert find_period_in([title, heading, body]) == Period("2019-2021", 2019, 2021)
    assert find_period_in(["Strategy", heading, body]) == Period("2016-2019", 2016, 2019)
    assert find_period_in(["Strategy", None, body]) == Period("2022-2025", 2022, 2025)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12 March 2021", "2021-03-12"),
        ("17th December 2019", "2019-12-17"),
        ("2021-03-12", "2021-03-12"),
        ("2021-03-12T10:15:00+01:00", "2021-03-12"),
        ("12/03/2021", "2021-03-12"),  # day first, as in the UK
        ("December 2019", "2019-12-01"),
        ("Page last updated 3 June 2021", "2021-06-03"),
        ("Fri, 12 Mar 2021 10:00:00 GMT", "2021-03-12"),
        ("March 12, 2021", "2021-03-12"),
        ("1st of Sept 2020", "2020-09-01"),
    ],
)
def test_parse_date_gives_iso(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["31 February 2020", "45/13/2020", "no date", "", None])
def test_parse_date_rejects_impossible_dates(text: str | None) -> None:
    assert parse_date(text) is None


def test_find_dates_lists_every_date_in_order() -> None:
    text = "Minutes of 1 October 2018, approved on 10/12/2018; next review March 2019."
    assert find_dates(text) == ["2018-10-01", "2018-12-10", "2019-03-01"]
