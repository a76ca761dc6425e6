"""Offline docs build, for machines without Quarto: `nbdev-proc-nbs`, then each processed notebook rendered to HTML
with nbconvert, plus an index page linking every page in the sidebar's order.

Usage: python tools/build_docs.py [--out _site_offline] [--execute PAGE ...] [--no-proc]
`--execute` runs the named pages (e.g. `index tutorials/01_quickstart`) before rendering so their outputs show.
Quarto (`nbdev-docs`) remains the real build; this one checks that every page processes and renders."""
import argparse, html, re, shutil, subprocess
from pathlib import Path
import nbformat, yaml
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parents[1]
PROC = ROOT/'_proc'

def pages():
    "(section, notebook path relative to _proc) in the sidebar's order."
    side = yaml.safe_load((PROC/'sidebar.yml').read_text())['website']['sidebar']['contents']
    out = []
    for item in side:
        if isinstance(item, str): out.append(('', item))
        else: out += [(item['section'], p) for p in item['contents']]
    return out

def front(nb)->dict:
    "The Quarto front matter nbdev puts in the first raw cell."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'): return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}

def execute(src:Path)->Path:
    "Run the notebook in its folder (so relative paths work); returns a copy with outputs."
    import os, tempfile
    from fastcore.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb, cwd = read_nb(src), os.getcwd()
    os.chdir(src.parent)
    try: CaptureShell().run_all(nb, exc_stop=True)
    finally: os.chdir(cwd)
    dst = Path(tempfile.mkdtemp())/src.name; write_nb(nb, dst)
    return dst

def html_name(rel:str)->str:
    "The page's file: `index.ipynb` (the home page) becomes `home.html`, as `index.html` lists every page."
    return 'home.html' if rel == 'index.ipynb' else str(Path(rel).with_suffix('.html'))

def build(out:Path, run:set, proc:bool=True)->list:
    if proc: subprocess.run(['nbdev-proc-nbs'], cwd=ROOT, check=True, capture_output=True)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    if (PROC/'images').exists(): shutil.copytree(PROC/'images', out/'images')
    shutil.copy(PROC/'styles.css', out/'styles.css')
    exporter, built = HTMLExporter(template_name='lab'), []
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    for section, rel in pages():
        src = PROC/rel
        nb = nbformat.read(execute(src) if str(Path(rel).with_suffix('')) in run else src, as_version=4)
        for c in nb.cells: # nbdev's processors leave bookkeeping keys that nbformat's schema rejects
            for k in [k for k in c if k not in ('cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments')]: del c[k]
            c.metadata = nbformat.NotebookNode() # and timing metadata of the wrong type
            if c.cell_type == 'code': # Quarto's cell options: honour `echo: false`, and don't show the option lines
                lines = c.source.splitlines()
                if any(re.match(r'#\|\s*echo:\s*false', l) for l in lines): c.metadata['tags'] = ['remove_input']
                c.source = '\n'.join(l for l in lines if not l.startswith('#|'))
        fm = front(nb); title = str(fm.get('title') or Path(rel).stem)
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'raw' and c.source.startswith('---'))]
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f'# {title}\n\n> {fm.get("description", "")}'))
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': title}})
        body = re.sub(r'\{target=(?:"|&quot;)_blank(?:"|&quot;)[^}]*\}', '', body) # Pandoc link attributes nbconvert shows as text
        body = re.sub(r'href="([^"#:]+)\.ipynb', r'href="\1.html', body).replace('href="index.html', 'href="home.html') # links between pages
        up = '../' * (len(Path(rel).parts) - 1)
        nav = f'<nav style="padding:.5em 1em;border-bottom:1px solid #ddd"><a href="{up}index.html">scene_classify docs</a> · {html.escape(section or "Home")}</nav>'
        body = body.replace('<body', '<body data-page="' + html.escape(rel) + '"', 1)
        body = re.sub(r'(<body[^>]*>)', r'\1' + nav.replace('\\', r'\\'), body, count=1)
        dst = out/html_name(rel); dst.parent.mkdir(parents=True, exist_ok=True); dst.write_text(body)
        built.append(dict(section=section, page=rel, html=html_name(rel), title=title, description=fm.get('description', '')))
    rows, last = [], None
    for b in built:
        if b['section'] != last: rows.append(f'<h2>{html.escape(b["section"] or "Home")}</h2>'); last = b['section']
        desc = re.sub(r'^<p>|</p>\s*$', '', markdown2html_mistune(str(b['description'])).strip()) # the description is Markdown
        rows.append(f'<p><a href="{b["html"]}">{html.escape(b["title"])}</a> <span style="color:#666">{desc}</span></p>')
    (out/'index.html').write_text('<!doctype html><html><head><meta charset="utf-8"><title>scene_classify docs</title>'
        '<link rel="stylesheet" href="styles.css"></head><body style="font-family:sans-serif;max-width:60em;margin:2em auto">'
        '<h1>scene_classify docs (offline build)</h1>' + '\n'.join(rows) + '</body></html>')
    return built

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--out', default=str(ROOT/'_site_offline'))
    p.add_argument('--execute', nargs='*', default=[]); p.add_argument('--no-proc', action='store_true')
    a = p.parse_args()
    built = build(Path(a.out), set(a.execute), not a.no_proc)
    print(f'{len(built)} pages in {a.out}: open {Path(a.out)/"index.html"}')
