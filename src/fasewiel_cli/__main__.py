from fasewiel_cli.cli import main

main()
