"""Draws grouped bars with gnuplot (Debian's gnuplot-nox) into an SVG: one group per case
(a workload, a room size), one bar per server, soket's bars in one colour family and the
peers' in grey, so a reader sees soket beside its peers at a glance. Imported by the
summarisers; `python3 bench/chart.py` alone draws nothing."""
import os
import subprocess
import tempfile

SOKET_COLOURS = ["#1f6fb4", "#5aa0dc", "#9cc8ee"]
PEER_COLOURS = ["#444444", "#777777", "#999999", "#bbbbbb", "#555555", "#888888", "#aaaaaa"]


def quoted(text):
    """A gnuplot string literal (double quotes: apostrophes in titles stay as they are)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draw_bars(path, title, ylabel, cases, servers, value, reference_line=None, ymax=None,
              label=str):
    """`value(case, server)` gives a bar's height or None (no bar). `reference_line`: a
    y value drawn across the chart (e.g. 1.0 for "the same as the best peer"). `ymax` cuts
    the axis there, so that one far slower peer does not flatten every other bar."""
    colours, soket_i, peer_i = [], 0, 0
    for server in servers:
        if server.startswith("soket"):
            colours.append(SOKET_COLOURS[soket_i % len(SOKET_COLOURS)])
            soket_i += 1
        else:
            colours.append(PEER_COLOURS[peer_i % len(PEER_COLOURS)])
            peer_i += 1
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as data:
        data.write("case " + " ".join(f'"{s}"' for s in servers) + "\n")
        for case in cases:
            cells = []
            for server in servers:
                v = value(case, server)
                cells.append("NaN" if v is None else f"{v:.4f}")
            data.write(f'"{label(case)}" ' + " ".join(cells) + "\n")
    plots = [f"'{data.name}' using {i + 2}:xtic(1) title columnheader({i + 2}) lc rgb '{c}'"
             for i, c in enumerate(colours)]
    script = "\n".join([
        f"set terminal svg size 960,420 dynamic font 'DejaVu Sans,12' background '#ffffff'",
        f"set output {quoted(path)}",
        f"set title {quoted(title)}",
        f"set ylabel {quoted(ylabel)}",
        "set style data histogram",
        "set style histogram clustered gap 1",
        "set style fill solid 0.9 border -1",
        "set boxwidth 0.9",
        f"set yrange [0:{ymax if ymax is not None else '*'}]",
        "set grid ytics",
        "set key outside right top vertical",
        "set xtics nomirror font ',10'",
        (f"set arrow from graph 0, first {reference_line} to graph 1, first {reference_line} "
         "nohead dt 2 lc rgb '#cc3333'") if reference_line is not None else "",
        "plot " + ", ".join(plots),
    ])
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    finally:
        os.unlink(data.name)
