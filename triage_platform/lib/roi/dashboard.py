"""The ROI dashboard: one self-contained HTML file (plots embedded as PNG data URIs; no script, no CDN).

Sections: headline figures, the ROI table (baseline vs current period, leading / lagging / value), the
negative review rate trend with the incident marked, time to triage before/after, top defect themes with
redacted samples, alert volumes, and model quality per category over model versions.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from triage_platform.lib.roi.data import DashboardData

DASHBOARD_FILE = "roi.html"
"""The dashboard's file name under TRIAGE_HOME/reports."""

FIGURE_IDS = (
    "negative-review-rate",
    "time-to-triage",
    "top-themes",
    "alert-volumes",
    "model-quality",
)
"""The plots every dashboard carries (the id of each <figure>)."""

INDICATOR_TITLES = {
    "leading": "Leading indicators (move first)",
    "lagging": "Lagging indicators (follow)",
    "value": "Value (hours and money, from the unit economics seed)",
    "volume": "Volumes",
}
BASELINE_COLOR, CURRENT_COLOR, INCIDENT_COLOR, ACCENT = "#9aa5b1", "#2f6fdf", "#d64545", "#f0a202"

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #e4e7eb;padding-bottom:.3rem}
.muted{color:#616e7c}.cards{display:flex;flex-wrap:wrap;gap:1rem;margin:1.2rem 0}
.card{flex:1 1 180px;border:1px solid #e4e7eb;border-radius:8px;padding:.8rem 1rem}
.card .v{font-size:1.5rem;font-weight:600}.card .l{font-size:.85rem;color:#616e7c}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}
th,td{border-bottom:1px solid #e4e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap}.better{color:#1c7c54}.worse{color:#c92a2a}
figure{margin:1rem 0}figure img{max-width:100%}figcaption{font-size:.85rem;color:#616e7c}
.sample{font-size:.85rem;color:#3e4c59}
"""


# ---------------------------------------------------------------------------------------------- formatting


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_value(value: object, unit: str) -> str:
    """A measure for people: shares as percentages, money with a currency sign, long minutes as hours."""
    if _is_missing(value):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return f"{number:.1%}"
    if unit == "usd":
        return f"${number:,.0f}"
    if unit == "minutes":
        return f"{number / 60:,.1f} h" if abs(number) >= 120 else f"{number:,.1f} min"
    if unit == "stars":
        return f"{number:.2f}"
    if unit == "hours":
        return f"{number:,.1f} h"
    return f"{number:,.1f}" if number != int(number) else f"{int(number):,}"


def _change(row: pd.Series) -> str:
    change = row.get("change_share")
    if _is_missing(change):
        return "–"
    return f"{float(change):+.0%}"


def _escape(value: object) -> str:
    return html.escape("" if _is_missing(value) else str(value))


# ---------------------------------------------------------------------------------------------- plots


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float = 10.0, height: float = 3.6) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height))
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e4e7eb")
    return figure, axes


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#616e7c")
    axes.set_xticks([])
    axes.set_yticks([])


def _period_bounds(data: DashboardData) -> dict[str, pd.Timestamp]:
    if data.periods.empty:
        return {}
    row = data.periods.iloc[0]
    return {
        name: pd.Timestamp(row[name])
        for name in ("baseline_start", "baseline_end", "current_start", "current_end")
    }


def plot_negative_review_rate(data: DashboardData) -> str:
    """Daily negative review rate, baseline and current periods shaded, incident (spike) days marked."""
    figure, axes = _figure()
    daily = data.daily
    if daily.empty:
        _empty(axes, "no reviews yet")
        return _png(figure)
    days = pd.to_datetime(daily["day"])
    axes.plot(days, daily["negative_review_rate"] * 100, color=CURRENT_COLOR, marker="o", markersize=3)
    bounds = _period_bounds(data)
    one_day = pd.Timedelta(days=1)
    if bounds:
        axes.axvspan(
            bounds["baseline_start"], bounds["baseline_end"] + one_day, color=BASELINE_COLOR, alpha=0.15
        )
        axes.axvspan(
            bounds["current_start"], bounds["current_end"] + one_day, color=CURRENT_COLOR, alpha=0.08
        )
    spike_days = sorted({pd.Timestamp(spike.day) for spike in data.spikes})
    for day in spike_days:
        axes.axvspan(day, day + one_day, color=INCIDENT_COLOR, alpha=0.18, linewidth=0)
    if data.spikes:
        top = data.spikes[0]
        label = f"incident: {top.issue_type} · {top.product_family} · {top.region} ({top.reviews} reviews)"
        axes.annotate(
            label,
            xy=(pd.Timestamp(top.day) + one_day / 2, axes.get_ylim()[1] * 0.97),
            color=INCIDENT_COLOR,
            fontsize=9,
            ha="center",
            va="top",
        )
    axes.set_ylabel("negative or mixed reviews (%)")
    axes.set_title("Negative review rate per day (grey: baseline period, blue: current period, red: spikes)")
    figure.autofmt_xdate()
    return _png(figure)


def plot_time_to_triage(data: DashboardData) -> str:
    """Before/after bars (manual baseline, baseline period, current period; log scale) and the daily median."""
    figure = Figure(figsize=(10, 3.6))
    bars, trend = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    for axes in (bars, trend):
        axes.spines[["top", "right"]].set_visible(False)
    summary = data.summary.set_index("measure") if not data.summary.empty else pd.DataFrame()
    values: list[tuple[str, float, str]] = []
    if "time_to_first_triage_vs_manual" in summary.index:
        values.append(
            ("manual\n(before)", summary.loc["time_to_first_triage_vs_manual", "baseline_value"], ACCENT)
        )
    if "median_minutes_to_first_triage" in summary.index:
        row = summary.loc["median_minutes_to_first_triage"]
        values += [
            ("baseline\nperiod", row["baseline_value"], BASELINE_COLOR),
            ("current\nperiod", row["current_value"], CURRENT_COLOR),
        ]
    values = [(label, float(v), color) for label, v, color in values if not _is_missing(v) and float(v) > 0]
    if values:
        bars.bar([v[0] for v in values], [v[1] for v in values], color=[v[2] for v in values])
        bars.set_yscale("log")
        for index, (_, value, _) in enumerate(values):
            bars.text(index, value, format_value(value, "minutes"), ha="center", va="bottom", fontsize=9)
        bars.set_ylabel("minutes (log scale)")
    else:
        _empty(bars, "no triage times yet")
    bars.set_title("Median time to first triage")
    if not data.daily.empty:
        trend.plot(
            pd.to_datetime(data.daily["day"]),
            data.daily["median_minutes_to_first_triage"],
            color=CURRENT_COLOR,
        )
        trend.set_ylabel("minutes, landing → first triage")
        trend.set_title("Per day (median)")
        for label in trend.get_xticklabels():
            label.set_rotation(30)
            label.set_ha("right")
    else:
        _empty(trend, "no reviews yet")
    figure.tight_layout()
    return _png(figure)


def plot_top_themes(data: DashboardData, limit: int = 10) -> str:
    """Reviews per issue type (top `limit`), high-severity share of each shaded."""
    figure, axes = _figure(height=0.35 * limit + 1.2)
    themes = data.themes.sort_values("theme_rank").head(limit) if not data.themes.empty else data.themes
    if themes.empty:
        _empty(axes, "no defect themes yet")
        return _png(figure)
    names = list(themes["issue_type"])[::-1]
    axes.barh(names, list(themes["reviews"])[::-1], color=BASELINE_COLOR, label="reviews")
    axes.barh(names, list(themes["high_severity_reviews"])[::-1], color=INCIDENT_COLOR, label="high severity")
    axes.grid(axis="x", color="#e4e7eb")
    axes.grid(axis="y", visible=False)
    axes.legend(frameon=False, loc="lower right")
    axes.set_title("Top defect themes (reviews reporting each issue)")
    return _png(figure)


def plot_alert_volumes(data: DashboardData) -> str:
    """Alerts per day of the reviews they are about, by kind, with how many were acknowledged."""
    figure, axes = _figure()
    alerts = data.alerts
    if alerts.empty:
        _empty(axes, "no alerts yet")
        return _png(figure)
    counts = alerts.assign(alert_day=pd.to_datetime(alerts["alert_day"])).pivot_table(
        index="alert_day", columns="kind", values="alert_id", aggfunc="count", fill_value=0
    )
    bottom = None
    colors = {"review": CURRENT_COLOR, "spike": INCIDENT_COLOR}
    for kind in counts.columns:
        axes.bar(
            counts.index, counts[kind], bottom=bottom, label=kind, color=colors.get(kind, ACCENT), width=0.8
        )
        bottom = counts[kind] if bottom is None else bottom + counts[kind]
    acknowledged = alerts[alerts["is_acknowledged"].astype(bool)]
    if not acknowledged.empty:
        per_day = acknowledged.groupby(pd.to_datetime(acknowledged["alert_day"]))["alert_id"].count()
        axes.plot(per_day.index, per_day.values, color="#1c7c54", marker="o", label="acknowledged")
    axes.legend(frameon=False)
    axes.set_ylabel("alerts")
    axes.set_title("Alerts raised per day (review and spike alerts)")
    figure.autofmt_xdate()
    return _png(figure)


def plot_model_quality(data: DashboardData) -> str:
    """F1 per category for each model version (a line per category); bars when only one version exists."""
    figure, axes = _figure(height=4.0)
    quality = data.model_quality
    if quality.empty:
        _empty(axes, "no model metrics in TRIAGE_HOME/models")
        return _png(figure)
    versions = list(dict.fromkeys(quality["model_version"]))
    if len(versions) == 1:
        one = quality.sort_values("f1")
        axes.barh(one["category"], one["f1"], color=CURRENT_COLOR, label="F1")
        axes.scatter(one["recall"], one["category"], color=INCIDENT_COLOR, zorder=3, label="recall")
        axes.set_xlim(0, 1.05)
        axes.legend(frameon=False, loc="lower right")
        axes.set_title(f"Model quality per category: {versions[0]} ({one['metric_source'].iloc[0]} metrics)")
    else:
        pivot = quality.pivot_table(index="model_version", columns="category", values="f1").reindex(versions)
        for category in pivot.columns:
            axes.plot(range(len(versions)), pivot[category], marker="o", label=category)
        axes.set_xticks(range(len(versions)), versions, rotation=20, ha="right", fontsize=8)
        axes.set_ylim(0, 1.05)
        axes.set_ylabel("F1")
        axes.legend(frameon=False, fontsize=7, ncol=2, loc="lower left")
        axes.set_title("Model quality per category over model versions (F1)")
    return _png(figure)


PLOTS: dict[str, tuple[Callable[[DashboardData], str], str]] = {
    "negative-review-rate": (
        plot_negative_review_rate,
        "Share of negative or mixed reviews per day. Red bands are days where an issue × product family × "
        "region spiked over its trailing 7-day median (gold/issue_daily), the incident.",
    ),
    "time-to-triage": (
        plot_time_to_triage,
        "Minutes from a file landing to the first annotation and routing decision. 'manual (before)' is "
        "baseline_manual_hours_to_triage from the unit economics seed.",
    ),
    "top-themes": (
        plot_top_themes,
        "Reviews reporting each issue type over all days, high-severity ones in red.",
    ),
    "alert-volumes": (
        plot_alert_volumes,
        "Review and spike alerts of gold/alerts per day of the reviews they are about.",
    ),
    "model-quality": (
        plot_model_quality,
        "Per-category F1 (and recall) of the models in TRIAGE_HOME/models, from each version's manifest.",
    ),
}


# ---------------------------------------------------------------------------------------------- html


def _cards(data: DashboardData) -> str:
    summary = data.summary.set_index("measure") if not data.summary.empty else pd.DataFrame()

    def current(measure: str, unit: str) -> str:
        if measure not in summary.index:
            return "–"
        return format_value(summary.loc[measure, "current_value"], unit)

    cards = [
        ("Net value, current period", current("net_value_usd", "usd")),
        ("Analyst hours saved, current period", current("analyst_hours_saved", "hours")),
        ("Median time to first triage", current("median_minutes_to_first_triage", "minutes")),
        ("Negative review rate, current period", current("negative_review_rate", "share")),
        ("Unresolved high-severity items", f"{data.unresolved_high_severity:,}"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="v">{_escape(value)}</div><div class="l">{_escape(label)}</div></div>'
            for label, value in cards
        )
        + "</div>"
    )


def _summary_tables(data: DashboardData) -> str:
    if data.summary.empty:
        return "<p>No ROI figures yet.</p>"
    parts = []
    summary = data.summary.sort_values("position")
    for indicator, title in INDICATOR_TITLES.items():
        rows = summary[summary["indicator"] == indicator]
        if rows.empty:
            continue
        parts.append(
            f"<h3>{_escape(title)}</h3><table><tr><th>measure</th><th>baseline</th><th>current</th>"
            "<th>change</th><th>verdict</th><th>note</th></tr>"
        )
        for _, row in rows.iterrows():
            verdict = "" if _is_missing(row["verdict"]) else str(row["verdict"])
            parts.append(
                f"<tr><td>{_escape(row['label'])}</td>"
                f"<td class='n'>{format_value(row['baseline_value'], row['unit'])}</td>"
                f"<td class='n'>{format_value(row['current_value'], row['unit'])}</td>"
                f"<td class='n'>{_change(row)}</td>"
                f"<td class='{_escape(verdict)}'>{_escape(verdict)}</td><td class='muted'>{_escape(row['note'])}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)


def _themes_table(data: DashboardData, limit: int = 8) -> str:
    if data.themes.empty:
        return ""
    rows = [
        "<table><tr><th>#</th><th>theme</th><th>reviews</th><th>high severity</th><th>most affected</th>"
        "<th>sample texts (PII-redacted)</th></tr>"
    ]
    for _, theme in data.themes.sort_values("theme_rank").head(limit).iterrows():
        samples = theme["sample_texts"]
        samples = [] if _is_missing(samples) else list(samples)
        sample_html = "".join(f"<div class='sample'>“{_escape(text)}”</div>" for text in samples)
        rows.append(
            f"<tr><td>{int(theme['theme_rank'])}</td><td>{_escape(theme['issue_type'])}</td>"
            f"<td class='n'>{int(theme['reviews']):,}</td><td class='n'>{int(theme['high_severity_reviews']):,}</td>"
            f"<td>{_escape(theme['top_product_family'])} · {_escape(theme['top_region'])}</td><td>{sample_html}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _periods_line(data: DashboardData) -> str:
    bounds = _period_bounds(data)
    if not bounds:
        return ""

    def day(name: str) -> str:
        return bounds[name].date().isoformat()

    return (
        f"Baseline period {day('baseline_start')} → {day('baseline_end')}, current period "
        f"{day('current_start')} → {day('current_end')} (see docs/roi.md)."
    )


def render_dashboard(data: DashboardData) -> str:
    """The dashboard as one HTML document with every plot embedded."""
    figures = []
    for figure_id, (plot, caption) in PLOTS.items():
        figures.append(
            f'<figure id="{figure_id}"><img alt="{figure_id}" src="data:image/png;base64,{plot(data)}">'
            f"<figcaption>{_escape(caption)}</figcaption></figure>"
        )
    by_id = dict(zip(PLOTS, figures, strict=True))
    spikes = "".join(
        f"<li>{spike.day} {_escape(spike.issue_type)} · {_escape(spike.product_family)} · {_escape(spike.region)}: "
        f"{spike.reviews} reviews (trailing median {spike.baseline:g})</li>"
        for spike in data.spikes[:5]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review triage: ROI</title><style>{STYLE}</style></head>
<body>
<h1>Review triage: return on investment</h1>
<p class="muted">Generated {data.generated_at:%Y-%m-%d %H:%M} UTC from the dbt models of the warehouse.
{_escape(_periods_line(data))}</p>
{_cards(data)}
<h2>Baseline vs current period</h2>
{_summary_tables(data)}
<h2>Negative review rate and the incident</h2>
{by_id["negative-review-rate"]}
{f"<ul>{spikes}</ul>" if spikes else "<p>No spike detected.</p>"}
<h2>Time to triage, before and after</h2>
{by_id["time-to-triage"]}
<h2>Top defect themes</h2>
{by_id["top-themes"]}
{_themes_table(data)}
<h2>Alert volumes</h2>
{by_id["alert-volumes"]}
<h2>Model quality per category</h2>
{by_id["model-quality"]}
</body></html>
"""


def write_dashboard(data: DashboardData, path: Path) -> Path:
    """Render and write the dashboard atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(render_dashboard(data), encoding="utf-8")
    partial.replace(path)
    return path
