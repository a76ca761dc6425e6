"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which these machines lack).

Markdown cells are copied; code cells without a `#| hide` directive become python blocks. Image paths are made
relative to the repository root. `python tools/make_readme.py --check` exits 1 when README.md is out of date."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def render(nb_path=ROOT/'nbs'/'index.ipynb')->str:
    out = []
    for c in json.loads(Path(nb_path).read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(re.sub(r'\]\(images/', '](nbs/images/', src))
        elif not re.search(r'^#\|\s*hide', src, re.M):
            code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
            if code: out.append(f'```python\n{code}\n```')
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv: sys.exit(0 if readme.exists() and readme.read_text() == text else 1)
    readme.write_text(text); print('wrote', readme)
