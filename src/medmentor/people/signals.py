"""Signals `people` sends to the apps above it, which it must not import."""

import django.dispatch

# Sent by the admin before it offers to delete people (`people=` the list). A receiver
# returns a list of reasons, each a sentence, why one of them must not be deleted (e.g.
# programs: a program's last director); any reason blocks the deletion.
person_deletion_refused = django.dispatch.Signal()
