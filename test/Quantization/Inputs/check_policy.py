"""Checks a policy file written by loom-assign-precision.

    python check_policy.py POLICY.json BUDGET CANDIDATES(comma-separated)

- every layer's bits is a candidate, and the parameter-weighted average is
  at most BUDGET (and equals the file's average_bits);
- each layer's measured sensitivity does not grow with its width;
- the chosen allocation's summed sensitivity is the least over every
  allocation within the budget (brute force over the few layers here), so
  in particular no worse than any uniform width within the budget.
Prints the allocation.
"""
import itertools
import json
import sys


def main(path, budget, candidates):
    budget = float(budget)
    widths = [int(c) for c in candidates.split(",")]
    policy = json.load(open(path))
    layers = policy["layers"]
    total = sum(l["params"] for l in layers)
    average = sum(l["bits"] * l["params"] for l in layers) / total
    assert all(l["bits"] in widths for l in layers), layers
    assert average <= budget + 1e-9, (average, budget)
    assert abs(average - policy["average_bits"]) < 1e-9, policy
    for l in layers:
        s = [l["sensitivity"][str(w)] for w in widths]
        assert all(a >= b for a, b in zip(s, s[1:])), (l["name"], s)
    chosen = sum(l["sensitivity"][str(l["bits"])] for l in layers)
    best = None
    for combo in itertools.product(widths, repeat=len(layers)):
        bits = sum(w * l["params"] for w, l in zip(combo, layers))
        if bits > budget * total + 1e-9:
            continue
        s = sum(l["sensitivity"][str(w)] for w, l in zip(combo, layers))
        best = s if best is None else min(best, s)
    assert chosen <= best * (1 + 1e-9), (chosen, best)
    print("allocation:", ", ".join("%s=%d" % (l["name"], l["bits"])
                                   for l in layers),
          "average %.3f, summed sensitivity %.4e (optimal)" % (average, chosen))


if __name__ == "__main__":
    main(*sys.argv[1:])
