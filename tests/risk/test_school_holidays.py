"""School holidays: officers enter the LA's term dates, and reply windows skip them as they skip weekends and
bank holidays."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnership import calendar
from partnership.calendar import is_school_day, school_days_after
from partnership.models import Role, SchoolHoliday
from schools.risk.categorisation import services as rounds
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.risk.helpers import succeeded_run

CHRISTMAS = (dt.date(2026, 12, 21), dt.date(2027, 1, 1))


@pytest.fixture(autouse=True)
def autumn_2026():
    """Holidays are accepted within two years back and three ahead of today: the dates here are for late 2026."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=True):
        yield


def test_a_closure_is_not_a_school_day_and_the_count_steps_over_it():
    assert is_school_day(dt.date(2026, 12, 21)) and not is_school_day(dt.date(2026, 12, 21), [CHRISTMAS])
    assert not is_school_day(dt.date(2026, 12, 25))  # a bank holiday with or without term dates
    # Friday 18 December 2026, ten school days: 4-8 and 11-15 January once the Christmas holiday is skipped
    assert school_days_after(dt.date(2026, 12, 18), 10) == dt.date(2027, 1, 6)
    assert school_days_after(dt.date(2026, 12, 18), 10, [CHRISTMAS]) == dt.date(2027, 1, 15)
    # a closure that ends before, and a one-day INSET in the window
    inset = (dt.date(2026, 11, 27), dt.date(2026, 11, 27))
    assert school_days_after(dt.date(2026, 11, 23), 10, [(dt.date(2026, 10, 26), dt.date(2026, 10, 30))]) == (
        dt.date(2026, 12, 7)
    )
    assert school_days_after(dt.date(2026, 11, 23), 10, [inset]) == dt.date(2026, 12, 8)


def test_publication_uses_the_partnerships_holidays_and_no_other(world):
    officer = UserFactory(email="holiday-officer@example.test")
    SchoolFactory.create_batch(2, partnership=world.home)
    calendar.school_holiday_create(
        partnership=world.home, name="Christmas holiday", starts_on=CHRISTMAS[0], ends_on=CHRISTMAS[1], user=officer
    )
    calendar.school_holiday_create(  # another LA's week off must not shorten this one's window
        partnership=world.other,
        name="Other week",
        starts_on=dt.date(2027, 1, 4),
        ends_on=dt.date(2027, 1, 8),
        user=officer,
    )
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Winter 2026", user=officer
    )
    rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/8", user=officer)
    published = rounds.categorisation_round_publish(
        round_=opened, user=officer, base_url="http://t/", today=dt.date(2026, 12, 18)
    )
    assert published.reply_deadline == dt.date(2027, 1, 15)


@pytest.mark.parametrize(
    ("name", "starts_on", "ends_on", "message"),
    [
        ("", dt.date(2027, 2, 15), dt.date(2027, 2, 19), "Enter a name"),
        ("Half\x00term", dt.date(2027, 2, 15), dt.date(2027, 2, 19), "only letters"),
        ("x" * 81, dt.date(2027, 2, 15), dt.date(2027, 2, 19), "80 characters or fewer"),
        ("Half term", dt.date(2027, 2, 19), dt.date(2027, 2, 15), "same as or after the first day"),
        ("Summer", dt.date(2027, 7, 1), dt.date(2027, 9, 30), "70 days or shorter"),
        ("Long ago", dt.date(1999, 2, 15), dt.date(1999, 2, 19), "within two years before"),
        ("Overlap", dt.date(2026, 12, 31), dt.date(2027, 1, 5), r"overlap Christmas holiday \(21 December 2026"),
    ],
)
def test_wrong_holidays_are_refused_with_a_message_and_nothing_saved(world, name, starts_on, ends_on, message):
    officer = UserFactory(email="holiday-officer@example.test")
    calendar.school_holiday_create(
        partnership=world.home, name="Christmas holiday", starts_on=CHRISTMAS[0], ends_on=CHRISTMAS[1], user=officer
    )
    with pytest.raises(ValidationError, match=message):
        calendar.school_holiday_create(
            partnership=world.home, name=name, starts_on=starts_on, ends_on=ends_on, user=officer
        )
    assert SchoolHoliday.objects.filter(partnership=world.home).count() == 1


def test_an_officer_adds_and_removes_holidays_through_the_page(world):
    officer = client_for(make_member(world, Role.OFFICER).user)
    url = reverse("risk:holidays")
    page = officer.get(url).content.decode()
    assert "No holidays entered" in page and "A round published today would take replies until" in page

    bad = officer.post(url, {"name": "Half term", "starts_on": "2027-02-31"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Date must be a real date" in text and "Enter the last day schools are closed" in text
    assert not SchoolHoliday.objects.exists()

    start = dt.date.today() + dt.timedelta(days=30)
    fields = {"name": "  February   half term ", "starts_on": start.isoformat(), "ends_on": start.isoformat()}
    assert officer.post(url, fields).status_code == 302
    holiday = SchoolHoliday.objects.get(partnership=world.home)
    assert (holiday.name, holiday.starts_on, holiday.ends_on) == ("February half term", start, start)
    again = officer.post(url, fields).content.decode()
    assert '<a href="#id_starts_on">These dates overlap February half term' in again, "linked to the field"
    assert 'id="starts_on-error"' in again and again.count("These dates overlap") == 2  # summary and field
    assert "February half term" in officer.get(url).content.decode()

    delete = reverse("risk:holiday_delete", args=[holiday.pk])
    assert f'href="{delete}"' in officer.get(url).content.decode()
    confirm = officer.get(delete).content.decode()  # a link to a question, never a one-click delete
    assert "Are you sure you want to remove February half term?" in confirm
    assert SchoolHoliday.objects.exists()
    assert officer.post(delete).status_code == 302
    assert not SchoolHoliday.objects.exists()


def test_only_officers_of_the_partnership_remove_its_holidays(world):
    from tests.risk.helpers import risk_world

    mine, theirs = risk_world(world).holiday, risk_world(world).other_holiday
    officer = client_for(make_member(world, Role.OFFICER).user)
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert officer.post(reverse("risk:holiday_delete", args=[theirs.pk])).status_code == 404
    assert head.post(reverse("risk:holiday_delete", args=[mine.pk])).status_code == 403
    assert SchoolHoliday.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
