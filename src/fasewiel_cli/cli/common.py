"""What every command shares: the common options, turning errors into messages and exit codes,
writing the output, choosing the language.

Data goes to stdout, messages to stderr; every ``FasewielError`` becomes one red message and
exit 1, a usage error exit 2, Ctrl-C exit 130 (another stopping signal 128 + its number).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from fasewiel_cli.errors import FasewielError, said
from fasewiel_cli.formats import KINDS, Format, Kind
from fasewiel_cli.knowledge.models import LANGS, Lang
from fasewiel_cli.text import for_terminal, shown

if TYPE_CHECKING:
    from fasewiel_cli.knowledge.models import KnowledgeBase
    from fasewiel_cli.render import Renderer

# --- options -------------------------------------------------------------------------------------


def one_of(values: Sequence[str]) -> dict[str, Any]:
    """The settings of an option that takes one of ``values`` (case aside), shown in --help as
    <a|b|c>; an option with the type of an Enum would need an Enum per set of values."""

    def parse(value: str) -> str:
        if value.lower() in values:
            return value.lower()
        raise typer.BadParameter(f"'{value}' is not one of: {', '.join(values)}")

    return {"parser": parse, "metavar": f"<{'|'.join(values)}>"}


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        "-l",
        envvar="FASEWIEL_LANG",
        **one_of(LANGS),
        show_default=False,
        help="Language of the advice: nl or en. Default: $FASEWIEL_LANG, then the language the "
        "symptoms are clearly written in (check, batch), then the locale, then nl.",
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="FASEWIEL_DATA",
        show_default=False,
        help="Use the knowledge base in this folder instead of the built-in one.",
    ),
]


def file_path(value: str) -> Path:
    """A path that must name a file: not a folder, and not a name ending in a slash (which
    ``Path`` would quietly drop, writing a file where the user meant a folder)."""
    path = Path(value)
    if path.is_dir():
        raise typer.BadParameter(f"'{value}' is a folder, not a file: add a file name")
    if value.endswith(("/", os.sep)):
        raise typer.BadParameter(f"'{value}' names a folder, not a file: add a file name")
    return path


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        parser=file_path,
        metavar="<file>",
        help="The history database (default: $FASEWIEL_HOME/fasewiel.db, else the user data "
        "folder).",
        show_default=False,
    ),
]


def output_path(value: str) -> Path | None:
    """``-o`` names a file; ``-`` is standard output, as for the input."""
    return None if value == "-" else file_path(value)


def output_option(what: str) -> Any:
    """``-o FILE``: where a command writes ``what`` instead of standard output."""
    return typer.Option(
        "--output",
        "-o",
        parser=output_path,
        metavar="<file>",
        help=f"Write the {what} to this file (atomically) instead of standard output ('-').",
        show_default=False,
    )


def command_group(name: str, help: str) -> typer.Typer:
    """A group of subcommands under ``fasewiel NAME``, with -h like every command."""
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def format_option(kind: Kind, help: str = "Output format.", *decls: str) -> Any:
    """``--format``/``-f`` (or ``decls``): one of the formats of ``kind`` (``formats.KINDS``)."""
    return typer.Option(
        *(decls or ("--format", "-f")), **one_of([f.value for f in KINDS[kind]]), help=help
    )


# --- errors and output -------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., None])


def handle_errors(command: F) -> F:
    """Turn the project's own errors into a message and exit 1, and Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        _SPOKEN.clear()  # (each command speaks its own language: tests run many in a process)
        try:
            command(*args, **kwargs)
        except FasewielError as error:
            fail(*in_words(error))
        except BrokenPipeError:
            raise  # the reader left (``| head``): handled quietly in main()
        except OSError as error:
            # The safety net for what the system refuses (a full disk, a vanished folder).
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or error}{where}")
        except KeyboardInterrupt as interrupt:
            sys.stderr.write("\n")
            raise typer.Exit(interrupted(interrupt)) from None

    wrapper.__doc__ = reflow(command.__doc__ or "")
    return wrapper  # type: ignore[return-value]


def reflow(doc: str) -> str:
    """A docstring's prose paragraphs as single lines, so that ``--help`` wraps them to the
    terminal instead of keeping the source's line breaks; indented examples stay as they are."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        p if p.startswith(" ") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def in_words(error: FasewielError) -> tuple[str, str | None]:
    """An error's message and hint, in the spoken language where it carries them unsaid."""
    text, hint = error.message, error.hint
    if error.said is not None or error.hint_said is not None:
        with contextlib.suppress(FasewielError):  # (a broken installation: in English)
            kb, lang = builtin(), spoken()
            text = kb.say(error.said, lang) if error.said else text
            hint = kb.say(error.hint_said, lang) if error.hint_said else hint
    return text, hint


