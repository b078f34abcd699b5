# syntax=docker/dockerfile:1
# Subshift's image: one image, three processes (`serve api|relay|consumer`), plus the
# one-shot commands (`db upgrade`, `contracts publish`) the init job runs.
#
#   docker build -t subshift .
#   docker run --rm subshift serve relay

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: wheels of the generated client, of the service, and of every dependency ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Every third-party package at the exact version and hash of the runtime lock (scripts/upgrade-deps
# refreshes it), so two builds of one commit carry the same packages.
COPY requirements/runtime.txt requirements/
RUN pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements/runtime.txt
COPY clients/python/ clients/python/
COPY gate/core/ gate/core/
COPY pyproject.toml README.md ./
COPY services/ services/
# The three local projects, without their dependencies: those are the locked wheels above, and the
# service's `subshift-client` and `subshift-contracts-core` are ./clients/python and ./gate/core themselves,
# never packages of those names on an index. The contract gate (./gate, with avro and buf) is not in the
# image: production never runs it, so `subshift contracts check` here says how to install it.
RUN pip wheel --no-deps --wheel-dir /wheels ./clients/python ./gate/core .

# --- runtime: slim, no compilers, no pip cache, a non-root user ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 subshift \
 && useradd --system --uid 10001 --gid subshift --home-dir /home/subshift --create-home subshift
# Only the wheels of the build stage, no index: nothing but the locked versions can be resolved.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels 'subshift[otlp]'
# Running services read topics from the manifest copy generated into the client package. Only the init
# job's `contracts publish` reads the contracts themselves: from /opt/subshift, named by the variable
# every `subshift contracts` command honours (there is no git checkout in the image).
COPY contracts/ /opt/subshift/contracts/
ENV SUBSHIFT_CONTRACTS_REPO=/opt/subshift
RUN python -c 'from subshift_client.topics import ALL_TOPICS; assert ALL_TOPICS' \
 && python -c 'from pathlib import Path; from subshift_contracts_core.repository import open_manifest; open_manifest(Path("/opt/subshift"))'

USER 10001:10001
WORKDIR /home/subshift
# In a container the API listens on every interface; metrics ports: api 9464, relay 9465, consumer 9466;
# health alone on 50052. The image is in production mode: no development secret exists, and the API
# refuses to start without TLS or with a weak HS* secret. Development (docker-compose.yml) says otherwise.
ENV SUBSHIFT_API_ADDR=0.0.0.0:50051 \
    SUBSHIFT_API_HEALTH_ADDR=0.0.0.0:50052 \
    SUBSHIFT_AUTH_PRODUCTION=true \
    SUBSHIFT_STATE_DIR=/home/subshift/.subshift
EXPOSE 50051 9464 9465 9466
ENTRYPOINT ["subshift"]
CMD ["serve", "api"]
