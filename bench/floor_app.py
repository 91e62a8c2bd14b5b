"""The framework's floor: a minimal Typer app that prints one Rich panel.

bench/check_startup.py times ``fasewiel check roodheid jeuk`` against this script.
"""

import typer
from rich.console import Console
from rich.panel import Panel

app = typer.Typer()


@app.command()
def main(words: list[str]) -> None:
    Console().print(Panel(" ".join(words)))


if __name__ == "__main__":
    app()
