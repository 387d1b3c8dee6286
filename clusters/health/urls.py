from django.urls import path

from clusters.health import views

app_name = "cluster_health"

urlpatterns = [
    path("", views.CheckListView.as_view(), name="list"),
    path("open/", views.CheckCreateView.as_view(), name="create"),
    path("portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("<int:pk>/", views.CheckDetailView.as_view(), name="detail"),
    path("<int:pk>/move/", views.CheckTransitionView.as_view(), name="transition"),
    path("<int:pk>/rate/", views.RateView.as_view(), name="rate"),
    path("<int:pk>/strands/<int:strand_pk>/consensus/", views.ConsensusView.as_view(), name="consensus"),
    path("<int:pk>/strands/<int:strand_pk>/moderate/", views.ModerateView.as_view(), name="moderate"),
    path("<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/done/", views.ActionCompleteView.as_view(), name="action_complete"),
    path("clusters/<int:cluster_pk>/", views.ClusterHealthView.as_view(), name="cluster"),
    path("clusters/<int:cluster_pk>/meetings/add/", views.MeetingAddView.as_view(), name="meeting_add"),
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path("frameworks/<int:pk>/copy/", views.FrameworkCopyView.as_view(), name="framework_copy"),
    path("frameworks/<int:pk>/edit/", views.FrameworkEditView.as_view(), name="framework_edit"),
    path("frameworks/<int:pk>/dimensions/add/", views.DimensionAddView.as_view(), name="dimension_add"),
    path(
        "frameworks/<int:pk>/dimensions/<int:dimension_pk>/strands/add/",
        views.StrandFormView.as_view(),
        name="strand_add",
    ),
    path("frameworks/<int:pk>/strands/<int:strand_pk>/edit/", views.StrandFormView.as_view(), name="strand_edit"),
]
