"""``python -m fasewiel``: the command line."""

from fasewiel_cli.cli.app import main

main()
