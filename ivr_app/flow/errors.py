"""Located problems in a flow file, printed the way compilers print them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a flow, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.rule}]"


class FlowError(Exception):
    """A flow file was refused; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def unforeseen(file: str, exc: Exception) -> FlowError:
    """An exception the checks did not foresee, as a located problem: loading never raises
    anything but FlowError, so a flow file can never stop the line."""
    return FlowError([Problem(file, 1, 1, f"the flow could not be checked ({type(exc).__name__}:"
                              f" {str(exc)[:200]}); fix what looks unusual, and report this",
                              "internal")])
