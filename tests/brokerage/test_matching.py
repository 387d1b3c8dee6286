"""The matcher on literal facts: scores, sentences, and exclusions shown rather than hidden."""

from __future__ import annotations

from decimal import Decimal

from brokerage.matching import Candidate, Need, distance_km, shortlist
from brokerage.models import DEFAULT_WEIGHTS

NEED = Need(
    school_id=1,
    school_name="Needy Primary",
    phase="Primary",
    focus="Early reading",
    days_wanted=Decimal("4"),
    easting=500000,
    northing=150000,
    trust_code="",
    federation_code="F1",
    preferred_provider_id=None,
)


def candidate(pid: int, **changes) -> Candidate:
    base = dict(
        provider_id=pid,
        name=f"Provider {pid}",
        kind="system_leader",
        school_id=100 + pid,
        specialisms=frozenset({"Early reading"}),
        phases=frozenset({"Primary"}),
        cross_phase=False,
        days_left=Decimal("10"),
        easting=500000,
        northing=153000,
        trust_code="",
        federation_code="",
        release_agreed=True,
        evaluations=(4, 3),
        reviewed_recently=False,
        declared_interest=False,
    )
    base.update(changes)
    return Candidate(**base)  # type: ignore[arg-type]


def test_distance_from_grid_references():
    assert distance_km((500000, 150000), (503000, 154000)) == 5.0
    assert distance_km((None, 1), (1, 1)) is None


def test_the_best_fit_ranks_first_with_its_reasons_as_sentences():
    good = candidate(1)
    far_no_focus = candidate(2, specialisms=frozenset({"Mathematics"}), northing=175000)
    ranked = shortlist(NEED, [far_no_focus, good], DEFAULT_WEIGHTS)
    assert [m.candidate.provider_id for m in ranked] == [1, 2]
    assert ranked[0].score > ranked[1].score
    assert ranked[0].reasons == [
        "Has early reading as a specialism.",
        "Works in the primary phase.",
        "Has 10 days left this year, enough for the 4 days wanted.",
        "3.0 km away.",
        "2 of 2 past deployments rated good or better by the school.",
    ]
    assert "Does not list early reading as a specialism." in ranked[1].reasons


def test_hard_exclusions_are_listed_after_the_eligible_ones_never_hidden():
    cases = {
        3: ({"federation_code": "F1"}, "In the same federation as the school."),
        4: ({"reviewed_recently": True}, "Reviewed this school in a peer review in the last 24 months."),
        5: ({"declared_interest": True}, "Has declared an interest in this school."),
        6: ({"release_agreed": False}, "Release not yet agreed by the home school's head and chair of governors."),
        7: ({"days_left": Decimal("0")}, "No days left this year."),
    }
    candidates = [candidate(pid, **changes) for pid, (changes, _) in cases.items()] + [candidate(1, northing=190000)]
    ranked = shortlist(NEED, candidates, DEFAULT_WEIGHTS)
    assert ranked[0].candidate.provider_id == 1 and not ranked[0].excluded
    assert len(ranked) == 6
    for match in ranked[1:]:
        assert match.exclusions == [cases[match.candidate.provider_id][1]]


def test_the_schools_preference_and_weights_count():
    a, b = candidate(1), candidate(2)
    preferred = Need(**{**NEED.__dict__, "preferred_provider_id": 2})
    ranked = shortlist(preferred, [a, b], DEFAULT_WEIGHTS)
    assert ranked[0].candidate.provider_id == 2
    assert "Needy Primary asked for this provider." in ranked[0].reasons
    only_distance = {k: 0 for k in DEFAULT_WEIGHTS} | {"distance": 100}
    near, far = candidate(1, northing=150500), candidate(2, northing=160000)
    assert [m.candidate.provider_id for m in shortlist(NEED, [far, near], only_distance)] == [1, 2]
