"""The explorer page in a real browser: Debian's Chromium driven by Playwright, against
``rfgraph serve`` started on port 0. What the page shows is checked against the API's
answers (and those against the CLI and exact regions in test_server_api.py).

Skipped where Chromium or Playwright is missing; ``.ci/run`` installs both and fails if these
tests are skipped. Screenshots go to ``$RFGRAPH_SCREENSHOTS`` (default: the test's tmp dir).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from conftest import two_output_onnx  # noqa: E402

from rfgraph.cli import main  # noqa: E402 (after the skip: no browser, no test)

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
CHROMIUM = next((p for p in (os.environ.get("RFGRAPH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def server():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "rfgraph", "serve", "--port", "0", str(GRAPHS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    assert line.startswith("rfgraph: serving on "), proc.stderr.read()
    url = line.split(" on ", 1)[1].strip()
    with urllib.request.urlopen(url + "api/graphs", timeout=30) as r:
        ids = {g["name"]: g["id"] for g in json.loads(r.read())["graphs"]}
    yield url, ids
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server, tmp_path, request):
    """A page that records console errors and every request; requests to anything but the
    server are blocked (and counted)."""
    url, _ = server
    # The page runs under its own Content-Security-Policy (Playwright's wait_for_function with
    # a string predicate works under it). A test marked ``bypass_csp`` turns the policy off,
    # to show that escaping alone keeps hostile names inert (the policy is a second wall).
    bypass = getattr(request.function, "bypass_csp", False)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=bypass)
    page = context.new_page()
    page.errors, page.requests, page.blocked = [], [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))

    def route(r):
        if r.request.url.startswith(url) or r.request.url.startswith(("blob:", "data:")):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield page
    shots = Path(os.environ.get("RFGRAPH_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{request.node.name}.png"), full_page=True)
    assert not page.errors, page.errors
    assert not page.blocked, page.blocked
    assert all(u.startswith((url, "blob:", "data:")) for u in page.requests)
    assert all(u.startswith("http://127.0.0.1:") for u in page.requests if u.startswith("http"))
    context.close()


def open_graph(page, server, name: str, extra: str = "") -> None:
    url, ids = server
    page.goto(f"{url}#graph={ids[name]}{extra}")
    page.wait_for_selector("body[data-view=ready]", timeout=60_000)


def api(server, path: str) -> dict:
    with urllib.request.urlopen(server[0] + path.lstrip("/"), timeout=60) as r:
        return json.loads(r.read())


def test_resnet50_shows_427_32_213(page, server):
    open_graph(page, server, "resnet50.dot")
    assert page.inner_text("#m-rf") == "427"
    assert page.inner_text("#m-stride") == "32"
    assert page.inner_text("#m-padding") == "213"
    assert page.inner_text("#m-aligned") == "aligned"
    assert page.locator("#diagram svg g.node").count() > 40


def test_clicking_a_map_updates_the_panel(page, server):
    open_graph(page, server, "resnet50.dot")
    maps = api(server, f"/api/graphs/{server[1]['resnet50.dot']}")["maps"]
    row = api(server, f"/api/graphs/{server[1]['resnet50.dot']}/table")["nodes"]["maxpool"]
    node = page.locator(f"#diagram g.node[data-index='{maps.index('maxpool')}']")
    node.click()
    panel = page.locator("#node-panel")
    assert panel.locator(".node-name").inner_text() == "maxpool"
    values = dict(zip(panel.locator("th").all_inner_texts(), panel.locator("td").all_inner_texts()))
    assert values["receptive field r"] == str(row["axes"][0]["rf"]) == "11"
    assert values["effective stride S"] == "4" and values["effective padding P"] == "5"
    assert values["feature-map size"] == "56×56"
    assert "selected" in node.get_attribute("class")
    page.get_by_role("button", name="Make it the output").click()
    page.wait_for_function("document.querySelector('#m-rf').textContent === '11' && document.body.dataset.view === 'ready'")
    assert "output=maxpool" in page.url


def test_clicking_an_output_cell_lights_the_cells_the_api_says(page, server):
    open_graph(page, server, "distill_fig1_chain.dot")
    gid = server[1]["distill_fig1_chain.dot"]
    for j in (0, 2):
        page.locator(f"#regions rect.outcell[data-p='{j}']").click()
        page.wait_for_function(f"document.querySelector('#region-hint').textContent.startsWith('Output {j} ')")
        answer = api(server, f"/api/graphs/{gid}/footprints?at={j}")
        for m in answer["maps"]:
            lit = page.evaluate("""(name) => {
                const row = [...document.querySelectorAll('#regions g.row')].find((g) => g.dataset.node === name);
                const rects = [...row.querySelectorAll('rect.cell')];
                const having = (re) => rects.filter((r) => re.test(r.getAttribute('class'))).map((r) => Number(r.dataset.p));
                return {read: having(/\\b(read|pa|pb|pab)\\b/), pad: having(/\\bpadread\\b/)};
            }""", m["node"])
            assert lit["read"] == m["positions"], (j, m["node"])
            assert lit["pad"] == m["padding"], (j, m["node"])
    assert "at=2" in page.url


def test_the_arrow_keys_step_through_the_output_positions(page, server):
    """Cells of a long output row are too thin to point at: the keyboard steps through them,
    lighting what the API says each position reads."""
    open_graph(page, server, "distill_fig1_chain.dot")
    gid = server[1]["distill_fig1_chain.dot"]
    page.locator("#regions rect.outcell[data-p='0']").click()
    page.wait_for_function("document.querySelector('#region-hint').textContent.startsWith('Output 0 ')")
    length = page.locator("#regions rect.outcell").count()
    page.focus("#regions")
    for key, expected in (("ArrowRight", 1), ("ArrowLeft", 0), ("ArrowLeft", 0), ("End", length - 1), ("Home", 0)):
        page.keyboard.press(key)
        page.wait_for_function(f"document.querySelector('#region-hint').textContent.startsWith('Output {expected} ')")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#region-hint').textContent.startsWith('Output 1 ')")
    reads = api(server, f"/api/graphs/{gid}/footprints?at=1")["maps"]
    first = next(m for m in reads if m["node"] == "f0")
    assert f"({min(first['positions'])} to {max(first['positions'])})" in page.inner_text("#region-hint")
    assert "at=1" in page.url and not page.errors


def test_the_misaligned_example_highlights_two_paths(page, server):
    open_graph(page, server, "distill_fig4_misaligned.dot")
    assert page.inner_text("#m-aligned") == "not aligned"
    assert page.inner_text("#m-rf") == "5–7"  # the region's size by position: 7, 6, 5, 6
    text = page.inner_text("#mismatch-list")
    assert "different strides: 2 on path ① and 1 on path ②" in text and "drift apart by 1 px" in text
    result = api(server, f"/api/graphs/{server[1]['distill_fig4_misaligned.dot']}/analyze")
    maps = api(server, f"/api/graphs/{server[1]['distill_fig4_misaligned.dot']}")["maps"]
    for cls, path in zip(("on-a", "on-b"), result["mismatches"][0]["paths"]):
        lit = sorted(int(i) for i in page.eval_on_selector_all(f"#diagram g.node.{cls}", "els => els.map(e => e.dataset.index)"))
        assert lit == sorted(maps.index(n) for n in path["nodes"])
        assert page.locator(f"#diagram g.edge.{cls}").count() == len(path["nodes"]) - 1
    # the witness paths colour the region rows too: path ① only, path ② only, both
    classes = page.eval_on_selector_all("#regions rect.cell", "els => els.map(e => e.getAttribute('class'))")
    assert any(" pa" in c for c in classes) and any(" pb" in c for c in classes) and any(" pab" in c for c in classes)


def test_the_2d_canvas_shows_the_exact_region_of_a_clicked_output(page, server):
    open_graph(page, server, "resnet50.dot", "&tab=canvas")
    page.locator("#output-canvas").click(position={"x": 5 * 34 + 10, "y": 2 * 34 + 10})
    page.wait_for_function("document.querySelector('#canvas-readout').textContent.startsWith('output (2, 5)')")
    region = api(server, f"/api/graphs/{server[1]['resnet50.dot']}/region?at=2,5&set=1")["positions"][0]
    text = page.inner_text("#canvas-readout")
    assert f"{region['count']} exact pixels" in text
    assert f"rows {region['lo'][0]}–{region['hi'][0]}, columns {region['lo'][1]}–{region['hi'][1]}" in text
    assert f"unclipped rows {region['u'][0]}–{region['v'][0]}" in text
    assert "at=2%2C5" in page.url or "at=2,5" in page.url


def test_the_url_is_the_view(page, server):
    open_graph(page, server, "resnet50.dot", "&output=layer2&node=layer1")
    assert page.inner_text("#m-rf") == "91"
    assert page.locator("#node-panel .node-name").inner_text() == "layer1"


def test_sortable_table(page, server):
    open_graph(page, server, "vgg16.dot", "&tab=table")
    page.locator("#node-table th", has_text="rf").click()
    page.locator("#node-table th", has_text="rf").click()  # descending
    first = page.locator("#node-table tbody tr").first.locator("td").all_inner_texts()
    table = api(server, f"/api/graphs/{server[1]['vgg16.dot']}/table")["nodes"]
    assert first[1] == str(max(r["axes"][0]["rf"] for r in table.values() if r["axes"][0]["rf"] is not None))


def test_dropped_file_with_hostile_names_is_shown_as_text(page, server, tmp_path):
    open_graph(page, server, "distill_fig1_chain.dot")
    hostile = tmp_path / "hostile.dot"
    hostile.write_text('digraph { "<img src=x onerror=window.pwned=1>" -> "<script>window.pwned=2</script>" '
                       '[op=conv, k=3]; "<script>window.pwned=2</script>" -> "a&amp;\\"b" [op=conv, k=3]; }')
    page.set_input_files("#file-input", str(hostile))
    gid = json.loads(urllib.request.urlopen(urllib.request.Request(  # content-addressed: the page's id
        server[0] + "api/graphs?name=hostile.dot", data=hostile.read_bytes(), method="POST")).read())["id"]
    page.wait_for_function(f"document.body.dataset.graph === '{gid}' && document.body.dataset.view === 'ready'")
    assert page.inner_text("#m-rf") == "5"
    assert page.evaluate("window.pwned") is None
    assert page.locator("#diagram img, #diagram script, #node-panel img, #node-panel script").count() == 0
    assert page.locator("#node-panel .node-name").inner_text() == 'a&amp;"b'
    page.locator("#tab-table").click()
    names = page.locator("#node-table tbody td:first-child").all_inner_texts()
    assert names == ["<img src=x onerror=window.pwned=1>", "<script>window.pwned=2</script>", 'a&amp;"b']


test_dropped_file_with_hostile_names_is_shown_as_text.bypass_csp = True


def test_a_bad_file_says_why(page, server, tmp_path):
    open_graph(page, server, "distill_fig1_chain.dot")
    bad = tmp_path / "bad.dot"
    bad.write_text("digraph { a -> b [op=conv, k=abc] }")
    page.set_input_files("#file-input", str(bad))
    page.wait_for_selector("#banner:not([hidden])")
    assert "bad.dot: edge a -> b: attribute k='abc'" in page.inner_text("#banner-text")
    page.errors.clear()  # the browser logs the 400 itself: expected here


def test_densenet121_opens_as_modules_that_open_on_click_and_search_finds_maps_inside(page, server):
    open_graph(page, server, "zoo/densenet121.dot")
    detail = api(server, f"/api/graphs/{server[1]['zoo/densenet121.dot']}")
    depth2 = next(d for d in detail["depths"] if d["depth"] == 2)
    assert page.input_value("#view-select") == "d2" and "view=d2" in page.url
    assert page.locator("#diagram svg g.node").count() == depth2["nodes"] - 3  # (the stem's elementwise maps fold)
    name = "features.denseblock3.denselayer12.conv1"
    page.fill("#search", name)
    page.press("#search", "Enter")
    assert page.locator("#node-panel .node-name").inner_text() == name
    holder = depth2["node_of"][detail["maps"].index(name)]
    assert holder.startswith("g")
    assert "inside the module features.denseblock3" in page.inner_text("#diagram-status")
    page.locator(f"#diagram g.node[data-module='{holder[1:]}']").click()
    page.wait_for_function("document.querySelector('#diagram-status').textContent.startsWith('opened features.denseblock3')")
    assert page.input_value("#view-select") == "d3"
    depth3 = next(d for d in detail["depths"] if d["depth"] == 3)
    drawn = set(page.eval_on_selector_all("#diagram svg g.node", "els => els.map(e => e.id)"))
    assert drawn <= set(depth3["node_of"]) and len(drawn) > 40
    page.locator("#view-up").click()
    page.wait_for_function("document.querySelector('#view-select').value === 'd2'")


def test_exports(page, server):
    open_graph(page, server, "distill_fig4_misaligned.dot")
    files = {}
    for button, suffix in (("#export-svg", ".svg"), ("#export-png", ".png"), ("#export-json", ".analysis.json")):
        with page.expect_download() as info:
            page.click(button)
        download = info.value
        assert download.suggested_filename == f"distill_fig4_misaligned{suffix}"
        files[suffix] = Path(download.path()).read_bytes()
    assert files[".svg"].startswith(b"<svg") and b"mismatch" in files[".svg"]
    assert files[".png"].startswith(b"\x89PNG\r\n\x1a\n") and len(files[".png"]) > 5000
    assert json.loads(files[".analysis.json"]) == api(server, f"/api/graphs/{server[1]['distill_fig4_misaligned.dot']}/analyze")


def test_a_graph_without_a_default_output_is_drawn_and_says_what_to_do(page, server, tmp_path):
    open_graph(page, server, "distill_fig1_chain.dot")
    two = tmp_path / "two_sinks.dot"
    two.write_text("digraph { x -> a [op=conv, k=3]; x -> b [op=conv, k=5, s=2] }")
    page.set_input_files("#file-input", str(two))
    page.wait_for_selector("#banner:not([hidden])")
    assert "This graph has 2 sinks (a, b): name the output" in page.inner_text("#banner-text")
    page.wait_for_function("document.querySelectorAll('#diagram svg g.node[data-index]').length === 3")
    page.fill("#output-node", "b")
    page.click("#ends button[type=submit]")
    page.wait_for_function("document.querySelector('#m-rf').textContent === '5'")
    assert page.locator("#banner").is_hidden()
    assert page.inner_text("#region-hint").startswith("Give an input size")
    assert not page.errors  # the page asked for nothing it knew it could not get


def test_whole_input_context_shows_the_data_paths_numbers(page, server, tmp_path):
    """Squeeze-excitation: every output depends on the whole input, and the headline and the
    map panel give the data paths' numbers marked "+ global", as the command line does."""
    open_graph(page, server, "distill_fig1_chain.dot")
    se = tmp_path / "se.dot"
    se.write_text("digraph { input=x; output=y; x -> a [op=conv, k=3, s=2, p=1]; a -> g [op=global_pool]; "
                  "g -> f [op=fc]; f -> m [op=mul]; a -> m [op=mul]; m -> y [op=conv, k=3, p=1]; }")
    page.set_input_files("#file-input", str(se))
    page.wait_for_function("document.querySelector('#m-rf').textContent.endsWith('+ global')")
    uploaded = page.evaluate("() => new URLSearchParams(location.hash.slice(1)).get('graph')")
    axis = api(server, f"/api/graphs/{uploaded}/analyze")["axes"][0]
    assert axis["whole_input"] and axis["rf"] is None
    local = axis["local"]
    assert page.inner_text("#m-rf") == f"{local['rf']} + global"
    assert page.inner_text("#m-stride") == str(local["stride"]) and page.inner_text("#m-padding") == str(local["padding"])
    panel = page.locator("#node-panel table.kv")
    values = dict(zip(panel.locator("th").all_inner_texts(), panel.locator("td").all_inner_texts()))
    assert values["receptive field r"] == f"{local['rf']} + global"
    page.locator("#tab-table").click()
    row = page.locator("#node-table tbody tr", has=page.locator("td:first-child", has_text="y")).first
    assert row.locator("td").all_inner_texts()[1:3] == [f"{local['rf']} + global", str(local["stride"])]
    assert not page.errors


