"""Raw access to program data, for the operations account (is_staff) only.

Only the tables of this app are here; a learner's private progress lives in
curriculum and is never registered in the admin (docs/privacy.md, rule 1).

Enrollments (who holds which role where) are shown, never changed, here: every role
change goes through the roster import (page, API or `medmentor import-roster`), which
keeps the rules about other programs, role order and the last director
(programs.services.roster_import). Deleting a person who is a program's last
director is refused too.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from medmentor.admin_site import ReadOnlyAdmin
from medmentor.one_line import line_break_problem
from medmentor.people.signals import person_deletion_refused
from medmentor.programs.models import (
    EmailTemplate,
    Enrollment,
    Pair,
    Program,
    ProgramWeek,
    Role,
    ServiceBlock,
)
from medmentor.programs.selectors import week_finished_message, week_is_finished


class EnrollmentInline(ReadOnlyAdmin, admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ("person", "role", "joined_on", "left_on")
    readonly_fields = fields


class _OneLineForm(forms.ModelForm):
    """Refuses a line break in `one_line_fields`: each becomes part of an email subject
    (the program's name in the matching emails; the weekly email's subject)."""

    one_line_fields: dict[str, str] = {}

    def clean(self):
        cleaned = super().clean()
        for name, what in self.one_line_fields.items():
            problem = line_break_problem(cleaned.get(name) or "", what=what)
            if problem:
                self.add_error(name, problem)
        return cleaned


class ProgramAdminForm(_OneLineForm):
    one_line_fields = {"name": "The program's name"}


class EmailTemplateAdminForm(_OneLineForm):
    one_line_fields = {"subject": "The subject"}


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = ("name", "slug", "kind", "institution", "service", "starts_on")
    list_filter = ("kind", "institution")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("institution", "service")
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read-only: roles change by the roster import alone (see the module's note)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Not on this table's own pages: removing a role is the roster import's job.
        # Deleting a person or a program takes their enrollments along, and the admin
        # asks this for each of them; that stays allowed (a person who is a program's
        # last director is refused by _last_directors_refused below).
        match = getattr(request, "resolver_match", None)
        own_page = match is not None and str(match.url_name).startswith("programs_enrollment_")
        return not own_page and super().has_delete_permission(request, obj)

    list_display = ("person", "role", "program", "joined_on", "left_on")
    list_filter = ("role", "program")
    search_fields = ("person__email", "person__full_name", "program__name")
    autocomplete_fields = ("person",)
    list_select_related = ("person", "program")


@admin.register(ServiceBlock)
class ServiceBlockAdmin(admin.ModelAdmin):
    list_display = ("person", "service", "starts_on", "ends_on", "program")
    list_filter = ("program", "service")
    search_fields = ("person__email", "person__full_name", "service__name")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("person",)
    list_select_related = ("person", "service", "program")


# Pairs in the admin (docs/privacy.md, "finished weeks are frozen"): a finished week's
# pairs are read-only, no pair is ever deleted here (its marks would go with it), and
# removing a pair is done on the weeks-and-pairs page, which keeps it with its marks.
PAIR_REMOVAL_FIELDS = ("is_removed", "removed_by", "removed_at")


class PairAdminForm(forms.ModelForm):
    class Meta:
        model = Pair
        fields = ("week", "junior", "senior", "origin")

    def clean(self):
        cleaned = super().clean()
        week = cleaned.get("week") or getattr(self.instance, "week", None)
        if week is not None and week_is_finished(week=week):
            raise ValidationError(week_finished_message(week=week))
        return cleaned


def _frozen(pair_or_week) -> bool:
    week = pair_or_week.week if isinstance(pair_or_week, Pair) else pair_or_week
    return isinstance(week, ProgramWeek) and week_is_finished(week=week)


class PairInline(admin.TabularInline):
    model = Pair
    form = PairAdminForm
    extra = 0
    autocomplete_fields = ("junior", "senior")
    readonly_fields = PAIR_REMOVAL_FIELDS

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and _frozen(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _frozen(obj)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgramWeek)
class ProgramWeekAdmin(admin.ModelAdmin):
    list_display = ("__str__", "program", "starts_on")
    list_filter = ("program",)
    date_hierarchy = "starts_on"
    list_select_related = ("program",)
    inlines = [PairInline]

    def get_readonly_fields(self, request, obj=None):
        # A week never moves: moving a finished week would unfreeze it, and moving a
        # running one into the past would show its figure while pairs still mark.
        return ("program", "starts_on") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and _frozen(obj)) and super().has_delete_permission(
            request, obj
        )


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("junior", "senior", "week", "origin", "is_removed")
    list_filter = ("origin", "is_removed", "week__program")
    search_fields = (
        "junior__email",
        "junior__full_name",
        "senior__email",
        "senior__full_name",
    )
    autocomplete_fields = ("junior", "senior")
    list_select_related = ("junior", "senior", "week")
    form = PairAdminForm
    readonly_fields = PAIR_REMOVAL_FIELDS

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _frozen(obj)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateAdminForm
    list_display = ("program", "key", "subject", "updated_at")
    list_filter = ("key", "program")
    search_fields = ("subject", "program__name")
    list_select_related = ("program",)


def _last_directors_refused(sender, *, people, **kwargs) -> list[str]:
    """Deleting a person who is the last director of a program would leave it without
    anyone who can run it; the admin refuses with this reason."""
    ids = [person.pk for person in people]
    reasons = []
    directed = Program.objects.filter(
        enrollments__role=Role.DIRECTOR, enrollments__person_id__in=ids
    ).distinct()
    for program in directed:
        remaining = (
            Enrollment.objects.filter(program=program, role=Role.DIRECTOR)
            .exclude(person_id__in=ids)
            .exists()
        )
        if not remaining:
            reasons.append(
                f"{program.name} would be left without a director: enrol another director "
                "with the roster import first"
            )
    return reasons


person_deletion_refused.connect(_last_directors_refused, dispatch_uid="programs-last-director")
