"""``saferkg crawl``, ``docs`` and ``links`` as a user runs them."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sites import (
    Site,
    site_fixture,  # noqa: F401  (fixtures)
    sources_toml,
)

from saferkg.cli import main
from saferkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

ENV = {
    "SAFERKG_DELAY": "0",
    "SAFERKG_READ_TIMEOUT": "0.5",
    "SAFERKG_CONNECT_TIMEOUT": "2",
    "SAFERKG_MAX_BYTES": "100000",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["--data", str(data), *args], env=ENV)
    return result.exit_code, result.stdout, result.stderr


def test_live_crawl_then_docs_and_links(runner: CliRunner, site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site))
    data = tmp_path / "data"
    code, out, err = run(runner, data, "crawl", "--live", "--sources", str(sources))
    assert code == 0, err
    header, row = out.splitlines()[:2]
    assert header.split()[:4] == ["partner", "fetched", "unchanged", "failed"]
    assert row.split()[0] == "safer-example" and int(row.split()[1]) >= 8
    assert "failed [safer-example]" in out and "HTTP 410" in out
    assert site.url("/csp/plan.html") in err  # progress went to stderr

    code, out, _ = run(runner, data, "docs", "--json")
    docs = json.loads(out)["documents"]
    assert {"url", "partner", "title", "kind", "period", "fetched_at"} <= set(docs[0])
    by_url = {d["url"]: d for d in docs}
    assert by_url[site.url("/csp/strategy.pdf")]["kind"] == "pdf"
    assert by_url[site.url("/csp/plan.html")]["partner"] == "safer-example"

    code, out, _ = run(runner, data, "links", "--json")
    links = {link["url"]: link for link in json.loads(out)["links"]}
    gone = links[site.url("/csp/gone")]
    assert (gone["category"], gone["ok"], gone["status"]) == ("broken", False, 410)
    assert gone["found_on"] == [site.url("/csp/")] and gone["anchor"] == "Gone"
    assert links[site.url("/csp/moved")]["category"] == "redirect"
    assert links["http://nonexistent.invalid/plan.html"]["category"] == "broken"
    assert site.url("/csp/forbidden.html") not in links  # blocked is not reported as broken
    assert site.url("/csp/plan.html") not in links
    code, out, _ = run(runner, data, "links", "--json", "--all")
    every = {link["url"]: link for link in json.loads(out)["links"]}
    assert every[site.url("/csp/forbidden.html")]["category"] == "blocked"
    assert every[site.url("/csp/ratelimited.html")]["category"] == "blocked"

    # A second crawl finds everything unchanged.
    code, out, err = run(runner, data, "crawl", "--live", "--sources", str(sources), "--json")
    [summary] = json.loads(out)["partners"]
    assert summary["fetched"] == 0 and summary["unchanged"] == len(docs)


def test_crawl_of_one_partner_with_limits(runner: CliRunner, site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    other = (
        '\n[[partner]]\nid = "other"\nname = "Other"\ntype = "Police"\n'
        'start = "http://127.0.0.1:1/"\n'
    )
    sources.write_text(sources_toml(site) + other)
    args = ["crawl", "--live", "--sources", str(sources), "--partner", "safer-example"]
    code, out, err = run(runner, tmp_path / "d", *args, "--max-pages", "2", "--json", "--no-links")
    assert code == 0, err
    [summary] = json.loads(out)["partners"]
    assert summary["partner"] == "safer-example"
    assert summary["fetched"] + summary["failed"] == 2

    code, _, err = run(runner, tmp_path / "d", *args[:-1], "safer-exampel")
    assert code == 2 and "did you mean 'safer-example'" in err


def test_sources_errors_exit_2_naming_the_partner(runner: CliRunner, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[partner]]\nid = "bad-one"\nname = "Bad"\ntype = "Council"\nstart = "https://x.org/"\n'
    )
    code, _, err = run(runner, tmp_path / "d", "crawl", "--sources", str(sources))
    assert code == 2 and "partner 'bad-one'" in err and "unknown type 'Council'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    sources.write_text('[[partner]]\nid = "x\n')
    code, _, err = run(runner, tmp_path / "d", "crawl", "--sources", str(sources))
    assert code == 2 and "line 2" in err


def test_interrupted_crawl_exits_130_and_resumes(
    runner: CliRunner, site: Site, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site))
    data = tmp_path / "data"
    # Ctrl-C arrives while the crawler waits for the plan page.
    site.pages["/csp/plan.html"].interrupt = True
    code, out, err = run(runner, data, "crawl", "--live", "--sources", str(sources))
    assert code == 130 and "will resume" in err
    assert "safer-example" in out  # the summary so far
    code, out, err = run(runner, data, "crawl", "--live", "--sources", str(sources))
    assert code == 0 and "Resuming interrupted crawl run" in err
    assert len(site.gets("/csp/")) == 1  # done before Ctrl-C: not fetched again
    assert len(site.gets("/csp/plan.html")) == 2  # interrupted mid-fetch: fetched again
    code, out, _ = run(runner, data, "docs", "--json")
    urls = {d["url"] for d in json.loads(out)["documents"]}
    assert site.url("/csp/plan.html") in urls and site.url("/csp/deeper.html") in urls


def test_offline_crawl_of_a_mirror_reports_not_archived(runner: CliRunner, tmp_path: Path) -> None:
    from ingest.mirror import url_to_path

    mirror = tmp_path / "sites"
    start = "https://www.example.gov.uk/csp/"
    page = mirror / url_to_path(start)
    page.parent.mkdir(parents=True)
    page.write_text(
        "<html><head><title>Safer Example</title></head><body><h1>Safer Example</h1>"
        "<p><a href='plan.html'>Plan</a> <a href='missing.pdf'>Old plan</a></p></body></html>"
    )
    (mirror / url_to_path(start + "plan.html")).write_text(
        "<html><head><title>Plan 2021-2024</title></head><body><h1>Plan 2021-2024</h1>"
        "<p>Priorities: domestic abuse.</p></body></html>"
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[partner]]\nid = "ex"\nname = "Ex"\ntype = "CSP"\nstart = "{start}"\n')
    env = {**ENV, "SAFERKG_MIRROR_DIR": str(mirror)}
    result = runner.invoke(
        main, ["--data", str(tmp_path / "d"), "crawl", "--sources", str(sources)], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert "not archived (crawl -v lists them): ex 1" in result.stdout
    again = runner.invoke(
        main, ["--data", str(tmp_path / "d"), "crawl", "-v", "--sources", str(sources)], env=env
    )
    assert f"not archived [ex] {start}missing.pdf" in again.stdout
    out = runner.invoke(main, ["--data", str(tmp_path / "d"), "links", "--json"], env=env).stdout
    [link] = json.loads(out)["links"]
    assert link["category"] == "not_archived" and link["ok"] is None
    text = runner.invoke(main, ["--data", str(tmp_path / "d"), "links"], env=env).stdout
    assert "not_archived" in text and f"found on {start}" in text
    listing = runner.invoke(main, ["--data", str(tmp_path / "d"), "docs", "--partner", "ex"])
    assert "Plan 2021-2024" in listing.stdout and "2 documents" in listing.stdout
    unknown = runner.invoke(main, ["--data", str(tmp_path / "d"), "docs", "--partner", "exx"])
    assert unknown.exit_code == 2 and "did you mean 'ex'" in unknown.stderr


@pytest.mark.skipif(
    not (Settings().sources.is_file() and Settings().mirror_dir.is_dir()),
    reason="the bundled corpus is not built",
)
def test_offline_crawl_of_the_bundled_corpus(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--data", str(tmp_path / "d"), "crawl"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["partner", "fetched"]
    total = next(line for line in lines if line.startswith("total"))
    assert int(total.split()[1]) > 0  # documents were read from the mirror
    # Start URLs the mirror lacks are reported, not fatal.
    if any(line.startswith("not archived") for line in lines):
        out = runner.invoke(main, ["--data", str(tmp_path / "d"), "links", "--json"]).stdout
        assert any(link["category"] == "not_archived" for link in json.loads(out)["links"])


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    main_fd, term_fd = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from saferkg.cli import main; main()", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=term_fd,
        env=env,
        cwd=ROOT,
    )
    os.close(term_fd)
    screen = bytearray()
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(main_fd)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out.decode(), screen.decode()


def test_crawl_on_a_terminal_shows_one_status_line(site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site))
    env = {**os.environ, **ENV, "COLUMNS": "100"}
    args = ["--data", str(tmp_path / "d"), "crawl", "--live", "--sources", str(sources)]
    code, out, screen = _on_a_terminal(args, env)
    assert code == 0, screen
    assert out.splitlines()[0].split()[:2] == ["partner", "fetched"]  # the table is unchanged
    # the status line is rewritten in place, not one line per URL ...
    assert screen.count("\r") > 5 and screen.strip("\r\n").count("\n") == 0
    assert f"safer-example: {site.url('/csp/')}" in screen
    assert "[safer-example] fetched" not in screen
    # ... and ends with every partner done, the pages visited and the links checked
    last = screen.strip().rsplit("\r", 1)[-1]
    assert last.startswith("[" + "#" * 20 + "] 1/1 partners")
    assert re.search(r"\d+ pages  \d+ links", last)
