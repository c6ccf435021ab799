"""Forming groups from a profiles file through matching.form_groups: the import is all
or nothing with row errors naming row and column; the draft explains each group; the
publication writes the groups and queues one email per member."""

import pytest

from medmentor.groups import services
from medmentor.groups.models import FormationRun, GroupProfile, Membership, PeerGroup
from medmentor.messaging.models import OutboxMessage
from medmentor.programs.access import SYSTEM
from tests.groups.world import make_learners

PLACES = ["Denver", "Aurora"]
SPECIALTIES = ["Pediatrics", "Endocrinology", "Psychology", "Nephrology"]


def _csv(people, extra=None) -> bytes:
    lines = ["email,place,specialty,interest,together_with,apart_from"]
    for k, person in enumerate(people):
        place = PLACES[k % 2]
        row = [person.email, place, SPECIALTIES[k % 4], "research", "", ""]
        if extra and k in extra:
            row[4], row[5] = extra[k]
        lines.append(",".join(row))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def cohort(program, fast_passwords):
    return make_learners(program, 24, prefix="p")


def _import(program, content):
    return services.group_profiles_import(
        program=program, file_name="profiles.csv", content=content, apply=True, by=SYSTEM
    )


def test_a_row_naming_someone_off_the_roster_stops_the_whole_file(program, cohort, director):
    content = _csv(cohort) + b"stranger@elsewhere.test,Denver,Pediatrics,research,,\n"
    result = _import(program, content)
    assert not result.applied
    assert any(e.row == 26 and e.column == "email" for e in result.errors)
    assert "not a junior or senior" in str(result.errors[0])
    assert not GroupProfile.objects.exists()


def test_a_together_with_naming_someone_not_in_the_file_is_a_row_error(program, cohort):
    content = _csv(cohort[:8], extra={0: ("nobody@lakeside.test", "")})
    result = _import(program, content)
    assert [(e.row, e.column) for e in result.errors] == [(2, "together_with")]
    assert not GroupProfile.objects.exists()


def test_groups_are_drafted_by_place_with_their_explanation(program, cohort, director):
    assert _import(program, _csv(cohort)).applied
    run = services.formation_run_create(
        program=program, by=director, similar=[], diverse=["specialty"], subgroup_by="place"
    )
    assert sum(len(g["members"]) for g in run.groups) == 24
    assert all(len(g["members"]) <= 8 for g in run.groups)
    assert {g["subgroup"] for g in run.groups} == set(PLACES)
    assert all("specialty" in g["summary"] for g in run.groups)
    assert not PeerGroup.objects.exists()  # a draft only


def test_must_together_and_must_apart_are_kept(program, cohort, director):
    extra = {0: (cohort[1].email, cohort[2].email)}
    _import(program, _csv(cohort, extra=extra))
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    group_of = {pid: k for k, g in enumerate(run.groups) for pid in g["members"]}
    assert group_of[cohort[0].pk] == group_of[cohort[1].pk]
    assert group_of[cohort[0].pk] != group_of[cohort[2].pk]


def test_locked_members_stay_in_their_named_group(program, cohort, director):
    _import(program, _csv(cohort))
    GroupProfile.objects.filter(person__in=cohort[:3]).update(group="Founders")
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    founders = next(g for g in run.groups if g["name"] == "Founders")
    assert {p.pk for p in cohort[:3]} <= set(founders["members"])


def test_publishing_creates_the_groups_and_emails_each_member_once(program, cohort, director):
    _import(program, _csv(cohort))
    run = services.formation_run_create(
        program=program, by=director, similar=["place"], diverse=["specialty"]
    )
    placed = services.formation_publish(run=run, by=director)
    assert placed == 24
    assert Membership.objects.filter(program=program).count() == 24
    emails = OutboxMessage.objects.filter(key__startswith=f"group-formed:{run.pk}:")
    assert emails.count() == 24
    assert "accept" in emails.first().text_body
    assert all(g.member_count <= g.capacity for g in PeerGroup.objects.all())
    with pytest.raises(services.GroupError, match="published already"):
        services.formation_publish(run=run, by=director)


def test_a_draft_outdated_by_a_join_publishes_nothing(program, cohort, director):
    _import(program, _csv(cohort))
    run = services.formation_run_create(program=program, by=director, similar=[], diverse=[])
    other = services.group_create(program=program, by=director, name="Early birds")
    services.group_member_add(group=other, person=cohort[5], by=director)
    with pytest.raises(services.GroupError, match="joined Early birds since this draft"):
        services.formation_publish(run=run, by=director)
    assert PeerGroup.objects.count() == 1
    assert Membership.objects.count() == 1
    assert not OutboxMessage.objects.filter(key__startswith="group-formed:").exists()
    assert FormationRun.objects.get(pk=run.pk).published_at is None


def test_an_unknown_attribute_is_refused(program, cohort, director):
    _import(program, _csv(cohort))
    with pytest.raises(services.GroupError, match="not something groups are formed on"):
        services.formation_run_create(program=program, by=director, similar=["shoe"], diverse=[])
    assert not FormationRun.objects.exists()
