"""Readable change history from django-simple-history records."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.calendar import wareki

HIDDEN_FIELDS = {
    "version",
    "id",
    "created_at",
    "updated_at",
    "history_id",
    "history_date",
    "history_user",
    "history_type",
    "history_change_reason",
    "history_relation",
}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    user: object
    subject: str
    action: str  # 作成 / 変更 / 削除
    changes: list[Change]


def display_value(model, field_name: str, value) -> str:
    if value is None or value == "":
        return _("（なし）")
    field = model._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, date):
        return wareki(value)
    if field.is_relation:
        target = field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target else str(value)
    return str(value)


def tracked_fields(model) -> list[str]:
    return [
        f.attname.removesuffix("_id") if f.is_relation else f.name
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS
    ]


def diff(model, old, new) -> list[Change]:
    """Changes between two historical records (or model instances) of the same row."""
    changes = []
    for name in tracked_fields(model):
        field = model._meta.get_field(name)
        before = getattr(old, field.attname) if old is not None else None
        after = getattr(new, field.attname)
        if before != after:
            changes.append(
                Change(
                    name,
                    str(field.verbose_name),
                    display_value(model, name, before),
                    display_value(model, name, after),
                )
            )
    return changes


def changes_since_version(current, version: int) -> list[tuple[str, str, str]]:
    """What changed between the state the user saw (its version) and now."""
    seen = current.history.filter(version=version).order_by("-history_date").first()
    if seen is None:
        return []
    return [(c.label, c.old, c.new) for c in diff(type(current), seen, current)]


def format_changes(changes) -> str:
    return "、".join(f"{label}（{old} → {new}）" for label, old, new in changes)


ACTIONS = {
    "+": pgettext_lazy("history", "作成"),
    "~": pgettext_lazy("history", "変更"),
    "-": pgettext_lazy("history", "削除"),
}


def entries(model, records, subject, *, include_created: bool = True) -> list[HistoryEntry]:
    """records: historical records of one or more rows, ordered by (row id, history_date)."""
    result, previous = [], {}
    for record in records:
        prev = previous.get(record.id)
        changes = diff(model, prev, record) if record.history_type != "+" else []
        previous[record.id] = record
        if (record.history_type == "~" and not changes) or (record.history_type == "+" and not include_created):
            continue
        result.append(
            HistoryEntry(
                record.history_date,
                record.history_user,
                subject(record),
                str(ACTIONS[record.history_type]),
                changes,
            )
        )
    return result