def test_a_model_with_several_outputs_shows_the_first_and_names_the_others(page, server, tmp_path):
    pytest.importorskip("onnx")
    path = two_output_onnx(tmp_path)
    open_graph(page, server, "distill_fig1_chain.dot")
    page.set_input_files("#file-input", str(path))
    page.wait_for_function("document.querySelector('#output-node').value === 'a' && document.body.dataset.view === 'ready'")
    assert page.inner_text("#m-rf") == "3"
    assert "This model has 2 outputs (a, b)" in page.inner_text("#banner-text")


def test_the_region_rows_follow_a_path_through_the_selected_map(page, server):
    open_graph(page, server, "distill_fig5_aligned.dot")
    gid = server[1]["distill_fig5_aligned.dot"]
    rows = lambda: page.eval_on_selector_all("#regions g.row", "els => els.map(e => e.dataset.node)")  # noqa: E731
    first = api(server, f"/api/graphs/{gid}/paths?limit=1")["paths"][0]["nodes"]
    assert rows() == first
    maps = api(server, f"/api/graphs/{gid}")["maps"]
    chosen = next(n for n in maps if n not in first)  # a map on another branch
    page.locator(f"#diagram g.node[data-index='{maps.index(chosen)}']").click()
    page.wait_for_function("(name) => [...document.querySelectorAll('#regions g.row')].some((g) => g.dataset.node === name)",
                           arg=chosen)
    before = api(server, f"/api/graphs/{gid}/paths?output={chosen}&limit=1")["paths"][0]["nodes"]
    after = api(server, f"/api/graphs/{gid}/paths?input={chosen}&limit=1")["paths"][0]["nodes"]
    assert rows() == before + after[1:]
    assert page.inner_text("#region-hint").endswith(f"Rows: a path through {chosen}.")
    # the lit cells are still the output's footprints, whichever rows are drawn
    answer = api(server, f"/api/graphs/{gid}/footprints?at=0")
    page.locator("#regions rect.outcell[data-p='0']").click()
    page.wait_for_function("() => document.querySelector('#region-hint').textContent.startsWith('Output 0 ')")
    for m in answer["maps"]:
        if m["node"] in rows():
            lit = page.eval_on_selector_all(f"#regions g.row[data-node='{m['node']}'] rect.read",
                                            "els => els.map((e) => Number(e.dataset.p))")
            assert lit == m["positions"], m["node"]
    page.reload()  # the chosen map is in the URL: the same rows again
    page.wait_for_selector("body[data-view=ready]")
    assert rows() == before + after[1:]


