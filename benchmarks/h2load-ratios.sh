#!/usr/bin/env bash
# Requests per CPU-second of Usher over nginx's, per round, pooled over any number of h2load.sh logs (the per-run
# lines "target protocol round N ... req/cpu-s ..."): how many rounds, their median and quartiles, and in how many
# Usher was at or ahead of nginx, per protocol. Every Usher build in a log (usher, usher-base) counts.
#
#   benchmarks/h2load-ratios.sh benchmarks/results/h2load-2026-12-0[45]-*-ab.txt
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 h2load-log..." >&2; exit 2; }
for f in "$@"; do
    awk '$3 == "round" && $14 == "req/cpu-s" {
            v[$1 " " $2 " " $4] = $13; if ($1 == "nginx") k[$2 " " $4] = 1 }
        END {
            for (x in k) {
                split(x, a, " ")
                for (t = 1; t <= 2; t++) {
                    name = t == 1 ? "usher" : "usher-base"
                    if ((name " " x) in v) print a[1], v[name " " x] / v["nginx " x]
                }
            }
        }' "$f"
done | sort -k1,1 -k2,2n | awk '
    { n[$1]++; r[$1, n[$1]] = $2; if ($2 >= 1) ahead[$1]++ }
    END {
        for (p in n) {
            m = n[p]
            printf "%-7s %3d rounds  median %.2f  quartiles %.2f-%.2f  at or ahead of nginx in %d\n", p, m,
                (r[p, int((m + 1) / 2)] + r[p, int(m / 2) + 1]) / 2, r[p, int((m + 3) / 4)], r[p, int((3 * m + 3) / 4)],
                ahead[p] + 0
        }
    }' | sort
