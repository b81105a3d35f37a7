"""The supervisor's plan of the children `provnews up` starts: it looks for free loopback ports, so it binds."""
from __future__ import annotations

from provnews.settings import Settings
from provnews.supervisor import Supervisor


def test_up_runs_as_many_extract_workers_as_the_setting_each_on_its_own_port_sharing_one_log(tmp_path):
    settings = Settings(data_dir=tmp_path, extract_workers=3, extract_port=18002)
    extract = [c for c in Supervisor(settings).plan() if c.argv[-1] == "extract"]
    assert [c.name for c in extract] == ["extract", "extract-2", "extract-3"]
    assert extract[0].port == 18002
    assert len({c.port for c in extract}) == 3
    assert all(c.env["PROVNEWS_EXTRACT_PORT"] == str(c.port) and c.log_name == "extract" for c in extract)
    assert all(c.ready_url.endswith(f":{c.port}/readyz") for c in extract)
