"""The progress chart: trainings per month by program; reports and hotline figures per period.

Drawn with matplotlib's object-oriented API on the Agg backend (no pyplot, no display), imported
only when a chart is drawn, and never in a thread that answers Slack.
"""
import io
from datetime import date

from domain.progress import Figures
from domain.trainings import PROGRAM_LABELS

WIDTH, HEIGHT, DPI = 10, 7, 100   # inches and dots per inch: a 1000 x 700 PNG
# Okabe and Ito's palette, told apart by people with any common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PROGRAM_ORDER = ["TAT", "BOTL", "LE", "CDL", "other"]


def size() -> tuple[int, int]:
    """The chart's size in pixels."""
    return WIDTH * DPI, HEIGHT * DPI


def draw(figures: Figures) -> bytes:
    """The chart of one state coalition's progress, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    figure.suptitle(f"TAT coalition progress — {figures.state}", fontsize=14, fontweight="bold")
    trainings_axes, reports_axes = figure.subplots(2, 1)
    _trainings(trainings_axes, figures)
    _reports(reports_axes, figures)
    for axes in (trainings_axes, reports_axes):
        if figures.build_meeting:
            axes.axvline(_month_number(figures.build_meeting.strftime("%Y-%m"), _months(figures)),
                         color=OKABE_ITO[7], linestyle="--", label="build meeting")
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="best", fontsize=9, framealpha=0.9)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _months(figures: Figures) -> list[str]:
    """Every month from the first figure (or the build meeting) to the last, as YYYY-MM."""
    seen = {m for months in figures.trained_per_month.values() for m in months} | set(figures.reports_per_month)
    seen |= {p if len(p) == 7 else f"{p}-01" for p, _, _ in figures.hotline}
    if figures.build_meeting:
        seen.add(figures.build_meeting.strftime("%Y-%m"))
    if not seen:
        seen = {date.today().strftime("%Y-%m")}
    first, last = min(seen), max(seen)
    months, (year, month) = [], map(int, first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_number(month: str, months: list[str]) -> int:
    return months.index(month) if month in months else 0


def _trainings(axes, figures: Figures) -> None:
    months = _months(figures)
    bottom = [0] * len(months)
    for colour, program in zip(OKABE_ITO, PROGRAM_ORDER, strict=False):
        counts = [figures.trained_per_month.get(program, {}).get(m, 0) for m in months]
        if any(counts):
            axes.bar(range(len(months)), counts, bottom=bottom, color=colour, label=PROGRAM_LABELS[program])
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_title("People trained per month, by program")
    axes.set_ylabel("people trained")
    _month_axis(axes, months)
    if not any(bottom):
        axes.text(0.5, 0.5, "no trainings logged yet", transform=axes.transAxes, ha="center", color="#555555")


def _reports(axes, figures: Figures) -> None:
    months = _months(figures)
    axes.bar(range(len(months)), [figures.reports_per_month.get(m, 0) for m in months], color=OKABE_ITO[5],
             label="reports made by coalition members")
    monthly = [(p, c) for p, c, _ in figures.hotline if len(p) == 7]
    yearly = [(p, c) for p, c, _ in figures.hotline if len(p) == 4]
    if monthly:
        axes.plot([_month_number(p, months) for p, _ in monthly], [c for _, c in monthly], marker="o",
                  color=OKABE_ITO[0], label="hotline figure (month)")
    if yearly:
        axes.scatter([_month_number(f"{p}-01", months) for p, _ in yearly], [c for _, c in yearly], marker="s",
                     s=60, color=OKABE_ITO[2], label="hotline figure (year, at January)", zorder=3)
    axes.set_title("Reports and official hotline figures per period")
    axes.set_ylabel("count")
    _month_axis(axes, months)


def _month_axis(axes, months: list[str]) -> None:
    step = max(1, len(months) // 12)
    axes.set_xticks(range(0, len(months), step), [months[i] for i in range(0, len(months), step)],
                    rotation=45, ha="right", fontsize=8)
    axes.set_xlabel("month")
    axes.set_xlim(-0.6, len(months) - 0.4)
