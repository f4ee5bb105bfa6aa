"""What a login loads: the main window and its menus, not the libraries of the screens
behind them. reportlab, openpyxl, pypdfium2 and pypinyin cost a second of CPU and 45 MB
together; they load when a screen first needs them. Checked in a fresh interpreter (this
one has imported them all)."""

from __future__ import annotations

import importlib.util
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


WARM_UP = """
import json, sys, time
from pathlib import Path
from desktop.probe import _idle, _wait
from desktop.shell import WINDOW_MODULES, Shell, application
app = application()
shell = Shell(Path(sys.argv[1]), idle_ms=0)
login = shell.start()
before = [m for m in WINDOW_MODULES if m in sys.modules]
_idle(0.5)  # the warm-up starts 300 ms after the window
_wait(app, lambda: shell.worker.pending() == 0)
print(json.dumps({"before": before, "after": [m for m in WINDOW_MODULES if m in sys.modules],
                  "store": "registry.store" in sys.modules}))
shell.close()
"""


def test_the_main_window_loads_while_the_password_is_typed(station_copy: Path) -> None:
    """The login window comes up without the main window's modules; its warm-up loads
    them in the worker before 登录 is pressed, with the store's code."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", WARM_UP, str(station_copy)],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.splitlines()[-1])
    from desktop.shell import WINDOW_MODULES
    assert loaded == {"before": [], "after": list(WINDOW_MODULES), "store": True}


def test_the_warm_up_lists_what_the_login_opens() -> None:
    """Every module `Shell._logged_in` imports is in WINDOW_MODULES (else it would load on
    the UI thread after 登录)."""
    import ast
    import inspect
    import textwrap

    from desktop import shell
    tree = ast.parse(textwrap.dedent(inspect.getsource(shell.Shell._logged_in)))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                imported.add(submodule if _is_module(submodule) else node.module)
    assert imported and imported <= set(shell.WINDOW_MODULES), \
        sorted(imported - set(shell.WINDOW_MODULES))


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
