from django.urls import path

from qingzhuang.supervision import views_violations

urlpatterns = [
    path("violations/", views_violations.violation_list, name="violations"),
]
