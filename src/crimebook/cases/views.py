"""Case pages (URL names ``web:case_*``): list, create/edit, detail with material and
classification, members, the elements matrix, dossiers. Every page goes through
``selectors.case_get_for`` (404 for a case one is not a member of) and every action through
one service. Works without JavaScript: each action is a plain form POST."""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crimebook.cases import selectors, services
from crimebook.cases.dossier.plan import DossierRefused, classification_matrix
from crimebook.cases.dossier.services import (
    BundleError,
    DossierRenderError,
    dossier_export,
    dossier_pdf,
)
from crimebook.cases.forms import (
    MAX_CHOICES,
    CaseForm,
    ClassifyForm,
    DossierForm,
    MaterialForm,
    MemberForm,
    SupportForm,
)
from crimebook.cases.matrix import gap_count
from crimebook.cases.models import Case, CaseRole
from crimebook.core.errors import ValidationFailed
from crimebook.evidence.models import EvidenceItem
from crimebook.register.models import Incident, Person, Source
from crimebook.web.views._common import (
    apply_errors,
    attempt,
    forbidden,
    form_page,
    paginate,
    posted,
    register_view,
    user_of,
)

# A dossier rendered inside a web request must finish well within the server's timeout;
# WeasyPrint lays out roughly 30–60 exhibit rows a second on this machine (ARCHITECTURE.md).
MAX_WEB_EXHIBITS = 500

CASE_FIELDS = ("compartment", "title", "purpose", "mechanism", "mechanism_detail", "summary",
               "status")  # fmt: skip


@register_view
def case_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    q = request.GET.get("q", "").strip()[:200]
    page = paginate(request, selectors.cases_for(user, q=q).select_related("compartment"))
    return render(request, "cases/list.html", {
        "page_obj": page, "q": q, "can_create": selectors.can_create_cases(user),
    })  # fmt: skip


def _data(form: CaseForm, compartment_id: int) -> services.CaseData:
    d = form.cleaned_data
    return services.CaseData(
        compartment_id=compartment_id, title=d["title"], purpose=d["purpose"],
        mechanism=d["mechanism"], mechanism_detail=d["mechanism_detail"],
        summary=d["summary"], status=d["status"],
    )  # fmt: skip


@register_view
def case_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not selectors.can_create_cases(user):
        return forbidden(request, _("Only legal reviewers open case files."))
    form = CaseForm(posted(request), user=user, initial={"status": Case.Status.OPEN})
    if form.is_bound and form.is_valid():
        data = _data(form, form.cleaned_data["compartment"])
        case = attempt(form, lambda: services.case_create(actor=user, data=data))
        if case is not None:
            messages.success(request, _("Case opened. You are its lead."))
            return redirect("web:case_detail", pk=case.pk)
    return form_page(request, form, title=_("New case"), cancel_url=reverse("web:case_list"))


@register_view
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = selectors.case_get_for(user, pk)
    if not selectors.can_manage(user, case):
        return forbidden(request, _("Only the case's lead may change the case and its members."))
    initial = {n: getattr(case, "compartment_id" if n == "compartment" else n)
               for n in CASE_FIELDS}  # fmt: skip
    form = CaseForm(posted(request), user=user, initial=initial, editing=case)
    if form.is_bound and form.is_valid():
        data = _data(form, case.compartment_id)
        saved = attempt(form, lambda: services.case_update(actor=user, case=case, data=data))
        if saved is not None:
            messages.success(request, _("Case saved."))
            return redirect("web:case_detail", pk=case.pk)
    return form_page(request, form, title=_("Edit case"), record=case,
                     cancel_url=reverse("web:case_detail", kwargs={"pk": case.pk}))  # fmt: skip


