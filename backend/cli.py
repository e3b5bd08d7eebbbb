"""`digits serve|train|evaluate|export|predict|download`: one console script for every command."""

from __future__ import annotations

import importlib
import sys

# command -> (module with a main(argv), what it does); imported only when chosen, since
# training and serving pull in TensorFlow and their own dependencies.
COMMANDS = {
    "serve": ("backend.serving.server", "serve the API and the web UI (gunicorn)"),
    "train": ("backend.training.pipeline", "train the model on MNIST, other writers and non-digits"),
    "evaluate": ("backend.training.evaluation", "measure a model on MNIST test and the held-out writers"),
    "export": ("backend.training.export", "export the model as ONNX (what the server runs) or for TF Serving"),
    "predict": ("backend.serving.predict", "classify image files"),
    "download": ("backend.training.download", "fetch and verify the data sets"),
}


def usage() -> str:
    lines = ["usage: digits <command> [options]   (digits <command> --help for its options)", "", "commands:"]
    lines += [f"  {name:<9} {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"digits: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
