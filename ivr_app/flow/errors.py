"""Located problems in a flow file, printed the way compilers print them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr_app.flow.wording import PRINTED, Wording, words


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a flow, at a 1-based line and column. `message` is as lint
    prints it; `wording`, when given, says it in the console's languages too."""

    file: str
    line: int
    column: int
    message: str
    rule: str
    wording: Wording | None = field(default=None, compare=False, repr=False)

    @classmethod
    def worded(cls, file: str, line: int, column: int, wording: Wording,
               rule: str) -> Problem:
        return cls(file, line, column, wording.render(PRINTED), rule, wording)

    def said(self, lang: str = PRINTED) -> str:
        """The message in `lang`."""
        return self.wording.render(lang) if self.wording is not None else self.message

    def located(self, lang: str = PRINTED) -> str:
        """file:line:column: message [rule], the message in `lang`."""
        return f"{self.file}:{self.line}:{self.column}: {self.said(lang)} [{self.rule}]"

    def __str__(self) -> str:
        return self.located()


class FlowError(Exception):
    """A flow file was refused; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def located(self, lang: str = PRINTED) -> str:
        """Every problem, one a line, in `lang`."""
        return "\n".join(p.located(lang) for p in self.problems)


def unforeseen(file: str, exc: Exception) -> FlowError:
    """An exception the checks did not foresee, as a located problem: loading never raises
    anything but FlowError, so a flow file can never stop the line."""
    return FlowError([Problem.worded(file, 1, 1, words(
        "the flow could not be checked ({kind}: {detail}); fix what looks unusual, and "
        "report this",
        "no se pudo revisar el flujo ({kind}: {detail}); corrija lo que parezca inusual e "
        "informe de esto", kind=type(exc).__name__, detail=str(exc)[:200]), "internal")])
