"""The command line: the Typer app (``app``) and one module per command group. The only layer
that knows about the terminal, options and exit codes."""
