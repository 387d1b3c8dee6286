from django.urls import path

from peerreview import views

app_name = "peerreview"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("protocols/", views.ProtocolListView.as_view(), name="protocol_list"),
    path("protocols/add/", views.ProtocolCreateView.as_view(), name="protocol_create"),
    path("protocols/<int:pk>/", views.ProtocolDetailView.as_view(), name="protocol_detail"),
    path("protocols/<int:pk>/sign/", views.ProtocolSignView.as_view(), name="protocol_sign"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/add/", views.ProgrammeCreateView.as_view(), name="programme_create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<int:pk>/reviews/add/", views.ReviewCreateView.as_view(), name="review_create"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/team/", views.ReviewTeamView.as_view(), name="review_team"),
    path("reviews/<int:pk>/move/", views.TransitionView.as_view(), name="review_transition"),
    path("reviews/<int:pk>/focus/", views.FocusAddView.as_view(), name="focus_add"),
    path("reviews/<int:pk>/pre-review/", views.PreReviewView.as_view(), name="pre_review"),
    path("reviews/<int:pk>/evidence/", views.EvidenceAddView.as_view(), name="evidence_add"),
    path("reviews/<int:pk>/findings/", views.FindingAddView.as_view(), name="finding_add"),
    path("reviews/<int:pk>/workshop/", views.WorkshopView.as_view(), name="workshop"),
    path("reviews/<int:pk>/actions/", views.ActionAddView.as_view(), name="action_add"),
    path("reviews/<int:pk>/safeguarding/", views.ConcernAddView.as_view(), name="concern_add"),
    path("reviews/<int:pk>/report/", views.ReportView.as_view(), name="report"),
    path("reviews/<int:pk>/report/edit/", views.ReportEditView.as_view(), name="report_edit"),
    path("reviews/<int:pk>/report/agree/", views.ReportAgreeView.as_view(), name="report_agree"),
    path("reviews/<int:pk>/sharing/", views.SharingView.as_view(), name="sharing"),
    path("team/<int:pk>/declare/", views.TeamDeclareView.as_view(), name="team_declare"),
    path("team/<int:pk>/release/", views.TeamReleaseView.as_view(), name="team_release"),
    path("findings/<int:pk>/answer/", views.FindingAnswerView.as_view(), name="finding_answer"),
    path("focus/<int:pk>/estimate/", views.FocusEstimateView.as_view(), name="focus_estimate"),
    path("actions/<int:pk>/", views.ActionUpdateView.as_view(), name="action_update"),
    path("actions/<int:pk>/impact/", views.ImpactAddView.as_view(), name="impact_add"),
    path("grants/<int:pk>/revoke/", views.GrantRevokeView.as_view(), name="grant_revoke"),
    path("safeguarding/<int:pk>/", views.ConcernDetailView.as_view(), name="concern_detail"),
    path("rollup/", views.RollupView.as_view(), name="rollup"),
    path("excellence/", views.ExcellenceView.as_view(), name="excellence"),
    path("excellence/add/", views.ExcellenceAddView.as_view(), name="excellence_add"),
]
