from django.urls import path

from storedesk.channels.email import views, webhooks

urlpatterns = [
    path("inbound/<slug:esp>/", webhooks.inbound, name="email-inbound-webhook"),
    path("mail/", views.inbound_list, name="email-inbound-list"),
    path("mail/<int:pk>/", views.inbound_detail, name="email-inbound-detail"),
    path("mail/<int:pk>/raw", views.inbound_raw, name="email-inbound-raw"),
    path("mail/<int:pk>/retry", views.inbound_retry, name="email-inbound-retry"),
    path("unanswered/", views.unanswered, name="email-unanswered"),
]