def test_the_summary_states_each_fact_once(page, server):
    open_graph(page, server, "zoo/unet.dot")
    analysis = api(server, f"/api/graphs/{server[1]['zoo/unet.dot']}/analyze")
    assert [a["phases"] == analysis["axes"][0]["phases"] for a in analysis["axes"]] == [True, True]
    text = page.inner_text("#summary-text")
    sizes = ", ".join(str(p["size"]) for p in analysis["axes"][0]["phases"])
    assert text.count("region size by output position") == 1  # both axes, by phase, once
    assert f"axes 0, 1: region size by output position mod {analysis['axes'][0]['period']}: {sizes}" in text


def test_a_padding_that_varies_with_the_position_is_shown_as_its_range(page, server, capsys):
    """U-Net: the region's offset from stride * j varies by phase; the page gives its range
    over a period, computed from the API's phases, as the command line prints it."""
    open_graph(page, server, "zoo/unet.dot")
    axis = api(server, f"/api/graphs/{server[1]['zoo/unet.dot']}/analyze")["axes"][0]
    assert axis["padding"] is None and axis["stride"] == 1
    offsets = [axis["stride"] * p["at"] - p["u"] for p in axis["phases"] if p["u"] is not None]
    expected = f"{min(offsets)}–{max(offsets)}"
    assert page.inner_text("#m-padding") == expected
    main(["analyze", str(GRAPHS / "zoo/unet.dot")])
    row = capsys.readouterr().out.splitlines()[4].split()
    assert row[3] == expected.replace("–", "-")  # the command line's padding column


