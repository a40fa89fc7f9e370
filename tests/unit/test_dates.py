"""A ward's "today" is the date in Vietnam, seven hours ahead of UTC all year."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from registry.dates import LOCAL, today, utcnow
from sync.scheduler import EPOCH, period_of


@given(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2035, 1, 1)))
def test_the_local_date_is_seven_hours_ahead(naive: dt.datetime) -> None:
    instant = naive.replace(tzinfo=dt.UTC)
    local = instant.astimezone(LOCAL).date()
    expected = (instant + dt.timedelta(hours=7)).date()
    assert local == expected
    # the evening in UTC is already tomorrow in the ward
    if instant.hour >= 17:
        assert local == instant.date() + dt.timedelta(days=1)


def test_today_is_the_wards_date_not_the_utc_date() -> None:
    evening = dt.datetime(2026, 11, 26, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 27th there
    assert today(evening) == dt.date(2026, 11, 27)
    assert today(evening - dt.timedelta(hours=1)) == dt.date(2026, 11, 26)
    assert today() == utcnow().astimezone(LOCAL).date() or today() == utcnow().astimezone(
        LOCAL
    ).date() - dt.timedelta(days=1)  # the present, across a midnight between the two calls


def test_daily_jobs_fall_at_local_midnight() -> None:
    day = 24 * 3600
    assert EPOCH.astimezone(dt.UTC) == dt.datetime(2025, 6, 30, 17, tzinfo=dt.UTC)
    just_after = dt.datetime(2026, 11, 26, 17, 0, 1, tzinfo=dt.UTC)  # 00:00:01 on the 27th there
    assert period_of(just_after, day) == "2026-11-27T00:00:00+07:00"
    assert period_of(just_after - dt.timedelta(seconds=2), day) == "2026-11-26T00:00:00+07:00"
