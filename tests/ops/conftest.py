"""Operations tests: registers the ``slow`` marker (the wheel -> clean venv install test, which
runs by default; deselect it with ``-m 'not slow'``)."""


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: builds and installs the package; deselect with -m 'not slow'")
