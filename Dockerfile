# popcon studio on a GPU host: one image, two entrypoints.
#
#   docker build -t popcon .                                  # weights baked in at build time
#   docker run --gpus all -p 7860:7860 popcon                 # the studio (app.py)
#   docker run --gpus all popcon python -m studio.remote.worker   # the RunPod worker
#   docker build --target worker -t popcon-worker .           # same layers, worker as CMD
#
# RunPod Serverless: push the image (or the `worker` target) to a registry, create a
# Serverless endpoint from it (container start command: python -m studio.remote.worker, or
# none with the worker target), set STUDIO_WORKER_CONCURRENCY if one GPU should run several
# jobs. On the orchestrator: STUDIO_SEGMENTER=remote:birefnet
# STUDIO_WORKER_URL=https://api.runpod.ai/v2/<endpoint-id> STUDIO_WORKER_API_KEY=<key>.
# Test the worker locally with the SDK's API server:
#   docker run --gpus all -p 8000:8000 popcon python -m studio.remote.worker \
#       --rp_serve_api --rp_api_host 0.0.0.0 --rp_api_port 8000
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS base

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    STUDIO_MODELS_DIR=/opt/popcon/models \
    HF_HOME=/opt/popcon/hf \
    U2NET_HOME=/opt/popcon/u2net \
    STUDIO_HOME=/data \
    STUDIO_HOST=0.0.0.0

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv $VIRTUAL_ENV

WORKDIR /app
COPY requirements.txt requirements-gpu.txt ./
# runpod 1.12 asks for tomlkit>=0.15 (for its CLI only) while gradio pins tomlkit<0.15, so
# runpod goes in without its dependency check; its runtime dependencies are in
# requirements.txt.
COPY requirements-nodeps.txt ./
RUN pip install -r requirements.txt \
 && pip uninstall -y onnxruntime \
 && pip install -r requirements-gpu.txt \
 && pip install --no-deps -r requirements-nodeps.txt

COPY pyproject.toml README.md app.py ./
COPY studio ./studio
COPY models/manifest.json ./models/manifest.json
RUN pip install --no-deps --no-build-isolation -e .

# Bake the worker's weights in: no download on a cold start.
ARG MODELS="isnet-anime birefnet-general sam2.1-hiera-tiny"
RUN popcon models pull $MODELS
ENV HF_HUB_OFFLINE=1

FROM base AS worker
CMD ["python", "-m", "studio.remote.worker"]

FROM base AS app
EXPOSE 7860
CMD ["python", "app.py"]
