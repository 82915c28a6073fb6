"""Writes of the Fit & Gap analysis. Every function takes the acting user and checks permission first."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fitgap import permissions as perms
from fitgap.models import Analysis, Catalogue, GapItem, Requirement
from portal.calendar import fiscal_year
from portal.concurrency import StaleObjectError, claim_version
from portal.history import format_changes
from portal.imports import ImportProblem, ImportRejected
from portal.permissions import require

# sort_order bands keep spec rows first, then customisations, then comparison rows
KIND_BASE = {GapItem.Kind.SPEC: 0, GapItem.Kind.CUSTOMISATION: 100_000, GapItem.Kind.COMPARISON: 200_000}
KEY_PREFIX = {GapItem.Kind.CUSTOMISATION: "CU-", GapItem.Kind.COMPARISON: "CMP-"}
JUDGEMENT_FIELDS = [
    "current_support", "judgement", "option_choice", "impact", "impact_description", "policy", "owner",
    "due_date", "status", "decision",
]  # fmt: skip
VENDOR_ROW_FIELDS = ["title", "description", "comparison_status"]


def default_due_date(municipality, today: dt.date | None = None) -> dt.date:
    """対応期限 by default: the municipality's next 予算要求 date (its setting), i.e. the one of the
    current fiscal year, or of the next fiscal year once this year's has passed."""
    today = today or timezone.localdate()
    due = municipality.budget_request_date(fiscal_year(today))
    if due < today:
        due = municipality.budget_request_date(fiscal_year(today) + 1)
    return due


# --- catalogues ----------------------------------------------------------------------------


@dataclass
class CatalogueDiff:
    previous: Catalogue | None
    added: list[Requirement] = field(default_factory=list)
    changed: list[tuple[Requirement, Requirement, list[str]]] = field(default_factory=list)
    removed: list[Requirement] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def catalogue_diff(previous: Catalogue | None, current: Catalogue) -> CatalogueDiff:
    """What a version added, changed (with the changed fields' labels) and removed, by 機能ID."""
    diff = CatalogueDiff(previous)
    new = {r.function_id: r for r in current.requirements.all()}
    if previous is None:
        return diff
    old = {r.function_id: r for r in previous.requirements.all()}
    for key, requirement in new.items():
        before = old.get(key)
        if before is None:
            diff.added.append(requirement)
            continue
        fields = [
            str(Requirement._meta.get_field(name).verbose_name)
            for name in Requirement.COMPARED_FIELDS
            if getattr(before, name) != getattr(requirement, name)
        ]
        if fields:
            diff.changed.append((before, requirement, fields))
    diff.removed = [r for key, r in old.items() if key not in new]
    return diff


@transaction.atomic
def import_catalogue(
    *, actor, municipality, operation, title: str, version_label: str, file, published_on=None
) -> tuple[Catalogue, CatalogueDiff]:
    """A new spec version from the portal's template (xlsx or csv). All or nothing: raises
    ImportRejected with every problem. Returns the catalogue and its diff against the previous version."""
    from fitgap.imports import parse_catalogue

    require(perms.can_manage_catalogues(actor, municipality.id), _("標準仕様書を取り込めるのは事務局です。"))
    version_label, title = (version_label or "").strip(), (title or "").strip()
    if Catalogue.objects.filter(municipality=municipality, operation=operation, version_label=version_label).exists():
        raise ValidationError(
            {
                "version_label": _("%(operation)sの「%(version)s」は取込済みです。別の版を入力してください。")
                % {"operation": operation.name, "version": version_label}
            }
        )
    rows = parse_catalogue(file)
    previous = (
        Catalogue.objects.filter(municipality=municipality, operation=operation).order_by("-imported_at", "-id").first()
    )
    catalogue = Catalogue(
        municipality=municipality,
        operation=operation,
        title=title,
        version_label=version_label,
        published_on=published_on,
        previous=previous,
        imported_by=actor,
        source_name=getattr(file, "name", "")[:200],
    )
    catalogue.full_clean()
    catalogue.save()
    Requirement.objects.bulk_create(
        Requirement(
            catalogue=catalogue,
            function_id=row.function_id,
            name=row.name,
            category=row.category,
            level=row.level,
            content=row.content,
            notes=row.notes,
            sort_order=index,
        )
        for index, row in enumerate(rows, start=1)
    )
    return catalogue, catalogue_diff(previous, catalogue)


# --- analyses ----------------------------------------------------------------------------