def test_string_predicates_work_under_the_pages_policy(page, server):
    open_graph(page, server, "distill_fig1_chain.dot")
    page.evaluate("() => { window.later = 0; setTimeout(() => { window.later = 1; }, 200); }")
    page.wait_for_function("window.later === 1", timeout=5000)  # evaluated from a string
    assert page.evaluate("() => document.querySelector('#m-rf').textContent") == "7"


def huge_dot(maps: int) -> str:
    """A CNN-like DAG of ``maps`` maps named ``s<stage>.b<block>.m<i>`` (blocks of 5 maps: the
    module view at depth 2 has too many nodes to draw, the one at depth 1 has 6)."""
    stage = maps // 6
    name = lambda i: f"s{min(i // stage, 5)}.b{(i % stage) // 5}.m{i}"  # noqa: E731
    ops = ["op=conv, k=3, p=1", "op=relu", "op=conv, k=1", "op=maxpool, k=3, p=1"]
    lines = [f'digraph huge {{ input = "{name(0)}"; output = "{name(maps - 1)}"; input_size = "224";']
    for v in range(1, maps):
        op = "op=conv, k=3, s=2, p=1" if v % stage == 0 and v // stage <= 5 else ops[v % 4]
        lines.append(f'"{name(v - 1)}" -> "{name(v)}" [{op}];')
        if v % 7 == 3 and v - 3 >= (v // stage) * stage:
            lines.append(f'"{name(v - 3)}" -> "{name(v)}" [op=conv, k=5, p=2];')
    return "\n".join(lines) + "\n}\n"


def test_a_huge_graph_is_usable_without_its_diagram(page, server, tmp_path):
    path = tmp_path / "huge.dot"
    path.write_text(huge_dot(20_000))
    open_graph(page, server, "distill_fig1_chain.dot")
    page.set_input_files("#file-input", str(path))
    gid = json.loads(urllib.request.urlopen(urllib.request.Request(
        server[0] + "api/graphs?name=huge.dot", data=path.read_bytes(), method="POST"), timeout=120).read())["id"]
    page.wait_for_function(f"document.body.dataset.graph === '{gid}' && document.body.dataset.view === 'ready'",
                           timeout=120_000)
    analysis = api(server, f"/api/graphs/{gid}/analyze")
    assert page.inner_text("#m-rf") == str(analysis["axes"][0]["rf"])
    assert page.inner_text("#m-stride") == str(analysis["axes"][0]["stride"])
    # the default view is the module view that can be drawn; every map cannot, and it says why
    assert page.locator("#diagram svg g.node").count() == 6
    page.locator("#diagram g.node").first.click()  # opening a module: its depth is too big to draw
    page.wait_for_selector("body[data-diagram=not-drawn]")
    assert "Not drawn: modules at depth 2 has 4,00" in page.inner_text("#diagram .placeholder")
    page.select_option("#view-select", "all")
    page.wait_for_function("document.querySelector('#diagram .placeholder')?.textContent.includes('20,000 maps')")
    why = page.inner_text("#diagram .placeholder")
    assert "modules at depth 1 (6 nodes)" in why and "name an input and an output" in why
    assert not any(f"{gid}/diagram.svg" in u and "collapse=0" in u for u in page.requests)
    assert not any(f"{gid}/table" in u for u in page.requests)  # not loaded before the Table tab
    # the search offers the matching names only, and finds a map
    page.fill("#search", "b399.m1999")
    assert 0 < page.locator("#node-names option").count() <= 50
    page.press("#search", "Enter")
    sync_api.expect(page.locator("#node-panel .node-name")).to_have_text("s0.b399.m1999")  # (asked of the API)
    assert page.locator("#banner").is_hidden()
    row = api(server, f"/api/graphs/{gid}/table")["nodes"]["s0.b399.m1999"]
    panel = page.locator("#node-panel")
    values = dict(zip(panel.locator("th").all_inner_texts(), panel.locator("td").all_inner_texts()))
    assert values["receptive field r"] == str(row["axes"][0]["rf"])
    assert values["effective stride S"] == str(row["axes"][0]["stride"])
    assert page.locator("#regions g.row").count() <= 24
    # the table: loaded when its tab opens, a page of rows at a time
    page.locator("#tab-table").click()
    page.wait_for_selector("#node-table tbody tr")
    assert page.locator("#node-table tbody tr").count() == 250
    # on the page of the selected map (the 2,000th in the table's order)
    assert page.inner_text("#table-count") == "20,000 of 20,000 maps · rows 1,751–2,000"
    assert page.locator("#node-table tbody tr.selected").get_attribute("data-name") == "s0.b399.m1999"
    page.locator("#table-pager button[data-page=next]").click()
    assert page.inner_text("#table-count") == "20,000 of 20,000 maps · rows 2,001–2,250"
    page.fill("#table-filter", "m12345")
    assert page.locator("#node-table tbody tr").count() == 1
    page.locator("#node-table tbody tr").first.click()
    sync_api.expect(page.locator("#node-panel .node-name")).to_have_text("s3.b469.m12345")
