"""What `explain: true` and number reading cost per request, in-process, for each runtime.

    python bench/explain_bench.py                    # both runtimes
    python bench/explain_bench.py --runtimes onnx --repeats 300

Single digits: MNIST test digits drawn as 280x280 canvas PNGs; the extra work of `/predict`
with `explain: true` (decode again, occlusion batch, heatmap PNG) is timed next to the work of
a plain `/predict`. Numbers: four MNIST digits side by side on the number pad's 500x200
picture; `/read-number`'s work without and with `explain`. Each model runs on one thread, as
in a server worker. Wall-clock and CPU time are both given: on a busy machine the CPU time is
what one request costs, the wall-clock time what it waited too.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np

from backend.core.numbers import read_digits
from backend.core.preprocessing import decode, ink_map, prepare
from backend.core.samples import canvas_png, mnist_number
from backend.serving import explain
from backend.serving.api import png_data_url, to_png
from backend.serving.predictor import Predictor
from backend.serving.runtimes import RUNTIMES
from backend.serving.server import limit_tensorflow_threads
from backend.serving.settings import Config
from backend.training.mnist import load_mnist

NUMBER_DIGITS = 4


def timed(work, repeats: int) -> dict:
    """Run `work(i)` `repeats` times: p50 and p95 of wall-clock ms, and the mean CPU ms."""
    wall, cpu = [], []
    for i in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        work(i)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"p50": float(np.percentile(wall, 50)), "p95": float(np.percentile(wall, 95)), "cpu": float(np.mean(cpu))}


def number_pngs(count: int) -> list[bytes]:
    """Four-digit numbers of MNIST test digits on the number pad's picture."""
    _, (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(0)
    pngs = []
    for _ in range(count):
        buffer = io.BytesIO()
        mnist_number(x_test, y_test, NUMBER_DIGITS, rng).picture.save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    return pngs


def measure(runtime: str, digits: list[bytes], numbers: list[bytes], repeats: int) -> list[tuple[str, dict]]:
    """Each kind of work, timed with one runtime's model."""
    config = Config()
    limits = config.MAX_IMAGE_PIXELS, config.MAX_FULL_DECODE_PIXELS
    if runtime == "keras":
        limit_tensorflow_threads(config.TF_THREADS)
    predictor = Predictor(config.MODEL_PATH, runtime=runtime)
    predictor.load()
    answers = [int(predictor.predict(prepare(png).field)[0].argmax()) for png in digits]

    def plain(i):
        prepared = prepare(digits[i % len(digits)], *limits)
        predictor.predict(prepared.field)
        png_data_url(to_png(prepared.field))

    def why(i):
        png_data_url(explain.digit_heatmap(digits[i % len(digits)], answers[i % len(digits)], predictor, *limits))

    def read(i, with_why=False):
        picture = decode(numbers[i % len(numbers)], *limits)
        ink = ink_map(picture)
        found = read_digits(ink, explain.model_of(predictor))
        if with_why:
            png_data_url(explain.heatmap_png(explain.number_heat(ink, found, predictor), ink, picture))

    rows = [
        ("/predict (preprocess, inference, preview)", plain),
        ("explain: true, extra on /predict", why),
        (f"/read-number, {NUMBER_DIGITS} digits", read),
        (f"/read-number, {NUMBER_DIGITS} digits, explain: true", lambda i: read(i, True)),
    ]
    results = []
    for name, work in rows:
        work(0)  # warm
        results.append((name, timed(work, repeats)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES))
    parser.add_argument("--repeats", type=int, default=300, help="requests per measurement")
    args = parser.parse_args()

    _, (x_test, _) = load_mnist()
    rng = np.random.default_rng(0)
    digits = [canvas_png(x_test[i], rng) for i in range(200)]
    numbers = number_pngs(50)
    print(f"{len(digits)} canvas digits (280x280), {len(numbers)} {NUMBER_DIGITS}-digit numbers (500x200)")
    print(f"{'runtime':8} {'work':48} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    for runtime in args.runtimes:
        for name, result in measure(runtime, digits, numbers, args.repeats):
            print(f"{runtime:8} {name:48} {result['p50']:8.2f} {result['p95']:8.2f} {result['cpu']:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