def _spec_item(analysis, requirement, due) -> GapItem:
    return GapItem(
        analysis=analysis,
        kind=GapItem.Kind.SPEC,
        key=requirement.function_id,
        requirement=requirement,
        due_date=due,
        sort_order=requirement.sort_order,
    )


@transaction.atomic
def start_analysis(*, actor, project, catalogue: Catalogue) -> Analysis:
    """The project's analysis against a catalogue version: one 未検討 row per requirement."""
    require(
        perms.can_edit_analysis(actor, project), _("この案件のFit & Gap分析を作成できるのは業務主管課と事務局です。")
    )
    if Analysis.objects.filter(project=project).exists():
        raise ValidationError(_("この案件のFit & Gap分析はすでにあります。"))
    analysis = Analysis(project=project, catalogue=catalogue)
    analysis.full_clean()
    analysis._history_user = actor
    analysis.save()
    due = default_due_date(project.municipality)
    items = [_spec_item(analysis, r, due) for r in catalogue.requirements.order_by("sort_order", "function_id")]
    bulk_create_with_history(items, GapItem, default_user=actor)
    return analysis


def _value(name: str, value):
    return "" if value is None and name != "due_date" else value


def _read_only_message(item: GapItem, name: str) -> str:
    try:
        label = GapItem._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return _("「%(name)s」という項目はありません。") % {"name": name}
    if item.kind == GapItem.Kind.SPEC and name in VENDOR_ROW_FIELDS:
        return _(
            "標準仕様の行の%(label)sは要件カタログ（標準仕様書）の内容を表示するため変更できません。"
            "この項目を送らずに保存してください。"
        ) % {"label": label}
    return _("%(label)sはここでは変更できません。この項目を送らずに保存してください。") % {"label": label}


def _apply(item: GapItem, data: dict, allowed: list[str]) -> None:
    """Set the fields of ``data``; a field that may not be changed here is refused by field (a value equal
    to the current one, e.g. a representation sent back as it was read, is left alone)."""
    errors = {
        name: _read_only_message(item, name)
        for name, value in data.items()
        if name not in allowed and _value(name, value) != getattr(item, name, object())
    }
    if errors:
        raise ValidationError(errors)
    for name, value in data.items():
        if name in allowed:
            setattr(item, name, _value(name, value))


def _allowed(item: GapItem) -> list[str]:
    return JUDGEMENT_FIELDS + ([] if item.kind == GapItem.Kind.SPEC else VENDOR_ROW_FIELDS)


@transaction.atomic
def update_item(*, actor, item: GapItem, expected_version: int, data: dict, reviewed: bool = True) -> GapItem:
    """The judgement fields of one row (and the text of a vendor row). Saving a row is its review
    (要確認 is cleared) unless ``reviewed=False`` (a bulk change of 担当者 / 対応期限 reviews nothing)."""
    item = (
        GapItem.objects.select_for_update(of=("self",))
        .select_related("analysis__project", "requirement")
        .get(pk=item.pk)
    )
    require(
        perms.can_edit_analysis(actor, item.analysis.project), _("この分析を更新できるのは業務主管課と事務局です。")
    )
    _apply(item, data, _allowed(item))
    claim_version(item, expected_version)
    if reviewed:
        item.needs_review = False
    item.full_clean()
    item._history_user = actor
    item.save()
    return item


