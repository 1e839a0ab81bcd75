from django.contrib.auth import views as auth_views
from django.urls import path

from storedesk.web import (
    callback_views,
    inbox_views,
    notification_views,
    orders_views,
    returns_views,
    search_views,
    views,
)
from storedesk.web import conversation_views as cv

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    # The inbox (inbox_views.py): the page, its fragments, bulk changes and saved views.
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/rows", inbox_views.inbox_rows, name="inbox_rows"),
    path("inbox/row/<int:conversation_id>/", inbox_views.inbox_row_fragment, name="inbox_row"),
    path("inbox/assignees", inbox_views.inbox_assignees, name="inbox_assignees"),
    path("inbox/bulk", inbox_views.inbox_bulk, name="inbox_bulk"),
    path("inbox/views/save", inbox_views.inbox_view_save, name="inbox_view_save"),
    path("inbox/views/<int:view_id>/delete", inbox_views.inbox_view_delete, name="inbox_view_delete"),
    # The conversation page (conversation_views.py) and its fragments and actions.
    path("c/<int:pk>/", cv.conversation, name="conversation"),
    path("c/<int:pk>/timeline", cv.timeline_items, name="conversation-timeline"),
    path("c/<int:pk>/header", cv.header, name="conversation-header"),
    path("c/<int:pk>/sidebar", cv.sidebar, name="conversation-sidebar"),
    path("c/<int:pk>/fold", cv.fold, name="conversation-fold"),
    path("c/<int:pk>/attachments/<int:attachment_id>", cv.attachment, name="conversation-attachment"),
    path("c/<int:pk>/reply", cv.reply, name="conversation-reply"),
    path("c/<int:pk>/note", cv.note, name="conversation-note"),
    path("c/<int:pk>/macro-preview", cv.macro_preview, name="conversation-macro-preview"),
    path("c/<int:pk>/assign", cv.assign, name="conversation-assign"),
    path("c/<int:pk>/status", cv.status, name="conversation-status"),
    path("c/<int:pk>/snooze", cv.snooze, name="conversation-snooze"),
    path("c/<int:pk>/priority", cv.priority, name="conversation-priority"),
    path("c/<int:pk>/tags", cv.tags, name="conversation-tags"),
    path("c/<int:pk>/merge", cv.merge, name="conversation-merge"),
    path("c/<int:pk>/customer-notes", cv.customer_notes, name="conversation-customer-notes"),
    path("c/<int:pk>/orders/", orders_views.orders_panel, name="conversation_orders"),
    path("c/<int:pk>/orders/<int:order_id>/remedies", orders_views.issue_remedy, name="conversation_order_remedy"),
    path(
        "c/<int:pk>/orders/remedies/<int:remedy_id>/decide",
        orders_views.decide_remedy,
        name="conversation_remedy_decision",
    ),
    path("c/<int:pk>/orders/<int:order_id>/returns", orders_views.request_return, name="conversation_order_return"),
    path("c/<int:pk>/returns/<int:return_id>", orders_views.update_return, name="conversation_return_update"),
    path("search/", search_views.search, name="search"),
    path("callbacks/", callback_views.callbacks, name="callbacks"),
    path("callbacks/<int:task_id>/outcome", callback_views.callback_outcome, name="callback_outcome"),
    # The public returns page of a store (returns_views.py): no sign-in.
    path("returns/<slug:slug>/", returns_views.start, name="returns_start"),
    path("returns/<slug:slug>/r/<str:token>/", returns_views.status, name="returns_status"),
    path("returns/<slug:slug>/r/<str:token>/label.pdf", returns_views.label, name="returns_label"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/badge", notification_views.badge, name="notifications-badge"),
    path("notifications/read", notification_views.mark_read, name="notifications-read"),
]
