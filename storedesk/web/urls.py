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
from storedesk.web import commerce_admin_views as commerce_admin
from storedesk.web import conversation_views as cv
from storedesk.web import knowledge_views as knowledge
from storedesk.web import settings_views as sla_settings
from storedesk.web import workforce_views as workforce
from storedesk.web.carrier_webhook_views import carrier_webhook

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
    path("returns/<slug:slug>/carrier/<slug:carrier>/webhook", carrier_webhook, name="returns_carrier_webhook"),
    path("commerce/returns/photos/<int:photo_id>", commerce_admin.return_photo, name="commerce_return_photo"),
    # Orders and remedies for leads (commerce_admin_views.py): approvals, reports, limits, late orders.
    path("commerce/approvals/", commerce_admin.approvals, name="commerce_approvals"),
    path(
        "commerce/approvals/<int:approval_id>/decide",
        commerce_admin.decide_approval,
        name="commerce_approval_decide",
    ),
    path("commerce/reports/", commerce_admin.commerce_reports, name="commerce_reports"),
    path("commerce/settings/", commerce_admin.commerce_settings, name="commerce_settings"),
    path("commerce/late-orders/", commerce_admin.late_orders, name="commerce_late_orders"),
    path(
        "commerce/late-orders/<int:outreach_id>/decide",
        commerce_admin.late_order_decide,
        name="commerce_late_order_decide",
    ),
    # Workforce planning (workforce_views.py): coverage for a week, the shift schedule, staffing targets.
    path("workforce/", workforce.coverage, name="workforce_coverage"),
    path("workforce/shifts/", workforce.shifts, name="workforce_shifts"),
    path("workforce/shifts/form", workforce.shift_form, name="workforce_shift_form"),
    path("workforce/shifts/save", workforce.shift_save, name="workforce_shift_save"),
    path("workforce/shifts/<int:shift_id>/delete", workforce.shift_delete, name="workforce_shift_delete"),
    path("workforce/shifts/copy", workforce.shift_copy, name="workforce_shift_copy"),
    path("workforce/targets", workforce.targets, name="workforce_targets"),
    # SLA policies, business hours and the agent's status switch (settings_views.py).
    path("settings/sla/", sla_settings.sla_settings, name="sla_settings"),
    path("settings/sla/policy/new", sla_settings.policy_edit, name="sla_policy_new"),
    path("settings/sla/policy/<int:policy_id>/", sla_settings.policy_edit, name="sla_policy_edit"),
    path("settings/sla/policy/<int:policy_id>/delete", sla_settings.policy_delete, name="sla_policy_delete"),
    path("settings/hours", sla_settings.hours_save, name="business_hours_save"),
    path("me/status", sla_settings.agent_status, name="agent_status"),
    # The store's knowledge articles the chat bot answers from (knowledge_views.py).
    path("knowledge/articles/", knowledge.articles, name="knowledge_articles"),
    path("knowledge/articles/new", knowledge.article_edit, name="knowledge_article_new"),
    path("knowledge/articles/<int:article_id>/", knowledge.article_edit, name="knowledge_article_edit"),
    path(
        "knowledge/articles/<int:article_id>/published",
        knowledge.article_published,
        name="knowledge_article_published",
    ),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/badge", notification_views.badge, name="notifications-badge"),
    path("notifications/read", notification_views.mark_read, name="notifications-read"),
]
