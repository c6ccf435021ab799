"""The peer-group pages: thin, each parses, calls a service or selector, and renders.

Refusals (services.GroupError) come back as a message on the page they came from;
nothing is written then. Whether someone is a member is asked of groups.selectors;
what their role lets them do, of programs.access.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from medmentor.groups import selectors, services
from medmentor.groups.forms import (
    AgreementForm,
    FacilitatorForm,
    FormationForm,
    GroupCreateForm,
    GroupSettingsForm,
    LogEntryForm,
    MemberAddForm,
    SeriesForm,
    ThreadForm,
    errors_in_words,
)
from medmentor.groups.models import (
    FormationRun,
    Membership,
    PeerGroup,
    PresenterSwap,
    PresenterTurn,
)
from medmentor.groups.services.evaluation import group_members_invite
from medmentor.groups.services.formation import GROUP_PROFILE_COLUMNS
from medmentor.meetings.models import Meeting
from medmentor.people.models import Person
from medmentor.programs import access, kinds
from medmentor.programs.models import LEARNER_ROLES, Program
from medmentor.programs.selectors import program_people_with_roles
from medmentor.programs.views import ImportPage, import_page, import_template, program_for_staff
from medmentor.surveys.models import Wave


def _program(request, slug: str) -> Program:
    program = get_object_or_404(Program, slug=slug)
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    access.require_enrolled(request.user, program)
    return program


def _group(program: Program, group_id: int) -> PeerGroup:
    return get_object_or_404(
        PeerGroup.objects.select_related("program", "series"), program=program, pk=group_id
    )


def _meeting(group: PeerGroup, meeting_id: int) -> Meeting:
    if group.series_id is None:
        raise PermissionDenied("This group has no meetings.")
    return get_object_or_404(Meeting, series_id=group.series_id, pk=meeting_id)


def _done(request, result_message: str, to: str, **kwargs):
    messages.success(request, result_message)
    return redirect(to, **kwargs)


# --- The groups page (landing) -------------------------------------------------------------


@login_required
def groups(request, slug: str):
    program = _program(request, slug)
    standing = access.program_access(request.user, program)
    if not (standing.manages or standing.joins_peer_groups):
        raise PermissionDenied(
            "The groups page is for the program's staff and its juniors and seniors."
        )
    page = selectors.groups_page(program=program, viewer=request.user)
    context = {"program": program, "page": page}
    if standing.manages:
        settings = page.settings
        context |= {
            "settings_form": GroupSettingsForm(
                initial={
                    "group_size_limit": settings.group_size_limit,
                    "one_group_per_member": settings.one_group_per_member,
                    "attendance_level_percent": settings.attendance_level_percent,
                    "meeting_interval_weeks": settings.meeting_interval_weeks,
                }
            ),
            "create_form": GroupCreateForm(),
            # Read once for every group's "add a member" list.
            "learners": list(_learners(program)),
            "waves": Wave.objects.filter(instrument__program=program).select_related("instrument"),
        }
    return render(request, "groups/groups.html", context)


def _learners(program: Program):
    return program_people_with_roles(program=program, roles=LEARNER_ROLES)


@login_required
@require_POST
def settings_update(request, slug: str):
    program = program_for_staff(request, slug)
    form = GroupSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_in_words(form))
        return redirect("groups", slug=slug)
    try:
        services.group_settings_update(program=program, by=request.user, **form.cleaned_data)
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups", slug=slug)
    return _done(request, "The group rules are saved.", "groups", slug=slug)


@login_required
@require_POST
def group_create(request, slug: str):
    program = program_for_staff(request, slug)
    form = GroupCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_in_words(form))
        return redirect("groups", slug=slug)
    try:
        group = services.group_create(program=program, by=request.user, **form.cleaned_data)
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups", slug=slug)
    return _done(request, f"{group.name} is created; add its members.", "groups", slug=slug)


@login_required
@require_POST
def member_add(request, slug: str, group_id: int):
    program = program_for_staff(request, slug)
    group = _group(program, group_id)
    form = MemberAddForm(request.POST, people=_learners(program))
    if not form.is_valid():
        messages.error(request, errors_in_words(form))
        return redirect("groups", slug=slug)
    try:
        services.group_member_add(
            group=group,
            person=form.cleaned_data["person"],
            is_facilitator=form.cleaned_data["is_facilitator"],
            by=request.user,
        )
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups", slug=slug)
    return _done(
        request, f"{form.cleaned_data['person'].full_name} is in {group.name}.", "groups", slug=slug
    )


@login_required
@require_POST
def group_leave(request, slug: str, group_id: int):
    """A person in the group leaves it (services.membership_end): their place frees and
    the group's invitations stop (their calendar gets the series' cancellation)."""
    program = _program(request, slug)
    group = _group(program, group_id)
    membership = Membership.objects.filter(
        group=group, person=request.user, left_at__isnull=True
    ).first()
    if membership is None:
        raise PermissionDenied(f"You are not in {group.name}, so cannot leave it.")
    try:
        services.membership_end(membership=membership, by=request.user)
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups", slug=slug)
    return _done(
        request,
        f"You left {group.name}: its invitations stop, and your calendar drops its meetings "
        "to come.",
        "groups",
        slug=slug,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_change(request, slug: str, group_id: int):
    """The program's staff choose the group's facilitator among its current members."""
    program = program_for_staff(request, slug)
    group = _group(program, group_id)
    people = Person.objects.filter(
        group_memberships__group=group, group_memberships__left_at__isnull=True
    ).order_by("full_name")
    form = FacilitatorForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.group_facilitator_change(group=group, person=person, by=request.user)
        except services.GroupError as error:
            form.add_error("person", str(error))
        else:
            return _done(
                request,
                f"{person.full_name} facilitates {group.name} from now on"
                + ("; the members were sent the meetings' update." if group.series_id else "."),
                "groups",
                slug=slug,
            )
    current = [
        m.person
        for m in group.memberships.filter(left_at__isnull=True, is_facilitator=True).select_related(
            "person"
        )
    ]
    return render(
        request,
        "groups/facilitator.html",
        {"program": program, "group": group, "form": form, "current": current},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def group_open(request, slug: str, group_id: int):
    program = _program(request, slug)
    group = _group(program, group_id)
    is_open = request.POST.get("open") == "yes"
    try:
        services.group_open_set(group=group, by=request.user, is_open=is_open)
    except services.GroupError as error:
        raise PermissionDenied(str(error)) from None
    back = request.POST.get("back") == "group"
    words = f"{group.name} is {'open to' if is_open else 'closed to'} new members."
    return _done(
        request,
        words,
        "groups-detail" if back else "groups",
        slug=slug,
        **({"group_id": group.pk} if back else {}),
    )


@login_required
@require_POST
def group_join(request, slug: str, group_id: int):
    program = _program(request, slug)
    group = _group(program, group_id)
    try:
        services.group_join(group=group, by=request.user)
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups", slug=slug)
    return _done(
        request,
        f"You joined {group.name}: read and accept its agreement.",
        "groups-agreement",
        slug=slug,
    )


# --- The agreement -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement(request, slug: str):
    program = _program(request, slug)
    standing = access.program_access(request.user, program)
    if not (standing.manages or standing.joins_peer_groups):
        raise PermissionDenied("The group agreement is for the program's staff and group members.")
    current = selectors.agreement_latest(program=program)
    if request.method == "POST":
        if current is None or str(current.pk) != request.POST.get("agreement"):
            messages.error(request, "The agreement changed since you opened it: read this version.")
            return redirect("groups-agreement", slug=slug)
        try:
            services.agreement_accept(program=program, agreement=current, by=request.user)
        except services.GroupError as error:
            messages.error(request, str(error))
            return redirect("groups-agreement", slug=slug)
        return _done(request, "Thank you: you are a member of your group now.", "groups", slug=slug)
    return render(
        request,
        "groups/agreement.html",
        {
            "program": program,
            "agreement": current,
            "accepted": selectors.has_accepted(program=program, person=request.user),
            "manages": standing.manages,
            "in_a_group": selectors.groups_page(program=program, viewer=request.user).my_groups,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, slug: str):
    program = program_for_staff(request, slug)
    current = services.agreement_current(program=program)
    form = AgreementForm(request.POST or None, initial={"text": current.text})
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.agreement_update(
                    program=program, by=request.user, text=form.cleaned_data["text"]
                )
            except services.GroupError as error:
                messages.error(request, str(error))
            else:
                return _done(
                    request,
                    f"Version {new.version} of the agreement is saved.",
                    "groups",
                    slug=slug,
                )
        else:
            messages.error(request, errors_in_words(form))
    return render(
        request,
        "groups/agreement_edit.html",
        {"program": program, "form": form, "agreement": current},
    )


# --- The group's own page ---------------------------------------------------------------


@login_required
def group_detail(request, slug: str, group_id: int):
    program = _program(request, slug)
    group = _group(program, group_id)
    space = selectors.group_space(group=group, viewer=request.user)
    return render(
        request,
        "groups/group.html",
        {
            "program": program,
            "space": space,
            # The program's cadence, read only when the form is shown (a callable).
            "series_form": SeriesForm(
                initial={
                    "interval_weeks": lambda: (
                        selectors.settings_of(program=program).meeting_interval_weeks
                    )
                }
            ),
            "log_form": LogEntryForm(),
            "thread_form": ThreadForm(),
            "my_turns": [
                r for r in space.upcoming if r.turn and r.turn.person_id == request.user.pk
            ],
            "other_turns": [
                r for r in space.upcoming if r.turn and r.turn.person_id != request.user.pk
            ],
        },
    )


def _member_action(request, slug: str, group_id: int, act, done: str, anchor: str = ""):
    program = _program(request, slug)
    group = _group(program, group_id)
    selectors.require_member(group=group, viewer=request.user)
    try:
        act(group)
    except services.GroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(f"{_detail_url(slug, group_id)}{anchor}")


def _detail_url(slug: str, group_id: int) -> str:
    from django.urls import reverse

    return reverse("groups-detail", kwargs={"slug": slug, "group_id": group_id})


@login_required
@require_POST
def series_plan(request, slug: str, group_id: int):
    form = SeriesForm(request.POST)

    def act(group):
        if not form.is_valid():
            raise services.GroupError(errors_in_words(form))
        services.group_series_plan(group=group, by=request.user, **form.cleaned_data)

    return _member_action(
        request,
        slug,
        group_id,
        act,
        "The meetings are planned; everyone has their invitation.",
        "#meetings",
    )


@login_required
@require_POST
def meeting_cancel(request, slug: str, group_id: int, meeting_id: int):
    def act(group):
        services.group_meeting_cancel(meeting=_meeting(group, meeting_id), by=request.user)

    return _member_action(
        request, slug, group_id, act, "The meeting is cancelled; everyone was told.", "#meetings"
    )


@login_required
@require_POST
def attendance(request, slug: str, group_id: int, meeting_id: int):
    def act(group):
        present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        services.attendance_take(
            meeting=_meeting(group, meeting_id), by=request.user, present=present
        )

    return _member_action(request, slug, group_id, act, "Attendance is saved.", "#past")


@login_required
@require_POST
def attended(request, slug: str, group_id: int, meeting_id: int):
    def act(group):
        services.attendance_mark_self(meeting=_meeting(group, meeting_id), by=request.user)

    return _member_action(request, slug, group_id, act, "You are marked present.", "#past")


@login_required
@require_POST
def apologies(request, slug: str, group_id: int, meeting_id: int):
    def act(group):
        services.apologies_send(meeting=_meeting(group, meeting_id), by=request.user)

    return _member_action(
        request,
        slug,
        group_id,
        act,
        "Your apologies are sent; the rotation skips you that day.",
        "#meetings",
    )


@login_required
@require_POST
def swap_ask(request, slug: str, group_id: int):
    def act(group):
        turns = PresenterTurn.objects.select_related("meeting", "person", "group__program")
        mine = turns.filter(group=group, pk=request.POST.get("mine") or 0).first()
        theirs = turns.filter(group=group, pk=request.POST.get("theirs") or 0).first()
        if mine is None or theirs is None:
            raise services.GroupError("Choose your turn and the turn you would like instead.")
        services.presenter_swap_ask(mine=mine, theirs=theirs, by=request.user)

    return _member_action(
        request, slug, group_id, act, "Swap asked: it happens when they accept.", "#rotation"
    )


@login_required
@require_POST
def swap_answer(request, slug: str, group_id: int, swap_id: int):
    def act(group):
        swap = get_object_or_404(PresenterSwap, group=group, pk=swap_id)
        services.presenter_swap_answer(
            swap=swap, by=request.user, accept=request.POST.get("accept") == "yes"
        )

    return _member_action(request, slug, group_id, act, "Your answer is saved.", "#rotation")


@login_required
@require_POST
def log_add(request, slug: str, group_id: int):
    form = LogEntryForm(request.POST)

    def act(group):
        if not form.is_valid():
            raise services.GroupError(errors_in_words(form))
        services.log_entry_add(group=group, by=request.user, **form.cleaned_data)

    return _member_action(request, slug, group_id, act, "Logged.", "#log")


@login_required
@require_POST
def thread_post(request, slug: str, group_id: int):
    form = ThreadForm(request.POST)

    def act(group):
        if not form.is_valid():
            raise services.GroupError(errors_in_words(form))
        services.thread_post(group=group, by=request.user, **form.cleaned_data)

    return _member_action(request, slug, group_id, act, "Sent to the group.", "#thread")


# --- Forming groups from a profiles file ------------------------------------------------------

_PROFILE_WORDS = {
    "email": ("required", "A junior or senior on this program's roster; import the roster first."),
    "place": ("optional", "City, region or hospital, e.g. Denver."),
    "specialty": ("optional", "e.g. Pediatrics."),
    "interest": ("optional", "One interest, e.g. research, parenting, running."),
    "career_stage": ("optional", "e.g. assistant professor, PGY2."),
    "together_with": (
        "optional",
        "Emails of people in this file to be in the same group, separated by “;”.",
    ),
    "apart_from": (
        "optional",
        "Emails of people in this file to be in other groups, separated by “;”.",
    ),
    "group": (
        "optional",
        "A group name this person is locked into (everyone with it stays together).",
    ),
}
_PROFILE_EXAMPLE = {
    "email": "ana@example.edu",
    "place": "Denver",
    "specialty": "Pediatrics",
    "interest": "research",
    "career_stage": "assistant professor",
    "together_with": "",
    "apart_from": "ben@example.edu",
    "group": "",
}
PROFILES_PAGE = ImportPage(
    kind="group-profiles",
    title="Import group profiles",
    intro="One row per junior or senior already on the roster: what forming groups may use "
    "about them. A column in the file sets that field for every row; a blank cell clears it.",
    run=services.group_profiles_import,
    url_name="groups-profiles-import",
    columns=tuple((name, *_PROFILE_WORDS[name]) for name in GROUP_PROFILE_COLUMNS),
    done_url_name="groups-formation",
    nav="groups",
    notes="Values are compared exactly as written, so spell a place or specialty the same "
    "way in every row.",
    template_url_name="groups-profiles-template",
    example=tuple((name, _PROFILE_EXAMPLE[name]) for name in GROUP_PROFILE_COLUMNS),
)


@login_required
def profiles_import(request, slug: str):
    return import_page(request, slug, PROFILES_PAGE)


@login_required
def profiles_template(request, slug: str):
    return import_template(request, slug, PROFILES_PAGE)


@login_required
@require_http_methods(["GET", "POST"])
def formation(request, slug: str):
    program = program_for_staff(request, slug)
    form = FormationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                # A large network is formed by the task runner (the run's page
                # shows its progress).
                run = services.formation_run_create(
                    program=program, by=request.user, inline=None, **form.cleaned_data
                )
            except services.GroupError as error:
                messages.error(request, str(error))
            else:
                return redirect("groups-formation-run", slug=slug, run_id=run.pk)
        else:
            messages.error(request, errors_in_words(form))
    return render(
        request,
        "groups/formation.html",
        {"program": program, "form": form, "runs": selectors.formation_runs(program=program)},
    )


# A national network's draft holds thousands of groups: the page shows the first ones.
RUN_PAGE_GROUPS = 200


@login_required
def formation_run(request, slug: str, run_id: int):
    """A formation run: its progress while the task runner works on it (polled by
    htmx), then the draft with each group's explanation, or why it stopped."""
    program = program_for_staff(request, slug)
    run = get_object_or_404(FormationRun, program=program, pk=run_id)
    shown = run.groups[:RUN_PAGE_GROUPS]
    people = Person.objects.in_bulk([pid for g in shown for pid in g["members"]])
    groups = [
        {**entry, "people": [people[pid] for pid in entry["members"] if pid in people]}
        for entry in shown
    ]
    return render(
        request,
        "groups/formation_run.html",
        {
            "program": program,
            "run": run,
            "groups": groups,
            "more_groups": len(run.groups) - len(shown),
        },
    )


@login_required
@require_POST
def formation_publish(request, slug: str, run_id: int):
    program = program_for_staff(request, slug)
    run = get_object_or_404(
        FormationRun.objects.select_related("program"), program=program, pk=run_id
    )
    try:
        run = services.formation_publish_queue(run=run, by=request.user)
    except services.GroupError as error:
        messages.error(request, str(error))
        return redirect("groups-formation-run", slug=slug, run_id=run.pk)
    if run.in_progress:  # queued for the task runner: its progress page
        return redirect("groups-formation-run", slug=slug, run_id=run.pk)
    placed = sum(len(g["members"]) for g in run.groups)
    return _done(
        request,
        f"{len(run.groups)} groups published; {placed} members emailed.",
        "groups",
        slug=slug,
    )


@login_required
@require_POST
def survey_invite(request, slug: str):
    program = program_for_staff(request, slug)
    wave = get_object_or_404(Wave, instrument__program=program, pk=request.POST.get("wave") or 0)
    created = group_members_invite(wave=wave, by=request.user)
    return _done(request, f"{created} group member(s) invited to the survey.", "groups", slug=slug)
