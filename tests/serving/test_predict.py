"""backend/predict.py: the command line classifies files and refuses non-images."""

import numpy as np

from backend.core.samples import mnist_png
from backend.serving import predict


def test_cli_prints_digit_confidence_and_top3(tmp_path, mnist, capsys):
    _, (x_test, y_test) = mnist
    image = tmp_path / "digit.png"
    image.write_bytes(mnist_png(x_test[0]))
    assert predict.main(["--image", str(image)]) == 0
    out = capsys.readouterr().out
    assert f"digit.png: {y_test[0]} (confidence" in out and "top 3:" in out


def test_cli_reports_a_non_image_and_exits_1(tmp_path, mnist, capsys):
    _, (x_test, _) = mnist
    good, bad = tmp_path / "good.png", tmp_path / "notes.txt"
    good.write_bytes(mnist_png(x_test[1]))
    bad.write_text("not a picture")
    assert predict.main(["--image", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert "good.png:" in captured.out
    assert "notes.txt: error:" in captured.err and "not a PNG" in captured.err


def test_cli_reads_a_number_and_writes_why(tmp_path, mnist, capsys):
    from PIL import Image

    from backend.core.samples import mnist_number

    _, (x_test, y_test) = mnist
    number = mnist_number(x_test[:20], y_test[:20], 3, np.random.default_rng(4))
    picture, why = tmp_path / "number.png", tmp_path / "why.png"
    number.picture.save(picture)
    assert predict.main(["--image", str(picture), "--number", "--explain", str(why)]) == 0
    out = capsys.readouterr().out
    assert f"number.png: {number.text} (" in out and f"why: {why}" in out
    drawn = np.asarray(Image.open(why).convert("RGB")).astype(int)
    assert drawn.shape == (200, 500, 3)
    coloured = (np.abs(drawn[..., 0] - drawn[..., 2]) > 60).sum(axis=0)  # heat: red or blue, not grey
    for _, left, _, right in number.boxes:  # every digit has its heat
        assert coloured[left:right].sum() > 50


def test_cli_explains_several_pictures_one_file_each(tmp_path, mnist, capsys):
    _, (x_test, _) = mnist
    names = []
    for i, name in enumerate(("a.png", "b.png")):
        (tmp_path / name).write_bytes(mnist_png(x_test[i]))
        names.append(str(tmp_path / name))
    assert predict.main(["--image", *names, "--explain", str(tmp_path / "why.png")]) == 0
    assert (tmp_path / "why-a.png").is_file() and (tmp_path / "why-b.png").is_file()
    assert not (tmp_path / "why.png").exists()
