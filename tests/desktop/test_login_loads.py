"""What a login loads: the main window and its menus, not the libraries of the screens
behind them. reportlab, openpyxl, pypdfium2 and pypinyin cost a second of CPU and 45 MB
together; they load when a screen first needs them. Checked in a fresh interpreter (this
one has imported them all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSWORD

LATER = ("reportlab", "openpyxl", "pypdfium2", "pypinyin")

SCRIPT = """
import json, os, sys
from pathlib import Path
from desktop.probe import _wait
from desktop.shell import Shell, application
app = application()
shell = Shell(Path(sys.argv[1]), idle_ms=0)
login = shell.start()
login.user.setEditText("admin")
login.password.setText(sys.argv[2])
login.try_login()
_wait(app, lambda: shell.main_window is not None)
window = shell.main_window
_wait(app, lambda: window.found_label.text().startswith("共")
      and window.workspace.worker.pending() == 0)
window.table.viewport().grab()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
shell.close()
"""


def test_a_login_loads_no_screen_libraries(station_copy: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(station_copy), PASSWORD],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "desktop" in loaded and not loaded & set(LATER), sorted(loaded & set(LATER))
