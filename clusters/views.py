"""Pages for clusters and alliances: lists, pages, create/edit and dated memberships."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from clusters import selectors, services
from clusters.forms import AddClusterForm, GroupForm
from clusters.models import AllianceMembership, ClusterMembership
from partnership.access import PartnershipViewMixin
from partnership.forms import EndMembershipForm
from partnership.permissions import Permission
from partnership.views import DatedMembershipEndView, apply_validation_error
from schools.forms import AddSchoolForm
from schools.selectors import school_by_urn

CLUSTER_PAGE_SIZE = 100
"""A region has hundreds of clusters: one page of them at a time (#15: all 330 on one page was the slowest page)."""


class ClusterListView(PartnershipViewMixin, TemplateView):
    """Clusters the user may see, with sizes and alliances; officers also see isolated schools' count."""

    permission = Permission.VIEW_REGISTER
    template_name = "clusters/cluster_list.html"

    def get_context_data(self, **kwargs):
        clusters = selectors.cluster_list_page(membership=self.membership).order_by("name", "pk")
        page = Paginator(clusters, CLUSTER_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            clusters=page.object_list, page_obj=page, can_manage=self.can(Permission.MANAGE_STRUCTURES), **kwargs
        )


class ClusterDetailView(PartnershipViewMixin, TemplateView):
    """A cluster: current schools, past members, alliances, leads."""

    permission = Permission.VIEW_REGISTER
    template_name = "clusters/cluster_detail.html"

    def get_context_data(self, **kwargs):
        cluster = kwargs.pop("cluster", None) or selectors.access_cluster(
            membership=self.membership, pk=self.kwargs["pk"]
        )
        return super().get_context_data(
            cluster=cluster,
            can_manage=self.can(Permission.MANAGE_STRUCTURES),
            add_form=kwargs.pop("add_form", None) or AddSchoolForm(),
            end_form=EndMembershipForm(),
            **kwargs,
        )


class AllianceListView(PartnershipViewMixin, TemplateView):
    """Alliances the user may see, with counts of clusters and schools."""

    permission = Permission.VIEW_REGISTER
    template_name = "clusters/alliance_list.html"

    def get_context_data(self, **kwargs):
        alliances = selectors.alliance_list_page(membership=self.membership).order_by("name")
        return super().get_context_data(
            alliances=alliances, can_manage=self.can(Permission.MANAGE_STRUCTURES), **kwargs
        )


class AllianceDetailView(PartnershipViewMixin, TemplateView):
    """An alliance: its clusters and their schools."""

    permission = Permission.VIEW_REGISTER
    template_name = "clusters/alliance_detail.html"

    def get_context_data(self, **kwargs):
        alliance = kwargs.pop("alliance", None) or selectors.access_alliance(
            membership=self.membership, pk=self.kwargs["pk"]
        )
        can_manage = self.can(Permission.MANAGE_STRUCTURES)
        free_clusters = selectors.cluster_list(membership=self.membership).exclude(
            alliance_memberships__alliance=alliance, alliance_memberships__left_on__isnull=True
        )
        return super().get_context_data(
            alliance=alliance,
            can_manage=can_manage,
            add_form=kwargs.pop("add_form", None) or AddClusterForm(clusters=free_clusters.order_by("name")),
            end_form=EndMembershipForm(),
            **kwargs,
        )


class GroupFormView(PartnershipViewMixin, FormView):
    """Create a cluster/alliance, or edit one when ``pk`` is given (configured by subclasses)."""

    permission = Permission.MANAGE_STRUCTURES
    form_class = GroupForm
    template_name = "clusters/group_form.html"
    noun: str
    access: Callable[..., models.Model]
    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    detail_name: str
    list_name: str

    def get_object(self):
        pk = self.kwargs.get("pk")
        return self.access(membership=self.membership, pk=pk) if pk else None

    def get_initial(self):
        obj = self.get_object()
        return {"name": obj.name, "description": obj.description} if obj else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.get_object(), noun=self.noun, list_name=self.list_name, **kwargs)

    def form_valid(self, form):
        obj = self.get_object()
        try:
            if obj is None:
                obj = self.create(partnership=self.partnership, user=self.request.user, **form.cleaned_data)
            else:
                obj = self.update(obj, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            if "__all__" in form.errors or not form.errors:
                form.add_error("name", f"A {self.noun} with this name already exists")
            return self.form_invalid(form)
        messages.success(self.request, f"{obj.name} saved")
        return redirect(self.detail_name, pk=obj.pk)


class ClusterFormView(GroupFormView):
    noun = "cluster"
    access = staticmethod(selectors.access_cluster)
    create = staticmethod(services.cluster_create)
    update = staticmethod(lambda obj, **kw: services.cluster_update(cluster=obj, **kw))
    detail_name = "clusters:detail"
    list_name = "clusters:list"


class AllianceFormView(GroupFormView):
    noun = "alliance"
    access = staticmethod(selectors.access_alliance)
    create = staticmethod(services.alliance_create)
    update = staticmethod(lambda obj, **kw: services.alliance_update(alliance=obj, **kw))
    detail_name = "clusters:alliance_detail"
    list_name = "clusters:alliance_list"


class ClusterAddSchoolView(PartnershipViewMixin, FormView):
    """Add a school (by URN) to a cluster."""

    permission = Permission.MANAGE_STRUCTURES
    form_class = AddSchoolForm
    template_name = "clusters/cluster_detail.html"

    def form_valid(self, form):
        cluster = selectors.access_cluster(membership=self.membership, pk=self.kwargs["pk"])
        school = school_by_urn(membership=self.membership, urn=form.cleaned_data["urn"])
        try:
            if school is None:
                raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
            services.cluster_add_school(
                cluster=cluster, school=school, joined_on=form.cleaned_data["joined_on"], user=self.request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{school.name} added to {cluster.name}")
        return redirect("clusters:detail", pk=cluster.pk)

    def form_invalid(self, form):
        view = ClusterDetailView(request=self.request, kwargs=self.kwargs)
        return self.render_to_response(view.get_context_data(add_form=form))


class AllianceAddClusterView(PartnershipViewMixin, FormView):
    """Add a cluster to an alliance."""

    permission = Permission.MANAGE_STRUCTURES
    template_name = "clusters/alliance_detail.html"

    def get_form(self, form_class=None):
        clusters = selectors.cluster_list(membership=self.membership)
        return AddClusterForm(**self.get_form_kwargs(), clusters=clusters)

    def form_valid(self, form):
        alliance = selectors.access_alliance(membership=self.membership, pk=self.kwargs["pk"])
        cluster = form.cleaned_data["cluster"]
        try:
            services.alliance_add_cluster(
                alliance=alliance, cluster=cluster, joined_on=form.cleaned_data["joined_on"], user=self.request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{cluster.name} added to {alliance.name}")
        return redirect("clusters:alliance_detail", pk=alliance.pk)

    def form_invalid(self, form):
        view = AllianceDetailView(request=self.request, kwargs=self.kwargs)
        return self.render_to_response(view.get_context_data(add_form=form))


class ClusterEndMembershipView(DatedMembershipEndView):
    access = staticmethod(selectors.access_cluster)
    membership_model = ClusterMembership
    parent_field = "cluster"
    member_field = "school"
    redirect_name = "clusters:detail"


class AllianceEndMembershipView(DatedMembershipEndView):
    access = staticmethod(selectors.access_alliance)
    membership_model = AllianceMembership
    parent_field = "alliance"
    member_field = "cluster"
    redirect_name = "clusters:alliance_detail"
