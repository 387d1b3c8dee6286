"""Pages of the register: schools, networks and GIAS imports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership.access import PartnershipViewMixin
from partnership.permissions import Permission
from partnership.presenters import pk_url
from partnership.views import DatedMembershipEndView, apply_validation_error
from schools import selectors, services
from schools.filters import SchoolFilter
from schools.forms import AddSchoolForm, ImportUploadForm, NetworkForm
from schools.importers import import_job_create
from schools.models import ImportJob, Network, NetworkMembership
from schools.presenters import (
    import_count_rows,
    inspection_rows,
    results_chart,
    results_table,
    school_facts,
    school_rows_html,
    schools_csv_rows,
    with_cluster_names,
)

PAGE_SIZE = 50


class SchoolListView(PartnershipViewMixin, TemplateView):
    """The register with filters, search, sort and pagination."""

    permission = Permission.VIEW_REGISTER
    template_name = "schools/school_list.html"

    def get_context_data(self, **kwargs):
        schools = selectors.school_list(membership=self.membership)
        columns = selectors.school_list_columns(membership=self.membership)
        school_filter = SchoolFilter(
            self.request.GET or None, queryset=schools, partnership=self.partnership, membership=self.membership
        )
        rows = with_cluster_names(school_filter.qs if school_filter.is_bound else schools)
        rows = selectors.school_list_annotated(membership=self.membership, schools=rows)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        shown = [(column, column.cell_context(self.membership)) for column in columns]
        return super().get_context_data(
            filter=school_filter,
            columns=shown,
            page_obj=page,
            rows_html=school_rows_html(page.object_list, columns=shown, school_url=pk_url("schools:detail")),
            sort=self.request.GET.get("sort") or "name",
            can_export=self.can(Permission.EXPORT_REGISTER),
            **kwargs,
        )


class SchoolExportView(PartnershipViewMixin, View):
    """The filtered register as a formula-safe CSV download."""

    permission = Permission.EXPORT_REGISTER

    def get(self, request: HttpRequest) -> HttpResponseBase:
        schools = selectors.school_list(membership=self.membership)
        school_filter = SchoolFilter(
            request.GET or None, queryset=schools, partnership=self.partnership, membership=self.membership
        )
        if school_filter.is_bound and not school_filter.is_valid():
            return redirect(reverse("schools:list") + "?" + request.GET.urlencode())
        rows = with_cluster_names(school_filter.qs if school_filter.is_bound else schools)
        response = StreamingHttpResponse(schools_csv_rows(rows.iterator(chunk_size=2000)), content_type="text/csv")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="schools-{self.partnership.slug}-{stamp}.csv"'
        return response


class SchoolDetailView(PartnershipViewMixin, TemplateView):
    """A school's register facts, category (for those who may see it), results and inspections by year, active
    support, peer reviews, networks, clusters, links and (with full access) change history. Other apps' sections
    come from their own template tags (risk, brokerage, peer review, visits): the register imports none of them."""

    template_name = "schools/school_detail.html"

    def get_context_data(self, **kwargs):
        page = selectors.school_page(membership=self.membership, urn=self.kwargs["urn"])
        return super().get_context_data(
            page=page,
            school=page.school,
            facts=school_facts(page.school),
            results=results_table(page.results),
            results_chart=results_chart(page.results, page.school.name),
            inspections=inspection_rows(page.results),
            **kwargs,
        )


class NetworkListView(PartnershipViewMixin, TemplateView):
    """Trusts, dioceses, federations, hubs and other networks, with their current sizes."""

    permission = Permission.VIEW_REGISTER
    template_name = "schools/network_list.html"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind", "")
        networks = selectors.network_list_sized(membership=self.membership, kind=kind)
        page = Paginator(networks, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            kinds=Network.Kind.choices,
            kind=kind,
            can_manage=self.can(Permission.MANAGE_STRUCTURES),
            **kwargs,
        )


class NetworkDetailView(PartnershipViewMixin, TemplateView):
    """A network and its current member schools."""

    permission = Permission.VIEW_REGISTER
    template_name = "schools/network_detail.html"

    def get_context_data(self, **kwargs):
        network = selectors.access_network(membership=self.membership, pk=self.kwargs["pk"])
        can_manage = self.can(Permission.MANAGE_STRUCTURES) and network.source == Network.Source.MANUAL
        return super().get_context_data(
            network=network,
            can_manage=can_manage,
            can_edit=self.can(Permission.MANAGE_STRUCTURES),
            add_form=AddSchoolForm(),
            **kwargs,
        )


class NetworkFormView(PartnershipViewMixin, FormView):
    """Create a network, or edit one when ``pk`` is given."""

    permission = Permission.MANAGE_STRUCTURES
    template_name = "schools/network_form.html"
    form_class = NetworkForm

    def get_network(self) -> Network | None:
        pk = self.kwargs.get("pk")
        return selectors.access_network(membership=self.membership, pk=pk) if pk else None

    def get_initial(self):
        network = self.get_network()
        if network is None:
            return {"kind": Network.Kind.OTHER}
        return {"kind": network.kind, "name": network.name, "description": network.description}

    def get_context_data(self, **kwargs):
        return super().get_context_data(network=self.get_network(), **kwargs)

    def form_valid(self, form):
        network = self.get_network()
        data = form.cleaned_data
        try:
            if network is None:
                network = services.network_create(partnership=self.partnership, user=self.request.user, **data)
            else:
                network = services.network_update(network=network, user=self.request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{network.name} saved")
        return redirect("schools:network_detail", pk=network.pk)


class NetworkAddSchoolView(PartnershipViewMixin, FormView):
    """Add a school to a hand-made network."""

    permission = Permission.MANAGE_STRUCTURES
    template_name = "schools/network_detail.html"
    form_class = AddSchoolForm

    def form_valid(self, form):
        network = selectors.access_network(membership=self.membership, pk=self.kwargs["pk"])
        school = selectors.school_by_urn(membership=self.membership, urn=form.cleaned_data["urn"])
        try:
            if school is None:
                raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
            services.network_add_school(
                network=network, school=school, joined_on=form.cleaned_data["joined_on"], user=self.request.user
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{school.name} added to {network.name}")
        return redirect("schools:network_detail", pk=network.pk)

    def form_invalid(self, form):
        network = selectors.access_network(membership=self.membership, pk=self.kwargs["pk"])
        context = {"network": network, "can_manage": True, "can_edit": True, "add_form": form}
        return self.render_to_response(self.get_context_data(**context))


class NetworkEndMembershipView(DatedMembershipEndView):
    """End a school's membership of a hand-made network (POST only); GIAS networks change only via GIAS."""

    access = staticmethod(selectors.access_network)
    membership_model = NetworkMembership
    parent_field = "network"
    member_field = "school"
    redirect_name = "schools:network_detail"
    refusal = "Enter a real date the school left (networks from GIAS change only through GIAS)"

    def may_end(self, parent) -> bool:
        return parent.source == Network.Source.MANUAL


