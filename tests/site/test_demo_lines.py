"""`load-demo` prints each demo program's links and whom to sign in as: the
peer-support conference's too (site/demo.py `Demo.lines`)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from medmentor.conferences.demo import DOMAIN, PROGRAM_SLUG
from medmentor.site import demo

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _conference_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Peer-support conference:"))


def test_load_demo_prints_the_conferences_page_and_its_sign_ins(db):
    out = io.StringIO()
    call_command("load_demo", "--today", demo.demo_today().isoformat(), stdout=out)
    line = _conference_line(out.getvalue())
    assert reverse("conference-home", kwargs={"slug": PROGRAM_SLUG}) in line
    assert reverse("conference-report", kwargs={"slug": PROGRAM_SLUG}) in line
    for email in (f"ps.facilitator@{DOMAIN}", f"ps.r1b@{DOMAIN}", f"ps.r1a@{DOMAIN}"):
        assert email in line


def test_the_conferences_sign_ins_are_printed_again_when_already_loaded(db):
    today = demo.demo_today()
    demo.demo_load(today=today)
    again = demo.demo_load(today=today)
    assert any("already loaded" in line for line in again.conference.lines)
    assert _conference_line("\n".join(again.lines))
