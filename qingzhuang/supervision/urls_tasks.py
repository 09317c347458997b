"""工作问效 pages, under /supervision/tasks/."""

from django.urls import path

from qingzhuang.supervision import views_tasks as views

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/mine/", views.task_mine, name="task_mine"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/overview/", views.task_overview, name="task_overview"),
    path("tasks/cards/", views.task_cards, name="task_cards"),
    path("tasks/export/", views.task_export, name="task_export"),
    path("tasks/node-row/", views.node_row, name="task_node_row"),
    path("tasks/indicators/", views.indicator_options, name="task_indicators"),
    path("tasks/assignees/", views.assignee_options, name="task_assignees"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/nodes/<int:pk>/report/", views.node_report, name="task_node_report"),
    path("tasks/reports/<int:pk>/review/", views.report_review, name="task_report_review"),
    path("tasks/reports/<int:pk>/files/<int:file>/", views.report_file, name="task_report_file"),
]
