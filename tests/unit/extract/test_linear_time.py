"""The engine's work grows with its input, not with its square: one long repetitive article must not stall
the stream (issue 12's poison pill: "giảm 12 " repeated took 14 s at 80 KB).

Measured as a ratio of the best of several timings of the same input at one and four times its size, so
the machine's speed does not matter: linear work gives about 4, quadratic about 16; 6 is a generous bound.
The timings are of this process's CPU time, not the wall clock, so other work on a busy machine does not
count against the engine.
"""
import time

import pytest

from services.extract.engine import extract

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi".split()
MIDDLE = "Văn Thị Hữu Đức".split()
GIVEN = "An Bình Cường Dũng Hà Hải Lan Minh Nam Phong Quang Sơn Tâm Thu Vinh".split()


def _person(i: int) -> str:
    return f"{SURNAMES[i % 8]} {MIDDLE[i // 8 % 4]} {GIVEN[i // 32 % 15]} {GIVEN[i // 480 % 15]}"


REPETITIVE = {
    # one clause, thousands of numbers: every number once read the whole clause before it
    "numbers": lambda n: "Bài thử. " + "giảm 12 " * n,
    "one long list": lambda n: "Bài thử. Tỉnh đã giảm " + ", ".join(f"{i % 90 + 2} phòng" for i in range(n)) + ".",
    "many names": lambda n: "Bài thử. " + " ".join(
        f"Ông {_person(i)}, Phó Chủ tịch UBND huyện {GIVEN[i % 15]} {GIVEN[i // 15 % 15]}." for i in range(n // 8)
    ),
    "many citations": lambda n: "Bài thử. " + " ".join(
        f"Nghị quyết số {i}-NQ/TU, Quyết định số {i}/QĐ-UBND." for i in range(n // 8)
    ),
    "a line without a stop": lambda n: "Bài thử. " + "Tỉnh Quảng Ninh có cán bộ làm việc tại UBND tỉnh, " * (n // 8),
    "delegations in one sentence": lambda n: "Bài thử. " + "đoàn công tác do ông Nguyễn Văn An làm trưởng đoàn, " * (n // 7),
    "highland names": lambda n: "Bài thử. " + "Ông Y Biêr Niê và bà H'Yim Kđoh dự họp. " * (n // 8),
    "many bodies": lambda n: "Bài thử. " + ", ".join(
        f"Sở Nội vụ tỉnh {('Quảng Ninh', 'Hà Nam', 'Lào Cai')[i % 3]}" for i in range(n // 4)
    ) + ".",
}


def _best_time(text: str, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        extract(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("name", list(REPETITIVE))
def test_four_times_the_input_is_at_most_a_little_more_than_four_times_the_work(name):
    make = REPETITIVE[name]
    small, large = make(1500), make(6000)
    assert len(large) > 3.5 * len(small)
    extract(small)  # warm the caches of compiled patterns
    ratios = []
    for _ in range(3):  # a busy machine may slow one measurement; a quadratic step fails every one
        ratios.append(_best_time(large) / _best_time(small))
        if ratios[-1] <= 6:
            break
    assert min(ratios) <= 6, f"{name}: {len(small)} -> {len(large)} characters took {min(ratios):.1f}x the time"
