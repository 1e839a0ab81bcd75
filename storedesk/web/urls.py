from django.contrib.auth import views as auth_views
from django.urls import path

from storedesk.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
]
