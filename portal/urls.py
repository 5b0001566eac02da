from django.contrib.auth import views as auth_views
from django.urls import path

from portal import orders, tasks, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/<uuid:task_id>/", tasks.task, name="task"),
    path("tasks/<uuid:task_id>/claim/", views.claim, name="claim"),
    path("tasks/<uuid:task_id>/unclaim/", views.unclaim, name="unclaim"),
    path("tasks/<uuid:task_id>/take-over/", views.take_over, name="take_over"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("schedules/", views.schedules, name="schedules"),
    path("alliances/", views.alliances, name="alliances"),
    path("alliances/<int:pk>/", views.alliance, name="alliance"),
    path("negotiations/", views.negotiations, name="negotiations"),
    path("negotiations/<int:pk>/", views.negotiation, name="negotiation"),
    path("negotiations/<int:pk>/cap-check/", views.cap_check, name="cap-check"),
    path("baselines/", views.baselines, name="baselines"),
    path("baselines/<int:pk>/supersede/", views.supersede, name="supersede"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("agreements/<int:pk>/assessments/", views.record_sitting, name="record-sitting"),
    path("sittings/<int:pk>/certificates/", views.issue, name="issue"),
    path("sittings/<int:pk>/correction/", views.correct_sitting, name="correct-sitting"),
    path("sittings/<int:pk>/make-ups/", views.record_makeup, name="record-makeup"),
    path("filings/", views.filings, name="filings"),
    path("assessments/", views.assessments, name="assessments"),
    path("certificates/", views.certificates, name="certificates"),
    path("paper-orders/", orders.paper_orders, name="paper-orders"),
    path("paper-orders/<int:pk>/dispatch/", orders.dispatch, name="dispatch-paper-order"),
    path("paper-orders/<int:pk>/deliver/", orders.deliver, name="deliver-paper-order"),
    path("paper-orders/<int:pk>/cancel/", orders.cancel, name="cancel-paper-order"),
    path("payments/", views.payments, name="payments"),
    path("processes/<int:pk>/", views.process, name="process"),
]