def _candidates(user: Any, case: Case, kind: str) -> list[tuple[int, str]]:
    """Records of the case's compartment the user can see and the case does not hold yet."""
    if kind == "incident":
        qs: Any = Incident.objects.visible_to(user).exclude(cases=case)
        rows = qs.values_list("pk", "title")
        label = "#{} {}"
    elif kind == "suspect":
        qs = Person.objects.visible_to(user).exclude(suspect_in_cases=case)
        rows = qs.values_list("pk", "pseudonym")
        label = "#{} {}"
    elif kind == "exhibit":
        qs = (
            EvidenceItem.objects.visible_to(user)
            .exclude(cases=case)
            .filter(derived_from__isnull=True, status=EvidenceItem.Status.INGESTED)
        )
        rows = qs.values_list("pk", "original_name")
        label = "#{} {}"
    else:
        qs = Source.objects.visible_to(user).exclude(cases=case)
        rows = qs.values_list("pk", "title")
        label = "#{} {}"
    rows = rows.filter(compartment_id=case.compartment_id).order_by("-pk")[:MAX_CHOICES]
    return [(pk, label.format(pk, text)) for pk, text in rows]


def _act_choices(user: Any, case: Case) -> list[tuple[int, str]]:
    return [(a.pk, f"#{a.pk} {a.act_type} — {a.victim.pseudonym} ({a.incident.title})")
            for a in selectors.case_acts(user, case)[:MAX_CHOICES]]  # fmt: skip


def _definition_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.instrument_local} {d.article} — {d.title_local}")
            for d in selectors.definitions_active()]  # fmt: skip


def _role_label(role: str) -> str:
    """The case role as the reader's language says it ("" for none)."""
    return str(CaseRole(role).label) if role in CaseRole.values else role


def material_auto_id(kind: str) -> str:
    """The case page holds one material form per kind: ids per kind, so each label names
    its own field (``id_suspect_choice``), not the first form's."""
    return f"id_{kind}_%s"


def _detail(request: HttpRequest, case: Case, status: int = 200, **forms: Any) -> HttpResponse:
    user = user_of(request)
    contribute = selectors.can_contribute(user, case)
    material_forms = {}
    if contribute:
        for kind in services.MATERIAL_KINDS:
            material_forms[kind] = forms.get(f"material_{kind}") or MaterialForm(
                initial={"kind": kind}, candidates=_candidates(user, case, kind),
                auto_id=material_auto_id(kind),
            )  # fmt: skip
    classifications = []
    for c in selectors.classifications_of(case):
        rows = classification_matrix(c)
        classifications.append({"c": c, "gaps": gap_count(rows), "elements": len(rows)})
    context = {
        "case": case,
        "role_label": _role_label(selectors.case_role_of(user, case)),
        "can_manage": selectors.can_manage(user, case),
        "can_contribute": contribute,
        "can_export": selectors.can_export(user, case),
        "members": case.members.select_related("user"),
        "incidents": selectors.case_incidents(user, case),
        "acts": selectors.case_acts(user, case),
        "suspects": selectors.case_suspects(user, case),
        "exhibits": selectors.case_exhibits(user, case)[:500],
        "exhibit_count": selectors.case_exhibits(user, case).count(),
        "testimonies": selectors.case_testimonies(user, case),
        "classifications": classifications,
        "material_forms": material_forms,
        "classify_form": forms.get("classify")
        or (ClassifyForm(acts=_act_choices(user, case), definitions=_definition_choices())
            if contribute else None),
    }  # fmt: skip
    return render(request, "cases/detail.html", context, status=status)


@register_view
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.case_get_for(user_of(request), pk))


def _contributor(request: HttpRequest, pk: int) -> tuple[Any, Case, HttpResponse | None]:
    user = user_of(request)
    case = selectors.case_get_for(user, pk)
    if not selectors.can_contribute(user, case):
        return user, case, forbidden(request, _("Your role in this case does not allow changes."))
    return user, case, None


@register_view
@require_POST
def case_material_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    kind = request.POST.get("kind", "")
    if kind not in services.MATERIAL_KINDS:
        return forbidden(request, _("Unknown kind of material."))
    form = MaterialForm(
        request.POST, candidates=_candidates(user, case, kind), auto_id=material_auto_id(kind)
    )
    if form.is_valid():
        try:
            added = services.case_material_add(actor=user, case=case, kind=kind, ids=form.ids())
        except ValidationFailed as exc:
            apply_errors(form, exc, {"ids": "numbers"})
        else:
            messages.success(request, _("Added: %(n)d.") % {"n": added})
            return redirect("web:case_detail", pk=case.pk)
    return _detail(request, case, status=400, **{f"material_{kind}": form})