def fail(message: str, hint: str | None = None, code: int = 1) -> NoReturn:
    from rich.text import Text

    console = stderr_console()
    error, tip = "Error", "Hint"
    with contextlib.suppress(FasewielError):  # (a broken installation: in English)
        kb = builtin()
        error, tip = say(kb, "error"), say(kb, "hint")
    # soft_wrap: a file:line:column message must stay on one line to stay clickable/greppable.
    console.print(Text.assemble((f"{error}: ", "bold red"), shown(message)), soft_wrap=True)
    if hint:
        console.print(Text.assemble((f"{tip}: ", "bold"), shown(hint)), soft_wrap=True)
    raise typer.Exit(code)


# The language the running command speaks, once it is known (``resolve_lang``).
_SPOKEN: list[Lang] = []


def resolve_lang(lang: str | None, found: Lang | None = None) -> Lang:
    """--lang, then $FASEWIEL_LANG (handled by the option), then ``found``: the language the
    user's own words are clearly in (check, batch), then the locale, then the first language
    (Dutch). The command's messages speak it from then on."""
    code = _resolve(lang, found)
    _SPOKEN[:] = [code]
    return code


def _resolve(lang: str | None, found: Lang | None) -> Lang:
    if lang is not None:
        return language(lang)
    if found is not None:
        return found
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return language(value[:2])
    return LANGS[0]


def spoken() -> Lang:
    """The language of the command's messages: the one it resolved, else the locale's."""
    return _SPOKEN[0] if _SPOKEN else _resolve(None, None)


def say(kb: KnowledgeBase, name: str, lang: Lang | None = None, **values: Any) -> str:
    """A message of the command line (messages.yaml, cli), in ``lang`` or the spoken language;
    numbers among ``values`` are written as the language groups digits (1.000 in Dutch)."""
    return kb.say(said(name, **values), lang or spoken())


def number(kb: KnowledgeBase, value: int, lang: Lang | None = None) -> str:
    """A whole number, its digits grouped as the language does (1.000 in Dutch)."""
    return f"{value:,}".replace(",", kb.cli.thousands.get(lang or spoken()))


def builtin() -> KnowledgeBase:
    """The built-in knowledge base (the command line's own wording)."""
    from fasewiel_cli.knowledge.load import load_knowledge

    return load_knowledge()


def language(code: str) -> Lang:
    """The language ``code`` names (case aside); else the first language."""
    return next((lang for lang in LANGS if lang == code.lower()), LANGS[0])


def emit(text: str, *, styled: bool = False) -> None:
    """``text`` to stdout. On a terminal, control characters a text may hold (typed by a user,
    kept in a file) are written as escapes, so they cannot drive it; ``styled`` text is Rich's
    own, which escapes what it draws itself."""
    if not styled and sys.stdout.isatty():
        text = for_terminal(text)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (``| head``): handled quietly in main()
    except OSError as error:
        raise FasewielError(f"cannot write the output: {error.strerror}") from None


def stderr_console() -> Any:
    """A console for messages on stderr: what it is given is printed as it is, with no
    highlighting and no emoji codes (``:smile:`` in a client's name stays as typed)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def renderer(fmt: Format) -> Renderer:
    from fasewiel_cli.render import renderer_for

    width = shutil.get_terminal_size((100, 24)).columns
    return renderer_for(fmt, width=width, color=sys.stdout.isatty())


def load(data: Path | None) -> KnowledgeBase:
    from fasewiel_cli.knowledge.load import load_knowledge

    return load_knowledge(data)


def write_output(result: str | bytes, output: Path | None, *, styled: bool = False) -> None:
    """``result`` to the file ``output`` (atomically, readable like any new file) or stdout."""
    from fasewiel_cli.files import atomic_bytes, atomic_text

    if output is None:
        if isinstance(result, bytes):
            try:
                sys.stdout.buffer.write(result)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                raise
            except OSError as error:
                raise FasewielError(f"cannot write the output: {error.strerror}") from None
        else:
            emit(result, styled=styled)
        return
    if isinstance(result, bytes):
        with atomic_bytes(output, private=False) as binary:
            binary.write(result)
    else:
        with atomic_text(output, private=False) as text:
            text.write(result)


# --- stopping ----------------------------------------------------------------------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run stops as on Ctrl-C (a file being written is removed, nothing
    half-saved), with exit code 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# The signals that stop a run as Ctrl-C does (SIGHUP is not on Windows).
STOPPING = tuple(name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def stop(signum: int, frame: object) -> None:
    """The handler of the ``STOPPING`` signals."""
    for name in STOPPING:  # (a second signal must not cut the clean-up short)
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signum)


def interrupted(interrupt: KeyboardInterrupt) -> int:
    """The exit code of a run stopped by Ctrl-C (130) or by another signal."""
    return 128 + (interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT)
