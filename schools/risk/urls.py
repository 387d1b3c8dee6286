from django.urls import path

from schools.risk import views
from schools.risk.backtest import views as backtests
from schools.risk.categorisation import views as rounds

app_name = "risk"

urlpatterns = [
    path("schools/<int:urn>/intelligence/", views.IntelligenceListView.as_view(), name="intelligence_list"),
    path("schools/<int:urn>/intelligence/add/", views.IntelligenceCreateView.as_view(), name="intelligence_add"),
    path("intelligence/<int:pk>/archive/", views.IntelligenceArchiveView.as_view(), name="intelligence_archive"),
    path("runs/", views.RiskRunListView.as_view(), name="run_list"),
    path("runs/start/", views.RiskRunCreateView.as_view(), name="run_create"),
    path("runs/<int:pk>/", views.RiskRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/status.json", views.RiskRunStatusView.as_view(), name="run_status"),
    path("register/", views.RiskRegisterView.as_view(), name="register"),
    path("register/export.csv", views.RiskRegisterExportView.as_view(), name="register_export"),
    path("schools/<int:urn>/", views.RiskSchoolView.as_view(), name="school"),
    path("schools/<int:urn>/head-changes/", views.HeadChangeJudgeView.as_view(), name="head_change_judge"),
    path("rules/", views.RulesetView.as_view(), name="ruleset"),
    path("rules/edit/", views.RulesetEditView.as_view(), name="ruleset_edit"),
    path("rounds/", rounds.RoundListView.as_view(), name="round_list"),
    path("rounds/open/", rounds.RoundCreateView.as_view(), name="round_create"),
    path("rounds/termly/open/", rounds.TermlyReviewCreateView.as_view(), name="termly_open"),
    path("reviews/suggested/", rounds.ReviewSuggestionListView.as_view(), name="review_suggestions"),
    path("schools/<int:urn>/in-year-review/", rounds.InYearReviewOpenView.as_view(), name="in_year_open"),
    path(
        "schools/<int:urn>/in-year-review/dismiss/", rounds.ReviewSuggestionDismissView.as_view(), name="review_dismiss"
    ),
    path("rounds/<int:pk>/", rounds.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/agree/", rounds.RoundAgreeView.as_view(), name="round_agree"),
    path("rounds/<int:pk>/publish/", rounds.RoundPublishView.as_view(), name="round_publish"),
    path("rounds/<int:pk>/emails/retry/", rounds.RoundNoticesRetryView.as_view(), name="round_notices_retry"),
    path("rounds/<int:pk>/schools/<int:urn>/", rounds.RoundSchoolView.as_view(), name="round_school"),
    path("rounds/<int:pk>/schools/<int:urn>/adjust/", rounds.RoundSchoolAdjustView.as_view(), name="round_adjust"),
    path(
        "rounds/<int:pk>/schools/<int:urn>/moderate/", rounds.RoundSchoolModerateView.as_view(), name="round_moderate"
    ),
    path("holidays/", rounds.HolidayListView.as_view(), name="holidays"),
    path("holidays/<int:pk>/delete/", rounds.HolidayDeleteView.as_view(), name="holiday_delete"),
    path("replies/<int:pk>/answer/", rounds.ReplyAnswerView.as_view(), name="reply_answer"),
    path("my-school/", rounds.OwnCategoryView.as_view(), name="own_category"),
    path("backtests/", backtests.RiskBacktestListView.as_view(), name="backtest_list"),
    path("backtests/run/", backtests.RiskBacktestCreateView.as_view(), name="backtest_create"),
    path("backtests/<int:pk>/", backtests.RiskBacktestDetailView.as_view(), name="backtest_detail"),
]
