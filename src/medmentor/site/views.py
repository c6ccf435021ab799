from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from medmentor.site import selectors


@never_cache  # an open survey invitation's link is the person's own
@login_required
def home(request):
    """Each of the person's programs with what needs them there (site.selectors)."""
    cards = selectors.home_cards(person=request.user)
    return render(request, "site/home.html", {"cards": cards})
