from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api import attachment_views, supervision_views, tokens, verification, views

router = DefaultRouter()
router.register("tasks", views.TaskViewSet, basename="task")
router.register("alliances", views.AllianceViewSet, basename="alliance")
router.register("fee-schedules", views.FeeScheduleViewSet, basename="fee-schedule")
router.register("negotiations", views.NegotiationViewSet, basename="negotiation")
router.register("baselines", views.BaselineViewSet, basename="baseline")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("filings", views.FilingViewSet, basename="filing")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("funding-purposes", views.FundingPurposeViewSet, basename="funding-purpose")
router.register("colleges", views.CollegeViewSet, basename="college")
router.register("cost-items", views.CostItemViewSet, basename="cost-item")
router.register("sittings", views.SittingViewSet, basename="sitting")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("process-instances", views.ProcessInstanceViewSet, basename="process-instance")
router.register("paper-orders", views.PaperOrderViewSet, basename="paper-order")
router.register("participation-filings", views.ParticipationFilingViewSet, basename="participation-filing")
router.register("subsidy-rounds", views.SubsidyRoundViewSet, basename="subsidy-round")
router.register("subsidy-allocations", views.SubsidyAllocationViewSet, basename="subsidy-allocation")
router.register("assessment-plans", supervision_views.AssessmentPlanViewSet, basename="assessment-plan")
router.register("training-sessions", supervision_views.TrainingSessionViewSet, basename="training-session")
router.register("teachers-sent", supervision_views.TeachersSentViewSet, basename="teachers-sent")
router.register("replacements", supervision_views.ReplacementViewSet, basename="replacement")
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("attachments", attachment_views.AttachmentViewSet, basename="attachment")

urlpatterns = [
    path("verify/<str:serial_no>/", verification.VerifyCertificate.as_view(), name="api-verify"),
    path("signing-keys/", verification.SigningKeys.as_view(), name="api-signing-keys"),
    path("auth/token/", tokens.LoginView.as_view(), name="api-token"),
    path("auth/logout/", tokens.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", tokens.LogoutAllView.as_view(), name="api-logout-all"),
    path("", include(router.urls)),
]
