"""handmade scan on a real Dask distributed LocalCluster (2 worker processes): the same JSONL as a local scan,
the same resume rule, the CLI's --dask, a daemonic cluster still scans (without hard time limits, with a
warning), and an unreachable scheduler is a worded error."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.scan import ScanError, scan
from handmade.verify import load_trust_anchors
from tests.scale.scan_tree import Tree, build_tree, read_lines

distributed = pytest.importorskip("distributed", reason="DASK DISTRIBUTED NOT INSTALLED: pip install -e '.[test]'")
dask = pytest.importorskip("dask")


def _cluster(daemon: bool) -> Any:
    with dask.config.set({"distributed.worker.daemon": daemon}):
        # Loopback only, no fixed port (the HTTP endpoint is on a free port of 127.0.0.1).
        return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address="127.0.0.1:0", silence_logs=40)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Workers that may start children, as the README asks (DASK_DISTRIBUTED__WORKER__DAEMON=False)."""
    with _cluster(daemon=False) as c:
        yield c


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return build_tree(tmp_path_factory.mktemp("dask-scan"), copies=40)


def _strip(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if k != "findings"} | {"codes": sorted(
        f["code"] for f in line["findings"])}


def test_dask_scan_matches_the_local_scan(cluster: Any, tree: Tree, tmp_path: Path) -> None:
    anchors = load_trust_anchors([tree.pki.root_pem])
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    scan([str(tree.root)], local, trust=anchors, workers=2)
    warnings: list[str] = []
    with distributed.Client(cluster) as client:
        summary = scan([str(tree.root)], remote, trust=anchors, dask=client, warn=warnings.append)
        pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert warnings == [] and len(pids) == 2
    a = {line["path"]: _strip(line) for line in read_lines(local)}
    b = {line["path"]: _strip(line) for line in read_lines(remote)}
    assert sorted(b) == list(tree.images) and len(read_lines(remote)) == len(tree.images)
    assert a == b  # the same verdicts, hashes and decisions, file by file
    assert summary.total == len(tree.images) and summary.errors == tree.corrupt


def test_dask_resume_after_a_torn_partial_output(cluster: Any, tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "partial.jsonl"
    scan([str(tree.root)], out, workers=2)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:30]) + lines[30][:40])  # 30 whole results and a torn one
    with distributed.Client(cluster) as client:
        summary = scan([str(tree.root)], out, dask=client, resume=True, warn=lambda m: None)
    assert summary.earlier == 30 and summary.total == len(tree.images)
    assert Counter(line["path"] for line in read_lines(out)) == Counter(tree.images)


def test_cli_dask_option_with_the_scheduler_address(cluster: Any, tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    r = CliRunner().invoke(main, ["scan", str(tree.root), "--out", str(out), "--dask", cluster.scheduler_address,
                                  "--trust", str(tree.pki.root_pem)])
    assert r.exit_code == 0, r.output
    assert f"{len(tree.images)} files in" in r.output
    assert sum(1 for line in read_lines(out) if line["state"] == "trusted") == tree.signed
    both = CliRunner().invoke(main, ["scan", str(tree.root), "--out", str(tmp_path / "x.jsonl"), "--dask",
                                     cluster.scheduler_address, "--workers", "2"])
    assert both.exit_code == 2


def test_daemonic_workers_still_scan_and_say_the_limit_is_off(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "daemon.jsonl"
    warnings: list[str] = []
    with _cluster(daemon=True) as c, distributed.Client(c) as client:
        scan([str(tree.root / "2021")], out, dask=client, warn=warnings.append)
    assert any("time limit cannot be enforced" in w for w in warnings)
    french: list[str] = []
    with _cluster(daemon=True) as c, distributed.Client(c) as client:
        scan([str(tree.root / "2021")], tmp_path / "fr.jsonl", dask=client, warn=french.append, lang="fr")
    assert any("limite de temps par fichier ne peut pas y être appliquée" in w for w in french), french
    assert sorted(line["path"] for line in read_lines(out)) == sorted(
        str(p) for p in (tree.root / "2021").rglob("*") if p.is_file())


def test_unreachable_scheduler_is_a_worded_error(tree: Tree, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ScanError) as exc:
        scan([str(tree.root)], tmp_path / "r.jsonl", dask=f"tcp://127.0.0.1:{port}")
    assert exc.value.code == "scan.dask_unreachable"
