"""What every command shares: common flags, settings, masking, rendering, recording.

A command module defines ``add_arguments(parser)`` and ``run(args, inv) -> int``
and calls one job. :meth:`Invocation.emit` then renders the result in the
requested format, masks it, writes it, records it in the run folder, and (in
GitHub Actions) sets outputs, appends the step summary and annotates files.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from maestro_ci.errors import UsageError

if TYPE_CHECKING:
    from maestro_ci.gha import GitHubActions
    from maestro_ci.models import GateResult
    from maestro_ci.settings import Settings

BASE_FORMATS = ("text", "json", "markdown")
Renderer = Callable[["GateResult"], str]


def add_common_arguments(parser: argparse.ArgumentParser, module: ModuleType, sub: bool = False) -> None:
    """Add the options every command shares; subcommand parsers get them too (``sub=True``)."""
    group = parser.add_argument_group("common options")
    formats = tuple(dict.fromkeys((*BASE_FORMATS, *getattr(module, "FORMATS", ()))))
    quiet: dict[str, Any] = {"default": argparse.SUPPRESS} if sub else {}
    if getattr(module, "HAS_RESULT", True):
        group.add_argument(
            "--format",
            choices=formats,
            help="output format (default: text)",
            **(quiet or {"default": "text"}),
        )
        group.add_argument(
            "--output", metavar="FILE", help="write the output to FILE instead of stdout", **quiet
        )
        group.add_argument(
            "--no-record",
            action="store_true",
            help="do not write the result to the run folder",
            **quiet,
        )
    group.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: .maestro.yml at the repo root)",
        **quiet,
    )
    group.add_argument(
        "-C",
        "--repo",
        metavar="DIR",
        help="run as if started in DIR (default: current folder)",
        **quiet,
    )
    if sub:
        return
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                add_common_arguments(child, module, sub=True)


@dataclass
class Invocation:
    args: argparse.Namespace
    env: dict[str, str]
    stdout: TextIO
    stderr: TextIO
    overrides: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None

    @property
    def cwd(self) -> Path:
        repo = getattr(self.args, "repo", None)
        path = Path(repo) if repo else Path.cwd()
        if not path.is_dir():
            raise UsageError("not a directory", file=str(path), fix="pass an existing folder to -C/--repo")
        return path.resolve()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from maestro_ci.settings import resolve

            self._settings = resolve(self.cwd, getattr(self.args, "config", None), self.env, self.overrides)
        return self._settings

    def mask(self, text: str) -> str:
        return self.settings.masker.mask(text)

    @property
    def gha(self) -> GitHubActions:
        from maestro_ci.gha import GitHubActions

        return GitHubActions(self.env, self.stdout, self.mask)

    def write(self, text: str, output: str | None = None) -> None:
        """Write (masked) text to ``--output`` atomically, or to stdout."""
        text = self.mask(text)
        if output:
            from maestro_ci.sources.store import atomic_write_text

            atomic_write_text(Path(output), text)
        else:
            self.stdout.write(text)

    def info(self, text: str) -> None:
        """A log line on stderr (masked)."""
        self.stderr.write(self.mask(text).rstrip("\n") + "\n")

    def render(self, result: GateResult, fmt: str, extra: Mapping[str, Renderer] | None = None) -> str:
        from maestro_ci.render.json import render_json
        from maestro_ci.render.markdown import render_markdown
        from maestro_ci.render.text import render_text

        renderers: dict[str, Renderer] = {
            "text": render_text,
            "json": render_json,
            "markdown": render_markdown,
            **(extra or {}),
        }
        if fmt not in renderers:
            raise UsageError(f"format '{fmt}' is not available here", fix=f"use one of {sorted(renderers)}")
        return renderers[fmt](result)

    def emit(
        self,
        result: GateResult,
        extra: Mapping[str, Renderer] | None = None,
        record_name: str | None = None,
    ) -> int:
        """Render, write, record and publish a gate result; return its exit code."""
        fmt = getattr(self.args, "format", "text")
        self.write(self.render(result, fmt, extra), getattr(self.args, "output", None))
        json_path: Path | None = None
        if not getattr(self.args, "no_record", False) and not self.env.get("MAESTRO_NO_RECORD"):
            json_path = self.record(result, record_name)
        self.publish(result, json_path)
        return result.exit_code

    def record(self, result: GateResult, record_name: str | None = None) -> Path:
        from maestro_ci.context import ci_context
        from maestro_ci.runs import prune, record_result
        from maestro_ci.sources.git_state import read_git_state

        settings = self.settings
        state = read_git_state(settings.base_dir)
        git_info = state.model_dump(
            mode="json",
            include={"branch", "commit", "short_commit", "dirty", "remote_url", "detached"},
        )
        path = record_result(
            settings.run_dir,
            settings.run_id,
            result,
            self.mask,
            git_info,
            ci_context(self.env).model_dump(mode="json"),
            record_name,
        )
        prune(settings.run_dir.parent, settings.config.run.keep)
        return path

    def publish(self, result: GateResult, json_path: Path | None) -> None:
        """In GitHub Actions: outputs, step summary and annotations for this result."""
        gha = self.gha
        if not gha.active:
            return
        from maestro_ci.render.annotations import to_annotations
        from maestro_ci.render.markdown import render_markdown

        for note in to_annotations(result):
            gha.annotate(note.level, note.message, note.file, note.line, note.title, note.end_line)
        dropped = sum(gha.dropped.values())
        markdown = render_markdown(result)
        if dropped:
            markdown += f"\n_{dropped} more annotations were not shown (GitHub shows 10 per level)._\n"
        gha.append_summary(markdown, str(json_path) if json_path else "the JSON result")
        gha.set_output("status", str(result.status))
        gha.set_output("summary", result.summary)
        if json_path is not None:
            gha.set_output("result-json", str(json_path))
