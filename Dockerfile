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
COPY pyproject.toml README.md ./
COPY services/ services/
# The two local projects, without their dependencies: those are the locked wheels above, and the
# service's `subshift-client` is ./clients/python itself, never a package of that name on an index.
RUN pip wheel --no-deps --wheel-dir /wheels ./clients/python .

# --- runtime: slim, no compilers, no pip cache, a non-root user ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 subshift \
 && useradd --system --uid 10001 --gid subshift --home-dir /home/subshift --create-home subshift
# Only the wheels of the build stage, no index: nothing but the locked versions can be resolved.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels 'subshift[otlp]'
# The contracts (subjects.yaml, Avro and Protobuf sources) are read at run time from the
# directory the manifest loader names; link it there and prove the manifest loads.
COPY contracts/ /opt/subshift/contracts/
RUN contracts_dir="$(python -c 'from subshift.contracts_manifest import CONTRACTS_DIR; print(CONTRACTS_DIR)')" \
 && ln -sfn /opt/subshift/contracts "$contracts_dir" \
 && python -c 'from subshift.contracts_manifest import load_manifest; load_manifest()'

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
