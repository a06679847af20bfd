"""Files the commands write: whole or not at all."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError


@contextmanager
def replaced_when_complete(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``, moved onto it once the block ends without error.

    A failure half-way leaves the previous file as it was, not a truncated one,
    and removes the temporary file. An operating system's refusal (no space, no
    permission) becomes a CommandError naming the file.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        yield partial
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CommandError(f"{path}: {exc.strerror or exc}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
