"""All-or-nothing imports: collect every problem with its row and column, save nothing if any."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # the sheet's row number as Excel shows it (1 = header)
    column: str  # the column header as the user sees it (or the Excel letter)
    message: str  # what to fix, in Japanese

    def __str__(self):
        where = f"{self.row}行目" if self.row else ""
        return f"{where}「{self.column}」: {self.message}" if self.column else f"{where}: {self.message}"


class ImportRejected(Exception):
    """Raised by an import service; nothing has been saved."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")

    def as_json(self) -> list[dict]:
        return [{"row": p.row, "column": p.column, "message": p.message} for p in self.problems]
