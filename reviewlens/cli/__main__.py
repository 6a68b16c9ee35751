"""`python -m reviewlens.cli ...` runs the `reviewlens` command."""

from reviewlens.cli.entry import main

main()
