## bench/: benchmark programs, run by make bench (not make check)
