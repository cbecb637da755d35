"""Plotly figures as plain dicts, drawn in the browser by ``static/web/charts.js``.

Figures travel to the page through ``json_script`` (the CSP forbids inline script), and plotly.js
is served from the ``plotly`` package itself (``finders.PlotlyFinder``), so no chart needs a CDN.
"""

COLORS = {
    "Critical": "#c0392b", "High": "#e67e22", "Medium": "#f1c40f", "Low": "#7f8c8d", "None": "#bdc3c7",
    "Unknown": "#95a5a6",
    "On-premises": "#34495e", "Cloud": "#1f5fbf", "Hybrid": "#8e44ad",
    "CLEAR": "#95a5a6", "GREEN": "#1e8449", "AMBER": "#d68910", "AMBER+STRICT": "#b9770e", "RED": "#c0392b",
}
SERIES = ["#1f5fbf", "#e67e22", "#1e8449", "#8e44ad", "#c0392b", "#16a085"]


def _layout(title: str, height: int, **extra) -> dict:
    return {
        "title": {"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
        "height": height, "margin": {"l": 40, "r": 10, "t": 36, "b": 36},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#1d2433"},
        **extra,
    }


def donut(title: str, counts: dict, height: int = 260) -> dict:
    labels = [k for k, v in counts.items() if v]
    values = [counts[k] for k in labels]
    return {
        "data": [{"type": "pie", "hole": 0.55, "labels": labels, "values": values, "sort": False,
                  "marker": {"colors": [COLORS.get(k, "#1f5fbf") for k in labels]}, "textinfo": "value"}],
        "layout": _layout(title, height, showlegend=True, legend={"orientation": "v"}),
    }


def bar(title: str, counts: dict, height: int = 260, horizontal: bool = False) -> dict:
    labels, values = list(counts), list(counts.values())
    colors = [COLORS.get(k, "#1f5fbf") for k in labels]
    trace = {"type": "bar", "marker": {"color": colors}, "hovertemplate": "%{y}: %{x}<extra></extra>"
             if horizontal else "%{x}: %{y}<extra></extra>"}
    counts_axis = _count_axis(values)
    if horizontal:
        # Plotly draws the first category at the bottom; reverse so the largest reads first.
        trace.update({"orientation": "h", "y": labels[::-1], "x": values[::-1]})
        layout = _layout(title, height, margin={"l": 200, "r": 10, "t": 36, "b": 30}, xaxis=counts_axis)
    else:
        trace.update({"x": labels, "y": values})
        layout = _layout(title, height, yaxis=counts_axis)
    return {"data": [trace], "layout": layout}


def stacked(title: str, rows: dict, height: int = 300) -> dict:
    """``rows``: category → {series: value}; one bar per category, stacked by series."""
    categories = list(rows)
    series = list(next(iter(rows.values()), {}))
    data = [{"type": "bar", "name": name, "x": categories, "y": [rows[c].get(name, 0) for c in categories],
             "marker": {"color": SERIES[i % len(SERIES)]}} for i, name in enumerate(series)]
    totals = [sum(rows[c].values()) for c in categories]
    return {"data": data, "layout": _layout(title, height, barmode="stack", yaxis=_count_axis(totals),
                                            legend={"orientation": "h", "y": -0.2})}


def _count_axis(values) -> dict:
    """An axis of whole numbers: no 0.5 of a member institution."""
    top = max(values, default=0)
    return {"rangemode": "tozero", "tickformat": "d", "dtick": max(1, -(-top // 5))}
