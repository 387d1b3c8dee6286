"""Pages for cluster health checks: frameworks, the check cycle, the cluster's health page and the portfolio."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from clusters.health import forms as f
from clusters.health import presenters, selectors, services
from partnership.access import PartnershipViewMixin
from partnership.permissions import Permission, membership_can
from partnership.presenters import pk_url
from partnership.views import apply_validation_error

State = selectors.State


def _allowed(request, permission: Permission | None) -> bool:
    """True when the request has a membership holding ``permission``: only then are objects fetched (so a
    role without the permission gets 403 from PartnershipViewMixin, not a 404 from the fetch)."""
    membership = getattr(request, "membership", None)
    return membership is not None and (permission is None or membership_can(membership, permission))


class HealthFormView(PartnershipViewMixin, FormView):
    """A form page in the shared layout: subclasses set the title, the form and what saving does."""

    template_name = "cluster_health/form.html"
    submit_label = "Save"

    def page(self) -> dict[str, Any]:
        """Title, caption, cancel link and any extra context for the page."""
        raise NotImplementedError

    def save(self, form) -> HttpResponseRedirect:
        """Call the service; return the redirect. ValidationError goes back onto the form."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(submit_label=self.submit_label, **self.page(), **kwargs)

    def form_valid(self, form):
        try:
            return self.save(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)


# --- frameworks ---------------------------------------------------------------------------------------------


class FrameworkListView(PartnershipViewMixin, TemplateView):
    """The frameworks a check can use: shipped ones and the partnership's copies."""

    permission = Permission.VIEW_HEALTH_CHECKS
    template_name = "cluster_health/framework_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            frameworks=selectors.framework_list(membership=self.membership),
            can_manage=self.can(Permission.MANAGE_HEALTH_FRAMEWORKS),
            **kwargs,
        )


class FrameworkDetailView(PartnershipViewMixin, TemplateView):
    """A framework's version (latest, or ?version=N): its scale, dimensions, strands and descriptors."""

    permission = Permission.VIEW_HEALTH_CHECKS
    template_name = "cluster_health/framework_detail.html"

    def get_context_data(self, **kwargs):
        framework = selectors.access_framework(membership=self.membership, pk=self.kwargs["pk"])
        versions = sorted(framework.versions.all(), key=lambda v: -v.number)
        wanted = self.request.GET.get("version", "")
        version = next((v for v in versions if str(v.number) == wanted), versions[0] if versions else None)
        if version is None:
            raise Http404("No version")
        return super().get_context_data(
            framework=framework,
            version=version,
            versions=versions,
            is_latest=version == versions[0],
            dimensions=selectors.version_tree(version_id=version.pk),
            can_manage=self.can(Permission.MANAGE_HEALTH_FRAMEWORKS),
            **kwargs,
        )


