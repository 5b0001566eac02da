from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("<int:pk>/read/", views.read, name="notification-read"),
    path("read-all/", views.read_all, name="notifications-read-all"),
    path("preferences/", views.preferences, name="notification-preferences"),
]
