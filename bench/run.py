"""The speed and scale benchmark: python bench/run.py --sizes 10 100 1000

For each N it generates (or reuses, from bench/generated/) N realistic returns from the project's own
templates, then times, in the same run and on the same files:

- each stage of consolidate: loading the register and history; the safety checks alone; reading
  and validation (serially, and with collect_returns as shipped, on every core);
  the rules (build_report); writing (write_board_workbook);
- the whole `kpi-excel consolidate` command as a subprocess, process start included, with its
  peak memory;
- the baselines: python-calamine reading every sheet of every file (the floor for getting the
  values out), openpyxl's default load_workbook of every file (what a plain script does), and
  xlsxwriter writing the board workbook's cells with no formatting (the writer's floor);
- the shipped samples end to end (median of 5), and what the CLI's imports cost.

It prints a table of times and ratios and writes it to bench/results.md (--out to change).
Every measurement runs in a fresh process (bench/measure.py), so none inherits another's
memory or caches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import PERIOD, generate  # noqa: E402
from report import render  # noqa: E402

# As the console script, then the process's own peak memory, at exit, to the file named in
# argv[1] (the wait4 figure includes the memory of the benchmark it was forked from).
CLI = (
    "import atexit, sys; from pathlib import Path; from peak import own_peak_mb; "
    "out = Path(sys.argv.pop(1)); "
    "atexit.register(lambda: out.write_text(str(own_peak_mb()))); "
    "from kpi_excel.cli import main; sys.exit(main())"
)


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    here = f"{ROOT}{os.pathsep}{HERE}"  # the package, and peak.py for the CLI's wrapper
    return dict(os.environ, PYTHONPATH=f"{here}{os.pathsep}{path}" if path else here)


def measure(group: str, folder: Path, *extra: str) -> dict:
    """One group of timings in a fresh process (bench/measure.py)."""
    done = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), group, str(folder), *extra],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"measure.py {group} {folder} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def run_command(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, the command's own peak memory in MB, and its exit code."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        start = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "-c", CLI, str(peak_file), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(),
            cwd=ROOT,
        ).returncode
        seconds = time.perf_counter() - start
        peak = float(peak_file.read_text()) if peak_file.exists() else float("nan")
    return seconds, peak, code


def consolidate_args(register: Path, returns: Path, history: Path, out: Path) -> list[str]:
    return [
        "consolidate",
        str(register),
        str(returns),
        "--period",
        str(PERIOD),
        "--history",
        str(history),
        "--out",
        str(out),
        "--quiet",
    ]


def bench_size(n: int, repeat: int, workers: int, cli: bool) -> dict:
    folder = generate(n)
    runs: dict[str, list[float]] = {}
    info: dict = {"n": n, "repeat": repeat}

    def keep(result: dict) -> None:
        for key, seconds in result["times"].items():
            runs.setdefault(key, []).append(seconds)

    for _ in range(repeat):
        # Interleaved, so a slow spell on a shared machine touches every measure alike.
        stages = measure("stages", folder, "--workers", str(workers))
        keep(stages)
        info["stages_rss_mb"] = max(info.get("stages_rss_mb", 0), stages["max_rss_mb"])
        info["peaks_mb"] = stages["peaks_mb"]
        info["parallel_identical"] = stages["parallel_identical"]
        info.update({k: stages[k] for k in ("returns", "indicators", "problems", "errors")})
        calamine = measure("calamine", folder)
        keep(calamine)
        info["calamine_cells"] = calamine["cells"]
        keep(measure("openpyxl", folder))
        floor = measure("xlsxwriter", folder, "--board", str(folder / "out" / "stages.xlsx"))
        keep(floor)
        info["board_cells"] = floor["cells"]
        if cli:
            seconds, rss, code = run_command(
                consolidate_args(
                    folder / "register.xlsx",
                    folder / "returns",
                    folder / "history.csv",
                    folder / "out" / "cli.xlsx",
                )
            )
            runs.setdefault("cli", []).append(seconds)
            info["cli_rss_mb"] = max(info.get("cli_rss_mb", 0), rss)
            info["cli_exit"] = code
    info["times"] = {key: statistics.median(values) for key, values in runs.items()}
    info["all_times"] = runs
    return info


def bench_samples(runs: int = 5) -> dict:
    samples = ROOT / "samples"
    out = HERE / "generated" / "samples" / "board.xlsx"
    args = consolidate_args(
        samples / "register.xlsx", samples / "returns", samples / "history.csv", out
    )
    run_command(args)  # warm the disk cache and the compiled modules, as a second run would
    results = [run_command(args) for _ in range(runs)]
    times = [seconds for seconds, _, _ in results]
    return {
        "median": statistics.median(times),
        "times": times,
        "rss_mb": max(rss for _, rss, _ in results),
        "exit": results[0][2],
        "python_start": statistics.median(_python_start() for _ in range(runs)),
        "help": statistics.median(run_command(["--help"])[0] for _ in range(runs)),
    }


def _python_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def import_costs(top: int = 12) -> dict:
    """Cumulative import time of the CLI's imports, grouped by top-level package."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CLI, os.devnull, "--help"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    pattern = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
    packages: dict[str, int] = {}
    total = 0
    for line in done.stderr.splitlines():
        match = pattern.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, name = match.groups()
        total += int(self_us)
        package = name.split(".")[0]
        packages[package] = packages.get(package, 0) + int(self_us)
        del cumulative_us, indent
    ranked = sorted(packages.items(), key=lambda item: -item[1])[:top]
    return {"total_ms": total / 1000, "packages_ms": [(p, us / 1000) for p, us in ranked]}


