"""The RFI comparison as an xlsx workbook (cells written through portal.excel.write_cell)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.excel import BORDER, HEADER_FILL, HEADER_FONT, in_default_language, write_cell
from vendors import selectors

LOWEST_FILL = PatternFill("solid", fgColor="E2EFDA")


@in_default_language
def comparison_workbook(rfi) -> bytes:
    data = selectors.rfi_comparison(rfi)
    vendors = data["vendors"]
    book = Workbook()
    sheet = book.active
    sheet.title = "回答比較"
    write_cell(sheet, 1, 1, f"RFI「{rfi.title}」回答比較（{rfi.municipality.name}）").font = Font(bold=True, size=13)
    missing = "、".join(v.name for v in data["missing"]) or "なし"
    write_cell(sheet, 2, 1, f"未回答のベンダ: {missing}")
    write_cell(sheet, 3, 1, "★ = その行の最低額")
    row = 5
    headers = ["項目", *[v.name for v in vendors]]
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, row, column, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
    for item in data["questions"]:
        question = item["question"]
        for index, environment in enumerate(["ガバメントクラウドの場合", "自治体クラウドの場合"]):
            row += 1
            write_cell(sheet, row, 1, f"問{question.number} {question.text}（{environment}）").border = BORDER
            for column, answer in enumerate(item["answers"], start=2):
                cell = write_cell(sheet, row, column, answer[index])
                cell.border = BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for comparison_row in [*data["cost_rows"], *data["total_rows"]]:
        row += 1
        write_cell(sheet, row, 1, comparison_row.label).border = BORDER
        for index, (value, lowest) in enumerate(comparison_row.cells()):
            cell = write_cell(sheet, row, index + 2, value)
            cell.border = BORDER
            cell.number_format = "#,##0"
            if lowest:
                cell.fill = LOWEST_FILL
        lows = [vendors[i].name for i in sorted(comparison_row.lowest)]
        if lows:
            write_cell(sheet, row, len(vendors) + 2, "★最低額: " + "、".join(lows))
    sheet.column_dimensions["A"].width = 60
    for column in range(2, len(vendors) + 3):  # the vendors' columns and the ★ column after them
        sheet.column_dimensions[get_column_letter(column)].width = 24
    sheet.freeze_panes = "B6"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