class ImportListView(PartnershipViewMixin, TemplateView):
    """Recent imports (GIAS and performance files) and their outcomes."""

    permission = Permission.IMPORT_DATA
    template_name = "schools/import_list.html"

    def get_context_data(self, **kwargs):
        jobs = selectors.import_job_list(membership=self.membership)
        page = Paginator(jobs, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, **kwargs)


class ImportUploadView(PartnershipViewMixin, FormView):
    """Upload a GIAS or performance file; a worker imports it and the job page shows progress."""

    permission = Permission.IMPORT_DATA
    template_name = "schools/import_upload.html"
    form_class = ImportUploadForm

    def refused(self) -> ImportJob | None:
        """The refused import (``?refused=<pk>``: nothing in it matched) the officer may now import anyway (#14.8)."""
        if not hasattr(self, "_refused"):
            pk = self.request.GET.get("refused")
            self._refused = selectors.import_job_refused_no_match(membership=self.membership, pk=pk)
        return self._refused

    def get_initial(self):
        job = self.refused()
        if job is None:
            return super().get_initial()
        upload = getattr(job, "performance_upload", None)
        return {"kind": job.kind, "year": upload.year_label if upload else ""}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "confirm_no_match": self.refused() is not None}

    def get_context_data(self, **kwargs):
        job = self.refused()
        return super().get_context_data(
            max_mb=settings.IMPORT_MAX_BYTES // (1024 * 1024),
            max_rows=settings.IMPORT_MAX_ROWS,
            refused=job,
            refused_message=selectors.import_job_no_match_message(job) if job else "",
            **kwargs,
        )

    # An upload over IMPORT_MAX_BYTES never reaches this view: partnership.middleware.UploadCapMiddleware refuses it
    # before the body is read (this view's own check came after CsrfViewMiddleware had parsed it, and crashed).

    def form_valid(self, form):
        kind = form.cleaned_data["kind"]
        try:
            job = import_job_create(
                partnership=self.partnership,
                uploaded_file=form.cleaned_data["file"],
                created_by=self.request.user,
                kind="" if kind == "gias" else kind,
                year=form.cleaned_data["year"],
                allow_no_match=form.cleaned_data.get("allow_no_match", False),
            )
        except ValidationError as error:
            form.add_error("file", error.messages[0] if error.messages else "The selected file could not be read")
            return self.form_invalid(form)
        return redirect("schools:import_detail", pk=job.pk)


class ImportDetailView(PartnershipViewMixin, TemplateView):
    """One import: its progress while running, then its counts or its row-level errors."""

    permission = Permission.IMPORT_DATA
    template_name = "schools/import_detail.html"

    def get_context_data(self, **kwargs):
        job = selectors.access_import_job(membership=self.membership, pk=self.kwargs["pk"])
        counts = import_count_rows(job.counts or {})
        nothing = bool(job.counts) and not job.counts.get("schools_matched", 1)
        return super().get_context_data(
            job=job,
            errors=job.errors[:200],
            count_rows=counts,
            nothing_matched=nothing,
            refused_no_match=job.state == ImportJob.State.FAILED and bool(selectors.import_job_no_match_message(job)),
            **kwargs,
        )


class ImportStatusView(PartnershipViewMixin, View):
    """The job's state as JSON, polled by the progress bar."""

    permission = Permission.IMPORT_DATA

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = selectors.access_import_job(membership=self.membership, pk=pk)
        return JsonResponse(
            {
                "state": job.state,
                "state_label": job.get_state_display(),
                "progress": job.progress,
                "message": job.message,
                "finished": job.is_finished,
            }
        )
