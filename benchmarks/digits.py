"""A data set unlike scenes9, through the command line as a user would run it: spoken digits with pictures of digits.

Ten classes (CLASS 0-9 with no classes.txt). Each row pairs an 8x8 handwritten digit from scikit-learn's bundled
`load_digits`, upscaled to a 32 px grayscale PNG, with that digit spoken by a synthetic voice (espeak-ng: voices,
variants, pitch and speed make the speakers), trimmed of silence and saved as an 8 kHz WAV of 0.2 to 1 s. Paths are
written relative to the CSV (`images/...`, `audio/...`), START is 0 and DURATION each clip's own length. Test rows
hold out both speakers and images that training never saw. Needs `espeak-ng` (Debian: apt install espeak-ng).

Runs `scene-classify train --data pairs_train.csv --preset fast`, then `predict`, unchanged, and scores the fused
predictions against the held-out labels.

Usage: python benchmarks/digits.py [--work DIR] [--rows-per-speaker 50]
Also fits the two baselines (raw pixels, MFCC logistic regression) on the same pairs and scores them on the test rows.
Writes benchmarks/results/digits.json."""
import argparse, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, librosa, soundfile as sf
from PIL import Image
from sklearn.datasets import load_digits

WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
VOICES = ['en-us', 'en-gb', 'en-gb-scotland', 'en-029', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en']
VARIANTS = ['m1', 'm3', 'm5', 'f1', 'f3', 'f4']

def speakers(n:int, rng)->list:
    "`n` synthetic speakers: a voice, a variant, a pitch and a speed each."
    return [dict(voice=VOICES[i % len(VOICES)], variant=VARIANTS[(i*5) % len(VARIANTS)], pitch=int(rng.integers(25, 75)),
                 speed=int(rng.integers(130, 210))) for i in range(n)]

def say(word:str, spk:dict, dest:Path, sr:int=8000)->float:
    "Speak `word` in `spk`'s voice into the WAV `dest` at `sr`, silence trimmed; its length in seconds."
    with tempfile.NamedTemporaryFile(suffix='.wav') as t:
        subprocess.run(['espeak-ng', '-v', f'{spk["voice"]}+{spk["variant"]}', '-p', str(spk['pitch']), '-s', str(spk['speed']),
                        '-w', t.name, word], check=True)
        y, rate = sf.read(t.name, dtype='float32')
    y, _ = librosa.effects.trim(y, top_db=35)
    y = librosa.resample(y, orig_sr=rate, target_sr=sr)
    sf.write(dest, y, sr, subtype='PCM_16')
    return len(y)/sr

def build(dest:Path, rows_per_speaker:int=50, n_train:int=12, n_test:int=4, seed:int=0)->Path:
    "Write the data set into `dest`: images/, audio/, pairs_train.csv, pairs_test.csv, test_labels.csv."
    rng = np.random.default_rng(seed)
    digits = load_digits()
    order = rng.permutation(len(digits.target))
    pools = dict(train=list(order[:len(order)*3//4]), test=list(order[len(order)*3//4:])) # images never shared
    for sub in ('images', 'audio'): (dest/sub).mkdir(parents=True, exist_ok=True)
    spk = speakers(n_train + n_test, rng)
    for split, who in (('train', spk[:n_train]), ('test', spk[n_train:])):
        rows = []
        for s, person in enumerate(who):
            for j in range(rows_per_speaker):
                k = int(rng.integers(10))
                img = next(i for i in pools[split] if digits.target[i] == k)
                pools[split].remove(img)
                name = f'{split}_{len(rows):05d}'
                pic = Image.fromarray((digits.images[img]*255/16).astype(np.uint8)).resize((32, 32), Image.BILINEAR)
                pic.save(dest/'images'/f'{name}.png')
                dur = say(WORDS[k], person, dest/'audio'/f'{split}_{s}_{j}.wav')
                rows.append(dict(IMAGE=f'images/{name}.png', AUDIO=f'audio/{split}_{s}_{j}.wav', START=0.0, DURATION=round(dur, 4), CLASS=k))
        t = pd.DataFrame(rows)
        if split == 'test':
            t[['IMAGE', 'CLASS']].to_csv(dest/'test_labels.csv', index=False)
            t = t.drop(columns='CLASS')
        t.to_csv(dest/f'pairs_{split}.csv', index=False)
    return dest

def baselines(data:Path, truth:pd.DataFrame)->dict:
    "Test accuracy of the two baselines a user tries first, fitted on the same training pairs: pixels, MFCC logreg."
    from scene_classify.data import read_scenes
    from scene_classify.models import create_model
    train, test = read_scenes(data/'pairs_train.csv'), read_scenes(data/'pairs_test.csv')
    y = truth.CLASS.astype(str).to_numpy()
    out = {}
    for name in ('pixels', 'mfcc_logreg'):
        m = create_model(name).fit(train)
        out[f'test_accuracy_baseline_{name}'] = float((np.array(m.classes_)[m.predict_proba(test).argmax(1)] == y).mean())
    return out

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--work', default=None, help='folder to build the data and the model in (default: a temporary one)')
    p.add_argument('--rows-per-speaker', type=int, default=50)
    p.add_argument('--preset', default='fast')
    a = p.parse_args()
    if not shutil.which('espeak-ng'): sys.exit('espeak-ng not found: apt install espeak-ng')
    work = Path(a.work or tempfile.mkdtemp(prefix='digits-'))
    data = build(work/'digits', a.rows_per_speaker)
    sc = str(Path(sys.executable).with_name('scene-classify'))
    res, t = dict(preset=a.preset, rows_per_speaker=a.rows_per_speaker), time.time()
    subprocess.run([sc, 'train', '--data', str(data/'pairs_train.csv'), '--out', str(work/'model'), '--preset', a.preset], check=True)
    res['train_seconds'] = round(time.time() - t, 1)
    subprocess.run([sc, 'predict', '--model', str(work/'model'), '--data', str(data/'pairs_test.csv'),
                    '--out', str(work/'pred.csv')], check=True)
    det, truth = pd.read_csv(work/'pred_detailed.csv'), pd.read_csv(data/'test_labels.csv')
    settings = json.loads((work/'model'/(work/'model'/'CURRENT').read_text().strip()/'settings.json').read_text())
    res.update(test_rows=len(det), strategy=settings['strategy'], classes=settings['classes'],
               comparison={k: v['accuracy'] for k,v in settings['comparison'].items()})
    for m in ('fused', 'vision', 'audio'):
        p_m = det[[f'{m}_{c}' for c in settings['classes']]].to_numpy()
        res[f'test_accuracy_{m}'] = float((np.array(settings['classes'])[p_m.argmax(1)] == truth.CLASS.astype(str).to_numpy()).mean())
    res.update(models=settings['models'], board=settings['board'], time_limit=settings['run'].get('time_limit'))
    res.update(baselines(data, truth))
    out = Path(__file__).parent/'results'/'digits.json'
    out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
