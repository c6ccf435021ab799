from django.urls import path

from medmentor.site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/email-link/", views.sign_in_link_request, name="sign-in-link-request"),
    path("sign-in/link/<str:token>/", views.sign_in_link_use, name="sign-in-link"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path(
        "programs/<slug:slug>/people/<int:person_id>/sign-in-link/",
        views.program_person_sign_in_link,
        name="program-person-sign-in-link",
    ),
]
