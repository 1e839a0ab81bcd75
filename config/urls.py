from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from storedesk.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/voice/", include("storedesk.channels.phone.urls")),
    path("api/v1/", api.urls),
    path("email/", include("storedesk.channels.email.urls")),
    path("demo-shop/", include("storedesk.channels.livechat.urls")),
    path("chat/", include("storedesk.channels.livechat.http_urls")),
    path("", include("storedesk.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
