# popcon studio on a GPU host: two images from one file, each with only what it runs.
#
#   docker build -t popcon .                          # the studio with model backends (app)
#   docker run --gpus all -p 7860:7860 -v popcon:/data popcon
#   docker build --target worker -t popcon-worker .   # the RunPod worker: no gradio
#
# Both install a pinned set from requirements/ (made from pyproject.toml's extras by
# requirements/lock.py): app = core + ui + models, worker = core + models + worker. Neither
# has the test tools. On a GPU, onnxruntime-gpu (requirements-gpu.txt) stands in for the
# sets' CPU onnxruntime, which is left out rather than installed and removed. PyPI's Linux
# torch is the CUDA build. The pins are resolved and tested on CPython 3.11; this base has
# Ubuntu 24.04's Python 3.12, and `pip check` runs at build time.
#
# RunPod Serverless: push the worker image to a registry, create a Serverless endpoint from
# it (no start command needed), set STUDIO_WORKER_CONCURRENCY if one GPU should run several
# jobs. On the orchestrator: STUDIO_SEGMENTER=remote:birefnet
# STUDIO_WORKER_URL=https://api.runpod.ai/v2/<endpoint-id> STUDIO_WORKER_API_KEY=<key>.
# Test the worker locally with the SDK's API server:
#   docker run --gpus all -p 8000:8000 popcon-worker python -m studio.remote.worker \
#       --rp_serve_api --rp_api_host 0.0.0.0 --rp_api_port 8000
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS python

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    STUDIO_MODELS_DIR=/opt/popcon/models \
    HF_HOME=/opt/popcon/hf \
    U2NET_HOME=/opt/popcon/u2net \
    STUDIO_HOME=/data

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv $VIRTUAL_ENV \
 && pip install --upgrade pip

WORKDIR /src
COPY requirements/ ./requirements/
COPY requirements-gpu.txt ./
COPY pyproject.toml README.md LICENSE ./
COPY studio ./studio

# The RunPod worker: runpod installs with its own dependencies (no gradio here to clash).
FROM python AS worker
RUN grep -v '^onnxruntime==' requirements/worker.txt > /tmp/pins.txt \
 && pip install -r /tmp/pins.txt -r requirements-gpu.txt \
 && pip install --no-deps . \
 && pip check
WORKDIR /data
# rembg's matting code is compiled by numba on first import (~50 s, ~0.5 GB): cache it in
# the image so a fresh worker's first job does not pay it (the cache is per CPU model).
RUN python -c "import rembg.sessions"
# Bake the worker's weights in: no download on a cold start, and none attempted later.
ARG MODELS="isnet-anime birefnet-general sam2.1-hiera-tiny"
RUN popcon models pull $MODELS
ENV HF_HUB_OFFLINE=1
CMD ["python", "-m", "studio.remote.worker"]

# The studio (the default target): gradio + model backends, listening on all interfaces.
FROM python AS app
RUN grep -v '^onnxruntime==' requirements/app.txt > /tmp/pins.txt \
 && pip install -r /tmp/pins.txt -r requirements-gpu.txt \
 && pip install --no-deps . \
 && pip check
WORKDIR /data
RUN python -c "import rembg.sessions"
ARG MODELS="isnet-anime birefnet-general sam2.1-hiera-tiny"
RUN popcon models pull $MODELS
ENV STUDIO_HOST=0.0.0.0
EXPOSE 7860
CMD ["popcon", "serve"]