def core_check(workers: int) -> dict:
    """How much a second process really adds here: pure-Python work, 1 process vs `workers`."""
    code = (
        "import time\nfrom concurrent.futures import ProcessPoolExecutor\n"
        "def burn(n):\n    s = 0\n    for i in range(n): s += i * i\n    return s\n"
        "if __name__ == '__main__':\n"
        f"    n, w = 3_000_000, {workers}\n"
        "    t = time.perf_counter(); [burn(n) for _ in range(w)]; one = time.perf_counter() - t\n"
        "    with ProcessPoolExecutor(w) as pool:\n"
        "        list(pool.map(burn, [1] * w))\n"
        "        t = time.perf_counter(); list(pool.map(burn, [n] * w))\n"
        "        many = time.perf_counter() - t\n"
        "    print(one / many)\n"
    )
    speedups = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )  # fmt: skip
        for _ in range(3)
    ]
    return {"speedup": statistics.median(speedups), "speedups": speedups}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "kpi_excel"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "commit": commit + (" with uncommitted changes in kpi_excel/" if dirty else ""),
        "load": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="kpi-excel speed and scale benchmark.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per size below 1,000, median taken (sizes from 1,000 run once)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-cli-above", type=int, default=None, metavar="N",
                        help="skip the whole-command run for sizes above N")  # fmt: skip
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)

    command = "python bench/run.py " + " ".join(
        arg if " " not in arg else repr(arg) for arg in (argv or sys.argv[1:])
    )
    started = time.perf_counter()
    about = machine()
    for n in args.sizes:  # generation first: it is not timed, and must not overlap timing
        generate(n)
    print(f"checking the cores ({args.workers} workers) ...", file=sys.stderr, flush=True)
    cores = core_check(args.workers)
    sizes = []
    for n in args.sizes:
        print(f"N = {n} ...", file=sys.stderr, flush=True)
        cli = args.no_cli_above is None or n <= args.no_cli_above
        sizes.append(bench_size(n, 1 if n >= 1000 else args.repeat, args.workers, cli))
    print("samples and imports ...", file=sys.stderr, flush=True)
    samples = bench_samples()
    imports = import_costs()
    about["load_after"] = os.getloadavg()
    about["minutes"] = (time.perf_counter() - started) / 60
    results = {
        "command": command.strip(),
        "machine": about,
        "cores": cores,
        "workers": args.workers,
        "sizes": sizes,
        "samples": samples,
        "imports": imports,
    }
    (HERE / "generated").mkdir(exist_ok=True)
    (HERE / "generated" / "results.json").write_text(json.dumps(results, indent=2))
    text = render(results)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
