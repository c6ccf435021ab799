from django.urls import path

from medmentor.people import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("photo/", views.profile_photo, name="profile-photo"),
]
