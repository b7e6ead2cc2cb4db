# Chart of scripts/bench.sh: requests/s (top) and p99 latency (bottom) of
# every scenario and concurrency, ours beside the reference, log scale.
# Variables: datafile (columns: label ours_rps ref_rps ours_p99 ref_p99,
# NaN where the reference was not measured), outfile (.png or .svg) and
# with_reference (1 when the run measured the reference, else 0).

if (strstrt(outfile, ".svg") > 0) {
    set terminal svg size 1400,900 dynamic font "sans,10"
} else {
    set terminal pngcairo size 1400,900 font "sans,9"
}
set output outfile

set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set key top right
set xtics rotate by -40 left nomirror
set bmargin 9
set rmargin 6

set multiplot layout 2,1 title "Barbican API: ours (C++) and the reference (Barbican 15.0.1)"

set title "Throughput (orders: completed orders/s)"
set ylabel "requests/s"
if (with_reference) {
    plot datafile using 2:xtic(1) title "ours" linecolor rgb "#1f77b4", \
         '' using 3 title "reference" linecolor rgb "#ff7f0e"
} else {
    plot datafile using 2:xtic(1) title "ours" linecolor rgb "#1f77b4"
}

set title "p99 latency (orders: POST to ACTIVE)"
set ylabel "ms"
if (with_reference) {
    plot datafile using 4:xtic(1) title "ours" linecolor rgb "#1f77b4", \
         '' using 5 title "reference" linecolor rgb "#ff7f0e"
} else {
    plot datafile using 4:xtic(1) title "ours" linecolor rgb "#1f77b4"
}

unset multiplot
