from django.urls import path

from medmentor.site import views

urlpatterns = [
    path("", views.home, name="home"),
]
