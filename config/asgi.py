"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import asyncio
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from storedesk.channels.livechat.routing import websocket_urlpatterns as livechat_urlpatterns  # noqa: E402
from storedesk.conversations.routing import websocket_urlpatterns  # noqa: E402
from storedesk.core import realtime  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
# The chat widget runs on the store's own site (another origin, no session): its own router.
livechat_router = URLRouter(livechat_urlpatterns)


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    """Remember the server's loop (see realtime.bind_server_loop), answer lifespan, route the rest."""
    realtime.bind_server_loop(asyncio.get_running_loop())
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket" and scope["path"].startswith("/ws/chat/"):
        await livechat_router(scope, receive, send)
        return
    await router(scope, receive, send)
