"""Print a command from the README's quick start: 'run' (the first) or 'test' (the second).

CI runs exactly what the README tells a newcomer to run, so the two cannot drift apart.
"""

import re
import sys
from pathlib import Path

text = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text(encoding="utf-8")
section = re.search(r"^## Quick start\s*$(.*?)^## ", text, re.M | re.S)
if not section:
    sys.exit("README.md has no '## Quick start' section")
block = re.search(r"```(?:sh|bash|shell)?\n(.*?)```", section.group(1), re.S)
if not block:
    sys.exit("the quick start has no code block")
commands = [line for line in block.group(1).splitlines() if line.strip()]
if len(commands) != 2:
    sys.exit(
        f"the quick start's first code block must hold exactly two commands, not {len(commands)}"
    )
print(commands[0 if sys.argv[1:] == ["run"] else 1])
