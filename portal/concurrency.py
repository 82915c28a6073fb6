"""Optimistic locking: models people edit together carry a ``version``; a save based on an
older version is refused instead of silently overwriting someone else's change."""

from django.db.models import F
from django.utils.translation import gettext


class StaleObjectError(Exception):
    """Someone saved the object after the user loaded it."""

    def __init__(self, current, changes):
        self.current = current
        # [(field label, value the user saw, value now)]
        self.changes = changes
        super().__init__("stale object")

    @property
    def message(self) -> str:
        from portal.history import format_changes

        who = self.current.history.first().history_user if hasattr(self.current, "history") else None
        if who:
            head = gettext("%(user)sさんがこの内容を先に更新したため、保存できませんでした。") % {"user": who}
        else:
            head = gettext("他の利用者がこの内容を先に更新したため、保存できませんでした。")
        detail = format_changes(self.changes) if self.changes else ""
        return (
            head
            + (gettext("先に保存された変更: %(changes)s。") % {"changes": detail} if detail else "")
            + gettext("あなたの入力は残してあります。内容を確認して、もう一度保存してください。")
        )


def claim_version(instance, expected_version: int) -> None:
    """Atomically move the row from expected_version to the next one, or raise StaleObjectError.
    Call inside transaction.atomic before saving the new values."""
    from portal.history import changes_since_version

    model = type(instance)
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        current = model.objects.get(pk=instance.pk)
        raise StaleObjectError(current, changes_since_version(current, expected_version))
    instance.version = expected_version + 1