class FrameworkCopyView(HealthFormView):
    """Copy a framework into the partnership, to edit."""

    permission = Permission.MANAGE_HEALTH_FRAMEWORKS
    form_class = f.FrameworkCopyForm
    submit_label = "Copy framework"

    def get_initial(self):
        return {"name": f"{self.framework.name} ({self.partnership.name})"}

    def dispatch(self, request, *args, **kwargs):
        if _allowed(request, self.permission):
            self.framework = selectors.access_framework(membership=request.membership, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def page(self):
        return {
            "title": f"Copy {self.framework.name}",
            "caption": "Health-check frameworks",
            "intro": "Your copy starts as version 1 with the same text. Edit it afterwards; the original stays.",
            "cancel_url": reverse("cluster_health:framework_detail", args=[self.framework.pk]),
        }

    def save(self, form):
        copy = services.framework_copy(
            framework=self.framework, partnership=self.partnership, name=form.cleaned_data["name"], by=self.request.user
        )
        messages.success(self.request, f"{copy.name} created. Edit it below.")
        return redirect("cluster_health:framework_detail", copy.pk)


class OwnFrameworkMixin:
    """Fetch one of the partnership's own frameworks (shipped and others' → 404) once the user is checked."""

    framework: Any

    def dispatch(self, request, *args, **kwargs):
        if _allowed(request, Permission.MANAGE_HEALTH_FRAMEWORKS):
            self.framework = selectors.access_own_framework(membership=request.membership, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class FrameworkEditView(OwnFrameworkMixin, HealthFormView):
    """Edit a partnership framework's name, description, source and scale."""

    permission = Permission.MANAGE_HEALTH_FRAMEWORKS
    form_class = f.FrameworkEditForm

    def get_initial(self):
        version = selectors.latest_version(framework=self.framework)
        return {
            "name": self.framework.name,
            "description": self.framework.description,
            "source": self.framework.source,
            "levels": "\n".join(version.levels),
        }

    def page(self):
        return {
            "title": f"Edit {self.framework.name}",
            "caption": "Health-check frameworks",
            "cancel_url": reverse("cluster_health:framework_detail", args=[self.framework.pk]),
        }

    def save(self, form):
        data = form.cleaned_data
        services.framework_update(
            framework=self.framework,
            name=data["name"],
            description=data["description"],
            source=data["source"],
            levels=data["levels"].splitlines(),
            note=data["note"],
            by=self.request.user,
        )
        messages.success(self.request, "Framework saved.")
        return redirect("cluster_health:framework_detail", self.framework.pk)


class StrandFormView(OwnFrameworkMixin, HealthFormView):
    """Edit a strand of the latest version, or add one to a dimension; a version in use is copied first."""

    permission = Permission.MANAGE_HEALTH_FRAMEWORKS
    form_class = f.StrandForm

    def _target(self):
        if "strand_pk" in self.kwargs:
            return selectors.access_strand(framework=self.framework, pk=self.kwargs["strand_pk"]), None
        return None, selectors.access_dimension(framework=self.framework, pk=self.kwargs["dimension_pk"])

    def get(self, request, *args, **kwargs):
        self.strand, self.dimension = self._target()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.strand, self.dimension = self._target()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["levels"] = list(selectors.latest_version(framework=self.framework).levels)
        return kwargs

    def get_initial(self):
        strand = self.strand
        if strand is None:
            return {}
        initial = {"name": strand.name, "description": strand.description}
        for d in strand.descriptors.all():
            initial[f"descriptor_{d.level}"] = d.text
        return initial

    def page(self):
        return {
            "title": f"Edit {self.strand.name}" if self.strand else f"Add a strand to {self.dimension.name}",
            "caption": self.framework.name,
            "intro": "If a check already uses this version, saving makes a new version; the check keeps the old text.",
            "cancel_url": reverse("cluster_health:framework_detail", args=[self.framework.pk]),
        }

    def save(self, form):
        data = form.cleaned_data
        services.strand_save(
            framework=self.framework,
            strand=self.strand,
            dimension=self.dimension,
            name=data["name"],
            description=data["description"],
            descriptors=form.descriptors(),
            note=data["note"],
            by=self.request.user,
        )
        messages.success(self.request, "Strand saved.")
        return redirect("cluster_health:framework_detail", self.framework.pk)


class DimensionAddView(OwnFrameworkMixin, HealthFormView):
    """Add a dimension to a partnership framework."""

    permission = Permission.MANAGE_HEALTH_FRAMEWORKS
    form_class = f.DimensionForm

    def page(self):
        return {
            "title": f"Add a dimension to {self.framework.name}",
            "caption": "Health-check frameworks",
            "cancel_url": reverse("cluster_health:framework_detail", args=[self.framework.pk]),
        }

    def save(self, form):
        dimension = services.dimension_add(
            framework=self.framework,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            by=self.request.user,
        )
        messages.success(self.request, "Dimension added. Add its first strand.")
        return redirect("cluster_health:strand_add", self.framework.pk, dimension.pk)


# --- checks -------------------------------------------------------------------------------------------------


class CheckListView(PartnershipViewMixin, TemplateView):
    """Health checks the user may see, newest first."""

    permission = Permission.VIEW_HEALTH_CHECKS
    template_name = "cluster_health/check_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            checks=selectors.health_check_list(membership=self.membership).order_by("-held_on", "-pk"),
            can_open=selectors.clusters_runnable(membership=self.membership).exists(),
            can_portfolio=self.can(Permission.VIEW_HEALTH_PORTFOLIO),
            **kwargs,
        )


class CheckCreateView(HealthFormView):
    """Open a draft check for a cluster the user runs."""

    permission = Permission.RUN_HEALTH_CHECKS
    form_class = f.CheckCreateForm
    submit_label = "Open the check"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["clusters"] = selectors.clusters_runnable(membership=self.membership).order_by("name")
        kwargs["versions"] = selectors.versions_for_new_check(membership=self.membership)
        return kwargs

    def page(self):
        return {
            "title": "Open a cluster health check",
            "caption": "Cluster health checks",
            "cancel_url": reverse("cluster_health:list"),
        }

    def save(self, form):
        data = form.cleaned_data
        check = services.health_check_create(
            membership=self.membership,
            cluster=data["cluster"],
            version=data["version"],
            term=data["term"],
            held_on=data["held_on"],
            show_names=data["show_names"],
        )
        messages.success(self.request, "Check opened as a draft. Open individual ratings when the cluster is ready.")
        return redirect("cluster_health:detail", check.pk)


class CheckMixin:
    """Fetch the check (404 when not visible) after the permission check."""

    check_obj: Any

    def dispatch(self, request, *args, **kwargs):
        if _allowed(request, self.permission):  # type: ignore[attr-defined]
            self.check_obj = selectors.access_health_check(membership=request.membership, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class CheckDetailView(CheckMixin, PartnershipViewMixin, TemplateView):
    """A check: its state and history, each strand's consensus, spread and moderation, indicators, actions."""

    permission = Permission.VIEW_HEALTH_CHECKS
    template_name = "cluster_health/check_detail.html"

    def get_context_data(self, **kwargs):
        check = self.check_obj
        runs = selectors.can_run(self.membership, check.cluster_id)
        moderates = selectors.can_moderate(self.membership, check.cluster_id)
        rates = selectors.can_rate(self.membership, check)
        rows = selectors.check_strand_rows(check=check, own_school_id=self.membership.school_id)
        # Individual ratings (with evidence) are for those who run or moderate the check; a rater sees their own.
        show_spread = runs or moderates
        members = list(selectors.current_member_schools(cluster_id=check.cluster_id))
        rated = selectors.schools_rated(check=check)
        agreed = check.state in selectors.AGREED
        return super().get_context_data(
            check=check,
            levels=list(check.version.levels),
            rows=rows,
            runs=runs,
            moderates=moderates,
            rates=rates and check.state == State.RATING,
            show_spread=show_spread,
            show_consensus=agreed or runs or moderates,
            recording=(runs and check.state == State.RATING) or (moderates and check.state == State.CONSENSUS),
            members=[(s, s.pk in rated) for s in members] if runs else [],
            moves=services.allowed_moves(check=check, membership=self.membership),
            events=selectors.check_events(check=check),
            indicators=presenters.indicator_rows(check.indicators, show_names=self.can(Permission.VIEW_ALL_SCHOOLS)),
            actions=selectors.check_actions(check=check) if agreed else [],
            can_act=runs and agreed,
            transition_form=f.TransitionForm(),
            **kwargs,
        )


class CheckTransitionView(CheckMixin, PartnershipViewMixin, View):
    """Move a check (POST ``to``); refusals come back as a message on the check's page."""

    permission = Permission.VIEW_HEALTH_CHECKS

    def post(self, request, pk: int):
        form = f.TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a move")
            return redirect("cluster_health:detail", pk)
        try:
            check = services.health_check_transition(
                check=self.check_obj, to=form.cleaned_data["to"], by=self.membership, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cluster_health:detail", pk)
        except PermissionDenied:
            raise
        messages.success(request, f"The check is now: {check.get_state_display().lower()}.")
        return redirect("cluster_health:detail", pk)


class RateView(CheckMixin, HealthFormView):
    """A member school's head rates every strand, with evidence."""

    permission = Permission.VIEW_HEALTH_CHECKS  # then only a member school's head (can_rate), else 403
    form_class = f.RatingForm
    template_name = "cluster_health/rate.html"
    submit_label = "Save your ratings"

    def get(self, request, *args, **kwargs):
        self._guard()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._guard()
        return super().post(request, *args, **kwargs)

    def _guard(self) -> None:
        if not selectors.can_rate(self.membership, self.check_obj):
            raise PermissionDenied
        self.rows = selectors.check_strand_rows(check=self.check_obj, own_school_id=self.membership.school_id)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["strands"] = [r.strand for r in self.rows]
        kwargs["levels"] = list(self.check_obj.version.levels)
        return kwargs

    def get_initial(self):
        initial = {}
        for row in self.rows:
            if row.own:
                initial[f"level_{row.strand.pk}"] = str(row.own.level)
                initial[f"evidence_{row.strand.pk}"] = row.own.evidence
        return initial

    def page(self):
        return {
            "title": f"Rate {self.check_obj.cluster.name}",
            "caption": f"{self.check_obj.term}: your school's view",
            "check": self.check_obj,
            "rows": self.rows,
            "open": self.check_obj.state == State.RATING,
            "cancel_url": reverse("cluster_health:detail", args=[self.check_obj.pk]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["items"] = [
            (row, form[f"level_{row.strand.pk}"], form[f"evidence_{row.strand.pk}"]) for row in self.rows
        ]
        return context

    def save(self, form):
        count = services.individual_ratings_save(check=self.check_obj, by=self.membership, ratings=form.ratings())
        messages.success(self.request, f"{count} ratings saved.")
        return redirect("cluster_health:detail", self.check_obj.pk)


class ConsensusView(CheckMixin, HealthFormView):
    """Record the meeting's consensus for one strand, seeing the descriptors and the spread of ratings."""

    permission = Permission.RUN_HEALTH_CHECKS
    form_class = f.ConsensusForm
    template_name = "cluster_health/consensus.html"
    submit_label = "Save the consensus"

    def get(self, request, *args, **kwargs):
        self._guard()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._guard()
        return super().post(request, *args, **kwargs)

    def _guard(self) -> None:
        if not selectors.can_run(self.membership, self.check_obj.cluster_id):
            raise PermissionDenied
        self.strand = selectors.access_check_strand(check=self.check_obj, pk=self.kwargs["strand_pk"])
        rows = selectors.check_strand_rows(check=self.check_obj)
        self.row = next(r for r in rows if r.strand.pk == self.strand.pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["levels"] = list(self.check_obj.version.levels)
        return kwargs

    def get_initial(self):
        c = self.row.consensus
        if c is None:
            return {}
        return {
            "level": str(c.level),
            "evidence": c.evidence,
            "next_step": c.next_step,
            "owner": c.owner,
            "due_on": c.due_on,
        }

    def page(self):
        levels = list(self.check_obj.version.levels)
        return {
            "title": f"Consensus: {self.strand.name}",
            "caption": f"{self.check_obj.cluster.name}, {self.check_obj.term}",
            "check": self.check_obj,
            "row": self.row,
            "spread": list(zip(levels, self.row.spread, strict=True)),
            "descriptors": list(self.strand.descriptors.all()),
            "levels": levels,
            "open": self.check_obj.state == State.RATING,
            "cancel_url": reverse("cluster_health:detail", args=[self.check_obj.pk]),
        }

    def save(self, form):
        data = form.cleaned_data
        services.consensus_save(
            check=self.check_obj,
            strand=self.strand,
            by=self.membership,
            level=data["level"],
            evidence=data["evidence"],
            next_step=data["next_step"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        messages.success(self.request, f"Consensus on {self.strand.name} saved.")
        return redirect("cluster_health:detail", self.check_obj.pk)


class ModerateView(CheckMixin, HealthFormView):
    """The alliance lead confirms or challenges one strand's consensus, with a note."""

    permission = Permission.MODERATE_HEALTH_CHECKS
    form_class = f.ModerateForm
    template_name = "cluster_health/consensus.html"
    submit_label = "Save moderation"

    def get(self, request, *args, **kwargs):
        self._guard()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._guard()
        return super().post(request, *args, **kwargs)

    def _guard(self) -> None:
        if not selectors.can_moderate(self.membership, self.check_obj.cluster_id):
            raise PermissionDenied
        self.strand = selectors.access_check_strand(check=self.check_obj, pk=self.kwargs["strand_pk"])
        rows = selectors.check_strand_rows(check=self.check_obj)
        self.row = next(r for r in rows if r.strand.pk == self.strand.pk)

    def get_initial(self):
        c = self.row.consensus
        return {"decision": c.moderation, "note": c.moderation_note} if c and c.moderation else {}

    def page(self):
        levels = list(self.check_obj.version.levels)
        return {
            "title": f"Moderate: {self.strand.name}",
            "caption": f"{self.check_obj.cluster.name}, {self.check_obj.term}",
            "check": self.check_obj,
            "row": self.row,
            "spread": list(zip(levels, self.row.spread, strict=True)),
            "descriptors": list(self.strand.descriptors.all()),
            "levels": levels,
            "moderating": True,
            "open": self.check_obj.state == State.CONSENSUS and self.row.consensus is not None,
            "cancel_url": reverse("cluster_health:detail", args=[self.check_obj.pk]),
        }

    def save(self, form):
        services.consensus_moderate(
            check=self.check_obj,
            strand=self.strand,
            by=self.membership,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        messages.success(self.request, f"Moderation of {self.strand.name} saved.")
        return redirect("cluster_health:detail", self.check_obj.pk)


class ActionAddView(CheckMixin, HealthFormView):
    """Add a cluster action to an agreed check."""

    permission = Permission.RUN_HEALTH_CHECKS
    form_class = f.ActionForm

    def page(self):
        if not selectors.can_run(self.membership, self.check_obj.cluster_id):
            raise PermissionDenied
        return {
            "title": "Add a cluster action",
            "caption": f"{self.check_obj.cluster.name}, {self.check_obj.term}",
            "cancel_url": reverse("cluster_health:detail", args=[self.check_obj.pk]),
        }

    def get(self, request, *args, **kwargs):
        self.page()
        return super().get(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        services.cluster_action_add(
            check=self.check_obj,
            by=self.membership,
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            strand=None,
        )
        messages.success(self.request, "Action added.")
        return redirect("cluster_health:detail", self.check_obj.pk)


class ActionCompleteView(CheckMixin, PartnershipViewMixin, View):
    """Mark a cluster action done (POST ``completed_on``, default today)."""

    permission = Permission.RUN_HEALTH_CHECKS

    def post(self, request, pk: int, action_pk: int):
        action = selectors.access_action(check=self.check_obj, pk=action_pk)
        form = f.CompleteActionForm(request.POST or None)
        completed_on = form.cleaned_data["completed_on"] if form.is_valid() else timezone.localdate()
        try:
            services.cluster_action_complete(action=action, by=self.membership, completed_on=completed_on)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Action marked as done.")
        return redirect("cluster_health:detail", pk)


# --- cluster page and portfolio -----------------------------------------------------------------------------


class ClusterHealthView(PartnershipViewMixin, TemplateView):
    """A cluster's health: heat map (this check and the last), dimensions over time, indicators, actions."""

    permission = Permission.VIEW_HEALTH_CHECKS
    template_name = "cluster_health/cluster_health.html"

    def get_context_data(self, **kwargs):
        cluster = selectors.access_cluster(membership=self.membership, pk=self.kwargs["cluster_pk"])
        checks = selectors.cluster_checks(membership=self.membership, cluster=cluster)
        agreed = [c for c in checks if c.state in selectors.AGREED]
        context: dict[str, Any] = {"cluster": cluster, "checks": list(reversed(checks)), "latest": None}
        if agreed:
            latest = agreed[-1]
            same = [c for c in agreed if c.version.framework_id == latest.version.framework_id]
            last = same[-2] if len(same) > 1 else None
            strands = [(s.dimension.name, s.name) for s in selectors.version_strands(version_id=latest.version_id)]
            levels = selectors.consensus_levels(check_ids=[c.pk for c in same])
            dims: dict[str, list[str]] = {}
            for d, s in strands:
                dims.setdefault(d, []).append(s)
            context.update(
                latest=latest,
                last=last,
                heatmap=presenters.heatmap_this_and_last(
                    key="strands", this=latest, last=last, strands=strands, levels=levels
                ),
                trend=presenters.dimension_trend(
                    key="dimensions", checks=same, dimensions=list(dims.items()), levels=levels
                ),
                indicators=presenters.indicator_rows(
                    latest.indicators, show_names=self.can(Permission.VIEW_ALL_SCHOOLS)
                ),
                actions=selectors.check_actions(check=latest),
            )
        since = timezone.localdate().replace(day=1) - timezone.timedelta(days=365)
        context.update(
            meetings=selectors.cluster_meetings(cluster=cluster, since=since),
            runs=selectors.can_run(self.membership, cluster.pk),
        )
        return super().get_context_data(**context, **kwargs)


class MeetingAddView(HealthFormView):
    """Record a cluster meeting and who attended."""

    permission = Permission.RUN_HEALTH_CHECKS
    form_class = f.MeetingForm

    def dispatch(self, request, *args, **kwargs):
        if _allowed(request, self.permission):
            self.cluster = selectors.access_cluster(membership=request.membership, pk=kwargs["cluster_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        if not selectors.can_run(self.membership, self.cluster.pk):
            raise PermissionDenied
        kwargs = super().get_form_kwargs()
        kwargs["schools"] = selectors.current_member_schools(cluster_id=self.cluster.pk)
        return kwargs

    def page(self):
        return {
            "title": "Record a cluster meeting",
            "caption": self.cluster.name,
            "intro": "Tick the member schools that attended. Attendance is the engagement indicator of the next check.",
            "cancel_url": reverse("cluster_health:cluster", args=[self.cluster.pk]),
        }

    def save(self, form):
        data = form.cleaned_data
        services.cluster_meeting_record(
            cluster=self.cluster,
            by=self.membership,
            held_on=data["held_on"],
            title=data["title"],
            attended=list(data["attended"]),
        )
        messages.success(self.request, "Meeting recorded.")
        return redirect("cluster_health:cluster", self.cluster.pk)


class PortfolioView(PartnershipViewMixin, TemplateView):
    """Every cluster's levels side by side, who moved, who has not checked this year; the board sees aggregates."""

    permission = Permission.VIEW_HEALTH_PORTFOLIO
    template_name = "cluster_health/portfolio.html"

    def get_context_data(self, **kwargs):
        named = self.can(Permission.VIEW_REGISTER)
        try:
            framework_id = int(self.request.GET.get("framework", ""))
        except ValueError:
            framework_id = None
        today = timezone.localdate()
        portfolio = selectors.health_portfolio(
            membership=self.membership, framework_id=framework_id, today=today, published_only=not named
        )
        checked = [r for r in portfolio.rows if r.latest is not None]
        grid = [[portfolio.consensus.get((r.latest.pk, d, s)) for r in checked] for d, s in portfolio.strands]  # type: ignore[union-attr]
        chart = None
        if checked and portfolio.strands:
            if named:
                chart = presenters.portfolio_heatmap(
                    key="portfolio",
                    clusters=[r.cluster.name for r in checked],
                    strands=portfolio.strands,
                    grid=grid,
                    levels=portfolio.levels,
                )
            else:
                chart = presenters.portfolio_distribution(
                    key="portfolio", strands=portfolio.strands, grid=grid, levels=portfolio.levels
                )
        moved = []
        for r in checked:
            if r.previous is None:
                continue
            pairs = [
                (portfolio.consensus.get((r.latest.pk, d, s)), portfolio.consensus.get((r.previous.pk, d, s)))  # type: ignore[union-attr]
                for d, s in portfolio.strands
            ]
            up = sum(1 for a, b in pairs if a is not None and b is not None and a > b)
            down = sum(1 for a, b in pairs if a is not None and b is not None and a < b)
            moved.append((r, up, down))
        not_this_year = [
            r for r in portfolio.rows if r.last_agreed is None or r.last_agreed.held_on < portfolio.year_start
        ]
        if named:
            href = pk_url("cluster_health:cluster")
            for r in portfolio.rows:
                r.href = href(r.cluster.pk)
        return super().get_context_data(
            portfolio=portfolio,
            named=named,
            chart=chart,
            moved=moved,
            not_this_year=not_this_year,
            checked_count=len(checked),
            cluster_count=len(portfolio.rows),
            **kwargs,
        )
