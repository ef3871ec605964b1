"""`python -m medimaging_mock demo|serve`: the `medimaging-mock` command (medimaging_mock.cli)."""

from medimaging_mock.cli import main

if __name__ == "__main__":
    main(prog="python -m medimaging_mock")
