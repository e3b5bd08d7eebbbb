"""backend/predict.py: the command line classifies files and refuses non-images."""

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
