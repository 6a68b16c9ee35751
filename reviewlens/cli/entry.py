"""The process entry point: keeps torch out of every command that does not train.

spaCy's thinc imports torch whenever it is installed, which costs a second and hundreds of MB in a serving
process, so torch is made unimportable before anything else loads; `train` lifts the block for itself.
"""

from __future__ import annotations

from reviewlens.models.runtime import block_torch


def main() -> None:
    """Run the `reviewlens` command."""
    block_torch()
    # Deferred on purpose: the commands' imports (spaCy, thinc) must come after the block above.
    from reviewlens.cli.main import app

    app()
