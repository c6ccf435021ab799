"""The director's weekly email editor (with live preview and "send me a test") and the
program's outbox: every message as sent, its state, and "retry now".

Directors and coordinators only; everyone else gets 403, anonymous visitors the
sign-in page. Thin: parse, call weekly_email or messaging, render.
"""

from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from medmentor.curriculum import closure_selectors, weekly_email
from medmentor.messaging import selectors as outbox
from medmentor.messaging import services as outbox_services
from medmentor.messaging.models import OutboxMessage, OutboxStatus
from medmentor.programs import access, kinds
from medmentor.programs.models import Program
from medmentor.programs.selectors import program_today, week_is_finished

OUTBOX_PAGE_SIZE = 50


# A page that shows an email's HTML part does so in a sandboxed iframe (srcdoc, no
# scripts, no same origin), and such a frame inherits the page's Content Security
# Policy: without this, the <style> elements that directors put in email HTML would be
# dropped from the preview while mail programs apply them. Only style elements are let
# in; script-src stays 'self', and the page's own text is escaped as everywhere.
_EMAIL_HTML_STYLES = csp_update({"style-src": ["'unsafe-inline'"]})


def _program_for_staff(request, slug: str) -> Program:
    program = get_object_or_404(Program.objects.select_related("service", "institution"), slug=slug)
    access.require_manager(
        request.user, program, "Only the program's directors and coordinators manage its email."
    )
    # The weekly email is a case-review program's; the outbox is every program's.
    kinds.require_page(program=program, page=request.resolver_match.url_name)
    return program


