from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from medmentor.programs import selectors


@login_required
def home(request):
    programs = selectors.programs_for_person(person=request.user)
    if len(programs) == 1:
        return redirect(programs[0].url)
    return render(request, "programs/home.html", {"programs": programs})
