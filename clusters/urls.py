from django.urls import path

from clusters import views

app_name = "clusters"

urlpatterns = [
    path("", views.ClusterListView.as_view(), name="list"),
    path("add/", views.ClusterFormView.as_view(), name="create"),
    path("<int:pk>/", views.ClusterDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ClusterFormView.as_view(), name="edit"),
    path("<int:pk>/schools/add/", views.ClusterAddSchoolView.as_view(), name="add_school"),
    path(
        "<int:pk>/memberships/<int:membership_pk>/end/",
        views.ClusterEndMembershipView.as_view(),
        name="end_membership",
    ),
    path("alliances/", views.AllianceListView.as_view(), name="alliance_list"),
    path("alliances/add/", views.AllianceFormView.as_view(), name="alliance_create"),
    path("alliances/<int:pk>/", views.AllianceDetailView.as_view(), name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.AllianceFormView.as_view(), name="alliance_edit"),
    path("alliances/<int:pk>/clusters/add/", views.AllianceAddClusterView.as_view(), name="alliance_add_cluster"),
    path(
        "alliances/<int:pk>/memberships/<int:membership_pk>/end/",
        views.AllianceEndMembershipView.as_view(),
        name="alliance_end_membership",
    ),
]
