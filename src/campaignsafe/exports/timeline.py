"""Course-of-conduct summary: counts by kind and by month, and an inline SVG timeline (no JavaScript)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

# Colour-blind-safe palette (Okabe–Ito), cycled by kind.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


@dataclass(frozen=True)
class Summary:
    """How many incidents, over what period, by kind and by month (months with none included)."""

    total: int
    first: datetime | None
    last: datetime | None
    by_kind: list[tuple[str, int]]
    months: list[str]  # "YYYY-MM", every month from first to last
    by_month: dict[str, Counter[str]]  # month → kind → count


class Tally:
    """A :class:`Summary` built up one incident at a time (nothing kept per incident)."""

    def __init__(self) -> None:
        self.total = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.by_kind: Counter[str] = Counter()
        self.by_month: dict[str, Counter[str]] = {}

    def add(self, when: datetime, kind: str) -> None:
        self.total += 1
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when >= self.last:
            self.last = when
        self.by_kind[kind] += 1
        self.by_month.setdefault(f"{when:%Y-%m}", Counter())[kind] += 1

    def summary(self) -> Summary:
        if self.first is None or self.last is None:
            return Summary(0, None, None, [], [], {})
        by_month = {k: Counter(v) for k, v in self.by_month.items()}
        months = _month_range(self.first, self.last)
        for m in months:
            by_month.setdefault(m, Counter())
        ordered = sorted(self.by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
        return Summary(self.total, self.first, self.last, ordered, months, by_month)


def summarise(events: Sequence[tuple[datetime, str]]) -> Summary:
    """Summarise (when, kind) pairs."""
    tally = Tally()
    for when, kind in events:
        tally.add(when, kind)
    return tally.summary()


def _month_range(first: datetime, last: datetime) -> list[str]:
    y, m = first.year, first.month
    out = []
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def svg(summary: Summary, labels: dict[str, str], width: int = 680, plot_h: int = 190) -> str:
    """A stacked bar chart of incidents per month, with a legend; empty string when there is nothing."""
    if not summary.total:
        return ""
    kinds = [k for k, _ in summary.by_kind]
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(kinds)}
    left, right, top = 36, 10, 12
    legend: list[tuple[int, int, str]] = []  # (x, row, kind)
    lx, row = left, 0
    for kind in kinds:
        w = 24 + 6 * len(labels.get(kind, kind))
        if lx + w > width - right and lx > left:
            lx, row = left, row + 1
        legend.append((lx, row, kind))
        lx += w
    height = top + plot_h + 30 + 14 * (row + 1)
    plot_w = width - left - right
    peak = max(sum(c.values()) for c in summary.by_month.values()) or 1
    step = plot_w / len(summary.months)
    bar = min(60.0, max(2.0, step * 0.7))  # one month alone is a bar, not a wall
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Incidents per month, {summary.total} in all">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#555"/>',
    ]
    for tick in range(peak + 1) if peak <= 5 else sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
    every = max(1, len(summary.months) // 12)
    for i, month in enumerate(summary.months):
        x = left + i * step + (step - bar) / 2
        y = top + plot_h
        for kind in kinds:
            n = summary.by_month[month][kind]
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            title = escape(f"{month}: {n} × {labels.get(kind, kind)}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour[kind]}">'
                f"<title>{title}</title></rect>"
            )
        if i % every == 0:
            cx = left + i * step + step / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">{month}</text>'
            )
    for lx, row, kind in legend:
        ly = top + plot_h + 26 + 14 * row
        label = escape(labels.get(kind, kind))
        parts.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour[kind]}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly + 9}" font-size="10">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
