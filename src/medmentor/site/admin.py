"""The Person admin with the one step `people` cannot take itself: emailing a new
person their sign-in link (messaging sits above people, so people/admin.py stops short
of it and this top floor registers the admin that does it)."""

from django.contrib import admin, messages

from medmentor.messaging.services import sign_in_link_send
from medmentor.people.admin import PersonAdmin
from medmentor.people.models import Person


class PersonWithSignInLinkAdmin(PersonAdmin):
    """people.admin.PersonAdmin, and a person added here gets a one-time sign-in link."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # The link is minted by the worker at delivery: the outbox holds none.
            sign_in_link_send(person=obj)
            messages.info(request, f"A sign-in link is on its way to {obj.email}.")


admin.site.unregister(Person)
admin.site.register(Person, PersonWithSignInLinkAdmin)
