from django.urls import path

from storedesk.channels.phone.webhooks import voice_events

urlpatterns = [
    path("<slug:store_slug>/events", voice_events, name="voice_events"),
]
