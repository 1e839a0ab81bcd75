from django.urls import path

from storedesk.channels.livechat import views

urlpatterns = [
    path("<slug:store_slug>/", views.demo_shop, name="livechat-demo-shop"),
]
