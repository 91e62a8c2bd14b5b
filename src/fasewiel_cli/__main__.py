"""``python -m fasewiel_cli``: the command line."""

from fasewiel_cli.cli.app import main

main()
