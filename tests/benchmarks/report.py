"""Write the performance appendix's generated part from the recorded results.

Usage: ``.venv/bin/python tests/benchmarks/report.py``; ``make bench`` and ``make book``
run it. It reads, under ``_build/bench/``:

* ``results.json`` -- written by ``run.py`` (``make bench``): speed against torch and
  LAPACK, the explorers' latency, the machine;
* ``timings.json`` -- appended by ``clock.py`` each time ``make book``, ``make unit``,
  ``make notebooks`` or ``make test`` succeeds;
* ``agreement.json`` -- written by the unit tests under ``make unit``
  (``tests/conftest.py``): the largest error each module's comparisons have seen;

and writes ``appendix.md`` (MyST markdown, included by ``book/appendix-performance.md``)
and ``ratios.png`` (the bar chart). Whatever file is missing, the page says which command
produces it. Nothing here is typed by hand: every figure comes from those files. A file is
rewritten only when its content changes, so an unchanged page is not rebuilt.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "_build" / "bench"
FIGURE = "ratios.png"

#: What ``make book`` / ``make test`` should take, for the builds table.
BUILD_TARGETS = {
    "book-cold": ("`make book`, cold (empty execution cache)", 360.0),
    "book-warm": ("`make book`, warm (at most one notebook re-executed)", 30.0),
    "book-partial": ("`make book`, warm (several notebooks re-executed)", None),
    "test": ("`make test`", 900.0),
    "unit": ("`make unit`", None),
    "notebooks": ("`make notebooks` (nbval)", None),
}


def _load(name: str):
    path = BENCH / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def _escape(text: str) -> str:
    """Text safe inside a MyST table cell."""
    return str(text).replace("|", "\\|").replace("*", "\\*")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _ms(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def _met(met) -> str:
    return {True: "yes", False: "**missed**", None: ""}[met]


def _thread_counts(results: dict) -> list[int]:
    return list(dict.fromkeys(r["threads"] for r in results["benchmarks"]))


def _by_key(results: dict) -> dict[str, dict[int, dict]]:
    """The records by key, then by thread count, in the order they were run."""
    table: dict[str, dict[int, dict]] = {}
    for r in results["benchmarks"]:
        table.setdefault(r["key"], {})[r["threads"]] = r
    return table


def _threads(n: int) -> str:
    return f"{n} thread" + ("" if n == 1 else "s")


def _ratio_rows(results: dict) -> list[list[str]]:
    counts, rows = _thread_counts(results), []
    for key, runs in _by_key(results).items():
        first = next(iter(runs.values()))
        target = "" if first.get("target") is None else f"≤ {first['target']:g}×"
        row = [f"`{key}`", target]
        errors = []
        for n in counts:
            r = runs.get(n)
            if r is None or "skipped" in r:
                row += ["", f"skipped: {_escape(r['skipped'])}" if r else "not run"]
                continue
            ms = f"{_ms(r['mathdl']['median_ms'])} / {_ms(r['theirs']['median_ms'])}"
            row += [ms, f"{r['ratio']:.2f}× {_met(r['met'])}".strip()]
            if r.get("max_error") is not None:
                errors.append(r["max_error"])
        row.append(f"{max(errors):.1e}" if errors else "")
        rows.append(row)
    return rows


def chart(results: dict) -> bytes | None:
    """The ratios as horizontal bars from parity, one per thread count; PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    counts = _thread_counts(results)
    table = {
        k: runs
        for k, runs in _by_key(results).items()
        if any("skipped" not in r for r in runs.values())
    }
    if not table:
        return None
    fig = Figure(figsize=(7.0, 0.55 * len(table) + 1.4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / len(counts)
    ends = [1.0]
    for row, runs in enumerate(reversed(list(table.values()))):
        for j, n in enumerate(counts):
            r = runs.get(n)
            if r is None or "skipped" in r:
                continue
            y = row + 0.4 - (j + 0.5) * height
            color = ["#2e86c1", "#f39c12", "#8e44ad"][j % 3]
            edge = "#c0392b" if r["met"] is False else color
            ax.barh(
                y,
                r["ratio"] - 1.0,
                left=1.0,
                height=height * 0.9,
                color=color,
                edgecolor=edge,
                linewidth=2,
                label=_threads(n) if row == 0 else None,
            )
            right = r["ratio"] >= 1.0
            ax.text(
                r["ratio"] * (1.06 if right else 1 / 1.06),
                y,
                f"{r['ratio']:.2f}×",
                va="center",
                ha="left" if right else "right",
                fontsize=7,
            )
            ends.append(r["ratio"])
        target = next(iter(runs.values())).get("target")
        if target is not None:
            ax.plot([target] * 2, [row - 0.45, row + 0.45], color="black", lw=2)
            ends.append(target)
    ax.axvline(1.0, color="gray", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_xlim(min(ends) / 3, max(ends) * 3)
    ax.set_yticks(range(len(table)), list(reversed(table)), fontsize=8)
    ax.set_xlabel("time of mathdl / time of the reference (median; log scale)")
    ax.set_title(
        "Left of 1×: mathdl is faster. Black tick: the target. Red edge: missed.", fontsize=9
    )
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})  # no version: reproducible
    return out.getvalue()


def speed_section(results: dict | None) -> str:
    if results is None:
        return (
            "## Speed against PyTorch and LAPACK\n\n"
            "No benchmark results yet. Run `make bench` (a few minutes; it writes "
            "`_build/bench/results.json`), then `make book`.\n"
        )
    m = results["machine"]
    notes = ""
    if results["quick"]:
        notes += " **This was a `--quick` smoke run: too few calls for real numbers.**"
    before = m.get("load_average_before")
    if before and before[0] > 0.5 * m["cores"]:
        notes += (
            f" **The machine was busy** (load average {before[0]:g} on {m['cores']} cores when "
            "the run began): times are inflated, and the ratios with several threads are "
            "unreliable."
        )
    counts = _thread_counts(results)
    header = ["key", "target"]
    for n in counts:
        header += [f"{_threads(n)}, ms", "ratio"]
    header.append("max error")
    return (
        "## Speed against PyTorch and LAPACK\n\n"
        f"Measured by `make bench` on {results['created'][:16].replace('T', ' ')} UTC "
        f"in {results['seconds']:.0f} s, on {m['cores']} cores ({_escape(m['cpu'])}), once "
        f"with each thread count: {', '.join(_threads(n) for n in counts)}, for numpy's BLAS "
        f"and for torch alike.{notes} Each time is the median over many calls, mathdl and "
        "its reference (torch on the CPU; LAPACK through `numpy.linalg` for `svd` and "
        "`eigh`) called in turn, shown as mathdl / reference in ms; the ratio is mathdl's "
        "median over the reference's (below 1: "
        "mathdl is faster). With one thread the comparison is like for like and robust to "
        "other work on the machine; with several, torch and LAPACK use them throughout, "
        "mathdl only in its matrix products. The error is the largest difference from the "
        "reference's result in the benchmark's own dtype (relative to the largest value for "
        "`conv2d` and `max_pool2d`).\n\n"
        + _table(header, _ratio_rows(results))
        + "\nThe operations:\n\n"
        + "".join(
            f"- `{key}`: {_escape(next(iter(runs.values()))['what'])}\n"
            for key, runs in _by_key(results).items()
        )
        + "\n```{figure} /_build/bench/"
        + FIGURE
        + "\n:alt: A bar chart of the ratios of mathdl's times to the references' times.\n"
        ":width: 100%\n\nThe time of each operation in mathdl over the time of its reference, "
        "for each thread count.\n```\n"
    )


def explorer_section(results: dict | None) -> str:
    if results is None or not results.get("explorers"):
        return ""
    rows = [
        [
            f"`{r['key']}`",
            _ms(r["median_ms"]),
            _ms(r["p95_ms"]),
            _ms(r["first_ms"]),
            str(r["moves"]),
            f"≤ {r['target_ms']:g}",
            _met(r["met"]),
        ]
        for r in results["explorers"]
    ]
    return (
        "\n## Explorers in JupyterLab\n\n"
        "The time of one control move of each explorer in its live form: the explorer's "
        "update, the redraw of the moving artists and the PNG encoding, over a walk of "
        "moves that never revisits a setting (times in ms).\n\n"
        + _table(["explorer", "median", "p95", "first render", "moves", "target", "met"], rows)
    )


def _build_rows(timings: list[dict]) -> list[list[str]]:
    last: dict[str, dict] = {}
    for record in timings:
        kind = record["target"]
        if kind == "book":
            kind = (
                "book-cold"
                if record.get("cache") == "cold"
                else "book-warm"
                if record.get("executed", 0) <= 1
                else "book-partial"
            )
        last[kind] = record
    rows = []
    for kind, (label, target) in BUILD_TARGETS.items():
        if kind not in last:
            rows.append([label, "not recorded yet", "", "", ""])
            continue
        r = last[kind]
        notes = []
        if "executed" in r:
            notes.append(f"{r['executed']} notebooks executed")
        if r.get("fresh"):
            notes.append("fresh clone (the virtual environment was created)")
        notes.append(f"{r['cores']} cores")
        met = "" if target is None else _met(r["seconds"] <= target)
        goal = "" if target is None else f"≤ {target:g} s"
        rows.append(
            [
                label,
                r["finished"][:10],
                f"{r['seconds']:.0f} s",
                f"{goal} {met}".strip(),
                "; ".join(notes),
            ]
        )
    return rows


def builds_section(timings: list[dict] | None) -> str:
    text = (
        "\n## Building the book and running the tests\n\n"
        "The last successful run of each command, as recorded by the Makefile "
        "(`tests/benchmarks/clock.py`). A warm `make book` re-executes only the notebooks "
        "whose code changed (the execution cache); the others come from the cache.\n\n"
    )
    header = ["command", "date", "time", "target", "notes"]
    return text + _table(header, _build_rows(timings or []))


def agreement_section(agreement: dict | None) -> str:
    if agreement is None:
        return (
            "\n## Agreement with PyTorch\n\n"
            "No records yet: `make unit` (or `make test`) writes them to "
            "`_build/bench/agreement.json`.\n"
        )
    rows = []
    for module, kinds in sorted(agreement["modules"].items()):
        cells = []
        for kind in ("torch", "other"):
            for precision in ("float64", "float32"):
                r = kinds.get(kind, {}).get(precision)
                cells.append("" if r is None else f"{r['max_error']:.1e} ({r['count']:,})")
        rows.append([f"`mathdl.{module}`", *cells])
    header = ["module", "torch, float64", "torch, float32", "other, float64", "other, float32"]
    return (
        "\n## Agreement with PyTorch\n\n"
        f"From the unit tests' own comparisons (`make unit`, {agreement['created'][:10]}): "
        "for each module, the largest error that any passing `assert_close` (and so "
        "`compare_with_torch`) saw, with the number of comparisons in brackets. *torch*: "
        "one side was a torch tensor; *other*: a closed form, numpy, or another mathdl "
        "function (finite differences, a naive reference, or a Monte Carlo estimate held to "
        "its standard error). The error is normwise, `max|actual - expected|` over "
        "`max(1, max|expected|)`, the scale the tests' tolerances use; the precision is the "
        "narrower of the two sides'.\n\n" + _table(header, rows) + _loosest(agreement)
    )


def _loosest(agreement: dict, above: float = 1e-8) -> str:
    """Where each error above ``above`` was seen: the test that holds that comparison."""
    seen = sorted(
        (r["max_error"], module, kind, precision, r["test"])
        for module, kinds in agreement["modules"].items()
        for kind, precisions in kinds.items()
        for precision, r in precisions.items()
        if r["max_error"] > above and r.get("test")
    )
    if not seen:
        return ""
    items = "".join(
        f"- `mathdl.{module}`, {kind}, {precision}: {err:.1e} in `{_escape(test)}`\n"
        for err, module, kind, precision, test in reversed(seen)
    )
    return (
        f"\nThe comparisons behind every entry above {above:g}, where the reference itself is "
        "approximate (finite differences, a Monte Carlo estimate, float32, or an input rounded "
        "to the subnormal range):\n\n" + items
    )


def machine_section(results: dict | None) -> str:
    if results is None:
        return ""
    m, runs = results["machine"], results["threads"]
    pools = "; ".join(
        f"requested {t['requested']}: torch {t['torch']} (inter-op {t['torch_interop']}), "
        + ", ".join(
            " ".join(filter(None, [p["internal_api"], p["version"]])) + f" {p['num_threads']}"
            for p in t["pools"]
        )
        for t in runs
    )
    load = "" if m.get("load_average") is None else f"; load average {m['load_average'][0]}"
    if m.get("load_average_before"):
        load += f" at the end, {m['load_average_before'][0]} at the start"
    items = [
        ("CPU", f"{m['cpu']}, {m['cores']} cores ({m['cores_available']} available to the run)"),
        ("memory", f"{m['memory_gib']} GiB{load}"),
        ("system", m["os"]),
        (
            "versions",
            f"Python {m['python']}, numpy {m['numpy']}, torch {m['torch']}, mathdl {m['mathdl']}",
        ),
        ("threads", pools),
    ]
    return "\n## The machine\n\n" + "".join(f"- **{k}**: {_escape(v)}\n" for k, v in items)


def render() -> tuple[str, bytes | None]:
    """The generated markdown and the chart (None without results)."""
    results = _load("results.json")
    if results is not None and results.get("schema") != 2:
        results = None
    text = (
        "<!-- Generated by tests/benchmarks/report.py from _build/bench/*.json; "
        "do not edit. -->\n\n"
        + speed_section(results)
        + explorer_section(results)
        + builds_section(_load("timings.json"))
        + agreement_section(_load("agreement.json"))
        + machine_section(results)
    )
    return text, None if results is None else chart(results)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def main() -> int:
    BENCH.mkdir(parents=True, exist_ok=True)
    text, png = render()
    changed = _write_if_changed(BENCH / "appendix.md", text.encode("utf-8"))
    if png is not None:
        changed |= _write_if_changed(BENCH / FIGURE, png)
    state = "updated" if changed else "unchanged"
    print(f"report: {BENCH.relative_to(ROOT) / 'appendix.md'} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
