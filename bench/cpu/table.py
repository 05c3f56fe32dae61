#!/usr/bin/env python3
"""Renders bench/results/cpu-*.json files as the Markdown rows of
bench/README.md's results table (one row per model and thread count).

    table.py RESULTS.json [RESULTS.json ...]
"""

import json
import sys


def milliseconds(value):
    return "%.3g" % value if value < 1000 else "%.0f" % value


def rows(path):
    with open(path) as f:
        data = json.load(f)
    machine = data["machine"]
    where = "%s, %d cores" % (machine.get("cpu_model", "?"),
                              machine.get("cpu_count", 0))
    for result in data["results"]:
        bench = result.get("bench")
        if not bench:
            yield "| %s | %s | %s | %s | not run | - | - | - | - |" % (
                data["date"][:10], where, result["name"], result["threads"])
            continue
        loom = bench["loom"]["median_ms"]
        ort = bench["onnxruntime"]["median_ms"]
        flops = result.get("flops")
        gflops = "%.1f" % (flops / loom * 1e-6) if flops else "-"
        error = max(o["rel_err"] for o in bench["outputs"])
        yield "| %s | %s | %s | %d | %s | %s | **%.2f** | %s | %.1e |" % (
            data["date"][:10], where, result["name"], result["threads"],
            milliseconds(loom), milliseconds(ort), ort / loom, gflops, error)


def main():
    print("| date | machine | model | threads | Loom ms | onnxruntime ms "
          "| ort/loom | Loom GFLOP/s | rel err |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for path in sys.argv[1:]:
        for row in rows(path):
            print(row)


if __name__ == "__main__":
    main()
