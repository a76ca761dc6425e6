"The offline docs build (tools/build_docs.py): every page in the sidebar processes, renders, and carries its title."
import html, importlib.util, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip('nbconvert', reason='the offline docs build needs nbconvert (in the dev extra)')
spec = importlib.util.spec_from_file_location('build_docs', ROOT/'tools'/'build_docs.py')
bd = importlib.util.module_from_spec(spec); spec.loader.exec_module(bd)

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    return out, bd.build(out, run=set())

def test_every_page_built_with_its_title(site):
    out, built = site
    nbs = {str(p.relative_to(ROOT/'nbs')) for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts}
    assert {b['page'] for b in built} == nbs, 'the sidebar and the notebooks disagree'
    for b in built:
        page = (out/b['html']).read_text()
        assert f'<title>{html.escape(b["title"])}</title>' in page, b
        assert re.search(r'<h1[^>]*>' + re.escape(html.escape(b['title'])), page), b

def test_index_links_every_page(site):
    out, built = site
    index = (out/'index.html').read_text()
    for b in built: assert f'href="{b["html"]}"' in index, b['html']

def test_api_reference_rendered(site):
    out, _ = site
    page = (out/'08c_batch.html').read_text()
    assert 'predict_to' in page and 'Rows per part' in page # show_doc's table of documented parameters

def test_descriptions_render_as_markdown(site):
    "Page descriptions are Markdown: the index shows bold text, not asterisks."
    out, _ = site
    index = (out/'index.html').read_text()
    assert '**' not in index and '<strong>' in index

TUTORIAL_FIGURES = {'tutorials/01_quickstart', 'tutorials/02_kaggle_end_to_end'}

@pytest.mark.parametrize('page', sorted(str(p.relative_to(ROOT/'nbs').with_suffix('')) for p in (ROOT/'nbs'/'tutorials').glob('*.ipynb')))
def test_tutorials_show_their_outputs(site, page):
    "Tutorials ship with their outputs (tools/run_tutorials.py), since the docs build does not run notebooks."
    out, _ = site
    body = (out/f'{page}.html').read_text()
    assert '<table' in body, f'{page}: no table in the rendered page'
    if page in TUTORIAL_FIGURES: assert re.search(r"<img [^>]*src=\"data:image/png", body), f'{page}: no figure in the rendered page'

def test_every_public_method_of_the_classifier_has_its_entry(site):
    "Methods grown with `@patch` are documented one by one on the pipeline page (nbdev skips names starting with `_`)."
    out, _ = site
    page = (out/'08b_pipeline.html').read_text()
    for m in ('fit', 'predict', 'evaluate', 'labelled_probs', 'save', 'load', 'fit_fusion'):
        assert f'SceneClassifier.{m}' in page, m
