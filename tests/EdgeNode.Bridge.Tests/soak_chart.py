#!/usr/bin/python3
"""Draws the CSV of `./build.sh soak` (tests/EdgeNode.Bridge.Tests/SoakTests.cs) as a PNG: usage soak_chart.py CSV PNG [TITLE]."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def fit(xs, ys):
    """Least-squares line over the second half (what the soak's verdict uses)."""
    half = len(xs) // 2
    xs, ys = xs[half:], ys[half:]
    if len(xs) < 3:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = 0 if sxx == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return xs, [my + slope * (x - mx) for x in xs], slope


def main():
    src, dst = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else "EdgeNode soak"
    with open(src, newline="") as f:
        rows = [r for r in csv.DictReader(f)]
    minutes = [float(r["seconds"]) / 60 for r in rows]
    panels = [("RSS (MB)", "rss_mb"), ("GC heap (MB)", "gc_heap_mb"), ("CPU (% of one core)", "cpu_pct"),
              ("threads", "threads"), ("file descriptors", "fds")]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 13), sharex=True)
    for ax, (label, key) in zip(axes, panels):
        for proc, colour in (("node", "tab:blue"), ("bridge", "tab:orange")):
            ys = [float(r[f"{proc}_{key}"]) if r[f"{proc}_{key}"] not in ("", "NaN") else float("nan") for r in rows]
            ax.plot(minutes, ys, color=colour, linewidth=1, label=proc)
            if key != "cpu_pct":
                line = fit(minutes, ys)
                if line:
                    xs, fitted, slope = line
                    ax.plot(xs, fitted, color=colour, linestyle="--", linewidth=1.5,
                            label=f"{proc} fit, 2nd half: {slope * 60:+.2f}/h")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel("minutes")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main()
