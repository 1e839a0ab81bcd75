from django.urls import path

from storedesk.channels.livechat.consumers import VisitorConsumer

# Mounted in config/asgi.py *outside* the agent stack: the widget runs on the store's own site
# (another origin, no session cookie); it authenticates with its visitor token instead.
websocket_urlpatterns = [
    path("ws/chat/<slug:store_slug>/", VisitorConsumer.as_asgi()),
]
