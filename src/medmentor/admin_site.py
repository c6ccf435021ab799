"""The admin site: Django's, with no back door around the privacy rules (docs/privacy.md).

Models whose rows are private to their owner say so with a class attribute
`private_to_owner = True` (e.g. a junior's revealed answers, a pair's reviewed/skipped
marks). This site

- refuses to register such a model, so the admin has no page for it; and
- gives every ModelAdmin registered on it a deletion summary without those rows.
  Django's "Are you sure?" page lists and counts every row a delete cascades to,
  registered or not — "Answer reveals: 5" under a junior, "Case reviews: 3" under a
  pair — which would show a director exactly what rule 1 keeps from them. The rows are
  still deleted with their owner; they are just not listed or counted.

Being the site itself (not a mixin each admin.py must remember), it also covers
ModelAdmins written later.

The site opens only for operations accounts: staff with no enrollment in any program.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.db.models.base import ModelBase
from django.urls import reverse
from django.utils.text import capfirst


class ReadOnlyAdmin:
    """Mixin for a ModelAdmin or inline: rows to look at, never to add, change or delete
    in the admin (their changes go through the services' rules)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def private_models() -> list:
    return [model for model in apps.get_models() if getattr(model, "private_to_owner", False)]


def _without_private_rows(nested: list, prefixes: tuple[str, ...]) -> list:
    """`nested` (Django's nested list of "Verbose name: row" strings, each followed by
    the list of what it cascades to) without the private rows and what hangs off them."""
    kept: list = []
    skipping = False
    for entry in nested:
        if isinstance(entry, list):
            if not skipping:
                children = _without_private_rows(entry, prefixes)
                if children:
                    kept.append(children)
            continue
        # A private model is never registered, so Django shows its rows as plain text.
        skipping = str(entry).startswith(prefixes)
        if not skipping:
            kept.append(entry)
    return kept


class PrivateRowsHidden:
    """ModelAdmin mixin: the deletion summary leaves out rows private to their owner."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        private = private_models()
        prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in private)
        plurals = {str(model._meta.verbose_name_plural) for model in private}
        return (
            _without_private_rows(to_delete, prefixes),
            {name: count for name, count in model_count.items() if str(name) not in plurals},
            perms_needed,
            protected,
        )


class MedmentorAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # The admin is for operations accounts only (docs/deploy.md). A person enrolled
        # in a program is never let in, even one made staff before this rule (an older
        # demo made its director a superuser): directors use the program pages.
        user = request.user
        return super().has_permission(request) and not user.enrollments.exists()

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            if getattr(model, "private_to_owner", False):
                raise ImproperlyConfigured(
                    f"{model._meta.label} is private to its owner (docs/privacy.md) and "
                    "must never have an admin page."
                )
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PrivateRowsHidden):
            admin_class = type(
                admin_class.__name__,
                (PrivateRowsHidden, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(models, admin_class, **options)

    def login(self, request, extra_context=None):
        # One door for passwords: our sign-in page, where throttling holds the (account,
        # address) lock across django-axes' check and count (people.services.sign_in_check).
        # The admin's own form would check passwords without that lock.
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
            login_url=reverse("sign-in"),
        )