def _next_key(analysis, kind) -> str:
    prefix = KEY_PREFIX[kind]
    numbers = [
        int(key[len(prefix) :])
        for key in analysis.items.filter(kind=kind, key__startswith=prefix).values_list("key", flat=True)
        if key[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def add_item(*, actor, analysis: Analysis, kind: str, data: dict, key: str = "") -> GapItem:
    """A row from the current vendor's カスタマイズ一覧 or 標準仕様_機能比較表. A customisation
    disappears with the standard system, so it starts as a Gap."""
    require(perms.can_edit_analysis(actor, analysis.project), _("この分析に行を追加できるのは業務主管課と事務局です。"))
    if kind not in KEY_PREFIX:
        raise ValidationError({"kind": _("追加できるのはカスタマイズと機能比較表の行です。")})
    key = (key or "").strip() or _next_key(analysis, kind)
    if analysis.items.filter(kind=kind, key=key).exists():
        raise ValidationError(
            {"key": _("ID「%(key)s」はすでに使われています。別のIDを入力してください。") % {"key": key}}
        )
    last = analysis.items.filter(kind=kind).aggregate(m=Max("sort_order"))["m"]
    item = GapItem(
        analysis=analysis,
        kind=kind,
        key=key,
        sort_order=(last or KIND_BASE[kind]) + 1,
        due_date=default_due_date(analysis.project.municipality),
        judgement=GapItem.Judgement.GAP if kind == GapItem.Kind.CUSTOMISATION else "",
    )
    data = dict(data)
    if "due_date" in data and data["due_date"] is None:
        data.pop("due_date")
    _apply(item, data, JUDGEMENT_FIELDS + VENDOR_ROW_FIELDS)
    item.full_clean()
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def delete_item(*, actor, item: GapItem, expected_version: int) -> None:
    """Remove a カスタマイズ / 機能比較表 row entered by mistake (spec rows follow the catalogue).
    The history keeps it."""
    item = GapItem.objects.select_for_update(of=("self",)).select_related("analysis__project").get(pk=item.pk)
    require(
        perms.can_edit_analysis(actor, item.analysis.project), _("この分析を更新できるのは業務主管課と事務局です。")
    )
    if item.kind == GapItem.Kind.SPEC:
        raise ValidationError(_("標準仕様の行は削除できません（標準仕様書の版に従います）。"))
    claim_version(item, expected_version)
    item._history_user = actor
    item.delete()


@transaction.atomic
def bulk_update(
    *, actor, analysis: Analysis, rows: list[tuple[GapItem, int]], owner: str | None = None, due_date=None
) -> int:
    """Set 担当者 and/or 対応期限 of the selected rows (with the versions the user saw); all or none."""
    require(perms.can_edit_analysis(actor, analysis.project), _("この分析を更新できるのは業務主管課と事務局です。"))
    data = {}
    if owner is not None and owner.strip():
        data["owner"] = owner.strip()
    if due_date is not None:
        data["due_date"] = due_date
    if not data:
        raise ValidationError(_("一括変更する担当者または対応期限を入力してください。"))
    if not rows:
        raise ValidationError(_("一括変更する行を選んでください。"))
    for item, version in rows:
        if item.analysis_id != analysis.id:
            raise ValidationError(_("別の分析の行は一括変更できません。"))
        update_item(actor=actor, item=item, expected_version=version, data=data, reviewed=False)
    return len(rows)


@transaction.atomic
def move_to_catalogue(*, actor, analysis: Analysis, catalogue: Catalogue, expected_version: int) -> dict:
    """Move an analysis on to another spec version: kept rows point at the new requirement (changed
    ones are marked 要確認), new requirements get 未検討 rows, rows of removed requirements are deleted
    (their history stays)."""
    require(perms.can_edit_analysis(actor, analysis.project), _("この分析を更新できるのは業務主管課と事務局です。"))
    analysis = (
        Analysis.objects.select_for_update(of=("self",))
        .select_related("project__municipality", "catalogue")
        .get(pk=analysis.pk)
    )
    if catalogue.id == analysis.catalogue_id:
        raise ValidationError({"catalogue": _("いまと同じ版です。別の版を選んでください。")})
    claim_version(analysis, expected_version)
    previous = analysis.catalogue
    analysis.catalogue = catalogue
    analysis.full_clean()
    analysis._history_user = actor
    analysis.save()
    diff = catalogue_diff(previous, catalogue)
    changed_ids = {new.function_id for _old, new, _fields in diff.changed}
    new_requirements = {r.function_id: r for r in catalogue.requirements.all()}
    result = {"kept": 0, "review": 0, "added": 0, "removed": 0}
    # the rows are rewritten whole: lock them (only them — PostgreSQL refuses FOR UPDATE on the nullable
    # side of the outer join to the requirement)
    spec_items = list(
        analysis.items.filter(kind=GapItem.Kind.SPEC).select_for_update(of=("self",)).select_related("requirement")
    )
    for item in spec_items:
        requirement = new_requirements.get(item.key)
        if requirement is None:
            item._history_user = actor
            item.delete()
            result["removed"] += 1
            continue
        item.requirement = requirement
        item.sort_order = requirement.sort_order
        if item.key in changed_ids:
            item.needs_review = True
            result["review"] += 1
        else:
            result["kept"] += 1
        if item.option_choice and requirement.level != Requirement.Level.OPTIONAL:
            item.option_choice = ""
        item.version += 1
        item._history_user = actor
        item._change_reason = f"標準仕様書を{catalogue.version_label}に更新"
        item.save()
    present = {i.key for i in spec_items}
    due = default_due_date(analysis.project.municipality)
    added = [_spec_item(analysis, r, due) for key, r in new_requirements.items() if key not in present]
    bulk_create_with_history(added, GapItem, default_user=actor)
    result["added"] = len(added)
    return result


def _import_problems(row: int, error: ValidationError) -> list[ImportProblem]:
    """A service's ValidationError as problems of one 調査票 row, under the column of each field."""
    from fitgap.imports import FIELD_COLUMNS

    if not hasattr(error, "error_dict"):
        return [ImportProblem(row, "", message) for message in error.messages]
    return [
        ImportProblem(row, FIELD_COLUMNS.get(name, ""), message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


@transaction.atomic
def import_survey(*, actor, analysis: Analysis, file) -> dict:
    """A filled-in 調査票: rows matched by 区分 + ID are updated, new vendor rows added. All or nothing."""
    from fitgap.imports import parse_survey

    require(perms.can_edit_analysis(actor, analysis.project), _("この分析に取り込めるのは業務主管課と事務局です。"))
    rows = parse_survey(analysis=analysis, file=file, today=timezone.localdate())
    created = updated = 0
    problems = []
    # New rows without an ID are numbered last, so that they never take an ID that a later row of the file names.
    for row in sorted(rows, key=lambda row: row.item is None and not row.key):
        try:
            if row.item is None:
                add_item(actor=actor, analysis=analysis, kind=row.kind, key=row.key, data=row.data)
                created += 1
            else:
                changes = {k: v for k, v in row.data.items() if getattr(row.item, k) != v}
                if changes:
                    update_item(
                        actor=actor,
                        item=row.item,
                        expected_version=row.expected_version or row.item.version,
                        data=changes,
                    )
                    updated += 1
        except StaleObjectError as conflict:
            detail = format_changes(conflict.changes) if conflict.changes else ""
            if detail:
                message = _(
                    "この行は取り込む間に他の利用者がポータルで更新しました（%(detail)s）。"
                    "調査票を出力し直して入力してください。"
                ) % {"detail": detail}
            else:
                message = _(
                    "この行は取り込む間に他の利用者がポータルで更新しました。調査票を出力し直して入力してください。"
                )
            problems.append(ImportProblem(row.row, "版数", message))
        except ValidationError as error:
            problems.extend(_import_problems(row.row, error))
    if problems:
        transaction.set_rollback(True)
        raise ImportRejected(sorted(problems, key=lambda problem: problem.row or 0))
    return {"created": created, "updated": updated}


# --- the issue/risk register (課題管理表) ------------------------------------------------------

IMPORTANCE = {"high": "high", "medium": "medium", "low": "low"}


@transaction.atomic
def raise_risk_issue(*, actor, item: GapItem):
    """課題管理表に起票: a register item for a gap, created by the register's own service and linked
    both ways (GapItem.risk_issue ↔ RiskIssue.gap_items)."""
    from migration.models import ProcedureStep, RiskIssue
    from migration.services import create_risk_issue

    item = (
        GapItem.objects.select_for_update(of=("self",))
        .select_related("analysis__project", "requirement", "risk_issue")
        .get(pk=item.pk)
    )
    project = item.analysis.project
    require(perms.can_edit_analysis(actor, project), _("課題管理表に起票できるのは業務主管課と事務局です。"))
    if item.risk_issue_id:
        raise ValidationError(
            _("この行はすでに課題管理表のNo.%(number)sとして起票されています。") % {"number": item.risk_issue.number}
        )
    today = timezone.localdate()
    due = item.due_date if item.due_date and item.due_date >= today else None
    with translation.override(settings.LANGUAGE_CODE):  # the register item is written in Japanese
        kind, policy = item.get_kind_display(), item.get_policy_display()
    description = f"【Fit & Gap {kind} {item.key}】{item.display_title}"
    if item.impact_description:
        description += f"\n影響内容: {item.impact_description}"
    issue = create_risk_issue(
        actor=actor,
        project=project,
        data={
            "kind": RiskIssue.Kind.RISK,
            "step": ProcedureStep.objects.filter(number=3).first(),
            "description": description,
            "importance": IMPORTANCE.get(item.impact, RiskIssue.Importance.MEDIUM),
            "raised_on": today,
            "due_date": due,
            "due_reason": "予算要求までに対応方針を決定するため" if due else "",
            "notes": f"Fit & Gap分析の行（{kind} {item.key}）から起票。対応方針: {policy}",
        },
    )
    item.risk_issue = issue
    item._history_user = actor
    item.save(update_fields=["risk_issue"])
    return issue
