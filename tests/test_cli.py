"""backend/cli.py: the `digits` console script dispatches to each command's main()."""

import subprocess
import sys

import pytest

from backend import cli
from backend.core.paths import REPO_ROOT


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("serve", "train", "evaluate", "predict", "download"))


def test_unknown_command_is_an_error(capsys):
    assert cli.main(["fly"]) == 2
    assert "unknown command 'fly'" in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_each_command_has_its_own_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"digits {command}" in capsys.readouterr().out


@pytest.mark.parametrize("script", ["train", "evaluate", "export", "predict", "app", "download_dataset"])
def test_the_documented_scripts_still_run_from_the_repo_root(script):
    result = subprocess.run(
        [sys.executable, f"backend/{script}.py", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
