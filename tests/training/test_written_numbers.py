"""backend/training/written_numbers.py: reading many written numbers, and how sure a rate of them is."""

import re

import pytest

from backend.training.written_numbers import main, wilson


def test_the_interval_holds_the_rate_and_narrows_with_more_numbers():
    low, high = wilson(970, 1000)
    assert low < 0.97 < high
    assert high - low == pytest.approx(0.0213, abs=0.0005)  # about +-1.1 points for 1,000 numbers
    wider = wilson(97, 100)
    assert wider[0] < low and wider[1] > high
    assert wilson(0, 10)[0] == pytest.approx(0.0, abs=1e-12) and wilson(10, 10)[1] == pytest.approx(1.0)


def test_main_reads_numbers_of_both_sources_and_reports_each_seed_and_the_total(capsys):
    assert main(["--count", "4", "--seeds", "1", "2", "--digits", "3"]) == 0
    out = capsys.readouterr().out
    assert "3-digit numbers, 4 per seed" in out
    for source in ("validation pen writers", "MNIST test digits"):
        assert len(re.findall(rf"{source}, seed [12]: \d+\.\d\d% read exactly", out)) == 2
        (total,) = re.findall(rf"^{source}: (\d+\.\d\d)% of 8 read exactly \(95% interval", out, re.M)
        assert float(total) in {100 * k / 8 for k in range(9)}
