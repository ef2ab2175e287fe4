"""python -m testing.fakechime: serve the fake until stdin closes (see bench/run.py)."""

from testing.fakechime import main

main()
