"""Importing the real GIAS files: the register, its history and networks, and the links, as users will read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError

from schools.importers import FIELD_HEAD_FIRST_NAME, FIELD_HEAD_LAST_NAME, FIELD_STATUS, FIELD_TRUST, gias_import
from schools.models import Network, NetworkMembership, School, SchoolChange, SchoolLink
from tests.factories import NetworkFactory, NetworkMembershipFactory, PartnershipFactory
from tests.paths import GIAS_2021, GIAS_2022, GIAS_FULL_SAMPLE, GIAS_LINKS, GIAS_OFSTED_2021
from tests.schools.conftest import import_gias, register_state


def _school(partnership, urn: int) -> School:
    return School.objects.get(partnership=partnership, urn=urn)


def test_2021_surrey_export_gives_the_register(surrey):
    output = import_gias(GIAS_2021, surrey)
    assert "created 590" in output
    assert School.objects.filter(partnership=surrey).count() == 590
    kingswood = _school(surrey, 124937)
    assert kingswood.name == "Kingswood Primary School"
    assert (kingswood.phase, kingswood.status, kingswood.type_name) == ("Primary", "Open", "Community school")
    assert kingswood.head_name == "Mr Duncan Steele"
    assert kingswood.laestab == "9362008"
    assert kingswood.number_of_pupils == 209 and str(kingswood.percentage_fsm) == "2.90"
    assert (kingswood.easting, kingswood.northing) == (524784, 153499)
    assert kingswood.latitude == pytest.approx(51.26, abs=0.03)
    assert kingswood.longitude == pytest.approx(-0.21, abs=0.03)
    assert kingswood.gias_last_changed == dt.date(2021, 2, 22)


def test_every_surrey_school_is_placed_in_surrey(surrey):
    import_gias(GIAS_2021, surrey)
    placed = School.objects.filter(partnership=surrey, latitude__isnull=False)
    assert placed.count() == School.objects.filter(partnership=surrey, easting__isnull=False).count() > 500
    for latitude, longitude in placed.values_list("latitude", "longitude"):
        assert 51.0 < latitude < 51.5 and -0.9 < longitude < 0.1  # Surrey is about 51.25N, 0.4W


def test_2022_export_keeps_open_and_closed_schools_with_their_trusts(surrey):
    import_gias(GIAS_2022, surrey)
    assert School.objects.filter(partnership=surrey).count() == 576
    assert School.objects.filter(partnership=surrey, status="Closed").count() == 275
    academy = _school(surrey, 145543)
    assert academy.name == "Wyke Primary Academy" and academy.trust_name == "THE KITE ACADEMY TRUST"
    assert academy.open_date == dt.date(2018, 8, 1)
    closed = _school(surrey, 124935)
    assert closed.status == "Closed" and closed.close_date == dt.date(2018, 7, 31)
    trust = Network.objects.get(partnership=surrey, kind=Network.Kind.TRUST, name="THE KITE ACADEMY TRUST")
    assert trust.source == Network.Source.GIAS
    assert NetworkMembership.objects.filter(network=trust, school=academy, left_on__isnull=True).exists()
    glf = Network.objects.get(partnership=surrey, kind=Network.Kind.TRUST, name="GLF SCHOOLS")
    assert glf.memberships.filter(left_on__isnull=True).count() > 5  # a trust shared by many schools
    diocese = Network.objects.get(partnership=surrey, kind=Network.Kind.DIOCESE, name="Diocese of Guildford")
    assert diocese.memberships.exists()
    assert not Network.objects.filter(partnership=surrey, name__in=["Not applicable", ""]).exists()


def test_closed_schools_are_not_current_members_of_networks(surrey):
    import_gias(GIAS_2022, surrey)
    closed_members = NetworkMembership.objects.filter(
        school__partnership=surrey, school__status="Closed", left_on__isnull=True
    )
    assert not closed_members.exists()


def test_full_layout_fixture_decodes_the_stray_cp1252_character(england):
    import_gias(GIAS_FULL_SAMPLE, england)
    aldgate = _school(england, 100000)
    assert aldgate.name == "The Aldgate School" and aldgate.la_code == "201"
    assert aldgate.type_code == "02" and aldgate.type_name == "Voluntary aided school"
    assert aldgate.constituency == "Cities of London and Westminster\u2019"  # U+0092 read as cp1252's ’
    assert aldgate.head_name == "Miss Alexandra Allan" and aldgate.head_job_title == "Headteacher"
    assert aldgate.diocese_code == "CE23" and aldgate.number_of_pupils == 244
    assert aldgate.latitude == pytest.approx(51.514, abs=0.01) and aldgate.longitude == pytest.approx(-0.078, abs=0.01)
    diocese = Network.objects.get(partnership=england, kind=Network.Kind.DIOCESE)
    assert (diocese.code, diocese.name) == ("CE23", "Diocese of London")


def test_only_the_partnerships_local_authorities_are_imported(db):
    camden = PartnershipFactory(slug="camden", la_codes=["202"])
    output = import_gias(GIAS_2021, camden)
    assert "skipped other la 590" in output
    assert not School.objects.filter(partnership=camden).exists()
    london = PartnershipFactory(slug="london", la_codes=["201", "202"])
    import_gias(GIAS_FULL_SAMPLE, london)
    assert list(School.objects.filter(partnership=london).values_list("urn", flat=True)) == [100000]


def test_importing_the_same_file_twice_changes_nothing(surrey):
    import_gias(GIAS_2021, surrey)
    import_gias(GIAS_2022, surrey)
    before = register_state(surrey)
    result = gias_import(partnership=surrey, path=GIAS_2022)
    assert result.ok
    assert result.counts["unchanged"] == 576 and result.counts["created"] == result.counts["updated"] == 0
    assert result.counts["changes_recorded"] == 0
    assert result.counts["memberships_started"] == result.counts["memberships_ended"] == 0
    assert register_state(surrey) == before


def test_a_newer_file_records_real_changes(surrey):
    import_gias(GIAS_2021, surrey)
    result = gias_import(partnership=surrey, path=GIAS_2022)
    assert result.counts["created"] == 274 and result.counts["updated"] == 302
    kingswood = SchoolChange.objects.filter(school__urn=124937, school__partnership=surrey)
    head = {c.field: (c.old_value, c.new_value, c.changed_on) for c in kingswood}
    assert head[FIELD_HEAD_FIRST_NAME] == ("Duncan", "Andrew", dt.date(2022, 3, 21))
    assert head[FIELD_HEAD_LAST_NAME] == ("Steele", "Powell", dt.date(2022, 3, 21))
    shawley = SchoolChange.objects.get(school__urn=125005, school__partnership=surrey, field=FIELD_STATUS)
    assert (shawley.old_value, shawley.new_value, shawley.changed_on) == ("Open", "Closed", dt.date(2022, 2, 28))
    assert SchoolChange.objects.filter(school__urn=125005, field="close_date", new_value="2022-02-28").exists()
    assert not SchoolChange.objects.filter(field="number_of_pupils").exists()  # deliberately not tracked
    assert _school(surrey, 124937).head_name == "Mr Andrew Powell"


def test_a_trust_change_ends_one_membership_and_starts_another(surrey):
    import_gias(GIAS_2021, surrey)
    milford = _school(surrey, 125014)
    old = NetworkMembership.objects.get(school=milford, network__name="Godalming Learning Trust")
    assert old.left_on is None and old.joined_on == dt.date(2021, 1, 20)
    import_gias(GIAS_2022, surrey)
    old.refresh_from_db()
    assert old.left_on == dt.date(2022, 1, 19)
    new = NetworkMembership.objects.get(school=milford, left_on__isnull=True, network__kind=Network.Kind.TRUST)
    assert new.network.name == "Godalming Learning Partnership (Co-operative Schools Network)"
    assert new.joined_on == dt.date(2022, 1, 19)
    change = SchoolChange.objects.get(school=milford, field=FIELD_TRUST)
    assert change.old_value == "Godalming Learning Trust"
    thames_ditton = NetworkMembership.objects.get(school__urn=124967, school__partnership=surrey)
    assert thames_ditton.network.name == "The Ember Learning Trust"
    assert thames_ditton.left_on == dt.date(2022, 4, 7)  # left its trust and joined none


def test_manual_networks_are_never_touched(surrey):
    import_gias(GIAS_2021, surrey)
    hub = NetworkFactory(partnership=surrey, kind=Network.Kind.TEACHING_SCHOOL_HUB, name="Surrey Hub")
    membership = NetworkMembershipFactory(network=hub, school=_school(surrey, 125014))
    import_gias(GIAS_2022, surrey)
    membership.refresh_from_db()
    hub.refresh_from_db()
    assert membership.left_on is None and hub.name == "Surrey Hub" and hub.source == Network.Source.MANUAL


def test_an_older_file_does_not_roll_schools_back(surrey):
    import_gias(GIAS_2022, surrey)
    before = register_state(surrey)
    result = gias_import(partnership=surrey, path=GIAS_2021)
    assert result.counts["skipped_older"] > 250
    assert _school(surrey, 124937).head_name == "Mr Andrew Powell"
    assert register_state(surrey)["changes"] == before["changes"] == []


def test_links_file_links_predecessors_and_successors_in_the_partnership(surrey):
    import_gias(GIAS_2022, surrey)
    result = gias_import(partnership=surrey, path=GIAS_LINKS)
    assert result.ok and result.counts["links_skipped"] > 30_000
    successor = SchoolLink.objects.get(partnership=surrey, urn=124935, linked_urn=145543)
    assert (successor.link_type, successor.linked_name) == ("Successor", "Wyke Primary Academy")
    assert successor.established_on == dt.date(2018, 2, 28)
    predecessor = SchoolLink.objects.get(partnership=surrey, urn=145543, linked_urn=124935)
    assert predecessor.link_type == "Predecessor"
    count = SchoolLink.objects.filter(partnership=surrey).count()
    assert count == result.counts["links_created"] > 400
    again = gias_import(partnership=surrey, path=GIAS_LINKS)
    assert again.counts["links_unchanged"] == count and again.counts["links_created"] == 0
    assert SchoolLink.objects.filter(partnership=surrey).count() == count


def test_the_ten_column_ofsted_export_is_rejected_with_its_missing_columns(surrey):
    with pytest.raises(CommandError) as error:
        import_gias(GIAS_OFSTED_2021, surrey)
    message = str(error.value)
    assert "2 problems" in message
    assert "column EstablishmentStatus (name): The file has no EstablishmentStatus (name) column" in message
    assert "TypeOfEstablishment (name)" in message
    assert not School.objects.filter(partnership=surrey).exists()


def test_command_needs_a_partnership_when_there_are_several(surrey, england):
    with pytest.raises(CommandError, match="several partnerships"):
        from django.core.management import call_command

        call_command("import_gias", str(GIAS_2021))