class WeeklyEmailForm(forms.Form):
    subject = forms.CharField(
        max_length=200,
        help_text="One line. Template syntax works here too, e.g. {{ week.topic }}.",
    )
    text_body = forms.CharField(
        label="Plain-text part",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        help_text="What mail programs that show no HTML display.",
    )
    html_body = forms.CharField(
        label="HTML part",
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text="Values are escaped for you. Leave empty to send plain text only.",
    )
    week = forms.TypedChoiceField(label="Preview the week of", coerce=int, required=False)
    person = forms.TypedChoiceField(label="Preview for", coerce=int, required=False)

    def __init__(self, *args, choices: weekly_email.PreviewChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Week and person only steer the preview, and `choices` has already settled
            # them (a person not on service in the chosen week, a holiday week, gives way
            # to the week's first person): show what was settled, never refuse the draft.
            self.data = self.data.copy()
            self.data["week"] = choices.week.id if choices.week else ""
            self.data["person"] = choices.person.id if choices.person else ""
        self.fields["week"].choices = [
            (week.id, week.starts_on.strftime("%-d %B %Y")) for week in choices.weeks
        ]
        self.fields["person"].choices = [
            (person.id, f"{person.full_name} ({person.email})") for person in choices.people
        ]
        for name in ("subject", "text_body", "html_body"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def parts(self) -> weekly_email.EmailParts:
        return weekly_email.EmailParts(
            subject=self.cleaned_data["subject"],
            text_body=self.cleaned_data["text_body"],
            html_body=self.cleaned_data["html_body"],
        )


def _choices(request, program: Program, data) -> weekly_email.PreviewChoices:
    def as_id(name: str) -> int | None:
        value = data.get(name, "")
        return int(value) if str(value).isdigit() else None

    return weekly_email.weekly_email_preview_choices(
        program=program,
        viewer=request.user,
        today=program_today(program=program),
        week_id=as_id("week"),
        person_id=as_id("person"),
    )


def _preview(form: WeeklyEmailForm, program: Program, choices) -> dict:
    """The draft rendered for the chosen person and week, or the reason it cannot be."""
    if choices.week is None:
        return {"problem": "The program has no weeks yet: import the service schedule first."}
    if not form.is_valid():
        missing = [form[name].label.lower() for name in form.errors if name in form.fields]
        if missing:
            return {"problem": f"Fix the {' and the '.join(missing)} to see a preview."}
        return {"problem": "Fix the draft's errors shown above to see a preview."}
    try:
        email = weekly_email.weekly_email_render(
            program=program,
            week=choices.week,
            person=choices.person,
            parts=form.parts(),
            workspace_url=weekly_email.workspace_preview_link(program=program),
        )
    except weekly_email.WeeklyEmailTemplateError as error:
        return {"problem": str(error)}
    return {"email": email, "person": choices.person, "week": choices.week}


def _editor(request, program: Program, form: WeeklyEmailForm, choices, status: int = 200):
    return render(
        request,
        "curriculum/email_template.html",
        {
            "program": program,
            "form": form,
            "preview": _preview(form, program, choices),
            "is_custom": weekly_email.email_template_is_custom(program=program),
        },
        status=status,
    )


def _template_error(form: WeeklyEmailForm, error: weekly_email.WeeklyEmailTemplateError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_http_methods(["GET", "POST"])
@login_required
@_EMAIL_HTML_STYLES
def email_template(request, slug: str):
    """GET: the editor with the saved template. POST: save, preview (without
    JavaScript), or reset to the default, by the button pressed."""
    program = _program_for_staff(request, slug)
    if request.method == "GET":
        choices = _choices(request, program, request.GET)
        parts = weekly_email.email_template_get_or_default(program=program)
        initial = {
            "subject": parts.subject,
            "text_body": parts.text_body,
            "html_body": parts.html_body,
            "week": choices.week.id if choices.week else None,
            "person": choices.person.id if choices.person else None,
        }
        form = WeeklyEmailForm(initial, choices=choices)
        return _editor(request, program, form, choices)

    choices = _choices(request, program, request.POST)
    action = request.POST.get("action", "save")
    if action == "reset":
        weekly_email.email_template_reset(program=program)
        messages.success(request, "The weekly email is back to the default template.")
        return redirect("email-template", slug=program.slug)
    form = WeeklyEmailForm(request.POST, choices=choices)
    if action == "preview" or not form.is_valid():
        return _editor(request, program, form, choices, status=200 if form.is_valid() else 400)
    try:
        weekly_email.email_template_save(program=program, parts=form.parts())
    except weekly_email.WeeklyEmailTemplateError as error:
        _template_error(form, error)
        return _editor(request, program, form, choices, status=400)
    messages.success(request, "Saved. The next weekly emails use this template.")
    return redirect(
        f"{reverse('email-template', kwargs={'slug': program.slug})}"
        f"?week={form.cleaned_data['week'] or ''}&person={form.cleaned_data['person'] or ''}"
    )


@require_POST
@login_required
def email_preview(request, slug: str):
    """The live preview (htmx): the draft in the form, rendered for the chosen person."""
    program = _program_for_staff(request, slug)
    choices = _choices(request, program, request.POST)
    form = WeeklyEmailForm(request.POST, choices=choices)
    return render(
        request,
        "curriculum/email_preview.html",
        {"program": program, "preview": _preview(form, program, choices)},
    )


@require_POST
@login_required
@_EMAIL_HTML_STYLES
def email_test(request, slug: str):
    """Queue the draft, as the chosen person would get it, to the signed-in director."""
    program = _program_for_staff(request, slug)
    choices = _choices(request, program, request.POST)
    form = WeeklyEmailForm(request.POST, choices=choices)
    if not form.is_valid():
        return _editor(request, program, form, choices, status=400)
    if choices.week is None:
        form.add_error(None, "The program has no weeks yet: import the service schedule first.")
        return _editor(request, program, form, choices, status=400)
    try:
        test = weekly_email.weekly_email_test_send(
            program=program,
            week=choices.week,
            person=choices.person,
            parts=form.parts(),
            to=request.user,
            now=timezone.now(),
        )
    except weekly_email.WeeklyEmailTemplateError as error:
        _template_error(form, error)
        return _editor(request, program, form, choices, status=400)
    messages.success(
        request,
        f"A test of this draft is on its way to {test.to_email}. The worker sends it within "
        "a minute; it is listed in the outbox. The draft itself is not saved.",
    )
    return _editor(request, program, form, choices)


class WeeklyNoteForm(forms.Form):
    note = forms.CharField(
        label="Your note for this week",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
        help_text="A few lines from you, near the top of the email: plain text, blank lines "
        "between paragraphs.",
    )
    reminders = forms.CharField(
        label="Reminders (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "true"}),
        help_text="One a line, listed under your note, e.g. “Journal club on Thursday”.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"


def _saved_preview(program: Program, choices) -> dict:
    """The week's email as it will go out (the saved template and note)."""
    if choices.week is None:
        return {"problem": "The program has no weeks yet: import the service schedule first."}
    try:
        email = weekly_email.weekly_email_render(
            program=program,
            week=choices.week,
            person=choices.person,
            workspace_url=weekly_email.workspace_preview_link(program=program),
        )
    except weekly_email.WeeklyEmailTemplateError as error:
        return {"problem": str(error)}
    return {"email": email, "person": choices.person, "week": choices.week}


@require_http_methods(["GET", "POST"])
@login_required
@_EMAIL_HTML_STYLES
def email_note(request, slug: str):
    """The simple editor: the chosen week's note and reminders, with the email as it
    will go out (every week can be chosen, holidays included)."""
    program = _program_for_staff(request, slug)
    choices = _choices(request, program, request.POST if request.method == "POST" else request.GET)
    week = choices.week
    finished = week is not None and week_is_finished(week=week)
    status = 200
    if request.method == "POST" and week is not None:
        form = WeeklyNoteForm(request.POST)
        if form.is_valid():
            try:
                weekly_email.weekly_note_save(week=week, by=request.user, **form.cleaned_data)
            except weekly_email.WeeklyNoteError as error:
                form.add_error(error.field, str(error))
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request,
                    f"Saved the note for the week of {week.starts_on:%-d %B}. Emails not yet "
                    "sent for that week carry it.",
                )
                return redirect(
                    f"{reverse('email-note', kwargs={'slug': program.slug})}?week={week.id}"
                )
        status = 400
    else:
        saved = weekly_email.weekly_note_of(week=week) if week else None
        form = WeeklyNoteForm(
            initial={
                "note": saved.note if saved else "",
                "reminders": saved.reminders if saved else "",
            }
        )
    return render(
        request,
        "curriculum/email_note.html",
        {
            "program": program,
            "form": form,
            "choices": choices,
            "week": week,
            "finished": finished,
            "shows_note": weekly_email.email_template_shows_note(program=program),
            "closures": closure_selectors.week_closures(program=program, weeks=[week]).get(week.id)
            if week
            else None,
            "preview": _saved_preview(program, choices),
        },
        status=status,
    )


@require_GET
@login_required
def outbox_list(request, slug: str):
    program = _program_for_staff(request, slug)
    topic = weekly_email.weekly_email_topic(program=program)
    status = request.GET.get("status", "")
    if status not in OutboxStatus.values:
        status = ""
    page = Paginator(outbox.outbox_messages(topic=topic, status=status or None), OUTBOX_PAGE_SIZE)
    counts = outbox.outbox_summary(topic=topic)
    return render(
        request,
        "curriculum/email_outbox.html",
        {
            "program": program,
            "page": page.get_page(request.GET.get("page")),
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in OutboxStatus.choices],
            "total": sum(counts.values()),
            "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
        },
    )


def _sent_message(program: Program, message_id: int) -> outbox.SentMessage:
    try:
        return outbox.outbox_message(
            topic=weekly_email.weekly_email_topic(program=program), message_id=message_id
        )
    except OutboxMessage.DoesNotExist as error:
        raise Http404(f"{program.name} has no message {message_id}.") from error


@require_GET
@login_required
@_EMAIL_HTML_STYLES
def outbox_message(request, slug: str, message_id: int):
    program = _program_for_staff(request, slug)
    sent = _sent_message(program, message_id)
    return render(request, "curriculum/email_message.html", {"program": program, "sent": sent})


@require_POST
@login_required
def outbox_retry(request, slug: str, message_id: int):
    program = _program_for_staff(request, slug)
    sent = _sent_message(program, message_id)
    if outbox_services.outbox_retry(message=sent.message):
        messages.success(request, "It will be sent again at the worker's next pass.")
    else:
        messages.error(request, "Only a failed message can be retried; this one is not failed.")
    return redirect("outbox-message", slug=program.slug, message_id=message_id)
