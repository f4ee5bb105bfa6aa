"""The editor's member table model, with no view (Vorta's habit)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.households.member_model import MemberTableModel, column_of
from forms.idnumber import check_digit


def test_member_model_derives_sex_and_age() -> None:
    model = MemberTableModel()
    row = model.add_row({"name": "张三", "relation": "01"})
    id_col = column_of("id_number")
    first17 = "51343119800101002"
    assert model.setData(model.index(row, id_col), first17 + check_digit(first17))
    assert model.index(row, column_of("sex")).data() == "女"
    assert model.index(row, column_of("birth_date")).data() == "1980-01-01"
    assert model.index(row, column_of("relation")).data() == "户主"
    assert not model.flags(model.index(row, column_of("age"))) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(row, column_of("age")), "5")
    model.set_errors({(row, "name"): "姓名中不能有数字"})
    assert model.index(row, column_of("name")).data(Qt.ItemDataRole.ToolTipRole) == \
        "姓名中不能有数字"
    assert model.raw_rows()[0]["relation"] == "01"
