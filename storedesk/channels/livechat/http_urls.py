from django.urls import path

from storedesk.channels.livechat import http

urlpatterns = [
    path("files/<str:token>/", http.file, name="livechat-file"),
    path("read/<int:conversation_id>/", http.agent_read, name="livechat-agent-read"),
    path("<slug:store_slug>/upload", http.upload, name="livechat-upload"),
]