@register_view
@require_POST
def case_material_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    try:
        services.case_material_remove(
            actor=user, case=case, kind=request.POST.get("kind", ""),
            record_id=int(request.POST.get("record", "0") or 0),
        )  # fmt: skip
    except (ValidationFailed, ValueError) as exc:
        text = services.problems_text(exc) if isinstance(exc, ValidationFailed) else ""
        messages.error(request, text or _("Not a record number."))
    else:
        messages.success(request, _("Removed from the case."))
    return redirect("web:case_detail", pk=case.pk)


@register_view
@require_POST
def case_classify(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    form = ClassifyForm(request.POST, acts=_act_choices(user, case),
                        definitions=_definition_choices())  # fmt: skip
    if form.is_valid():
        d = form.cleaned_data
        made = attempt(form, lambda: services.case_classify(
            actor=user, case=case, act_id=d["act"], definition=d["definition"], note=d["note"]))  # fmt: skip
        if made is not None:
            messages.success(request, _("Act classified. Link exhibits to its elements below."))
            return redirect(reverse("web:case_matrix", kwargs={"pk": case.pk}) + f"#c{made.pk}")
    return _detail(request, case, status=400, classify=form)


@register_view
@require_POST
def case_unclassify(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    try:
        target = int(request.POST.get("classification", "0") or 0)
    except ValueError:
        target = 0
    services.classification_remove(actor=user, case=case, classification_id=target)
    messages.success(request, _("Classification removed."))
    return redirect("web:case_detail", pk=case.pk)


@register_view
def case_members(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = selectors.case_get_for(user, pk)
    if not selectors.can_manage(user, case):
        return forbidden(request, _("Only the case's lead may change the case and its members."))
    form = MemberForm(posted(request), initial={"role": CaseRole.REVIEWER})
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        done = attempt(form, lambda: services.case_member_set(
            actor=user, case=case, username=d["username"], role=d["role"]))  # fmt: skip
        if done is not None:
            messages.success(request, _("Membership saved."))
            return redirect("web:case_members", pk=case.pk)
    return render(request, "cases/members.html", {
        "case": case, "form": form, "members": case.members.select_related("user"),
    }, status=400 if form.is_bound else 200)  # fmt: skip


@register_view
@require_POST
def case_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    case = selectors.case_get_for(user, pk)
    if not selectors.can_manage(user, case):
        return forbidden(request, _("Only the case's lead may change the case and its members."))
    try:
        services.case_member_remove(actor=user, case=case,
                                    username=request.POST.get("username", ""))  # fmt: skip
    except ValidationFailed as exc:
        messages.error(request, services.problems_text(exc))
    else:
        messages.success(request, _("Member removed."))
    return redirect("web:case_members", pk=case.pk)


def _materials(user: Any, case: Case) -> list[tuple[str, str]]:
    out = [(f"exhibit:{e.pk}", _("exhibit") + f" #{e.pk} {e.original_name}")
           for e in selectors.case_exhibits(user, case)[:MAX_CHOICES]]  # fmt: skip
    out += [(f"testimony:{s.pk}", _("testimony") + f" S{s.pk} {s.title}")
            for s in selectors.case_testimonies(user, case)[:MAX_CHOICES]]  # fmt: skip
    return out


def _matrix(request: HttpRequest, case: Case, *, bad: SupportForm | None = None) -> HttpResponse:
    user = user_of(request)
    contribute = selectors.can_contribute(user, case)
    materials = _materials(user, case) if contribute else []
    blocks = []
    for c in selectors.classifications_of(case):
        rows = []
        matrix = classification_matrix(c)
        for row in matrix:
            form = None
            if contribute:
                mine = (
                    bad is not None
                    and bad.data.get("classification") == str(c.pk)
                    and (bad.data.get("element") == str(row.element.element_id))
                )
                form = bad if mine else SupportForm(
                    materials=materials, auto_id=f"id_{c.pk}_{row.element.element_id}_%s",
                    initial={"classification": c.pk, "element": row.element.element_id},
                )  # fmt: skip
            rows.append({"row": row, "form": form})
        gaps = gap_count(matrix)
        blocks.append({"c": c, "rows": rows, "gaps": gaps})
    return render(request, "cases/matrix.html", {
        "case": case, "blocks": blocks, "can_contribute": contribute,
    }, status=400 if bad is not None else 200)  # fmt: skip


@register_view
def case_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    return _matrix(request, selectors.case_get_for(user_of(request), pk))


@register_view
@require_POST
def case_support_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    c_id, e_id = request.POST.get("classification", ""), request.POST.get("element", "")
    form = SupportForm(request.POST, materials=_materials(user, case),
                       auto_id=f"id_{c_id}_{e_id}_%s"[:60])  # fmt: skip
    if form.is_valid():
        d = form.cleaned_data
        done = attempt(form, lambda: services.support_add(
            actor=user, case=case, classification_id=d["classification"],
            element_id=d["element"], material=d["material"], note=d["note"]))  # fmt: skip
        if done is not None:
            messages.success(request, _("Support linked."))
            return redirect(reverse("web:case_matrix", kwargs={"pk": case.pk})
                            + f"#c{done.classification_id}")  # fmt: skip
    return _matrix(request, case, bad=form)


@register_view
@require_POST
def case_support_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, case, denied = _contributor(request, pk)
    if denied:
        return denied
    try:
        target = int(request.POST.get("support", "0") or 0)
    except ValueError:
        target = 0
    services.support_remove(actor=user, case=case, support_id=target)
    messages.success(request, _("Link removed."))
    return redirect("web:case_matrix", pk=case.pk)


@register_view
def case_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what goes in and what is left out, and the export forms. POST: the PDF or the
    ZIP (exhibits sealed to the recipient), audited; a refusal says why on this page."""
    user = user_of(request)
    case = selectors.case_get_for(user, pk)
    if not selectors.can_export(user, case):
        return forbidden(request, _("Only the case's lead and reviewers may export a dossier."))
    form = DossierForm(posted(request), initial={"language": request.LANGUAGE_CODE[:2]})
    refusal = ""
    too_many = case.exhibits.count() > MAX_WEB_EXHIBITS
    if too_many:
        refusal = _(
            "This case has more than %(n)d exhibits: its dossier takes minutes to render, so it "
            "is produced with the command line, which shows progress: crimebook dossier "
            "%(uuid)s --recipient age1… --out DIR"
        ) % {"n": MAX_WEB_EXHIBITS, "uuid": case.uuid}
    elif form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            if d["format"] == "pdf":
                pdf = dossier_pdf(actor=user, case=case, language=d["language"])
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="dossier-{case.uuid}.pdf"'
                return response
            if not d["recipient"].strip():
                raise ValidationFailed.single("recipient", _("The ZIP needs the recipient's key."))
            # the ZIP holds only age ciphertext and hashes: an anonymous temporary file
            sink = tempfile.TemporaryFile(prefix="dossier-")  # noqa: SIM115 - closed by FileResponse
            try:
                dossier_export(actor=user, case=case, recipient=d["recipient"], zip_sink=sink,
                               language=d["language"])  # fmt: skip
            except BaseException:
                sink.close()
                raise
            sink.seek(0)
            zipped = FileResponse(
                sink, as_attachment=True, filename=f"dossier-{case.uuid}.zip",
                content_type="application/zip",
            )  # fmt: skip
            return cast(HttpResponse, zipped)  # streamed; register_view only passes it through
        except DossierRefused as exc:
            refusal = services.problems_text(exc)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except (DossierRenderError, BundleError) as exc:
            refusal = str(exc)
    from crimebook.cases.dossier.plan import dossier_plan

    try:
        plan = dossier_plan(case)
    except DossierRefused as exc:
        plan, refusal = None, refusal or services.problems_text(exc)
    return render(request, "cases/dossier_form.html", {
        "case": case, "form": form, "plan": plan, "refusal": refusal, "too_many": too_many,
    }, status=400 if (form.is_bound and (refusal or form.errors)) else 200)  # fmt: skip
