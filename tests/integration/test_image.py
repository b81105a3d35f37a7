"""Every process of the image, run outside Docker the way the image runs it.

Each compose service's command goes through the Dockerfile's ENTRYPOINT with the Dockerfile's environment
and the service's compose environment, from a working directory nobody may write (the image's WORKDIR,
/app, belongs to root) and as a user other than root (the image's USER); only the data dir is writable,
as /data is in the image. Addresses point at loopback stand-ins instead of the compose hosts: the test
broker, tests.elasticsearch_helpers.FakeElasticsearch and tests.kibana_helpers.FakeKibana. The one-shot
services must exit 0, the others must pass their compose healthcheck.
"""
from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.compose_helpers import DOCKERFILE, environment, health_url, instructions, provnews_services
from tests.conftest import ROOT, listening_socket
from tests.elasticsearch_helpers import FakeElasticsearch
from tests.kibana_helpers import FakeKibana

pytestmark = pytest.mark.broker
ONE_SHOT = ("setup", "kibana-setup")


def image_environment() -> dict[str, str]:
    env = {}
    for instruction, arguments in instructions(DOCKERFILE):
        if instruction == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return env


def image_user() -> str:
    return [arguments for instruction, arguments in instructions(DOCKERFILE) if instruction == "USER"][-1]


def entrypoint() -> list[str]:
    return json.loads([arguments for instruction, arguments in instructions(DOCKERFILE) if instruction == "ENTRYPOINT"][-1])


def test_the_image_runs_as_a_user_other_than_root_with_its_data_dir_outside_the_workdir():
    assert image_user() not in ("root", "0") and "PROVNEWS_DATA_DIR" in image_environment()
    workdir = [arguments for instruction, arguments in instructions(DOCKERFILE) if instruction == "WORKDIR"][-1]
    assert not image_environment()["PROVNEWS_DATA_DIR"].startswith(workdir)  # the data dir is not the workdir


CAP_DAC_READ_SEARCH = 2


def as_another_user() -> tuple[list[str], int | None]:
    """The command prefix that drops root (none when the tests already run as another user), and its uid.

    Where it can, `nobody` keeps the right to read and search everything (the interpreter may live under
    root's home, which `nobody` cannot enter); writing is what the test is about, and it stays limited to
    what `nobody` owns."""
    if os.geteuid() != 0:
        return [], None
    nobody = pwd.getpwnam("nobody")
    assert shutil.which("setpriv"), "running the tests as root needs setpriv (util-linux) to drop to nobody"
    prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    bounding = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("CapBnd:"))
    if int(bounding.split()[1], 16) >> CAP_DAC_READ_SEARCH & 1:
        prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return prefix, nobody.pw_uid


@pytest.fixture(scope="module")
def image(tmp_path_factory, broker):
    """The image's /app (deploy/ and seeds/, read-only) and /data (writable by the image's user), the stand-ins
    the compose hosts are replaced by, and unique topic names on the test broker."""
    from tests.conftest import ServerThread

    root = tmp_path_factory.mktemp("image")
    app = root / "app"
    for folder in ("deploy", "seeds"):  # what the Dockerfile copies into WORKDIR besides the installed package
        shutil.copytree(ROOT / folder, app / folder)
    data = root / "data"
    data.mkdir()
    prefix, uid = as_another_user()
    if uid is not None:
        os.chown(data, uid, -1)
    for path in [app, *app.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    es, kibana = FakeElasticsearch(), FakeKibana(plugins={"dashboard": "available", "alerting": "degraded"})
    servers = [ServerThread(es.app()).__enter__(), ServerThread(kibana.app()).__enter__()]
    suffix = os.urandom(4).hex()
    overrides = {
        "PROVNEWS_HOST": "127.0.0.1",  # loopback only, where the image listens on 0.0.0.0
        "PROVNEWS_KAFKA_BOOTSTRAP": broker, "PROVNEWS_ES_URL": servers[0].url, "PROVNEWS_KIBANA_URL": servers[1].url,
        "PROVNEWS_DATA_DIR": str(data), "PROVNEWS_DEPLOY_DIR": str(app / "deploy"),
        **{f"PROVNEWS_TOPIC_{kind.upper()}": f"{kind}-{suffix}" for kind in ("raw", "extracted", "mentions", "dlq")},
    }
    try:
        yield {"app": app, "data": data, "prefix": prefix, "overrides": overrides, "es": es, "kibana": kibana,
               "root": root}
    finally:
        for server in servers:
            server.__exit__(None, None, None)
        for path in [app, *app.rglob("*")]:  # let pytest clean up
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def start(image, name: str, ports: dict[str, str], listening=None) -> tuple[subprocess.Popen, Path]:
    service = provnews_services()[name]
    env = {"PATH": os.environ["PATH"], "HOME": str(image["app"]), "LANG": "C.UTF-8"}
    env |= image_environment() | environment(service) | image["overrides"] | ports
    executable = Path(sys.executable).parent / entrypoint()[0]  # the image's ENTRYPOINT, as installed here
    log = image["root"] / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*image["prefix"], str(executable), *entrypoint()[1:], *service["command"]],
                                   cwd=image["app"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   pass_fds=(listening.fileno(),) if listening else ())
    return process, log


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def set_up(image):
    """The one-shot services, in compose order: topics, templates and indices, then Kibana's saved objects."""
    done = {}
    for name in ONE_SHOT:
        process, log = start(image, name, {})
        try:
            process.wait(120)
        finally:
            stop(process)
        done[name] = (process.returncode, tail(log))
    return done


@pytest.mark.parametrize("name", ONE_SHOT)
def test_a_one_shot_service_completes(set_up, image, name):
    code, output = set_up[name]
    assert code == 0, output


@pytest.mark.parametrize("name", ["ingest", "extract", "indexer", "query", "alerts"])
def test_a_service_passes_its_compose_healthcheck(set_up, image, name):
    service = provnews_services()[name]
    served = service["command"][1]
    # The socket is bound here and handed down, as `provnews up` does, so no other process takes the port
    # before the service listens; the service is told the port as well, as in the image.
    listening = listening_socket()
    port = listening.getsockname()[1]
    process, log = start(image, name, {f"PROVNEWS_{served.upper()}_PORT": str(port),
                                       "PROVNEWS_LISTEN_FD": str(listening.fileno())}, listening)
    listening.close()  # the service holds it now
    url = f"http://127.0.0.1:{port}{urlsplit(health_url(service)).path}"
    try:
        deadline, last = time.monotonic() + 90, "no answer"
        while True:
            assert process.poll() is None, f"{name} exited with {process.returncode}:\n{tail(log)}"
            try:
                response = httpx.get(url, timeout=4)
                if response.status_code == 200:
                    break
                last = f"HTTP {response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = str(exc) or type(exc).__name__
            assert time.monotonic() < deadline, f"{name}: {url} never answered 200 ({last}):\n{tail(log)}"
            time.sleep(0.3)
    finally:
        stop(process)
