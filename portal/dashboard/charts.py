"""Small server-rendered SVG charts (no JavaScript, nothing from a CDN). Every chart has a
title and description (in the user's language) for screen readers, and the page shows its numbers as a table."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.calendar import wareki_short

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 48
PLAN_COLOR, ACTUAL_COLOR = "#1f4e79", "#2e7d32"
OPENED_COLOR, CLOSED_COLOR = "#a30d0d", "#2e7d32"


def _nice(maximum: int) -> int:
    """Round the top of the axis up to a multiple of 4 so the 5 ticks are whole, distinct numbers."""
    return max(4, -(-maximum // 4) * 4)


def _month_label(month) -> str:
    return wareki_short(month)[:-2]  # R7.4.1 → R7.4


def _axes(maximum: int, labels: list[str]) -> list[str]:
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = round(maximum * i / 4)
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value}</text>')
    step = max(1, len(labels) // 12)
    for index, label in enumerate(labels):
        if index % step:
            continue
        x = _x(index, len(labels))
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">{escape(label)}</text>'
        )
    return parts


def _x(index: int, count: int) -> float:
    plot_w = WIDTH - LEFT - RIGHT
    return LEFT + (plot_w * (index + 0.5) / count if count else 0)


def _y(value: float, maximum: int) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * value / maximum


def _legend(items: list[tuple[str, str, str]]) -> list[str]:
    parts, x = [], LEFT
    for label, color, dash in items:
        y = HEIGHT - 12
        parts.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" stroke-width="3"'
            f"{f' stroke-dasharray={chr(34)}{dash}{chr(34)}' if dash else ''}/>"
        )
        parts.append(f'<text x="{x + 30}" y="{y}" class="legend">{escape(label)}</text>')
        x += 140
    return parts


def _svg(chart_id: str, title: str, description: str, parts: list[str]) -> str:
    return mark_safe(  # noqa: S308  every text part is escaped above
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" aria-labelledby="{chart_id}-title '
        f'{chart_id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{"".join(parts)}</svg>'
    )


def burnup_svg(points, total: int) -> str:
    """Cumulative steps completed per month (solid, ● markers) against the plan (dashed, ◆)."""
    if not points:
        return ""
    maximum = _nice(max([total, 1] + [p.planned for p in points] + [p.actual or 0 for p in points]))
    labels = [_month_label(p.month) for p in points]
    parts = _axes(maximum, labels)
    count = len(points)
    plan = " ".join(f"{_x(i, count):.1f},{_y(p.planned, maximum):.1f}" for i, p in enumerate(points))
    parts.append(
        f'<polyline points="{plan}" fill="none" stroke="{PLAN_COLOR}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    actual_points = [(i, p) for i, p in enumerate(points) if p.actual is not None]
    actual = " ".join(f"{_x(i, count):.1f},{_y(p.actual, maximum):.1f}" for i, p in actual_points)
    parts.append(f'<polyline points="{actual}" fill="none" stroke="{ACTUAL_COLOR}" stroke-width="3"/>')
    for i, p in actual_points:
        parts.append(f'<circle cx="{_x(i, count):.1f}" cy="{_y(p.actual, maximum):.1f}" r="3" fill="{ACTUAL_COLOR}"/>')
    if total:
        parts.append(
            f'<line x1="{LEFT}" y1="{_y(total, maximum):.1f}" x2="{WIDTH - RIGHT}" y2="{_y(total, maximum):.1f}" '
            f'stroke="#555" stroke-dasharray="2 3"/>'
        )
    parts += _legend([(_("計画（累計）"), PLAN_COLOR, "6 4"), (_("実績（累計）"), ACTUAL_COLOR, "")])
    last = actual_points[-1][1] if actual_points else None
    description = (
        _("%(first)sから%(last)sまでの完了手順数の累計。") % {"first": labels[0], "last": labels[-1]}
        + (
            _("最新の実績は%(actual)s件、同じ月の計画は%(planned)s件。")
            % {"actual": last.actual, "planned": last.planned}
            if last
            else ""
        )
        + _("対象の手順は全部で%(total)s件。") % {"total": total}
    )
    return _svg("burnup", _("完了手順の累計（バーンアップ）"), description, parts)


def issue_flow_svg(points) -> str:
    """Issues opened (red, left bar) and closed (green, right bar, hatched) per month."""
    if not points:
        return ""
    maximum = _nice(max([1] + [p.opened for p in points] + [p.closed for p in points]))
    labels = [_month_label(p.month) for p in points]
    parts = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{CLOSED_COLOR}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern></defs>'
    ]
    parts += _axes(maximum, labels)
    count = len(points)
    slot = (WIDTH - LEFT - RIGHT) / count
    bar = max(2.0, slot * 0.35)
    base = _y(0, maximum)
    for i, p in enumerate(points):
        x = _x(i, count)
        for value, offset, paint, word in (
            (p.opened, -bar, OPENED_COLOR, _("起票")),
            (p.closed, 0, "url(#hatch)", _("完了")),
        ):
            top = _y(value, maximum)
            count_text = _("%(count)s件") % {"count": value}
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{base - top:.1f}" fill="{paint}">'
                f"<title>{escape(labels[i])} {escape(word)} {escape(count_text)}</title></rect>"
            )
    opened_legend, closed_legend = _("起票（左）"), _("完了（右・斜線）")
    parts.append(
        f'<rect x="{LEFT}" y="{HEIGHT - 22}" width="20" height="10" fill="{OPENED_COLOR}"/>'
        f'<text x="{LEFT + 26}" y="{HEIGHT - 12}" class="legend">{escape(opened_legend)}</text>'
        f'<rect x="{LEFT + 140}" y="{HEIGHT - 22}" width="20" height="10" fill="url(#hatch)"/>'
        f'<text x="{LEFT + 166}" y="{HEIGHT - 12}" class="legend">{escape(closed_legend)}</text>'
    )
    description = _("%(first)sから%(last)sまでの月別の課題・リスクの起票件数と完了件数。") % {
        "first": labels[0],
        "last": labels[-1],
    } + _("起票 合計%(opened)s件、完了 合計%(closed)s件。") % {
        "opened": sum(p.opened for p in points),
        "closed": sum(p.closed for p in points),
    }
    return _svg("issueflow", _("課題・リスクの起票と完了（月別）"), description, parts)
